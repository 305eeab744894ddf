/**
 * Disc narrowing from the height index = disc height / mean height of the adjacent discs (mid-sagittal).
 * Rule: narrowed when the height index < NARROWING_HEIGHT_INDEX (0.75). The 0.75 ratio is a project
 * rule, not a published cut-off (SPIDER's readers graded narrowing visually; van der Graaf J.W. et al.,
 * Sci Data 2024;11:264); its accuracy against those gradings is reported by `npm run eval:grading`.
 */
import type { Finding, Measurement } from '../report';

export const NARROWING_HEIGHT_INDEX = 0.75;
export const NARROWING_REFERENCE = 'Project rule: height index (disc height / mean of adjacent disc heights) < 0.75; validated against SPIDER gradings (van der Graaf J.W. et al., Sci Data 2024;11:264)';

export function gradeNarrowing(heightIndex: number, measurements: Measurement[], threshold = NARROWING_HEIGHT_INDEX): Finding<boolean> {
  if (!Number.isFinite(heightIndex)) {
    return { value: null, notAssessableReason: 'not assessable: no adjacent disc height measured', evidence: { measurements, rule: 'needs at least one adjacent disc', reference: NARROWING_REFERENCE }, readerModified: false };
  }
  const value = heightIndex < threshold;
  const rule = `height index ${heightIndex.toFixed(2)} ${value ? '<' : '≥'} ${threshold} → ${value ? 'narrowed' : 'not narrowed'}`;
  return { value, evidence: { measurements, rule, reference: NARROWING_REFERENCE }, readerModified: false, automaticValue: value };
}
