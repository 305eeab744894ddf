/**
 * Pfirrmann grade I–V of a lumbar disc on the mid-sagittal T2 (Pfirrmann C.W.A. et al., Spine
 * 2001;26(17):1873–8). Pfirrmann's criteria are nucleus signal (bright/CSF-like → grey → black),
 * nucleus–annulus distinction, homogeneity and disc height; here they are measured as:
 * - nucleusCsfSignalRatio: mean nucleus intensity / median CSF (dural sac) intensity;
 * - nucleusAnnulusContrast: (nucleus − annulus) / annulus mean intensity;
 * - heightIndex: disc height / mean height of adjacent discs (1 when no neighbour);
 * - nucleusVertebralBodySignalRatio: nucleus mean / median marrow intensity of the adjacent vertebral bodies;
 * - nucleusBrightestDiscRatio: nucleus mean / the brightest nucleus mean of the same spine (within-patient reference).
 * A linear score s = intercept + Σ wᵢ·featureᵢ is cut at four ordered cut-points: grade = 1 + #(cut < s).
 * PFIRRMANN_MODEL holds the weights and cut-points fitted on SPIDER (van der Graaf J.W. et al.,
 * Sci Data 2024;11:264) by `npm run eval:grading -- --fit` (least squares + kappa-optimal cut-points);
 * accuracy is reported cross-validated by patient by the same script.
 */
import type { Finding, Measurement, PfirrmannGrade } from '../report';

export const PFIRRMANN_REFERENCE = 'Pfirrmann C.W.A. et al., Spine 2001;26(17):1873-8; score weights and cut-points fitted on SPIDER (van der Graaf J.W. et al., Sci Data 2024;11:264)';

export interface PfirrmannFeatures { nucleusCsfSignalRatio: number; nucleusAnnulusContrast: number; heightIndex: number; nucleusVertebralBodySignalRatio: number; nucleusBrightestDiscRatio: number }
export const FEATURE_KEYS: (keyof PfirrmannFeatures)[] = ['nucleusCsfSignalRatio', 'nucleusAnnulusContrast', 'heightIndex', 'nucleusVertebralBodySignalRatio', 'nucleusBrightestDiscRatio'];
const FEATURE_WORDS: Record<keyof PfirrmannFeatures, string> = {
  nucleusCsfSignalRatio: 'nucleus/CSF', nucleusAnnulusContrast: 'nucleus–annulus contrast', heightIndex: 'height index',
  nucleusVertebralBodySignalRatio: 'nucleus/vertebral body', nucleusBrightestDiscRatio: 'nucleus/brightest disc',
};

export interface PfirrmannModel { intercept: number; weights: PfirrmannFeatures; cutPoints: [number, number, number, number]; source: string }

/**
 * Fitted on all 896 SPIDER discs that were found by level name and had a CSF reference
 * (segmentation: models/spine-sag-unet-v1.onnx sha256 1545dc20…) by `npm run eval:grading -- --fit`;
 * 5-fold-by-patient CV of the same procedure: linear-weighted kappa 0.38, exact 37 %, within one 83 %.
 * Negative weight = brighter/more contrasted nucleus or taller disc → lower (healthier) grade. The
 * small positive weights on the vertebral-body and brightest-disc ratios are collinearity corrections,
 * not clinical claims. Refit after the segmentation model changes.
 */
export const PFIRRMANN_MODEL: PfirrmannModel = {
  intercept: 3.490,
  weights: { nucleusCsfSignalRatio: -1.664, nucleusAnnulusContrast: -0.408, heightIndex: -0.092, nucleusVertebralBodySignalRatio: 0.161, nucleusBrightestDiscRatio: 0.130 },
  cutPoints: [2.2, 2.88, 3.18, 3.34],
  source: 'linear score fitted on SPIDER, CV kappa 0.38',
};

/** The hand rule used before fitting (kept for comparison): with a normal height, nucleus/CSF ≥ 0.9 → I, ≥ 0.65 → II, ≥ 0.4 → III, ≥ 0.15 → IV, else V. */
export const PFIRRMANN_HAND_RULE: PfirrmannModel = {
  intercept: 7.5,
  weights: { nucleusCsfSignalRatio: -4, nucleusAnnulusContrast: 0, heightIndex: -2, nucleusVertebralBodySignalRatio: 0, nucleusBrightestDiscRatio: 0 },
  cutPoints: [1.9, 2.9, 3.9, 4.9],
  source: 'hand rule (not fitted)',
};

/** Feature value with the missing-value rule (height index 1 when no neighbour). */
export function featureValue(f: PfirrmannFeatures, k: keyof PfirrmannFeatures): number {
  const v = f[k];
  return Number.isFinite(v) ? v : k === 'heightIndex' ? 1 : 0;
}

export function pfirrmannScore(f: PfirrmannFeatures, m: PfirrmannModel = PFIRRMANN_MODEL): number {
  let s = m.intercept;
  for (const k of FEATURE_KEYS) s += m.weights[k] * featureValue(f, k);
  return s;
}

export function scoreToGrade(s: number, cuts: readonly number[]): PfirrmannGrade {
  let g = 1;
  for (const c of cuts) if (s > c) g++;
  return g as PfirrmannGrade;
}

/** Grade one disc; null with a reason when the CSF reference or the nucleus signal is missing. */
export function gradePfirrmann(f: PfirrmannFeatures | null, measurements: Measurement[], m: PfirrmannModel = PFIRRMANN_MODEL, missingReason?: string): Finding<PfirrmannGrade> {
  if (!f || !Number.isFinite(f.nucleusCsfSignalRatio) || !Number.isFinite(f.nucleusAnnulusContrast)) {
    return { value: null, notAssessableReason: missingReason ?? 'not assessable: no CSF (dural sac) signal reference on the sagittal T2', evidence: { measurements, rule: 'needs nucleus and CSF signal', reference: PFIRRMANN_REFERENCE }, readerModified: false };
  }
  const s = pfirrmannScore(f, m);
  const value = scoreToGrade(s, m.cutPoints);
  const terms = FEATURE_KEYS.filter((k) => m.weights[k] !== 0).map((k) => `${m.weights[k].toFixed(2)}·${FEATURE_WORDS[k]} (${featureValue(f, k).toFixed(2)})`);
  const rule = `score = ${m.intercept.toFixed(2)} + ${terms.join(' + ')} = ${s.toFixed(2)}; cut-points ${m.cutPoints.map((c) => c.toFixed(2)).join(' / ')} → grade ${['I', 'II', 'III', 'IV', 'V'][value - 1]} (${m.source})`;
  return { value, evidence: { measurements, rule, reference: PFIRRMANN_REFERENCE }, readerModified: false, automaticValue: value };
}
