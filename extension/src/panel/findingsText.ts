/**
 * The findings as plain text for the radiologist's report (copied from the panel): one line per level, caudal
 * levels last as read, grades with the measurement behind them, reader changes marked '*', the level-naming
 * caveat first when the names are uncertain, and a grade no level could be assessed for said once with why.
 */
import type { Finding, LevelReport, Measurement, SpineReport } from '../pipeline/report';
import { FINDING_CHOICES, findingLabel } from './readerEdits';
import { measuredSlip } from '../pipeline/grade/listhesis';
import { csfEffacedIn } from '../pipeline/grade/canal';
import { canalGradedAt, foramenGradedAt } from '../pipeline/grade/level-rules';

const star = (f: Finding<unknown> | undefined) => (f?.readerModified ? '*' : '');
const measured = (l: LevelReport, name: string, digits: number, unit: string) => {
  const m: Measurement | undefined = l.measurements.find((x) => x.name === name);
  return m ? `${m.value.toFixed(digits)} ${unit}` : undefined;
};
const present = (f: Finding<boolean> | undefined, word: string) => (f?.value ? [`${word}${star(f)}`] : []);

/** 'grade I anterolisthesis (4.9 mm, 16.2 %)'; the direction from the measured slip's sign, where it was measured. */
function slipText(l: LevelReport): string[] {
  const f = l.spondylolisthesis;
  if (!f?.value) return [];
  const slip = measuredSlip(l.measurements);
  return [`grade ${FINDING_CHOICES.spondylolisthesis.show(f.value)} ${slip?.direction ?? 'spondylolisthesis'}${star(f)}${slip ? ` (${slip.size})` : ''}`];
}

function discText(l: LevelReport): string {
  const p = l.pfirrmannGrade;
  const grade = `Pfirrmann ${p.value !== null ? FINDING_CHOICES.pfirrmannGrade.show(p.value) : 'not assessable'}${star(p)}`;
  return [grade, ...present(l.discNarrowing, 'narrowing'), ...present(l.discBulging, 'bulging'), ...present(l.modicChange, 'Modic change'),
    ...present(l.upperEndplateDefect, findingLabel('upperEndplateDefect', l.level)), ...present(l.lowerEndplateDefect, findingLabel('lowerEndplateDefect', l.level)), ...slipText(l)].join(', ');
}

/** Undefined when not assessed (then `missing` says so, unless no level has it: notAssessedAnywhere does). */
function canalText(l: LevelReport, missing?: string): string | undefined {
  const c = l.centralCanalStenosis;
  if (c.value === null) return c.readerModified ? `canal not assessable${star(c)}` : missing;
  const basis = [measured(l, 'canalApDiameterMm', 1, 'mm AP'), measured(l, 'duralSacAreaMm2', 0, 'mm² dural sac'), csfEffacedIn(l.centralCanalStenosis) ? 'CSF effaced' : undefined].filter(Boolean);
  return `canal ${c.value === 'none' ? 'no stenosis' : `${c.value} stenosis`}${star(c)}${basis.length ? ` (${basis.join(', ')})` : ''}`;
}

function pairText(what: string, left: Finding<number>, right: Finding<number>, missing?: string): string | undefined {
  if (left.value === null && right.value === null && !left.readerModified && !right.readerModified) return missing;
  const side = (f: Finding<number>) => `${f.value === null ? 'n/a' : f.value}${star(f)}`;
  return `${what} L ${side(left)} / R ${side(right)}`;
}

/** Per grade kind: its name, its findings at a level, and the levels it is graded at (grade/level-rules.ts). */
const KINDS: Record<'canal' | 'foramina' | 'facets', [string, (l: LevelReport) => Finding<unknown>[], (level: string) => boolean]> = {
  canal: ['Central canal stenosis', (l) => [l.centralCanalStenosis], canalGradedAt],
  foramina: ['Foraminal stenosis (Lee)', (l) => [l.foraminalStenosisLeft, l.foraminalStenosisRight], foramenGradedAt],
  facets: ['Facet arthropathy (Pathria)', (l) => [l.facetArthropathyLeft, l.facetArthropathyRight], () => true],
};
const assessedSomewhere = (levels: LevelReport[], kind: keyof typeof KINDS) => levels.flatMap(KINDS[kind][1]).some((f) => f.value !== null);

