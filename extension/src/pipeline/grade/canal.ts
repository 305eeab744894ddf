/**
 * Central canal stenosis grade from the mid-sagittal dural sac AP diameter (mm, dura to dura across the
 * sac, canal.ts), optionally the axial dural sac cross-sectional area (mm²), and whether the CSF is
 * effaced at the level.
 *
 * Rule (Verbiest H., J Bone Joint Surg Br 1954;36-B:230–7; Verbiest H., 1975): AP diameter < 10 mm
 * = absolute stenosis → 'severe'; 10 ≤ AP < 12 mm = relative stenosis → 'moderate'; ≥ 12 mm → 'none'.
 * 'mild' is not produced from AP alone (Verbiest defines only two classes). AP < 10 mm is also the most
 * often used quantitative criterion for central stenosis (Steurer J. et al., BMC Musculoskelet Disord
 * 2011;12:175). Verbiest measured the bony canal; the dural sac is smaller, so applying his cut-offs to
 * it leans towards over-calling. Dural sac area < 100 mm² = stenosis (Bolender N.F. et al., J Bone Joint
 * Surg Am 1985;67:240–6): raises 'none' to 'moderate'.
 * No CSF at the level while the sac above and below holds CSF → 'severe': Schizas grades C/D (no CSF
 * visible in the dural sac; Schizas C. et al., Spine 2010;35:1919–24), defined on axial T2 and applied
 * here to the mid-sagittal slice.
 */
import type { Finding, Measurement, StenosisGrade } from '../report';

export const VERBIEST_ABSOLUTE_MM = 10;
export const VERBIEST_RELATIVE_MM = 12;
export const BOLENDER_AREA_MM2 = 100;
export const CANAL_REFERENCE = 'Verbiest H., J Bone Joint Surg Br 1954;36-B:230-7 (AP diameter <10 mm absolute, 10-12 mm relative stenosis); Bolender N.F. et al., J Bone Joint Surg Am 1985;67:240-6 (dural sac area <100 mm2); Schizas C. et al., Spine 2010;35:1919-24 (no CSF in the dural sac)';
const CONFIRM = ' — dural sac on the mid-sagittal T2 against cut-offs Verbiest set for the bony canal, not yet validated against readers: confirm on the image';

/**
 * Grade from AP diameter in mm (and area in mm² when an axial measurement exists).
 * @param csfEffaced canal.ts found no CSF at this level although the sac above and below holds CSF.
 */
export function gradeCentralCanal(apMm: number | null, measurements: Measurement[], areaMm2?: number | null, notFoundReason?: string, csfEffaced = false): Finding<StenosisGrade> {
  if (apMm === null && csfEffaced) {
    const rule = 'no CSF in the dural sac at this level while the sac above and below holds CSF → CSF effaced (Schizas C/D, axial criterion applied to the sagittal slice) → severe' + CONFIRM;
    return { value: 'severe', evidence: { measurements, rule, reference: CANAL_REFERENCE }, readerModified: false, automaticValue: 'severe' };
  }
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
  if (value !== 'none') rule += CONFIRM;
  return { value, evidence: { measurements, rule, reference: CANAL_REFERENCE }, readerModified: false, automaticValue: value };
}
