/**
 * The grades whose rules depend on the level's name, computed from what was measured at the level so that renaming
 * the levels (panel/readerEdits.ts shiftLevels: the software counted one vertebra off) grades them again under the
 * reader's names, as a new analysis named so would:
 *  - central canal stenosis (grade/canal.ts): not graded at T12/L1 and above — the AP and area cut-offs (Verbiest
 *    1954, Bolender 1985) are lumbar, and the sac holds the cord or conus there; at L5/S1 an AP-only grade carries
 *    LUMBOSACRAL_CAUTION (Pierro 2017);
 *  - foraminal stenosis (grade/foramen.ts): Lee (2010) graded lumbar foramina, T12/L1 and below; thoracic (ribs) and
 *    cervical (oblique) foramina are not what foramen.ts's window expects (project rule);
 *  - spondylolisthesis (grade/listhesis.ts): not graded at T11/T12 and above; its rule names the two bodies.
 * A report read back from an SR has no LevelRuleInputs (the SR stores measurements, not these): renaming it
 * regrades what its measurements allow (regradeFromStored) and says "press Analyze" for the rest.
 */
import type { ForamenMeasure } from '../foramen';
import type { ListhesisMeasure } from '../listhesis';
import type { Finding, LevelReport, Measurement, StenosisGrade } from '../report';
import { apSpreadCaution, gradeCentralCanal, gradeCentralCanalOn3d, withLumbosacralCaution } from './canal';
import { foramenMeasurementNames, foramenMeasurements, gradeForamen } from './foramen';
import { gradeListhesis, isThoracicLevel } from './listhesis';

/** What a level's name-dependent grades are computed from (kept on LevelReport.levelRuleInputs, in memory only). */
export interface LevelRuleInputs {
  canal: {
    /** Sagittal dural sac AP at the disc, mm (canal.ts); null when none was found. */
    apMm: number | null;
    /** Lower and upper quartile of the profiles the AP is the median of, mm (canal.ts apQuartilesMm); absent where not measured so. */
    apQuartilesMm?: [number, number];
    /** Axial dural sac area, mm² (axial-canal.ts); null when none was measured. */
    areaMm2: number | null;
    csfEffaced: boolean;
    /** The not-assessable reason when neither AP nor area grades. */
    notFoundReason: string;
    /** Why a study with an axial T2 has no area at this level, added to the rule of a sagittal-only grade. */
    noAreaNote?: string;
    /** MRAcquisitionType 3D: only the axial area grades (grade/canal.ts gradeCentralCanalOn3d). */
    threeD: boolean;
  };
  listhesis: ListhesisMeasure | { reason: string };
  /** Both foramina, measured at every level whatever its name (shown and graded at lumbar levels only); unmeasuredReason when not measured at all. */
  foramina: { left?: ForamenMeasure; right?: ForamenMeasure; unmeasuredReason?: string };
}

export type LevelRuleFindings = Pick<LevelReport, 'centralCanalStenosis' | 'foraminalStenosisLeft' | 'foraminalStenosisRight' | 'spondylolisthesis'>;
export const RULE_KEYS = ['centralCanalStenosis', 'foraminalStenosisLeft', 'foraminalStenosisRight', 'spondylolisthesis'] as const;

/** The canal cut-offs apply below T12/L1 ('L1/L2' … 'L5/S1'; an unnamed 'disc 3' too); T12/L1 and above are not graded. */
export const canalGradedAt = (level: string): boolean => !level.startsWith('T');
/** Lee's lumbar foramina: T12/L1 and below. */
export const foramenGradedAt = (level: string): boolean => !level.startsWith('C') && !isThoracicLevel(level);

