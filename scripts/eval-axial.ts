/**
 * eval:axial — the dural sac area on axial T2 (axial-canal.ts) on the 3D sagittal T2 volumes of the
 * segmentation/ data: the real sagittal analysis (network, level names, canal.ts sac centre), an axial
 * reformat of the same volume (scripts/lib/axial-reformat.ts: 4 mm slabs, 1 mm pixels), then the area at
 * each disc. No reader areas exist for these cases, so the check is plausibility: the fraction of lumbar
 * discs with an area in PLAUSIBLE_AREA_MM2, and overlays to look at.
 *
 *   npm run eval:axial -- --data ../shared/data/segmentation [--cases vb2_02,ivd_11] [--json]
 *     [--overlays DIR] [--seg-cache DIR]
 * Default cases: the T2 ones (vb2_*, ivd_*). T1 (vb3_*) and mixed-weighting (vb1_*) cases are skipped with a
 * message: the measurement needs bright CSF, and on T1 the brightest spot behind the disc is epidural fat.
 * The network's class labelmap is cached per case and model checksum (scripts/lib/cached-segmentation.ts).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PNG } from 'pngjs';
import { axialSlicesOfVolume, type AxialSacResult, type AxialSlice } from '../extension/src/pipeline/axial-canal';
import { axialSacByDisc } from '../extension/src/pipeline/axial-levels';
import type { Vec3 } from '../extension/src/pipeline/volume';
import { axialReformat } from './lib/axial-reformat';
import { casesOf, forEachCase, isT2Case, parseCaseEvalArgs } from './lib/segmentation-cases';
import { counted } from '../extension/src/pipeline/words';

/**
 * Plausible dural sac area range, mm²: a project check, not a grading rule. Normal lumbar dural sac areas
 * are about 150–200 mm² (Schönström N. et al., Spine 1985;10:806–11; Bolender 1985 puts stenosis below
 * 100 mm², and severe stenosis lies below about 75 mm²); a value outside 70–300 mm² on these mostly
 * healthy volunteers most likely is a measurement error.
 */
export const PLAUSIBLE_AREA_MM2: [number, number] = [70, 300];

interface Row { case: string; level: string; apMm: number | null; areaMm2: number | null; distanceMm: number | null; instance: number | null; reason: string }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

/**
 * The measured axial image around the disc centre (30 mm to each side, 15 mm anterior to 60 mm posterior),
 * enlarged ×6 and windowed to that crop, twice side by side: as it is, and with the outline (red) and the
 * pixels at or above the edge threshold tinted yellow.
 */
function overlay(s: AxialSlice, r: AxialSacResult, discLps: Vec3, out: string): void {
  const toIj = (p: Vec3): [number, number] => {
    const d: Vec3 = [p[0] - s.positionLps[0], p[1] - s.positionLps[1], p[2] - s.positionLps[2]];
    return [dot(d, s.rowDirection) / s.spacingMm[0], dot(d, s.columnDirection) / s.spacingMm[1]];
  };
  const [ci, cj] = toIj(discLps);
  const i0 = Math.max(0, Math.round(ci - 30 / s.spacingMm[0])), i1 = Math.min(s.columns - 1, Math.round(ci + 30 / s.spacingMm[0]));
  const j0 = Math.max(0, Math.round(cj - 15 / s.spacingMm[1])), j1 = Math.min(s.rows - 1, Math.round(cj + 60 / s.spacingMm[1]));
  const zoom = 6, cw = (i1 - i0 + 1) * zoom, w = 2 * cw, h = (j1 - j0 + 1) * zoom;
  if (w <= 0 || h <= 0) return;
  let max = 1;
  for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) max = Math.max(max, s.pixels[i + j * s.columns]);
  const png = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < cw; x++) {
    const v = s.pixels[i0 + Math.floor(x / zoom) + (j0 + Math.floor(y / zoom)) * s.columns];
    const g = Math.min(255, Math.round(255 * v / max));
    png.data.set([g, g, g, 255], 4 * (x + y * w));
    png.data.set(r.levels && v >= r.levels.edge ? [Math.min(255, g + 40), Math.min(255, g + 40), g >> 1, 255] : [g, g, g, 255], 4 * (cw + x + y * w));
  }
  const pts = (r.outlineLps ?? []).map(toIj);
  for (let n = 0; n < pts.length; n++) {
    const [a, b] = [pts[n], pts[(n + 1) % pts.length]];
    for (let t = 0; t <= 1; t += 0.02) {
      const x = cw + Math.round((a[0] + t * (b[0] - a[0]) - i0 + 0.5) * zoom), y = Math.round((a[1] + t * (b[1] - a[1]) - j0 + 0.5) * zoom);
      if (x >= 0 && y >= 0 && x < w && y < h) png.data.set([255, 0, 0, 255], 4 * (x + y * w));
    }
  }
  writeFileSync(out, PNG.sync.write(png));
}

