/**
 * Metrics and fitting for eval:grading (pure): linear-weighted Cohen's kappa, confusion matrix,
 * AUC (Mann–Whitney), least-squares fit of the Pfirrmann score and kappa-optimal cut-points.
 */
import { FEATURE_KEYS, featureValue, pfirrmannScore, scoreToGrade, type PfirrmannFeatures, type PfirrmannModel } from '../../extension/src/pipeline/grade/pfirrmann';

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

function solve(a: number[][], b: number[]): number[] {
  const n = b.length, m = a.map((r, i) => [...r, b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c; for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = 0; r < n; r++) if (r !== c) { const f = m[r][c] / m[c][c]; for (let q = c; q <= n; q++) m[r][q] -= f * m[c][q]; }
  }
  return m.map((r, i) => r[n] / r[i]);
}

/** Fit intercept+weights by ridge-stabilised least squares of grade on features, then cut-points maximising weighted kappa. */
export function fitPfirrmann(x: PfirrmannFeatures[], y: number[]): PfirrmannModel {
  const rows = x.map((f) => [1, ...FEATURE_KEYS.map((k) => featureValue(f, k))]);
  const p = rows[0].length;
  const ata = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => rows.reduce((a, r) => a + r[i] * r[j], 0) + (i === j && i > 0 ? 1e-3 : 0)));
  const atb = Array.from({ length: p }, (_, i) => rows.reduce((a, r, n) => a + r[i] * y[n], 0));
  const w = solve(ata, atb);
  const model: PfirrmannModel = {
    intercept: w[0],
    weights: Object.fromEntries(FEATURE_KEYS.map((k, n) => [k, w[n + 1]])) as unknown as PfirrmannFeatures,
    cutPoints: [1.5, 2.5, 3.5, 4.5], source: `fitted on ${y.length} SPIDER discs`,
  };
  const s = x.map((f) => pfirrmannScore(f, model));
  const cands = [...new Set(s.map((v) => Math.round(v * 50) / 50))].sort((a, b) => a - b);
  const cuts = [...model.cutPoints] as [number, number, number, number];
  const kap = (c: number[]) => weightedKappa(y, s.map((v) => scoreToGrade(v, c)));
  for (let iter = 0; iter < 3; iter++) for (let c = 0; c < 4; c++) {
    let best = cuts[c], bestK = kap(cuts);
    for (const v of cands) {
      if ((c > 0 && v <= cuts[c - 1]) || (c < 3 && v >= cuts[c + 1])) continue;
      cuts[c] = v; const kk = kap(cuts); if (kk > bestK) { bestK = kk; best = v; }
    }
    cuts[c] = best;
  }
  model.cutPoints = cuts;
  return model;
}