const FORAMEN_MEASUREMENTS = new Set((['left', 'right'] as const).flatMap((side) => Object.values(foramenMeasurementNames(side))));
const isForamenMeasurement = (m: Measurement) => FORAMEN_MEASUREMENTS.has(m.name);
const withoutForamina = (ms: Measurement[]) => ms.filter((m) => !isForamenMeasurement(m));
const canalMeasurements = (ms: Measurement[]) => ms.filter((x) => x.name.startsWith('canalAp') || x.name === 'duralSacAreaMm2');
const slipMeasurements = (ms: Measurement[]) => ms.filter((x) => x.name.startsWith('vertebralSlip'));
const discOutlineFraction = (ms: Measurement[]) => ms.find((x) => x.name === 'discOutlineFraction')?.value;
const canalNotGradedHere = (level: string) =>
  `not assessable: ${level} is above the lumbar canal the AP and area cut-offs were defined for (the sac holds the cord or conus there)`;
const foramenNotGradedHere = (level: string) => `${level} is not a lumbar level (the foramen measurement and Lee grade are lumbar)`;

function gradeCanal(level: string, c: LevelRuleInputs['canal'], measurements: Measurement[]): Finding<StenosisGrade> {
  const shown = canalMeasurements(measurements);
  if (!canalGradedAt(level)) return gradeCentralCanal(null, shown, null, canalNotGradedHere(level));
  if (c.threeD) return gradeCentralCanalOn3d(shown, c.areaMm2);
  const graded = gradeCentralCanal(c.apMm, shown, c.areaMm2, c.notFoundReason, c.csfEffaced, level);
  // An AP-only grade from profiles that disagree says so (with an area, the area grades).
  const spread = graded.value !== null && c.areaMm2 === null && c.apMm !== null ? apSpreadCaution(c.apQuartilesMm) : '';
  const f = spread ? { ...graded, evidence: { ...graded.evidence, rule: graded.evidence.rule + spread } } : graded;
  // A grade without the area of a study that has an axial T2 says why there is none (never a silent gap).
  return c.noAreaNote && f.value !== null ? { ...f, evidence: { ...f.evidence, rule: `${f.evidence.rule}; no axial dural sac area: ${c.noAreaNote}` } } : f;
}

/**
 * The name-dependent grades of one level.
 * @param level the level's name, e.g. 'L4/L5'.
 * @param measurements the level's measurements without the foramen ones (those are added at lumbar levels).
 * @returns the findings and the level's measurements (with the foramina's where they are graded).
 */
export function gradeLevelRules(level: string, inputs: LevelRuleInputs, measurements: Measurement[]): LevelRuleFindings & { measurements: Measurement[] } {
  const lumbarForamen = foramenGradedAt(level);
  const { left, right, unmeasuredReason } = inputs.foramina;
  const noForamen = lumbarForamen ? unmeasuredReason : foramenNotGradedHere(level);
  return {
    measurements: lumbarForamen ? [...measurements, ...foramenMeasurements(left), ...foramenMeasurements(right)] : measurements,
    centralCanalStenosis: gradeCanal(level, inputs.canal, measurements),
    foraminalStenosisLeft: gradeForamen('left', lumbarForamen ? left : undefined, noForamen),
    foraminalStenosisRight: gradeForamen('right', lumbarForamen ? right : undefined, noForamen),
    spondylolisthesis: gradeListhesis(inputs.listhesis, slipMeasurements(measurements), level, discOutlineFraction(measurements)),
  };
}

/** A stored report's level as read back (name, measurements, name-dependent grades): every rename grades from it, and its own name restores it. */
export type StoredLevelGrades = { level: string; measurements: Measurement[] } & LevelRuleFindings;

/**
 * The level renamed, its name-dependent grades graded again under the new name. A finding the reader changed keeps
 * the reader's value (automaticValue becomes the new automatic one).
 */
