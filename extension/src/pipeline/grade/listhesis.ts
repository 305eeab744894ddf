/**
 * Spondylolisthesis at a disc level: Meyerding grade of the slip listhesis.ts measured on the mid-sagittal slice (or the
 * disc's own, off the midline: measure-spine.ts measureSpine).
 *
 * Rule (Meyerding H.W., Surg Gynecol Obstet 1932;54:371–7; as in Butt S., Saifuddin A., Clin Radiol 2005;60:533–46):
 * slip as a percentage of the AP depth of the lower body's superior endplate — grade I up to 25 %, II up to 50 %,
 * III up to 75 %, IV up to 100 %, V beyond (spondyloptosis); anterior slip of the upper body = anterolisthesis,
 * posterior = retrolisthesis, graded alike.
 * A slip under MIN_SLIP_PERCENT grades 0 (none): project cut-off, above the measure's own spread — on SPIDER
 * (`npm run eval:grading`, 2026-12-05) 95 % of the levels the readers graded free of spondylolisthesis measured
 * under 13 % (1,033 measured levels); at 15 %, of the 939 lumbar levels graded (thoracic ones are not), the measure
 * found 9 of the 26 the readers called spondylolisthesis and flagged 3.2 % of the others (AUC of |slip %| 0.82).
 * A slip over MAX_GRADED_SLIP_PERCENT (beyond grade II) is shown but not graded: high-grade slips are rare, and such
 * values came mostly from outlines the wall lines misread — on SPIDER's T2 images 7 levels measured over 50 %, and the
 * readers called 1 of them; on its T1 images the readers called none of the 9 over 50 %; on the healthy
 * volunteers of the vb3 set one level read a 203 % retrolisthesis (project rule).
 * At thoracic levels (T11/T12 and above) the slip is shown but not graded: the rule was checked at lumbar levels, and
 * above T12/L1 the SPIDER readers called no spondylolisthesis (167 graded discs) while the measure flagged 12 of the
 * 266 levels it measured there on the T2, T1 and 3D T2 images (`npm run eval:grading`, each `--sequence`) — outlines
 * of thoracic bodies, often cut by the image's top edge (project rule; the canal and foramen grades are lumbar too).
 * A slip graded I or more at a disc whose outline covers under SMALL_DISC_OUTLINE_FRACTION of the spine's median disc
 * (grade/pfirrmann.ts) carries a caution (smallOutlineSlipCaution): the slip is measured along the disc's axes, which
 * a fragment of the disc or presacral tissue at L5/S1 sets wrongly. On SPIDER (`npm run eval:grading`, 2026-12-06) the
 * measure read grade I or more at 14 of the 32 such lumbar levels on the T2 images (44 %; the readers called 2 of them)
 * against 25 of the other 904 (2.8 %; 7), and on the T1 images at 11 of 31 (35 %; 3) against 45 of the other 796 (5.7 %;
 * 6). The readers called slips more often at such discs too (3 of 32 on T2, 3 of 31 on T1; against 24 of 904 and 19 of
 * 796), and not grading there would have dropped 2 of the 9 slips found on T2 and 3 of 9 on T1, so the grade stays and
 * the caution asks for the outlines to be checked (project rule).
 */
import type { ListhesisMeasure } from '../listhesis';
import type { Finding, MeyerdingGrade, Measurement } from '../report';
import { isSmallDiscOutline } from './pfirrmann';

export const MIN_SLIP_PERCENT = 15;
export const MAX_GRADED_SLIP_PERCENT = 50;
export const LISTHESIS_REFERENCE = 'Meyerding H.W., Surg Gynecol Obstet 1932;54:371-7 (slip in quarters of the lower endplate: I <=25 %, II <=50 %, III <=75 %, IV <=100 %, V >100 %); measured as in Butt S., Saifuddin A., Clin Radiol 2005;60:533-46';
const CONFIRM = ' — posterior vertebral body lines on the network\'s body outlines, sagittal slice, supine: confirm on the image (supine MRI shows less slip than standing radiographs: Issa T.Z. et al., Asian Spine J 2023;17(4))';
const ROMAN = ['0', 'I', 'II', 'III', 'IV', 'V'];

/** Said beside a slip graded at a disc whose outline is small (file comment). */
export const smallOutlineSlipCaution = (outlineFraction: number): string =>
  `. Caution: the disc outline covers ${Math.round(100 * outlineFraction)} % of this spine's median disc on the slice, and the slip is measured along the disc's axes, which such an outline can set wrongly (on SPIDER's T2 the measure read a slip at 14 of 32 such levels, where the readers called 2) — check the disc and body outlines and the posterior body lines`;

/** A thoracic disc level (T11/T12 and above), where the slip is shown, not graded; T12/L1 counts as lumbar. */
export function isThoracicLevel(level: string): boolean {
  return level.startsWith('T') && level !== 'T12/L1';
}

