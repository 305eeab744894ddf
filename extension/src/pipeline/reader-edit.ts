/**
 * applyReaderEdit: a reader's correction of one finding at one level. Pure: returns a new
 * SpineReport; the edited finding gets readerModified = true and keeps the software's value in
 * automaticValue (set on the first edit, never overwritten by later edits). hasReaderChanges: whether a report
 * carries any reader change.
 */
import type { Finding, LevelReport, SpineReport } from './report';

export type FindingKey = 'pfirrmannGrade' | 'discNarrowing' | 'discBulging' | 'modicChange' | 'upperEndplateDefect' | 'lowerEndplateDefect' | 'spondylolisthesis' | 'centralCanalStenosis' | 'foraminalStenosisLeft' | 'foraminalStenosisRight' | 'facetArthropathyLeft' | 'facetArthropathyRight';

/** @throws Error when the level is not in the report, or has no such finding (optional findings of older reports). */
export function applyReaderEdit<K extends FindingKey>(report: SpineReport, level: string, findingKey: K, newValue: NonNullable<LevelReport[K]>['value']): SpineReport {
  const idx = report.levels.findIndex((l) => l.level === level);
  if (idx < 0) throw new Error(`level ${level} is not in the report (levels: ${report.levels.map((l) => l.level).join(', ') || 'none'})`);
  const old = report.levels[idx][findingKey] as Finding<unknown> | undefined;
  if (!old) throw new Error(`level ${level} has no ${findingKey} (a report from an older version)`);
  const edited: Finding<unknown> = {
    ...old,
    value: newValue,
    notAssessableReason: newValue === null ? old.notAssessableReason ?? 'set to not assessable by the reader' : undefined,
    readerModified: true,
    automaticValue: old.readerModified ? old.automaticValue : old.value,
  };
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
