/**
 * eval:foramen — the neural foramina (pipeline/foramen.ts) and their Lee grades (grade/foramen.ts) on the
 * 3D sagittal T2 volumes of the segmentation/ data, with the real sagittal analysis (network, level names).
 * No reader foraminal grades exist for these cases: the check is plausibility (foramen heights and areas
 * against published normal ranges, grade distribution on mostly healthy volunteers) and overlays to look at.
 *
 *   npm run eval:foramen -- --data ../shared/data/segmentation [--cases vb2_02,ivd_11 | --cases vb1,vb3] [--json]
 *     [--overlays DIR] [--seg-cache DIR]
 * Default cases: the T2 ones (vb2_*, ivd_*), as eval:axial. The network's class labelmap is cached per case
 * and model checksum (scripts/lib/cached-segmentation.ts), shared with eval:axial.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PNG } from 'pngjs';
import type { DiscAnalysis } from '../extension/src/pipeline/measure-spine';
import { measureForamina, type ForamenMeasure } from '../extension/src/pipeline/foramen';
import { gradeForamen } from '../extension/src/pipeline/grade/foramen';
import { sagittalFrame } from '../extension/src/pipeline/measure';
import type { SpineVolume } from '../extension/src/pipeline/volume';
import { casesOf, forEachCase, parseCaseEvalArgs } from './lib/segmentation-cases';

/**
 * Plausible lumbar foramen height, mm: a project check, not a grading rule. Normal lumbar foraminal height
 * is about 18–23 mm (Hasegawa T. et al., J Bone Joint Surg Am 1995;77:32–8: compression likely at ≤ 15 mm).
 */
export const PLAUSIBLE_HEIGHT_MM: [number, number] = [12, 28];

interface Row { case: string; level: string; side: string; sliceOffsetMm: number | null; heightMm: number | null; areaMm2: number | null; fatMm2: number | null; obliterated: string; grade: number | null; reason: string }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
}

/** The measured slice around the disc (25 mm in front of its centre to 45 mm behind, ±30 mm), ×5, hull red, root centre green. */
function overlay(vol: SpineVolume, d: DiscAnalysis, f: ForamenMeasure, out: string): void {
  if (f.sliceIndex === null) return;
  const frame = sagittalFrame(vol, f.sliceIndex);
  const [c0, c1] = d.measures.shape.centre, step = 0.2;
  const w = Math.round(70 / step), h = Math.round(60 / step);
  const at = (x: number, y: number): [number, number] => [c0 - 25 + x * step, c1 + 30 - y * step];
  let max = 1;
  const vals = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) { const v = frame.sample(...at(x, y)); vals[x + y * w] = v; if (v > max) max = v; }
  const png = new PNG({ width: w, height: h });
  for (let p = 0; p < w * h; p++) { const g = Number.isFinite(vals[p]) ? Math.min(255, Math.round(255 * vals[p] / max)) : 0; png.data.set([g, g, g, 255], 4 * p); }
  const toXy = (ap: number, si: number): [number, number] => [(ap - c0 + 25) / step, (c1 + 30 - si) / step];
  const dot = (x: number, y: number, rgb: number[]) => { const a = Math.round(x), b = Math.round(y); if (a >= 0 && b >= 0 && a < w && b < h) png.data.set([...rgb, 255], 4 * (a + b * w)); };
  const pts = (f.outlineLps ?? []).map((p) => toXy(p[1], p[2]));
  for (let n = 0; n < pts.length; n++) {
    const [a, b] = [pts[n], pts[(n + 1) % pts.length]];
    for (let t = 0; t <= 1; t += 0.01) dot(a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]), [255, 0, 0]);
  }
  if (f.rootCentreLps) { const [x, y] = toXy(f.rootCentreLps[1], f.rootCentreLps[2]); for (let dx = -4; dx <= 4; dx++) { dot(x + dx, y, [0, 255, 0]); dot(x, y + dx, [0, 255, 0]); } }
  writeFileSync(out, PNG.sync.write(png));
}

