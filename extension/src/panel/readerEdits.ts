/**
 * Reader corrections of an analysis result (pure functions on SpineReport, unit-tested):
 *  - change one graded finding (validated here, applied by pipeline/reader-edit.ts);
 *  - shift all level names by ±1 vertebra (the usual correction when counting from the sacrum went
 *    wrong, e.g. a transitional lumbosacral vertebra): segment levels and labels, and level rows, are
 *    renamed; segments get `readerModified` and levelNaming says the reader set them; the grades whose rules
 *    depend on the name (canal, foramina, slip) are graded again by pipeline/grade/level-rules.ts.
 * Grades are never computed here (pipeline/grade is the one place that computes them).
 */
import { VERTEBRA_NAMES } from '../pipeline/anatomy';
import type { Finding, LevelReport, SegmentInfo, SpineReport } from '../pipeline/report';
import { applyReaderEdit as applyPipelineEdit, type FindingKey } from '../pipeline/reader-edit';
import { gradesBeforeRename, renameLevel, RULE_KEYS } from '../pipeline/grade/level-rules';

export type { FindingKey };

type Value = string | number | boolean;

const yesNo = (v: Value) => (v ? 'yes' : 'no');

/** What a reader may choose per finding, in display order, with how each value is shown. */
export const FINDING_CHOICES: Record<FindingKey, { label: string; values: Value[]; show: (v: Value) => string }> = {
  pfirrmannGrade: { label: 'Pfirrmann grade', values: [1, 2, 3, 4, 5], show: (v) => ['', 'I', 'II', 'III', 'IV', 'V'][Number(v)] ?? String(v) },
  discNarrowing: { label: 'Disc narrowing', values: [false, true], show: yesNo },
  discBulging: { label: 'Disc bulging', values: [false, true], show: yesNo },
  modicChange: { label: 'Modic change', values: [false, true], show: yesNo },
  upperEndplateDefect: { label: 'Upper endplate defect (endplate above the disc)', values: [false, true], show: yesNo },
  lowerEndplateDefect: { label: 'Lower endplate defect (endplate below the disc)', values: [false, true], show: yesNo },
  spondylolisthesis: { label: 'Spondylolisthesis (Meyerding grade)', values: [0, 1, 2, 3, 4, 5], show: (v) => ['none', 'I', 'II', 'III', 'IV', 'V'][Number(v)] ?? String(v) },
  centralCanalStenosis: { label: 'Central canal stenosis', values: ['none', 'mild', 'moderate', 'severe'], show: String },
  foraminalStenosisLeft: { label: 'Foraminal stenosis left (Lee 0–3)', values: [0, 1, 2, 3], show: String },
  foraminalStenosisRight: { label: 'Foraminal stenosis right (Lee 0–3)', values: [0, 1, 2, 3], show: String },
  facetArthropathyLeft: { label: 'Facet arthropathy left (Pathria 0–3)', values: [0, 1, 2, 3], show: String },
  facetArthropathyRight: { label: 'Facet arthropathy right (Pathria 0–3)', values: [0, 1, 2, 3], show: String },
};

export const FINDING_KEYS = Object.keys(FINDING_CHOICES) as FindingKey[];

/**
 * A finding's label at one level: an endplate finding names its endplate as a radiologist does ('L4 inferior endplate
 * defect' for the endplate above L4/L5, 'L5 superior endplate defect' below it); every other finding its FINDING_CHOICES label.
 */
export function findingLabel(k: FindingKey, level: string): string {
  const [upper, lower] = level.split('/');
  if (lower && k === 'upperEndplateDefect') return `${upper} inferior endplate defect`;
  if (lower && k === 'lowerEndplateDefect') return `${lower} superior endplate defect`;
  return FINDING_CHOICES[k].label;
}

/**
 * The panel's grade override: checks the value against the grading scale (null = not assessable, always allowed), then
 * applies the one implementation, pipeline/reader-edit.ts `applyReaderEdit` (readerModified = true, the software's
 * value kept in automaticValue from the first edit on; the software's own value again undoes the change).
 * @returns a new report with the reader's value for `key` at `level`.
 * @throws Error for a value not allowed for that finding, an unknown level, or a finding the level lacks
 *   (disc bulging / Modic change in a report from an older version).
 */
export function applyReaderEdit(report: SpineReport, level: string, key: FindingKey, value: Value | null): SpineReport {
  if (value !== null && !FINDING_CHOICES[key].values.includes(value)) throw new Error(`${String(value)} is not a valid ${FINDING_CHOICES[key].label}`);
  return applyPipelineEdit(report, level, key, value as never);
}

/** 'L4' shifted by delta vertebrae ('L5' +1 → 'S1'); undefined when it leaves the C1…S5 range. */
function shiftVertebra(name: string, delta: number): string | undefined {
  const i = VERTEBRA_NAMES.indexOf(name);
  return i < 0 ? undefined : VERTEBRA_NAMES[i + delta];
}

/** 'L4/L5' or 'L4' shifted by delta; undefined when any part leaves the range. */
export function shiftLevelName(level: string, delta: number): string | undefined {
  const parts = level.split('/').map((p) => shiftVertebra(p, delta));
  return parts.every(Boolean) ? parts.join('/') : undefined;
}

/** How the level-naming note begins once the reader has renamed the levels, or confirmed them (kept in the SR: storedReaderChanges.ts reads it). */
export const READER_NAMED_NOTE = 'Level names set by the reader';
export const READER_CONFIRMED_NOTE = 'Level names checked and confirmed by the reader';

