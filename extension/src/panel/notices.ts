/** Study-wide notices derived from a SpineReport (pure; unit-tested). */
import type { LevelReport } from '../pipeline/report';

/**
 * When no level has an automatic Pfirrmann grade and every level gives the same reason (the disc classifier
 * could not be loaded, the series is not T2, …): that reason, to show once above the table so a column of
 * "n/a" is explained without opening a level. Null when any level was graded or the reasons differ.
 * Levels the reader graded are left out (their automatic reason is no longer stored).
 */
export function discGradesUnavailable(levels: LevelReport[]): string | null {
  const auto = levels.map((l) => l.pfirrmannGrade).filter((f) => !f.readerModified);
  if (!auto.length || auto.some((f) => f.value !== null)) return null;
  const reasons = [...new Set(auto.map((f) => f.notAssessableReason ?? ''))];
  return reasons.length === 1 && reasons[0] ? reasons[0].replace(/^not assessable: /, '') : null;
}
