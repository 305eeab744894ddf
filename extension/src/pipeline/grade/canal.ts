/**
 * Central canal stenosis grade from the mid-sagittal dural-sac AP diameter (mm), and optionally
 * the axial dural sac cross-sectional area (mm²).
 *
 * Rule (Verbiest H., J Bone Joint Surg Br 1954;36-B:230–7; Verbiest H., 1975): AP diameter < 10 mm
 * = absolute stenosis → 'severe'; 10 ≤ AP < 12 mm = relative stenosis → 'moderate'; ≥ 12 mm → 'none'.
 * 'mild' is not produced from AP alone (Verbiest defines only two classes). Verbiest measured the
 * bony canal; here the AP length of the CSF column (dural sac) is used, which is smaller than the
 * bony canal, so the rule tends to over-call. Dural sac area < 100 mm² = stenosis (Bolender N.F. et al.,
 * J Bone Joint Surg Am 1985;67:240–6): raises 'none' to 'moderate'.
 */
import type { Finding, Measurement, StenosisGrade } from '../report';

export const VERBIEST_ABSOLUTE_MM = 10;
export const VERBIEST_RELATIVE_MM = 12;
export const BOLENDER_AREA_MM2 = 100;
export const CANAL_REFERENCE = 'Verbiest H., J Bone Joint Surg Br 1954;36-B:230-7 (AP diameter <10 mm absolute, 10-12 mm relative stenosis); Bolender N.F. et al., J Bone Joint Surg Am 1985;67:240-6 (dural sac area <100 mm2)';

/** Grade from AP diameter in mm (and area in mm² when an axial measurement exists). */
export function gradeCentralCanal(apMm: number | null, measurements: Measurement[], areaMm2?: number | null, notFoundReason?: string): Finding<StenosisGrade> {
  if (apMm === null || !Number.isFinite(apMm) || apMm <= 0) {
    return {
      value: null,
      notAssessableReason: notFoundReason ?? 'not assessable: no dural sac (CSF column) found posterior to the disc on the sagittal T2',
      evidence: { measurements, rule: 'needs the dural sac AP diameter', reference: CANAL_REFERENCE },
      readerModified: false,
    };
  }
  let value: StenosisGrade; let rule: string;
  const ap = apMm.toFixed(1);
  if (apMm < VERBIEST_ABSOLUTE_MM) { value = 'severe'; rule = `AP diameter ${ap} mm < ${VERBIEST_ABSOLUTE_MM} mm → absolute stenosis (severe)`; }
  else if (apMm < VERBIEST_RELATIVE_MM) { value = 'moderate'; rule = `AP diameter ${ap} mm in [${VERBIEST_ABSOLUTE_MM}, ${VERBIEST_RELATIVE_MM}) mm → relative stenosis (moderate)`; }
  else { value = 'none'; rule = `AP diameter ${ap} mm ≥ ${VERBIEST_RELATIVE_MM} mm → no stenosis`; }
  if (areaMm2 !== undefined && areaMm2 !== null && areaMm2 < BOLENDER_AREA_MM2 && value === 'none') {
    value = 'moderate'; rule += `; dural sac area ${areaMm2.toFixed(0)} mm² < ${BOLENDER_AREA_MM2} mm² → stenosis (moderate)`;
  }
  // Shown with every sagittal grade: the thresholds are for the bony canal, ours is the CSF column (see above).
  if (value !== 'none') rule += ' — measured on the dural sac (CSF column), smaller than the bony canal Verbiest measured, and not yet validated against readers: confirm on the image';
  return { value, evidence: { measurements, rule, reference: CANAL_REFERENCE }, readerModified: false, automaticValue: value };
}
