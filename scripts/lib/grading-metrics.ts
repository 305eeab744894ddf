/** Metrics for eval:grading (pure): linear-weighted Cohen's kappa, confusion matrix, AUC (Mann–Whitney). */

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
