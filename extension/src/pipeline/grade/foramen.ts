/**
 * Foraminal stenosis, Lee grades 0–3 (perineural fat obliteration on parasagittal T1; Lee S. et al.,
 * AJR 2010;194:1095–8). Not implemented: the network segments no nerve roots or foramina and the
 * perineural-fat measurement on parasagittal slices is not built, so every level returns null with a
 * specific reason rather than a guess.
 */
import type { Finding, Grade0to3, Measurement } from '../report';

export const FORAMEN_REFERENCE = 'Lee S. et al., AJR Am J Roentgenol 2010;194:1095-8 (grades 0-3, perineural fat obliteration)';

export function gradeForamen(side: 'left' | 'right', hasSagittalT1: boolean, measurements: Measurement[] = []): Finding<Grade0to3> {
  // Say first that it is not implemented: asking for a T1 series alone would suggest it then works.
  const reason = `not assessable: automatic ${side} foraminal grading is not implemented (nerve roots and foramina are not segmented)`
    + (hasSagittalT1 ? '' : '; the Lee grade also needs a sagittal T1 series for the perineural fat');
  return { value: null, notAssessableReason: reason, evidence: { measurements, rule: 'Lee grade needs the perineural fat around the exiting root', reference: FORAMEN_REFERENCE }, readerModified: false };
}