async function main() {
  const o = parseCaseEvalArgs('write a PNG of each measured foramen with its outline');
  const cases = casesOf(o);
  const rows: Row[] = [];
  await forEachCase(o, cases, (c, vol, ms) => {
    const foramina = measureForamina(vol, ms.discs, ms.labelmap);
    for (const d of ms.discs) {
      const level = d.segment.level ?? `disc ${d.segment.segmentNumber}`;
      const both = foramina.find((x) => x.segmentNumber === d.segment.segmentNumber)!;
      for (const f of [both.left, both.right]) {
        const g = gradeForamen(f.side, f);
        rows.push({ case: c, level, side: f.side, sliceOffsetMm: f.lateralOffsetMm, heightMm: f.foramenHeightMm, areaMm2: f.foramenAreaMm2, fatMm2: f.fatAreaMm2, obliterated: f.obliterated?.join('+') ?? '—', grade: g.value, reason: g.notAssessableReason ?? '' });
        if (o.overlays) overlay(vol, d, f, resolve(o.overlays, `${c}_${level.replace('/', '-')}_${f.side}.png`));
      }
    }
  });

  const lumbar = rows.filter((r) => /^L\d\/(L\d|S1)$/.test(r.level));
  const heights = lumbar.flatMap((r) => (r.heightMm === null ? [] : [r.heightMm]));
  const plausible = heights.filter((x) => x >= PLAUSIBLE_HEIGHT_MM[0] && x <= PLAUSIBLE_HEIGHT_MM[1]).length;
  const grades = [0, 1, 2, 3].map((g) => lumbar.filter((r) => r.grade === g).length);
  // Left against right at the same disc: in these mostly healthy spines the two foramina are alike, so a large
  // difference points at a measurement error (a consistency check, not agreement with readers).
  const pairs = lumbar.filter((r) => r.side === 'left').flatMap((l) => {
    const r = lumbar.find((x) => x.case === l.case && x.level === l.level && x.side === 'right');
    return r ? [{ l, r }] : [];
  });
  const heightPairs = pairs.filter(({ l, r }) => l.heightMm !== null && r.heightMm !== null);
  const gradePairs = pairs.filter(({ l, r }) => l.grade !== null && r.grade !== null);
  const summary = {
    cases: cases.length, lumbarForamina: lumbar.length, measured: heights.length, graded: grades.reduce((a, b) => a + b, 0), grades,
    medianHeightMm: median(heights), medianAreaMm2: median(lumbar.flatMap((r) => (r.areaMm2 === null ? [] : [r.areaMm2]))), heightInPlausibleRange: plausible,
    leftRight: {
      discsBothMeasured: heightPairs.length, medianHeightDifferenceMm: median(heightPairs.map(({ l, r }) => Math.abs(l.heightMm! - r.heightMm!))),
      discsBothGraded: gradePairs.length, sameGrade: gradePairs.filter(({ l, r }) => l.grade === r.grade).length,
    },
  };
  if (o.json) { console.log(JSON.stringify({ summary, rows }, null, 2)); return; }
  const f = (x: number | null, dgt = 1) => (x === null ? '—' : x.toFixed(dgt));
  console.log('case\tlevel\tside\toffset mm\theight mm\tarea mm²\tfat mm²\tobliterated\tLee\treason');
  for (const r of rows) console.log([r.case, r.level, r.side, f(r.sliceOffsetMm, 0), f(r.heightMm), f(r.areaMm2, 0), f(r.fatMm2, 0), r.obliterated, r.grade ?? '—', r.reason].join('\t'));
  console.log(`lumbar foramina (L1/L2–L5/S1, both sides): ${lumbar.length}; measured ${heights.length}; graded ${summary.graded} (Lee 0/1/2/3: ${grades.join(' / ')})`);
  console.log(`median height ${summary.medianHeightMm.toFixed(1)} mm, median area ${summary.medianAreaMm2.toFixed(0)} mm²; height in ${PLAUSIBLE_HEIGHT_MM[0]}–${PLAUSIBLE_HEIGHT_MM[1]} mm: ${plausible} / ${heights.length}`);
  const lr = summary.leftRight;
  console.log(`left vs right at the same disc: median |height difference| ${lr.medianHeightDifferenceMm.toFixed(1)} mm (${lr.discsBothMeasured} discs); same Lee grade ${lr.sameGrade} / ${lr.discsBothGraded}`);
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
