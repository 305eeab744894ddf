/** Metrics for eval:grading (pure): linear-weighted Cohen's kappa, confusion matrix, AUC (Mann–Whitney), level-name shift evidence. */
import { meanPfirrmannGrade } from '../../extension/src/pipeline/grade/pfirrmann';

/** Confusion matrix [truth-1][pred-1] for grades 1..k. */
export function confusion(truth: number[], pred: number[], k = 5): number[][] {
  const m = Array.from({ length: k }, () => new Array(k).fill(0));
  truth.forEach((t, n) => { m[t - 1][pred[n] - 1]++; });
  return m;
}

/** Linear-weighted Cohen's kappa for ordinal grades 1..k (Cohen J., Psychol Bull 1968). */
export function weightedKappa(truth: number[], pred: number[], k = 5): number {
  const m = confusion(truth, pred, k), n = truth.length;
  const rows = m.map((r) => r.reduce((a, b) => a + b, 0)), cols = m[0].map((_, j) => m.reduce((a, r) => a + r[j], 0));
  let obs = 0, exp = 0;
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
    const w = Math.abs(i - j) / (k - 1);
    obs += w * m[i][j] / n; exp += w * rows[i] * cols[j] / (n * n);
  }
  return exp === 0 ? 1 : 1 - obs / exp;
}

/** AUC of score for positives (higher score = more likely positive). */
export function auc(scores: number[], labels: boolean[]): number {
  const pos = scores.filter((_, n) => labels[n]), neg = scores.filter((_, n) => !labels[n]);
  let s = 0;
  for (const p of pos) for (const q of neg) s += p > q ? 1 : p === q ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

/**
 * Names shifted by one level leave "found at the right level" untouched (every disc still has a name) but pair
 * each disc with the readers' grade of its neighbour. Per image (≥ SHIFT_MIN_DISCS discs compared), the mean
 * |cross-validated mean grade − reader grade| under the pipeline's names, and with every name moved one level
 * down (the pipeline's L4/L5 taken as the readers' L5/S1) or up; an image counts as "fits shifted" when a moved
 * pairing is better by more than SHIFT_MIN_GAIN grades. The classifier was trained on the pipeline's names, so
 * this undercounts. A diagnostic, not ground truth: grades of neighbouring discs are often alike.
 */
export const SHIFT_MIN_DISCS = 4, SHIFT_MIN_GAIN = 0.25;

/** One graded disc: the readers' grade at IVD label `ivd` (1 = most caudal) and, when the pipeline found a disc of that name, the out-of-sample classifier output (grades I..V first; eval-grading.ts DiscRow). */
export interface GradedDiscRow { patient: string; ivd: number; grade: number; detected: boolean; outOfSampleProbabilities?: number[] }

export function shiftEvidence(rows: GradedDiscRow[]): { images: number; fitsNamesOneLower: string[]; fitsNamesOneHigher: string[] } {
  const byPatient = new Map<string, GradedDiscRow[]>();
  for (const r of rows) byPatient.set(r.patient, [...(byPatient.get(r.patient) ?? []), r]);
  const out = { images: 0, fitsNamesOneLower: [] as string[], fitsNamesOneHigher: [] as string[] };
  for (const [patient, rs] of byPatient) {
    const grade = new Map(rs.map((r) => [r.ivd, r.grade]));
    const found = rs.filter((r) => r.detected && r.outOfSampleProbabilities && grade.has(r.ivd - 1) && grade.has(r.ivd + 1));
    if (found.length < SHIFT_MIN_DISCS) continue;
    out.images++;
    const err = (shift: number) => found.reduce((a, r) => a + Math.abs(meanPfirrmannGrade(r.outOfSampleProbabilities!.slice(0, 5)) - grade.get(r.ivd + shift)!), 0) / found.length;
    const now = err(0);
    if (err(-1) < now - SHIFT_MIN_GAIN) out.fitsNamesOneLower.push(patient);
    else if (err(1) < now - SHIFT_MIN_GAIN) out.fitsNamesOneHigher.push(patient);
  }
  return out;
}
