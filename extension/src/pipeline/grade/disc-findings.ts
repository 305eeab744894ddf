/**
 * Binary disc findings from the disc-patch classifier (disc-classifier.ts), which was trained on the
 * SPIDER readers' gradings of the same findings (van der Graaf J.W. et al., Sci Data 2024;11:264):
 * disc narrowing, disc bulging, Modic change (any type, Modic M.T. et al., Radiology 1988;166:193–9) and a defect of
 * the endplate above / below the disc (SPIDER's readers graded endplates as SpineNet does: Jamaludin A. et al.,
 * Eur Spine J 2017;26:1374–83).
 * Present when the classifier's probability ≥ FINDING_PROBABILITY_THRESHOLD. The classifier's
 * cross-validated AUC against the readers is shown with every value; `npm run eval:grading` prints
 * sensitivity, specificity and AUC. Disc herniation is predicted too but not reported: its CV AUC
 * (0.75 at 5 % prevalence: no herniation reaches p ≥ 0.5, PFIRRMANN_MODEL_CARD.md) is too low to show a reader.
 */
import type { Finding, Measurement } from '../report';
import type { DiscFinding } from '../disc-classifier';

/** A calibrated-probability decision point (not tuned on the evaluation data). */
export const FINDING_PROBABILITY_THRESHOLD = 0.5;

const SPIDER = 'classifier trained on SPIDER readers\' gradings (van der Graaf J.W. et al., Sci Data 2024;11:264)';
const ENDPLATE = 'Endplate defect (irregularity, Schmorl node or fracture of the endplate) as graded in SpineNet (Jamaludin A. et al., Eur Spine J 2017;26:1374-83)';
/**
 * What the panel and the findings text say in place of a herniation grade, so that a disc with no finding is not read
 * as free of herniation (figures: PFIRRMANN_MODEL_CARD.md, from `npm run eval:grading`; the outline measure from its
 * 2026-12-03 prototype).
 */
export const HERNIATION_NOT_ASSESSED = 'Disc herniation is not assessed by this software: at its threshold the disc classifier found none of the discs the SPIDER readers called herniated (5 % of discs; cross-validated AUC 0.75), and the disc outline behind the vertebral body line did no better (AUC 0.58). Look for it on the image';
/** The classifier's findings the viewer reports (herniation is not: see above). */
export type ReportedDiscFinding = Exclude<DiscFinding, 'herniation'>;
export const DISC_FINDING_REFERENCE: Record<ReportedDiscFinding, string> = {
  narrowing: `Disc space narrowing as graded by the SPIDER readers; ${SPIDER}`,
  bulging: `Disc bulging (Fardon D.F. et al., Spine J 2014;14:2525-45, lumbar disc nomenclature 2.0); ${SPIDER}`,
  // The readers' Modic changes were almost all type 2 (fatty marrow): what the classifier learned to see.
  modic: `Modic change types 1-3 (Modic M.T. et al., Radiology 1988;166:193-9); ${SPIDER}, whose Modic changes were type 2 in 376 of 386 discs (type 1, oedema, in 4): type 1 may be missed`,
  upperEndplate: `${ENDPLATE}, endplate above the disc; ${SPIDER}`,
  lowerEndplate: `${ENDPLATE}, endplate below the disc; ${SPIDER}`,
};
const WORDS: Record<ReportedDiscFinding, string> = {
  narrowing: 'disc narrowing', bulging: 'disc bulging', modic: 'Modic change',
  upperEndplate: 'defect of the endplate above the disc', lowerEndplate: 'defect of the endplate below the disc',
};

/** What produced the probability, for the evidence line. */
export interface DiscFindingSource { name: string; cvAuc?: number }

/**
 * Finding from one classifier probability; not assessable (null, with the reason) when the probability is missing.
 */
export function gradeDiscFinding(kind: ReportedDiscFinding, probability: number | undefined, measurements: Measurement[], source: DiscFindingSource | null, missingReason?: string): Finding<boolean> {
  const reference = DISC_FINDING_REFERENCE[kind];
  if (probability === undefined || !Number.isFinite(probability) || !source) {
    return { value: null, notAssessableReason: missingReason ?? `not assessable: the disc-patch classifier gave no ${WORDS[kind]} probability`, evidence: { measurements, rule: 'needs the disc-patch classifier', reference }, readerModified: false };
  }
  const value = probability >= FINDING_PROBABILITY_THRESHOLD;
  const auc = source.cvAuc !== undefined ? `; AUC ${source.cvAuc.toFixed(2)} against the readers, cross-validated` : '';
  const rule = `disc-patch classifier (${source.name}): P(${WORDS[kind]}) ${probability.toFixed(2)} ${value ? '≥' : '<'} ${FINDING_PROBABILITY_THRESHOLD} → ${value ? 'present' : 'absent'}${auc}`;
  return { value, evidence: { measurements, rule, reference }, readerModified: false, automaticValue: value };
}
