/**
 * The grades that differ from a prior study's stored findings (its Spine MRI SR, read back into a SpineReport):
 * level by level, matched by level name, each finding both reports assessed. Pure; ohif/priorReport.ts finds the prior.
 * A difference is not called progression: the two studies may differ in scanner, sequence or slice, and either grade
 * may be the software's or a reader's.
 */
import type { Finding, LevelReport, SpineReport } from '../pipeline/report';
import { FINDING_CHOICES, FINDING_KEYS, findingLabel, type FindingKey } from './readerEdits';

export interface PriorChange {
  level: string;
  key: FindingKey;
  /** As the levels table's evidence names it ('Central canal stenosis', 'L4 inferior endplate defect'). */
  label: string;
  prior: string;
  now: string;
}

export interface PriorComparison {
  changes: PriorChange[];
  /** Levels both reports name, superior first as the current report lists them. */
  levelsCompared: string[];
}

const finding = (l: LevelReport, k: FindingKey) => l[k] as Finding<string | number | boolean> | undefined;
const shown = (k: FindingKey, f: Finding<string | number | boolean>) => `${FINDING_CHOICES[k].show(f.value!)}${f.readerModified ? '*' : ''}`;

/** Each finding assessed at a level of both reports whose value differs (a finding either left not assessable is not compared). */
export function comparePrior(current: SpineReport, prior: SpineReport): PriorComparison {
  const priorByLevel = new Map(prior.levels.map((l) => [l.level, l]));
  const levelsCompared = current.levels.filter((l) => priorByLevel.has(l.level)).map((l) => l.level);
  const changes = current.levels.flatMap((l) => {
    const p = priorByLevel.get(l.level);
    if (!p) return [];
    return FINDING_KEYS.flatMap((k) => {
      const now = finding(l, k), before = finding(p, k);
      if (now?.value == null || before?.value == null || now.value === before.value) return [];
      return [{ level: l.level, key: k, label: findingLabel(k, l.level), prior: shown(k, before), now: shown(k, now) }];
    });
  });
  return { changes, levelsCompared };
}

/** 'YYYYMMDD' (DICOM DA) → 'YYYY-MM-DD'; anything else as it is. */
export function dicomDate(da: string): string {
  return /^\d{8}$/.test(da) ? `${da.slice(0, 4)}-${da.slice(4, 6)}-${da.slice(6)}` : da;
}

/**
 * One line for the findings text: 'Differs from the prior study of 2020-01-01 (stored findings, levels matched by
 * name): L4/L5 Central canal stenosis mild → moderate; …', or that nothing differs at the levels both name.
 */
export function priorChangesText(c: PriorComparison, priorStudyDate: string): string {
  const of = `the prior study of ${dicomDate(priorStudyDate) || 'unknown date'}`;
  if (!c.levelsCompared.length) return `No level of ${of} has the same name as a level here: nothing compared.`;
  if (!c.changes.length) return `No graded finding differs from ${of} at the ${c.levelsCompared.length} levels both name (stored findings, levels matched by name).`;
  return `Differs from ${of} (stored findings, levels matched by name): ${c.changes.map((x) => `${x.level} ${x.label} ${x.prior} → ${x.now}`).join('; ')}.`;
}
