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
 * Surg Am 1985;67:240–6).
 * With an axial area (axial-canal.ts) the area decides whether the sac is stenotic — it measures the sac
 * itself, where the sagittal AP borrows cut-offs set for the bony canal — and the sagittal slice decides
 * how much: area < 100 mm² with AP < 10 mm or CSF effaced → 'severe', otherwise 'moderate'; area ≥ 100 mm²
 * → 'none', the sagittal AP still shown in the rule. (Combination: project heuristic, not from a paper.)
 * No CSF at the level while the sac above and below holds CSF → 'severe': Schizas grades C/D (no CSF
 * visible in the dural sac; Schizas C. et al., Spine 2010;35:1919–24), defined on axial T2 and applied
 * here to the mid-sagittal slice.
 * At L5/S1 an AP-only stenosis grade carries a caution (LUMBOSACRAL_CAUTION): the normal canal narrows towards S1
 * (lower limit of the normal sagittal canal diameter about 10 mm at S1: Pierro A. et al., J Clin Imaging Sci
 * 2017;7:35), and on SPIDER (`npm run eval:canal`) the AP-only grade was moderate or severe at 17 of the 41 L5/S1
 * discs the readers graded free of herniation and bulging.
 * An AP-only grade whose centre profiles disagree (interquartile range over AP_SPREAD_CAUTION_MM) carries a caution giving
 * that range and the grades it spans (apSpreadCaution, added by grade/level-rules.ts); the grade is the median's.
 * On a 3D T2 (MRAcquisitionType 3D, e.g. SPACE) the sagittal AP does not grade (THREE_D_SAGITTAL_REASON): its
 * sac outline rule (canal.ts THREE_D_WALL) was chosen on the same SPIDER patients it is checked on, by agreement with
 * their 2D T2 (`npm run eval:canal -- --sequence t2_SPACE`), with no reader grades; an axial area still grades.
 */
import type { Finding, Measurement, StenosisGrade } from '../report';

export const VERBIEST_ABSOLUTE_MM = 10;
export const VERBIEST_RELATIVE_MM = 12;
export const BOLENDER_AREA_MM2 = 100;
export const CANAL_REFERENCE = 'Verbiest H., J Bone Joint Surg Br 1954;36-B:230-7 (AP diameter <10 mm absolute, 10-12 mm relative stenosis); Bolender N.F. et al., J Bone Joint Surg Am 1985;67:240-6 (dural sac area <100 mm2); Schizas C. et al., Spine 2010;35:1919-24 (no CSF in the dural sac)';
const CONFIRM = ' — dural sac on the mid-sagittal T2 against cut-offs Verbiest set for the bony canal, not yet validated against readers: confirm on the image';
const PIERRO_REFERENCE = 'Pierro A. et al., J Clin Imaging Sci 2017;7:35 (normal sagittal canal diameter by level: lower limit about 10 mm at S1)';
export const LUMBOSACRAL_CAUTION = '. Caution at L5/S1: the normal canal narrows towards S1 (lower limit of normal about 10 mm at S1, Pierro 2017), so these cut-offs over-call here more than elsewhere (on SPIDER, 17 of 41 L5/S1 discs the readers graded free of herniation and bulging read as moderate or severe) — check the axial T2';
/**
 * Said when the axial area reads stenotic but the sagittal AP reads normal (≥ VERBIEST_RELATIVE_MM). On the shared
 * volumes' axial reformats (`npm run eval:axial -- --overlays DIR`) the two lumbar areas under 50 mm² at discs whose
 * sagittal AP read 17–21 mm (ivd_11 L3/L4, vb2_07 L2/L3) outlined a bright spot behind the sac, seeded from the
 * midpoint of a sagittal AP that took in the dorsal epidural fat (project caution; the area still grades). Since the
 * region is also grown from the front of the sac (axial-canal.ts anteriorSeedLps) both read 155–237 mm²; the caution
 * stays for a bright spot the front seed cannot outgrow.
 */
export const AREA_AP_DISAGREE = 'Caution: the sagittal AP reads normal (≥ 12 mm) while the axial area reads stenotic, so one of them is likely wrong (a sagittal AP that takes in the dorsal epidural fat seeds the axial region behind the sac): check both outlines';
/**
 * Said where the CSF is effaced behind the disc (the canal grade's rule, and in the panel the level's herniation line and
 * the findings text): on SPIDER's T2 (`npm run eval:canal`, "herniation (readers) where the CSF is effaced") the readers
 * saw a disc herniation at 11 of the 40 lumbar discs where canal.ts found the CSF effaced (28 %; 9 of them among 17 at
 * L4/L5), against 60 of the 848 lumbar discs (7 %). A pointer for the reader, not a herniation grade
 * (grade/disc-findings.ts HERNIATION_NOT_ASSESSED).
 */