function dot(a: Vec3, b: Vec3): number { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

async function main() {
  const o = parseCaseEvalArgs('write a PNG of each measured axial image with the outline');
  const cases = casesOf(o);
  const rows: Row[] = [];
  const skipped = cases.filter((c) => !isT2Case(c));
  await forEachCase(o, cases.filter(isT2Case), (c, vol, ms) => {
    const axial = axialSlicesOfVolume(axialReformat(vol));
    const byDisc = axialSacByDisc(vol, ms, axial);
    for (const d of ms.discs) {
      const r = byDisc.get(d.segment.segmentNumber)!;
      const level = d.segment.level ?? `disc ${d.segment.segmentNumber}`;
      rows.push({ case: c, level, apMm: d.canalApMm, areaMm2: r.areaMm2, distanceMm: r.distanceMm ?? null, instance: r.instanceNumber ?? null, reason: (r.seedFromAnteriorEdge ? '[seed behind anterior edge] ' : '') + (r.grownFromAnteriorSeed ? '[grown from the anterior seed] ' : '') + (r.crescentsJoined ? `[${counted(r.crescentsJoined, 'crescent')} joined] ` : '') + (r.reason ?? '') + (d.canalReason && d.canalApMm === null ? ` (sagittal: ${d.canalReason})` : '') });
      const img = axial.find((s) => s.instanceNumber === r.instanceNumber);
      if (o.overlays && img) overlay(img, r, d.segment.centroidLps, resolve(o.overlays, `${c}_${level.replace('/', '-')}.png`));
    }
  });
  if (skipped.length) process.stderr.write(`skipped (not T2-weighted, the axial measurement needs bright CSF): ${skipped.join(', ')}\n`);

  const lumbar = rows.filter((r) => /^L\d\/(L\d|S1)$/.test(r.level));
  const areas = lumbar.flatMap((r) => (r.areaMm2 === null ? [] : [r.areaMm2]));
  const plausible = areas.filter((a) => a >= PLAUSIBLE_AREA_MM2[0] && a <= PLAUSIBLE_AREA_MM2[1]).length;
  const summary = {
    cases: cases.length - skipped.length, skipped, discs: rows.length, lumbarDiscs: lumbar.length, lumbarMeasured: areas.length,
    medianAreaMm2: median(areas), lumbarInPlausibleRange: plausible, fractionOfLumbarInPlausibleRange: lumbar.length ? plausible / lumbar.length : NaN,
    allMeasured: rows.filter((r) => r.areaMm2 !== null).length,
  };
  if (o.json) { console.log(JSON.stringify({ summary, rows }, null, 2)); return; }
  const f = (x: number | null, d = 1) => (x === null ? '—' : x.toFixed(d));
  console.log('case\tlevel\tsagittal AP mm\taxial area mm²\timage\tdistance mm\treason');
  for (const r of rows) console.log([r.case, r.level, f(r.apMm), f(r.areaMm2, 0), r.instance ?? '—', f(r.distanceMm), r.reason].join('\t'));
  console.log(`measured: ${summary.allMeasured} / ${summary.discs} discs; lumbar (L1/L2–L5/S1): ${areas.length} / ${lumbar.length}`);
  console.log(`lumbar median area ${summary.medianAreaMm2.toFixed(0)} mm²; in ${PLAUSIBLE_AREA_MM2[0]}–${PLAUSIBLE_AREA_MM2[1]} mm²: ${plausible} / ${lumbar.length} lumbar discs (${(100 * summary.fractionOfLumbarInPlausibleRange).toFixed(0)} %)`);
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
