/**
 * Facet arthropathy, Pathria grades 0–3 (Pathria M. et al., Radiology 1987;164:227–30; MRI version
 * Fujiwara A. et al., Eur Spine J 2000;9:61–6). Needs an axial series; grading from axial is not
 * implemented, so the value is always null with the reason.
 */
import type { Finding, Grade0to3 } from '../report';

export const FACET_REFERENCE = 'Pathria M. et al., Radiology 1987;164:227-30; Fujiwara A. et al., Eur Spine J 2000;9:61-6';

export function gradeFacet(side: 'left' | 'right', hasAxialT2: boolean): Finding<Grade0to3> {
  const reason = hasAxialT2
    ? `not assessable: ${side} facet grading on the axial T2 is not implemented`
    : 'not assessable: needs an axial T2 series';
  // With an axial series the rule must not say it needs one: the reader is told to read the facets there.
  const rule = hasAxialT2
    ? 'Pathria/Fujiwara grade (joint space narrowing, osteophytes, hypertrophy) is read on axial images of the facet joints: this software does not grade them; read them on the axial T2'
    : 'Pathria/Fujiwara grade needs axial images of the facet joints';
  return { value: null, notAssessableReason: reason, evidence: { measurements: [], rule, reference: FACET_REFERENCE }, readerModified: false };
}
