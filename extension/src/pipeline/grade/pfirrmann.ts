/**
 * Pfirrmann grade I–V of a lumbar disc on the mid-sagittal T2 (Pfirrmann C.W.A. et al., Spine
 * 2001;26(17):1873–8: nucleus signal bright/CSF-like → grey → black, nucleus–annulus distinction,
 * homogeneity, disc height).
 *
 * The grade starts from the disc-patch classifier's probability-weighted mean grade (disc-classifier.ts, a
 * small CNN trained on the readers' grades of SPIDER, van der Graaf J.W. et al., Sci Data 2024;11:264; recipe
 * models/training/pfirrmann.py; the mean respects the grades' order and agreed better with the readers than
 * the single most probable grade). With a calibration in the manifest, the grade is a linear score of that
 * mean grade and the measured Pfirrmann criteria below, fitted to the readers' grades and stretched to their
 * spread (models/training/pfirrmann_calibration.py): the plain rounded mean under-calls grade V and ignores
 * what is measured. Without one, the rounded mean. Both measured against the readers by `npm run
 * eval:grading` (5-fold CV by patient; numbers in models/PFIRRMANN_MODEL_CARD.md). The evidence shows the
 * class probabilities, the calibrated score and the measured criteria the reader can check.
 */
import type { Finding, Measurement, PfirrmannGrade } from '../report';
import type { DiscFinding } from '../disc-classifier';

export const PFIRRMANN_REFERENCE = 'Pfirrmann C.W.A. et al., Spine 2001;26(17):1873-8; classifier trained on SPIDER readers\' grades (van der Graaf J.W. et al., Sci Data 2024;11:264)';

/** Pfirrmann's criteria as measured on the mid-sagittal T2 (evidence shown beside the grade; measure-spine.ts measures them). Ratios, unitless; NaN when not measurable. */
export interface PfirrmannFeatures { nucleusCsfSignalRatio: number; nucleusAnnulusContrast: number; heightIndex: number; nucleusVertebralBodySignalRatio: number; nucleusBrightestDiscRatio: number }
export const PFIRRMANN_FEATURES = ['nucleusCsfSignalRatio', 'nucleusAnnulusContrast', 'heightIndex', 'nucleusVertebralBodySignalRatio', 'nucleusBrightestDiscRatio'] as const satisfies readonly (keyof PfirrmannFeatures)[];

/**
 * score = intercept + weights.meanGrade × mean grade + Σ weights[f] × feature f (a feature not measured takes
 * featureMeans[f], the cohort mean it was fitted on); grade = score rounded half up, clamped to I..V.
 * Written by models/training/pfirrmann_calibration.py into the manifest, for the classifier file whose sha256 it records.
 */
export interface PfirrmannCalibration {
  intercept: number;
  weights: { meanGrade: number } & Partial<Record<keyof PfirrmannFeatures, number>>;
  featureMeans: Partial<Record<keyof PfirrmannFeatures, number>>;
  classifierSha256: string;
  discs?: number;
}

const FEATURE_LABEL: Record<keyof PfirrmannFeatures, string> = {
  nucleusCsfSignalRatio: 'nucleus/CSF signal ratio', nucleusAnnulusContrast: 'nucleus–annulus contrast', heightIndex: 'disc height index',
  nucleusVertebralBodySignalRatio: 'nucleus/vertebral body signal ratio', nucleusBrightestDiscRatio: 'nucleus/brightest disc signal ratio',
};

/** The terms of the calibrated score of one disc (see PfirrmannCalibration): weight, value, and whether the cohort mean stood in. */
function calibrationTerms(features: PfirrmannFeatures | null, c: PfirrmannCalibration) {
  return PFIRRMANN_FEATURES.filter((k) => c.weights[k] !== undefined).map((k) => {
    const v = features?.[k];
    const measured = v !== undefined && Number.isFinite(v);
    return { key: k, weight: c.weights[k]!, value: measured ? v : c.featureMeans[k]!, measured };
  });
}

/** The calibrated score of one disc (see PfirrmannCalibration). */
export function calibratedPfirrmannScore(meanGrade: number, features: PfirrmannFeatures | null, c: PfirrmannCalibration): number {
  return calibrationTerms(features, c).reduce((score, t) => score + t.weight * t.value, c.intercept + c.weights.meanGrade * meanGrade);
}

/** "0.39 + 1.06 × mean grade 2.67 − 0.77 × nucleus/CSF signal ratio 0.43 … = 2.84", for the evidence line. */
function calibrationFormula(meanGrade: number, features: PfirrmannFeatures | null, c: PfirrmannCalibration): string {
  const signed = (w: number) => `${w < 0 ? '−' : '+'} ${Math.abs(w).toFixed(2)}`;
  const terms = calibrationTerms(features, c).map((t) => ` ${signed(t.weight)} × ${FEATURE_LABEL[t.key]} ${t.value.toFixed(2)}${t.measured ? '' : ' (not measured: cohort mean)'}`);
  return `${c.intercept.toFixed(2)} ${signed(c.weights.meanGrade)} × mean grade ${meanGrade.toFixed(2)}${terms.join('')} = ${calibratedPfirrmannScore(meanGrade, features, c).toFixed(2)}`;
}

const ROMAN = ['I', 'II', 'III', 'IV', 'V'] as const;