export function renameLevel(l: LevelReport, level: string): LevelReport {
  const { asStored, levelRuleInputs, ...rest } = l;
  let graded: LevelRuleFindings & { measurements: Measurement[] };
  let kept: Pick<LevelReport, 'levelRuleInputs' | 'asStored'> = {};
  if (levelRuleInputs) {
    graded = gradeLevelRules(level, levelRuleInputs, withoutForamina(l.measurements));
    kept = { levelRuleInputs };
  } else {
    const stored = asStored ?? { level: l.level, measurements: l.measurements, ...Object.fromEntries(RULE_KEYS.filter((k) => l[k]).map((k) => [k, l[k]])) as LevelRuleFindings };
    graded = stored.level === level ? stored : regradeFromStored(stored, level);
    if (stored.level !== level) kept = { asStored: stored };
  }
  const out: LevelReport = { ...rest, ...kept, level, measurements: graded.measurements };
  for (const k of RULE_KEYS) {
    const before = l[k] as Finding<unknown> | undefined, after = graded[k] as Finding<unknown> | undefined;
    if (!after) continue;
    // A stored finding may carry a reader's value already: its automatic one is then automaticValue.
    const automaticValue = after.readerModified ? after.automaticValue : after.value;
    (out as unknown as Record<string, Finding<unknown>>)[k] = before?.readerModified
      ? { ...after, value: before.value, notAssessableReason: before.value === null ? before.notAssessableReason : automaticValue === null ? after.notAssessableReason : undefined, readerModified: true, automaticValue }
      : after;
  }
  return out;
}

/**
 * The level's name-dependent grades as they were before the reader renamed it: graded under `formerName` from the
 * analysis' inputs, or as stored (a report read back from an SR, renamed since); undefined when unknown or not renamed.
 */
export function gradesBeforeRename(l: LevelReport, formerName: string): LevelRuleFindings | undefined {
  if (l.levelRuleInputs) return formerName === l.level ? undefined : gradeLevelRules(formerName, l.levelRuleInputs, withoutForamina(l.measurements));
  return l.asStored?.level === formerName ? l.asStored : undefined;
}

/**
 * A stored report's level (no LevelRuleInputs) under a new name: the slip is graded again from its stored
 * measurements; the canal and foramen grades follow the new name where its measurements suffice (not graded at
 * thoracic levels; the L5/S1 caution), and where the new name asks for a grade the analysis did not make they say
 * "press Analyze".
 */
function regradeFromStored(l: StoredLevelGrades, level: string): LevelRuleFindings & { measurements: Measurement[] } {
  const old = l.level;
  const analyseAgain = (what: string) =>
    `the analysis named this level ${old}, where the ${what} is not graded, and the stored report keeps no measurement to grade it at ${level}: press Analyze to grade it`;
  const slipMm = l.measurements.find((m) => m.name === 'vertebralSlipMm')?.value, slipPercent = l.measurements.find((m) => m.name === 'vertebralSlipPercent')?.value;
  const spondylolisthesis = l.spondylolisthesis && slipMm !== undefined && slipPercent !== undefined && Math.abs(slipPercent) > 0
    ? gradeListhesis({ slipMm, slipPercent, lowerEndplateDepthMm: (100 * Math.abs(slipMm)) / Math.abs(slipPercent) }, slipMeasurements(l.measurements), level, discOutlineFraction(l.measurements))
    : l.spondylolisthesis;

  let centralCanalStenosis = l.centralCanalStenosis;
  if (!canalGradedAt(level)) centralCanalStenosis = gradeCentralCanal(null, canalMeasurements(l.measurements), null, canalNotGradedHere(level));
  else if (!canalGradedAt(old)) centralCanalStenosis = gradeCentralCanal(null, canalMeasurements(l.measurements), null, `not assessable: ${analyseAgain('central canal')}`);
  else centralCanalStenosis = withLumbosacralCaution(l.centralCanalStenosis, level === 'L5/S1');

  const foramenNow = foramenGradedAt(level), foramenThen = foramenGradedAt(old);
  const foramen = (side: 'left' | 'right', f: LevelReport['foraminalStenosisLeft']) =>
    !foramenNow ? gradeForamen(side, undefined, foramenNotGradedHere(level)) : foramenThen ? f : gradeForamen(side, undefined, analyseAgain('foramen'));
  return {
    measurements: foramenNow ? l.measurements : withoutForamina(l.measurements),
    centralCanalStenosis,
    foraminalStenosisLeft: foramen('left', l.foraminalStenosisLeft),
    foraminalStenosisRight: foramen('right', l.foraminalStenosisRight),
    spondylolisthesis,
  };
}
