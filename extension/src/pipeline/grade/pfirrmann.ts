/**
 * Pfirrmann grade I–V of a lumbar disc on the mid-sagittal T2 (Pfirrmann C.W.A. et al., Spine
 * 2001;26(17):1873–8: nucleus signal bright/CSF-like → grey → black, nucleus–annulus distinction,
 * homogeneity, disc height).
 *
 * The grade is the probability-weighted mean grade of the disc-patch classifier, rounded half up
 * (disc-classifier.ts, a small CNN
 * trained on the readers' grades of SPIDER, van der Graaf J.W. et al., Sci Data 2024;11:264; recipe
 * models/training/pfirrmann.py). It replaced a linear score on hand-made signal features because it
 * measurably agrees better with readers (`npm run eval:grading`, 5-fold CV by patient; numbers in
 * models/MODEL_CARD.md). The rounded mean respects the grades' order and agreed better with the readers
 * (linear kappa) than the single most probable grade in that cross-validation. The evidence shows the class probabilities, and the measured Pfirrmann
 * criteria (nucleus/CSF signal ratio, nucleus–annulus contrast, height index) the reader can check.
 */
import type { Finding, Measurement, PfirrmannGrade } from '../report';
import type { DiscFinding } from '../disc-classifier';

export const PFIRRMANN_REFERENCE = 'Pfirrmann C.W.A. et al., Spine 2001;26(17):1873-8; classifier trained on SPIDER readers\' grades (van der Graaf J.W. et al., Sci Data 2024;11:264)';

/** Pfirrmann's criteria as measured on the mid-sagittal T2 (evidence shown beside the grade; build-report.ts measures them). */
export interface PfirrmannFeatures { nucleusCsfSignalRatio: number; nucleusAnnulusContrast: number; heightIndex: number; nucleusVertebralBodySignalRatio: number; nucleusBrightestDiscRatio: number }

const ROMAN = ['I', 'II', 'III', 'IV', 'V'] as const;

/** What produced the probabilities, for the evidence line. */
export interface PfirrmannClassifierInfo { name: string; cvLinearKappa?: number; cvAuc?: Partial<Record<DiscFinding, number>> }

/**
 * Grade one disc from the classifier's probabilities [p(I) … p(V)] (they need not sum exactly to 1).
 * Not assessable (value null, with the reason) when probabilities is null: no classifier, or no patch.
 */
export function gradePfirrmann(probabilities: readonly number[] | null, measurements: Measurement[], classifier: PfirrmannClassifierInfo | null, missingReason?: string): Finding<PfirrmannGrade> {
  if (!probabilities || probabilities.length !== 5 || !probabilities.every(Number.isFinite) || !classifier) {
    return { value: null, notAssessableReason: missingReason ?? 'not assessable: the disc classifier did not run', evidence: { measurements, rule: 'needs the disc-patch classifier', reference: PFIRRMANN_REFERENCE }, readerModified: false };
  }
  const total = probabilities.reduce((a, p) => a + p, 0) || 1;
  const mean = probabilities.reduce((a, p, n) => a + p * (n + 1), 0) / total;
  const value = Math.min(5, Math.max(1, Math.floor(mean + 0.5))) as PfirrmannGrade;
  const shares = probabilities.map((p, n) => `${ROMAN[n]} ${Math.round((100 * p) / total)} %`).join(' · ');
  const kappa = classifier.cvLinearKappa !== undefined ? `; agreement with readers: linear-weighted kappa ${classifier.cvLinearKappa.toFixed(2)}, cross-validated` : '';
  const rule = `disc-patch classifier (${classifier.name}) on the mid-sagittal T2: ${shares} → mean grade ${mean.toFixed(2)} → grade ${ROMAN[value - 1]}${kappa}`;
  return { value, evidence: { measurements, rule, reference: PFIRRMANN_REFERENCE }, readerModified: false, automaticValue: value };
}