export const EFFACED_HERNIATION_HINT = 'The CSF is effaced behind this disc: the SPIDER readers saw a disc herniation at 11 of 40 lumbar discs where the software found the CSF effaced (28 %, against 7 % of all lumbar discs) — look for one here';
/** Whether a canal grade was made where the CSF is effaced behind the disc (its rule carries EFFACED_HERNIATION_HINT; also read back from a stored SR). */
export const csfEffacedIn = (f: Finding<StenosisGrade> | undefined): boolean => !!f?.evidence.rule.includes(EFFACED_HERNIATION_HINT);
/** Verbiest's grade of a sagittal AP by itself (mm): the rule of gradeCentralCanal without an axial area. */
const apOnlyGrade = (apMm: number): StenosisGrade => (apMm < VERBIEST_ABSOLUTE_MM ? 'severe' : apMm < VERBIEST_RELATIVE_MM ? 'moderate' : 'none');

/**
 * Project heuristic (not from a paper): behind a disc whose centre profiles (canal.ts CENTRE_BAND_MM) disagree by more
 * than this interquartile range (mm), the dural sac's posterior wall is unclear — some profiles stop at a dark line,
 * others cross it into tissue behind — and an AP-only grade says so (apSpreadCaution). On SPIDER's T2 images (`npm run
 * eval:canal -- --data … --list FILE`, columns q1, q3) the range was ≤ 0.5 mm at half the lumbar discs and over 3 mm at
 * 53 of 735 (7 %); the one lumbar AP that moved by more than 2 mm when PixelSpacing was rounded to 6 decimals, as the
 * DICOM import writes it (SPIDER 4 L3/L4, 16.6 ↔ 22.8 mm), had a range of 6.9 mm. Flagged: 15 of the 154 discs graded
 * severe, 7 of 104 moderate, 30 of 479 none; the readers' herniation and bulging gradings do not single them out either
 * (the caution is about the measurement, not a sign of stenosis).
 */
export const AP_SPREAD_CAUTION_MM = 3;

/**
 * The caution an AP-only grade carries where the centre profiles disagree (AP_SPREAD_CAUTION_MM), '' otherwise.
 * @param quartilesMm lower and upper quartile of the centre profiles' sac runs, mm (canal.ts apQuartilesMm).
 */
export function apSpreadCaution(quartilesMm: [number, number] | undefined): string {
  if (!quartilesMm || !(quartilesMm[1] - quartilesMm[0] > AP_SPREAD_CAUTION_MM)) return '';
  const [q1, q3] = quartilesMm, [g1, g3] = [apOnlyGrade(q1), apOnlyGrade(q3)];
  const grades = g1 === g3 ? '' : `, which would grade ${g1} to ${g3}`;
  return `. Caution: the dural sac's posterior wall is unclear behind this disc — the profiles across its centre read ${q1.toFixed(1)}–${q3.toFixed(1)} mm (interquartile range; the AP is their median)${grades}: check the AP line on the image`;
}

/** Why a 3D T2's sagittal AP is shown but not graded (measured by `npm run eval:canal -- --data … --sequence t2_SPACE`). */
const THREE_D_SAGITTAL_REASON = 'not assessable from the sagittal slice of a 3D T2 (MRAcquisitionType 3D, e.g. SPACE): the dural sac is outlined there with a rule for the 3D image\'s darker layer of nerve roots, chosen on SPIDER by its agreement with the same patients\' 2D T2 (AP difference median −0.2 mm, IQR −4.1 to +2.9 mm, 66 lumbar discs of 19 patients; −2.8 mm with the 2D rule when the 3D rule was chosen, 0.0 mm with it then) and not checked against readers; the AP is shown for reference — grade on the axial T2 or a 2D sagittal T2';

/**
 * Grade from AP diameter in mm and, when an axial T2 measured it, the dural sac area in mm².
 * @param csfEffaced canal.ts found no CSF at this level although the sac above and below holds CSF.
 * @param notFoundReason the not-assessable reason when neither AP nor area exists (or the CSF is not effaced).
 * @param level the disc level (e.g. 'L5/S1'): an AP-only stenosis at L5/S1 gets LUMBOSACRAL_CAUTION.
 */