/** What produced the probabilities, for the evidence line, and the calibration to apply to them. */
export interface PfirrmannClassifierInfo {
  name: string; cvLinearKappa?: number; cvAuc?: Partial<Record<DiscFinding, number>>;
  calibration?: PfirrmannCalibration;
  /** Why the manifest's calibration is not applied (disc-classifier.ts calibrationFor); shown in the evidence. */
  calibrationRefused?: string;
  /** Cautions about the series the classifier read (a 3D acquisition; a T2 weighting stated by the reader: build-report.ts classifyDiscs), appended to the evidence. */
  acquisitionCaution?: string;
}

/**
 * The caution beside a Pfirrmann grade read on a 3D series (MRAcquisitionType 3D): the classifier agrees with readers less
 * on 3D T2 than on 2D TSE T2 (models/PFIRRMANN_MODEL_CARD.md). The two cross-validated kappas are quoted when both are known.
 */
export function threeDAcquisitionCaution(cvLinearKappa3d?: number, cvLinearKappa?: number): string {
  const measured = cvLinearKappa3d !== undefined && cvLinearKappa !== undefined
    ? ` (cross-validated kappa ${cvLinearKappa3d.toFixed(2)} against ${cvLinearKappa.toFixed(2)})` : '';
  return `Caution: a 3D T2 series (MRAcquisitionType 3D, e.g. SPACE): the classifier agrees with readers less on 3D T2 than on 2D TSE T2${measured}; where the study has a 2D sagittal T2, grade on that`;
}

/**
 * A disc whose outline on the slice covers less than this fraction of the median disc of the same spine gets a
 * caution beside its grade: the outline (and so the patch centred on it) may be a fragment of the disc or not the
 * disc at all — at L5/S1 often presacral tissue or the front corner of the disc. Project threshold, from
 * `npm run eval:grading`: such discs (57 of the 1,155 found on SPIDER with segmentation network v1.2.0, 4.9 %, mostly at
 * L5/S1) agreed with the readers at cross-validated linear kappa 0.54, against 0.62 for the rest (classifier v1.6.0;
 * v1.5.0: 0.47 against 0.62; v1.4.0: 0.51 against 0.62; v1.3.0: 0.53 against 0.62; network v1.1.0: 99 discs, 0.33 against 0.58). The grade is kept: a collapsed grade V disc is small too.
 */
export const SMALL_DISC_OUTLINE_FRACTION = 0.5;
/** Whether a disc's outline fraction (measurement 'discOutlineFraction') is under SMALL_DISC_OUTLINE_FRACTION; undefined: not measured, no. */
export const isSmallDiscOutline = (outlineFraction: number | undefined): outlineFraction is number =>
  outlineFraction !== undefined && outlineFraction < SMALL_DISC_OUTLINE_FRACTION;

/** The probability-weighted mean grade (1 = I … 5 = V) of the classifier's [p(I) … p(V)]; they need not sum exactly to 1. */
export function meanPfirrmannGrade(probabilities: readonly number[]): number {
  const total = probabilities.reduce((a, p) => a + p, 0) || 1;
  return probabilities.reduce((a, p, n) => a + p * (n + 1), 0) / total;
}

/**
 * Grade one disc from the classifier's probabilities [p(I) … p(V)] (they need not sum exactly to 1) and, when
 * the classifier carries a calibration, the disc's measured criteria (null: none measured).
 * Not assessable (value null, with the reason) when probabilities is null: no classifier, or no patch.
 */
export function gradePfirrmann(probabilities: readonly number[] | null, measurements: Measurement[], classifier: PfirrmannClassifierInfo | null, missingReason?: string, features: PfirrmannFeatures | null = null): Finding<PfirrmannGrade> {
  if (!probabilities || probabilities.length !== 5 || !probabilities.every(Number.isFinite) || !classifier) {
    return { value: null, notAssessableReason: missingReason ?? 'not assessable: the disc classifier did not run', evidence: { measurements, rule: 'needs the disc-patch classifier', reference: PFIRRMANN_REFERENCE }, readerModified: false };
  }
  const total = probabilities.reduce((a, p) => a + p, 0) || 1;
  const mean = meanPfirrmannGrade(probabilities);
  const c = classifier.calibration;
  const score = c ? calibratedPfirrmannScore(mean, features, c) : mean;
  const value = Math.min(5, Math.max(1, Math.floor(score + 0.5))) as PfirrmannGrade;
  const shares = probabilities.map((p, n) => `${ROMAN[n]} ${Math.round((100 * p) / total)} %`).join(' · ');
  const kappa = classifier.cvLinearKappa !== undefined ? `; agreement with readers: linear-weighted kappa ${classifier.cvLinearKappa.toFixed(2)}, cross-validated` : '';
  const calibrated = c ? ` → calibrated to the readers' grades with the measured criteria: ${calibrationFormula(mean, features, c)}`
    : classifier.calibrationRefused ? ` (uncalibrated: ${classifier.calibrationRefused})` : '';
  const outline = measurements.find((x) => x.name === 'discOutlineFraction')?.value;
  const caution = isSmallDiscOutline(outline)
    ? `. Caution: the disc outline covers ${Math.round(100 * outline)} % of this spine's median disc on the slice, so the patch may show a fragment of the disc or other tissue — check the outline before trusting the grade`
    : '';
  const acquisition = classifier.acquisitionCaution ? `. ${classifier.acquisitionCaution}` : '';
  const rule = `disc-patch classifier (${classifier.name}) on the mid-sagittal T2: ${shares} → mean grade ${mean.toFixed(2)}${calibrated} → grade ${ROMAN[value - 1]}${kappa}${caution}${acquisition}`;
  return { value, evidence: { measurements, rule, reference: PFIRRMANN_REFERENCE }, readerModified: false, automaticValue: value };
}
