/**
 * The cautions a grade's evidence carries: the "Caution…" sentences that grade/*.ts and build-report.ts append to a
 * finding's rule text (a small disc outline beside a Pfirrmann grade or a slip, a 3D or fat-suppressed T2, an unclear
 * dural sac wall, an AP-only stenosis at L5/S1, an axial area and sagittal AP that disagree, foramina read after
 * contrast). Read from the text, so that a report read back from a stored SR, which keeps the rule as text, is marked
 * alike.
 */
import type { Finding } from '../pipeline/report';

/** A rule text parted into what precedes its first caution and the caution sentences, in order. */
export function splitCautions(rule: string): { rule: string; cautions: string[] } {
  const [head, ...rest] = rule.split(/\.\s+(?=Caution\b)/);
  return head.startsWith('Caution') ? { rule: '', cautions: [head, ...rest] } : { rule: head, cautions: rest };
}

/**
 * The caution sentences of a finding's rule, in order; none for a finding not assessable or changed by the reader
 * (the reader has decided on it).
 */
export function cautionsOf(f: Finding<unknown> | undefined): string[] {
  if (!f || f.value === null || f.readerModified) return [];
  return splitCautions(f.evidence.rule).cautions;
}

/** The levels table's legend for the mark. */
export const CAUTION_LEGEND = '? = the grade carries a caution (hover over it, or open the level): check it on the image';