export function gradeCentralCanal(apMm: number | null, measurements: Measurement[], areaMm2?: number | null, notFoundReason?: string, csfEffaced = false, level?: string): Finding<StenosisGrade> {
  const ap = apMm !== null && Number.isFinite(apMm) && apMm > 0 ? apMm : null;
  const area = areaMm2 !== undefined && areaMm2 !== null && Number.isFinite(areaMm2) && areaMm2 > 0 ? areaMm2 : null;
  const graded = (value: StenosisGrade, rule: string, reference = CANAL_REFERENCE): Finding<StenosisGrade> =>
    ({ value, evidence: { measurements, rule, reference }, readerModified: false, automaticValue: value });
  const effacedWords = 'no CSF in the dural sac at this level while the sac above and below holds CSF → CSF effaced (Schizas C/D, axial criterion applied to the sagittal slice)';
  if (area !== null) {
    const a = `dural sac area ${area.toFixed(0)} mm² on axial T2`;
    const sagittal = ap !== null ? `sagittal AP ${ap.toFixed(1)} mm` : csfEffaced ? 'CSF effaced on the sagittal slice' : 'no sagittal AP';
    if (area >= BOLENDER_AREA_MM2) {
      const note = ap !== null && ap < VERBIEST_RELATIVE_MM ? ` (${sagittal} would read as stenosis by Verbiest's bony-canal cut-offs; the axial area measures the sac itself and prevails)` : ` (${sagittal})`;
      return graded('none', `${a} ≥ ${BOLENDER_AREA_MM2} mm² → no stenosis${note}`);
    }
    const severe = csfEffaced || (ap !== null && ap < VERBIEST_ABSOLUTE_MM);
    // The area prevails, but a sagittal AP that reads normal says one of the two outlines is wrong: the reader checks it.
    const disagree = ap !== null && ap >= VERBIEST_RELATIVE_MM ? `. ${AREA_AP_DISAGREE}` : '';
    const hint = csfEffaced ? `. ${EFFACED_HERNIATION_HINT}` : '';
    return graded(severe ? 'severe' : 'moderate', `${a} < ${BOLENDER_AREA_MM2} mm² → stenosis (Bolender); ${sagittal}${severe ? (csfEffaced ? ' → severe' : ` < ${VERBIEST_ABSOLUTE_MM} mm → severe`) : ' → moderate'}${disagree}${hint}`);
  }
  if (ap === null && csfEffaced) return graded('severe', `${effacedWords} → severe${CONFIRM}. ${EFFACED_HERNIATION_HINT}`);
  if (ap === null) {
    return {
      value: null,
      notAssessableReason: notFoundReason ?? 'not assessable: no dural sac (CSF column) found posterior to the disc on the sagittal T2',
      evidence: { measurements, rule: 'needs the dural sac AP diameter or the axial dural sac area', reference: CANAL_REFERENCE },
      readerModified: false,
    };
  }
  const apText = ap.toFixed(1);
  const [caution, reference] = level === 'L5/S1' ? [LUMBOSACRAL_CAUTION, `${CANAL_REFERENCE}; ${PIERRO_REFERENCE}`] : ['', CANAL_REFERENCE];
  const grade = apOnlyGrade(ap);
  if (grade === 'severe') return graded('severe', `AP diameter ${apText} mm < ${VERBIEST_ABSOLUTE_MM} mm → absolute stenosis (severe)${CONFIRM}${caution}`, reference);
  if (grade === 'moderate') return graded('moderate', `AP diameter ${apText} mm in [${VERBIEST_ABSOLUTE_MM}, ${VERBIEST_RELATIVE_MM}) mm → relative stenosis (moderate)${CONFIRM}${caution}`, reference);
  return graded('none', `AP diameter ${apText} mm ≥ ${VERBIEST_RELATIVE_MM} mm → no stenosis`);
}

/**
 * A stored canal finding under a new level name (grade/level-rules.ts): LUMBOSACRAL_CAUTION and Pierro's reference
 * added to an AP-only stenosis grade at L5/S1 (as gradeCentralCanal words it), removed at any other level.
 */
export function withLumbosacralCaution(f: Finding<StenosisGrade>, atL5S1: boolean): Finding<StenosisGrade> {
  const rule = f.evidence.rule.replace(LUMBOSACRAL_CAUTION, ''), reference = f.evidence.reference.replace(`; ${PIERRO_REFERENCE}`, '');
  const automatic = f.readerModified ? f.automaticValue : f.value;
  const apOnlyStenosis = (automatic === 'moderate' || automatic === 'severe') && rule.startsWith('AP diameter');
  return atL5S1 && apOnlyStenosis
    ? { ...f, evidence: { ...f.evidence, rule: `${rule}${LUMBOSACRAL_CAUTION}`, reference: `${reference}; ${PIERRO_REFERENCE}` } }
    : { ...f, evidence: { ...f.evidence, rule, reference } };
}

/**
 * The central canal grade on a 3D T2 series (MRAcquisitionType 3D): the axial area grades when measured (as in
 * gradeCentralCanal); the sagittal AP never does (THREE_D_SAGITTAL_REASON) and stays among the measurements.
 */
export function gradeCentralCanalOn3d(measurements: Measurement[], areaMm2?: number | null): Finding<StenosisGrade> {
  const f = gradeCentralCanal(null, measurements, areaMm2, THREE_D_SAGITTAL_REASON);
  return f.value !== null ? f : { ...f, evidence: { ...f.evidence, rule: 'on a 3D T2 only the dural sac area on an axial T2 grades; the sagittal AP is shown, not graded' } };
}