/** Meyerding grade 1..5 of a slip percentage of any sign (0 below MIN_SLIP_PERCENT). */
export function meyerdingGrade(slipPercent: number): MeyerdingGrade {
  const p = Math.abs(slipPercent);
  if (p < MIN_SLIP_PERCENT) return 0;
  return (p <= 25 ? 1 : p <= 50 ? 2 : p <= 75 ? 3 : p <= 100 ? 4 : 5) as MeyerdingGrade;
}

/** 'anterolisthesis' or 'retrolisthesis' by the sign of the measured slip (listhesis.ts: > 0 upper body anterior). */
export function slipDirection(slipMm: number): 'anterolisthesis' | 'retrolisthesis' {
  return slipMm >= 0 ? 'anterolisthesis' : 'retrolisthesis';
}

/**
 * A level's measured slip as the panel, the findings text and the image label show it: its direction and its size
 * ('4.9 mm, 16.2 %'; without the percentage when only the mm were stored). Undefined where no slip was measured.
 * The percentage keeps one decimal so that it never contradicts the grade beside it (25.3 % is grade II; rounded to
 * whole per cent it read "25 % · Meyerding II" on SPIDER 1 L4/L5).
 */
export function measuredSlip(measurements: Measurement[]): { direction: 'anterolisthesis' | 'retrolisthesis'; size: string } | undefined {
  const mm = measurements.find((m) => m.name === 'vertebralSlipMm'), pct = measurements.find((m) => m.name === 'vertebralSlipPercent');
  if (!mm) return undefined;
  return { direction: slipDirection(mm.value), size: `${Math.abs(mm.value).toFixed(1)} mm${pct ? `, ${Math.abs(pct.value).toFixed(1)} %` : ''}` };
}

/**
 * Grade the slip at one level.
 * @param measured listhesis.ts's measure, or why it could not be taken (→ not assessable with that reason).
 * @param measurements the slip measurements shown as evidence (vertebralSlipMm, vertebralSlipPercent).
 * @param level the disc level, e.g. 'L4/L5' (names the bodies in the rule).
 * @param discOutlineFraction the disc's outline on the slice over the spine's median disc (measurement
 *   'discOutlineFraction'); under SMALL_DISC_OUTLINE_FRACTION a slip graded I or more carries a caution. Undefined: not checked.
 */
export function gradeListhesis(measured: Pick<ListhesisMeasure, 'slipMm' | 'slipPercent' | 'lowerEndplateDepthMm'> | { reason: string }, measurements: Measurement[], level: string, discOutlineFraction?: number): Finding<MeyerdingGrade> {
  if (!('slipMm' in measured)) {
    return { value: null, notAssessableReason: `not assessable: ${measured.reason}`, evidence: { measurements, rule: 'needs both vertebral bodies at the disc outlined on the sagittal slice the disc is measured on', reference: LISTHESIS_REFERENCE }, readerModified: false };
  }
  const [upper, lower] = level.includes('/') ? level.split('/') : ['the upper body', 'the lower body'];
  const grade = meyerdingGrade(measured.slipPercent);
  const where = `${upper} lies ${Math.abs(measured.slipMm).toFixed(1)} mm (${Math.abs(measured.slipPercent).toFixed(1)} % of the ${measured.lowerEndplateDepthMm.toFixed(0)} mm endplate of ${lower}) ${measured.slipMm >= 0 ? 'anterior' : 'posterior'} to ${lower}`;
  if (Math.abs(measured.slipPercent) > MAX_GRADED_SLIP_PERCENT) {
    return {
      value: null,
      notAssessableReason: `not assessable: ${where} — beyond Meyerding grade II, which is rare, and measured slips this large were mostly misread outlines (SPIDER): check the vertebral body outlines and grade on the image`,
      evidence: { measurements, rule: `slips over ${MAX_GRADED_SLIP_PERCENT} % are shown, not graded`, reference: LISTHESIS_REFERENCE },
      readerModified: false,
    };
  }
  if (isThoracicLevel(level)) {
    return {
      value: null,
      notAssessableReason: `not assessable: ${where} — ${level} is a thoracic level, where the slip is shown, not graded: on SPIDER the readers called no spondylolisthesis above T12/L1 (167 graded discs) while this measure flagged 12 of the 266 levels it measured there on T2, T1 and 3D T2 images (thoracic bodies are often cut by the image's edge): judge it on the image`,
      evidence: { measurements, rule: 'the slip is graded at T12/L1 and below (lumbar); thoracic levels are shown, not graded', reference: LISTHESIS_REFERENCE },
      readerModified: false,
    };
  }
  const rule = grade === 0
    ? `${where}: under ${MIN_SLIP_PERCENT} % → no spondylolisthesis`
    : `${where} → ${slipDirection(measured.slipMm)}, Meyerding grade ${ROMAN[grade]}${CONFIRM}${isSmallDiscOutline(discOutlineFraction) ? smallOutlineSlipCaution(discOutlineFraction) : ''}`;
  return { value: grade, evidence: { measurements, rule, reference: LISTHESIS_REFERENCE }, readerModified: false, automaticValue: grade };
}