/** The software's own level naming (certainty and note), kept in `automatic` once the reader has changed it. */
function softwareNaming(report: SpineReport): { certain: boolean; note: string } {
  const { certain, note } = report.levelNaming.automatic ?? report.levelNaming;
  return { certain, note };
}

/**
 * A stored SEG's segments with the software's level names (`automaticLevel`) filled in where the reader renamed them:
 * the SEG keeps only the reader's names, the SR the shift between them (levelNaming.automatic.shift). Segments are
 * returned unchanged when the shift is unknown (an SR written before it was kept).
 */
export function withSoftwareLevels(segments: SegmentInfo[], naming: SpineReport['levelNaming']): SegmentInfo[] {
  const shift = naming.automatic?.shift;
  if (shift === undefined) return segments;
  return segments.map((s) => {
    if (!s.level || !s.readerModified || s.automaticLevel) return s;
    const automaticLevel = shiftLevelName(s.level, -shift);
    return automaticLevel ? { ...s, automaticLevel } : s;
  });
}

/**
 * @param delta vertebrae, a non-zero integer: +1 every structure is one vertebra lower than named (L5 → S1); -1 one higher.
 * @throws Error when a name would leave C1…S5.
 */
export function shiftLevels(report: SpineReport, delta: number): SpineReport {
  const rename = (level: string): string => {
    const n = shiftLevelName(level, delta);
    if (!n) throw new Error(`Cannot shift ${level} by ${delta}: outside C1–S5`);
    return n;
  };
  const segments = report.segments.map((s): SegmentInfo => {
    if (!s.level) return s;
    const level = rename(s.level);
    const automaticLevel = s.automaticLevel ?? s.level;
    return { ...s, level, label: s.label.replace(s.level, level), automaticLevel, readerModified: level !== automaticLevel };
  });
  // The canal, foramen and slip rules depend on the name: graded again as a new analysis naming them so would.
  const levels = report.levels.map((l): LevelReport => renameLevel(l, rename(l.level)));
  const first = segments.find((s) => s.level);
  // How far the names now are from the software's (several shifts add up).
  const offset = first
    ? VERTEBRA_NAMES.indexOf(first.level!.split('/')[0]) - VERTEBRA_NAMES.indexOf((first.automaticLevel ?? first.level!).split('/')[0])
    : (report.levelNaming.automatic?.shift ?? 0) + delta;
  const automatic = softwareNaming(report), { anchor } = report.levelNaming;
  // Shifted back to the software's names: its own note (and certainty) again.
  const backToSoftware = first ? segments.every((s) => !s.readerModified) : offset === 0;
  return {
    ...report,
    segments,
    levels,
    levelNaming: backToSoftware ? { anchor, ...automatic } : {
      anchor,
      certain: true,
      note: `${READER_NAMED_NOTE} (${Math.abs(offset)} vertebra${Math.abs(offset) > 1 ? 'e' : ''} ${offset > 0 ? 'lower' : 'higher'} than the software named them; topmost now ${first?.level ?? '–'}); the canal, foramen and slip rules follow these names.`,
      automatic: { ...automatic, shift: offset },
    },
  };
}

/**
 * The reader has checked level names the software marked uncertain and found them right: the names stay, the
 * naming becomes certain with a note saying who confirmed it; the software's own note is kept (`automatic`),
 * so a later shift back to the software's names restores it.
 */
export function confirmLevels(report: SpineReport): SpineReport {
  const automatic = softwareNaming(report), { anchor } = report.levelNaming;
  const shift = report.levelNaming.automatic?.shift ?? 0;
  return { ...report, levelNaming: { anchor, certain: true, note: `${READER_CONFIRMED_NOTE} (the software had marked them uncertain).`, automatic: { ...automatic, shift } } };
}

const RULE_WORDS: Record<(typeof RULE_KEYS)[number], string> = { centralCanalStenosis: 'canal', foraminalStenosisLeft: 'left foramen', foraminalStenosisRight: 'right foramen', spondylolisthesis: 'slip' };

/**
 * The software's grades that renaming the levels changed, for the panel: 'L1/L2 canal: severe (not assessable as
 * T12/L1)'. Compared with the grades under the software's names (an analysis) or as stored (a stored report renamed in
 * this session); a reader's own value is not compared, the software's behind it is. Empty when nothing changed.
 */
export function regradedByRename(report: SpineReport): string[] {
  const shift = report.levelNaming.automatic?.shift ?? 0;
  const automatic = (f: Finding<unknown>) => (f.readerModified ? f.automaticValue : f.value);
  return report.levels.flatMap((l) => {
    const formerName = l.asStored?.level ?? (shift ? shiftLevelName(l.level, -shift) : undefined);
    const before = formerName ? gradesBeforeRename(l, formerName) : undefined;
    if (!before) return [];
    return RULE_KEYS.flatMap((k) => {
      const was = before[k], now = l[k];
      if (!was || !now || automatic(was) === automatic(now)) return [];
      const show = (v: unknown) => (v === null || v === undefined ? 'not assessable' : FINDING_CHOICES[k].show(v as Value));
      return [`${l.level} ${RULE_WORDS[k]}: ${show(automatic(now))} (${show(automatic(was))} as ${formerName})`];
    });
  });
}
