/**
 * What this browser refused to keep in IndexedDB (storage full, IndexedDB disabled by policy or a private window), so the
 * panel can say that those changes and unsaved results live in this page only. One entry per kept item (a draft key, a
 * pending result), with what it holds in the reader's words; cleared once that item is kept or no longer needs keeping
 * (saved, undone, discarded).
 */

export interface StorageRefusal {
  /** What was not kept, as the panel names it ('your changes to the analysis', 'the unsaved result (version 2)'). */
  what: string;
  /** The browser's reason, without a closing full stop ('QuotaExceededError: The quota has been exceeded'). */
  reason: string;
}

const refusals = new Map<string, StorageRefusal>();
const listeners = new Set<() => void>();
let current: StorageRefusal[] = [];

function changed(): void {
  current = [...refusals.values()];
  for (const l of listeners) l();
}

/** Records that the browser refused to keep item `key` (`what` it holds), for the error `e` it gave. */
export function storageRefused(key: string, what: string, e: unknown): void {
  const reason = (!(e instanceof Error) ? String(e) : e.name === 'Error' ? e.message : `${e.name}: ${e.message}`).replace(/\.$/, '');
  refusals.set(key, { what, reason });
  changed();
}

/** Item `key` is kept, or need not be any more. */
export function storageKept(key: string): void {
  if (refusals.delete(key)) changed();
}

/** Whether the browser refused to keep item `key` (or another tab replaced it: store/reader-drafts.ts) and it is not kept since. */
export function storageRefusedFor(key: string): boolean {
  return refusals.has(key);
}

/** The refusals standing now (a new array after each change: usable as a React external store snapshot). */
export function storageRefusals(): StorageRefusal[] {
  return current;
}

/** Calls `listener` after each change; returns the unsubscribe. */
export function onStorageRefusals(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
