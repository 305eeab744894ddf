/**
 * applyReaderEdit: a reader's correction of one finding at one level. Pure: returns a new
 * SpineReport; the edited finding gets readerModified = true and keeps the software's value in
 * automaticValue (set on the first edit, never overwritten by later edits). Setting the software's own value again
 * undoes the change: the finding is the software's once more (not reader-modified). hasReaderChanges: whether a report
 * carries any reader change; sameReportContent: whether two reports say the same.
 */
import type { Finding, LevelReport, SpineReport } from './report';

export type FindingKey = 'pfirrmannGrade' | 'discNarrowing' | 'discBulging' | 'modicChange' | 'upperEndplateDefect' | 'lowerEndplateDefect' | 'spondylolisthesis' | 'centralCanalStenosis' | 'foraminalStenosisLeft' | 'foraminalStenosisRight' | 'facetArthropathyLeft' | 'facetArthropathyRight';

/** The reason where the reader set a finding the software had graded to "not assessable" (e.g. a level blurred by motion). */
export const READER_NOT_ASSESSABLE = 'not assessable: set by the reader';

/**
 * @param newValue the reader's value; null = not assessable.
 * notAssessableReason: where the software could not assess the finding, its reason stays with the finding while the
 * reader's value is shown (the SR keeps it beside the software's "not assessable"), so that undoing restores it.
 * @throws Error when the level is not in the report, or has no such finding (optional findings of older reports).
 */
export function applyReaderEdit<K extends FindingKey>(report: SpineReport, level: string, findingKey: K, newValue: NonNullable<LevelReport[K]>['value']): SpineReport {
  const idx = report.levels.findIndex((l) => l.level === level);
  if (idx < 0) throw new Error(`level ${level} is not in the report (levels: ${report.levels.map((l) => l.level).join(', ') || 'none'})`);
  const old = report.levels[idx][findingKey] as Finding<unknown> | undefined;
  if (!old) throw new Error(`level ${level} has no ${findingKey} (a report from an older version)`);
  const automatic = old.readerModified ? old.automaticValue ?? null : old.value;
  const softwareReason = automatic === null ? old.notAssessableReason : undefined;
  const { automaticValue: _a, notAssessableReason: _n, ...rest } = old;
  const edited: Finding<unknown> = newValue === automatic
    ? { ...rest, value: automatic, readerModified: false, ...(automatic === null ? { notAssessableReason: softwareReason } : { automaticValue: automatic }) }
    : { ...rest, value: newValue, notAssessableReason: newValue === null ? READER_NOT_ASSESSABLE : softwareReason, readerModified: true, automaticValue: automatic };
  if (edited.notAssessableReason === undefined) delete edited.notAssessableReason;
  const levels = report.levels.map((l, n) => (n === idx ? { ...l, [findingKey]: edited } : l));
  return { ...report, levels };
}

/**
 * Whether the reader changed anything in `report`: a finding (readerModified), a segment's name or outline, or the software's
 * level naming (renamed or confirmed: levelNaming.automatic is kept from then on).
 */
export function hasReaderChanges(report: SpineReport): boolean {
  const changed = (level: LevelReport) => Object.values(level).some((f) => !!f && typeof f === 'object' && (f as Finding<unknown>).readerModified === true);
  return report.levelNaming.automatic !== undefined || report.segments.some((s) => s.readerModified || s.outlineCorrected) || report.levels.some(changed);
}

/**
 * What a report says, as text: the content a save stores (without the analysis time, run info and the person saving),
 * its keys in order, and a finding the reader did not change without its automaticValue (which repeats its value).
 */
export function reportContentText(r: SpineReport): string {
  const { createdAt: _c, run: _r, reader: _p, ...content } = r;
  return JSON.stringify(content, (_k, v: unknown) => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().filter((k) => !(k === 'automaticValue' && o.readerModified === false)).map((k) => [k, o[k]]));
  });
}

/**
 * Whether two reports say the same (reportContentText): so a stored report whose changes the reader has undone one by
 * one reads as unchanged.
 */
export function sameReportContent(a: SpineReport, b: SpineReport): boolean {
  return reportContentText(a) === reportContentText(b);
}