/**
 * One reason for both sides where the left and right reasons differ only in the side they name ('left foramen: no
 * slice 14–26 mm to the left of the disc centre' → 'no slice 14–26 mm to either side of the disc centre'); else the
 * first side's.
 */
function sideless(reasons: (string | undefined)[]): string | undefined {
  const [left, right] = reasons;
  const swapped = left?.replace(/\b(left|right)\b/g, (w) => (w === 'left' ? 'right' : 'left'));
  if (!left || reasons.length !== 2 || swapped !== right) return left ?? right;
  return left.replace(/^left \w+: /, '').replace(/(to the )?left of/g, 'to either side of').replace(/\bleft /g, '');
}

/**
 * Grades no level has a value for: said once, with the first reason (one for both sides where they match) of a level the
 * grade applies to — the reason at T10/T11 ("not a lumbar level") would hide why no lumbar level has it.
 */
function notAssessedAnywhere(levels: LevelReport[]): string[] {
  return Object.values(KINDS).flatMap(([name, of, gradedAt]) => {
    const all = levels.flatMap(of);
    if (!all.length || all.some((f) => f.value !== null)) return [];
    const applies = levels.filter((l) => gradedAt(l.level));
    const first = (applies.length ? applies : levels).map(of).find((fs) => fs.some((f) => f.notAssessableReason));
    const why = first && sideless(first.map((f) => f.notAssessableReason?.replace(/^not assessable: /, '')));
    return [`${name} not assessed${why ? `: ${why}` : ''}.`];
  });
}

/**
 * The naming caveat, short: the text goes into the report, and the why (how the count was anchored, what the other
 * series counted, where to look; often five sentences) stays in the panel's level note beside it. Gone once the reader
 * confirms or shifts the names.
 */
export const UNCERTAIN_NAMES_LINE = 'Level names uncertain: confirm the vertebral count on the images before reporting by level (the Spine MRI panel\'s level note says why).';

/**
 * @returns lines joined by '\n': heading, naming caveat (uncertain names only), one line per level
 *   ('L4/L5: Pfirrmann III*, bulging; canal moderate stenosis (9.1 mm AP); foramina Lee L 1 / R 0'), then
 *   grades not assessed at any level, that disc herniation is not assessed, then the software and model.
 */
export function findingsText(report: SpineReport): string {
  const lines = [`Spine MRI, automated findings for review (* = changed by the reader):`];
  if (!report.levelNaming.certain) lines.push(UNCERTAIN_NAMES_LINE);
  // A grade assessed at some levels is said to be missing at the others (never a silent gap that reads as normal).
  const say = (kind: keyof typeof KINDS, words: string) => (assessedSomewhere(report.levels, kind) ? words : undefined);
  for (const l of report.levels) {
    const parts = [
      discText(l),
      canalText(l, say('canal', 'canal not assessed')),
      pairText('foramina Lee', l.foraminalStenosisLeft, l.foraminalStenosisRight, say('foramina', 'foramina not assessed')),
      pairText('facets Pathria', l.facetArthropathyLeft, l.facetArthropathyRight, say('facets', 'facets not assessed')),
    ];
    lines.push(`${l.level}: ${parts.filter(Boolean).join('; ')}.`);
  }
  lines.push(...notAssessedAnywhere(report.levels));
  // Short for the report; the panel's evidence gives why (HERNIATION_NOT_ASSESSED).
  // Where the CSF is effaced the readers often saw one (grade/canal.ts EFFACED_HERNIATION_HINT): said where to look first.
  const effaced = report.levels.filter((l) => csfEffacedIn(l.centralCanalStenosis)).map((l) => l.level);
  if (report.levels.length) lines.push(`Disc herniation not assessed by the software: look for it on the images${effaced.length ? `, first at ${effaced.join(', ')} (CSF effaced)` : ''}.`);
  lines.push(`${report.software.name} ${report.software.version}, model ${report.model.name} ${report.model.version}.`);
  return lines.join('\n');
}
