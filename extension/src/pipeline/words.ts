/** Counted nouns in the messages a reader sees: "1 vertebral-body label was", "2 vertebral-body labels were". */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`;
}

/** "was" for one, "were" for more (or none). */
export function wasWere(n: number): string {
  return n === 1 ? 'was' : 'were';
}
