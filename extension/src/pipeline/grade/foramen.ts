/**
 * Foraminal stenosis, Lee grades 0–3 (Lee S. et al., AJR Am J Roentgenol 2010;194:1095–8), from the
 * foramen measured on the parasagittal slices (pipeline/foramen.ts):
 * - grade 0: perineural fat around the exiting root, not obliterated in two opposing directions
 *   (a direction counts as obliterated when the root lies against the wall along at least half of its border
 *   that way: pipeline/foramen.ts OBLITERATED_BORDER_FRACTION, a project rule);
 * - grade 1: fat obliterated in two opposing directions, vertical (superior and inferior) or transverse
 *   (anterior and posterior);
 * - grade 2: fat obliterated in all four directions, root not changed in shape;
 * - grade 3: root collapsed or changed in shape. Not measured here: four obliterated directions give
 *   grade 2 and the rule text tells the reader to look for root collapse.
 * Not assessable (value null, with the reason) when no foramen or no root inside it was found.
 */
import { OBLITERATED_BORDER_FRACTION, type ForamenMeasure, type Side } from '../foramen';
import { sourceImageOf, type Finding, type Grade0to3, type Measurement } from '../report';

export const FORAMEN_REFERENCE = 'Lee S. et al., AJR Am J Roentgenol 2010;194:1095-8 (grades 0-3, perineural fat obliteration)';

/** Measurement names of one side's foramen ('foramenAreaLeftMm2', 'foramenHeightLeftMm'): the report's, the SR's and the viewer's key. */
export function foramenMeasurementNames(side: Side): { area: string; height: string; rootArea: string } {
  const s = side === 'left' ? 'Left' : 'Right';
  return { area: `foramenArea${s}Mm2`, height: `foramenHeight${s}Mm`, rootArea: `nerveRootArea${s}Mm2` };
}

/** 'T1 slice 12, 18 mm left of the disc centre': where a measured foramen lies (sliceIndex set). */
const sliceWhere = (f: ForamenMeasure) => `${f.weighting} slice ${f.sliceIndex! + 1}, ${f.lateralOffsetMm!.toFixed(0)} mm ${f.side} of the disc centre`;

/** The foramen's measurements for the evidence view and the SR (names carry the side). */
export function foramenMeasurements(f: ForamenMeasure | undefined): Measurement[] {
  if (!f || f.foramenAreaMm2 === null || f.foramenHeightMm === null) return [];
  const where = `parasagittal ${sliceWhere(f)}`;
  const names = foramenMeasurementNames(f.side);
  return [
    { name: names.height, value: f.foramenHeightMm, unit: 'mm', method: `height of the foraminal fat outline, ${where}` },
    { name: names.area, value: f.foramenAreaMm2, unit: 'mm2', method: `area inside the convex outline of the foraminal fat, ${where}`, sourceImage: sourceImageOf(f), outlineLps: f.outlineLps },
    // The root the grade was read around, with its centre, so that a stored SR can mark it again.
    ...(f.rootAreaMm2 !== null && f.rootCentreLps
      ? [{ name: names.rootArea, value: f.rootAreaMm2, unit: 'mm2' as const, method: `area of the exiting nerve root (dark, inside the foraminal fat), ${where}`, sourceImage: sourceImageOf(f), pointLps: f.rootCentreLps }]
      : []),
  ];
}

/** ' (the root lies on the foramen's edge along 60 % of its superior border, 0 % inferior, …; a direction is obliterated from 50 %)', or '' without the fractions. */
function onWallText(f: ForamenMeasure): string {
  const w = f.rootOnWallFraction;
  if (!w) return '';
  const pct = (x: number) => `${Math.round(100 * x)} %`;
  return ` (the root lies on the foramen's edge along ${pct(w.superior)} of its superior border, ${pct(w.inferior)} inferior, ${pct(w.anterior)} anterior, ${pct(w.posterior)} posterior; a direction is obliterated from ${pct(OBLITERATED_BORDER_FRACTION)})`;
}

/**
 * Lee grade of one foramen.
 * @param f the measured foramen; undefined when the foramina were not measured (then `unavailable` says why).
 */
export function gradeForamen(side: Side, f: ForamenMeasure | undefined, unavailable = 'the foramina were not measured'): Finding<Grade0to3> {
  const measurements = foramenMeasurements(f);
  const evidence = (rule: string) => ({ measurements, rule, reference: FORAMEN_REFERENCE });
  if (!f || f.obliterated === null) {
    const why = f?.reason ?? unavailable;
    return { value: null, notAssessableReason: `not assessable: ${side} foramen: ${why}`, evidence: evidence('Lee grade needs the exiting root and the fat around it on a parasagittal slice'), readerModified: false };
  }
  const o = new Set(f.obliterated);
  const vertical = o.has('superior') && o.has('inferior'), transverse = o.has('anterior') && o.has('posterior');
  const value: Grade0to3 = vertical && transverse ? 2 : vertical || transverse ? 1 : 0;
  const seen = `${sliceWhere(f)}: ${f.obliterated.length ? `fat obliterated ${f.obliterated.join(', ')} of the root` : 'fat obliterated in no direction'}${onWallText(f)}`;
  const rule = value === 2 ? `${seen} → grade 2 (grade 3, a collapsed root, is not measured: check the root's shape)`
    : value === 1 ? `${seen} → two opposing directions (${vertical ? 'vertical' : 'transverse'}) → grade 1`
    : `${seen} → not two opposing directions → grade 0`;
  return { value, evidence: evidence(`${rule}. Project measurement, not validated against readers${f.seriesNote ? `. ${f.seriesNote}` : ''}`), readerModified: false };
}
