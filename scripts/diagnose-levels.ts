/**
 * diagnose:levels — why graded SPIDER discs are not found at their level. Per mid-sagittal T2 image:
 * discs segmented, the names the pipeline gave (caudal first), the graded IVD labels, and for each
 * graded disc not found by name: 'misnamed (shift ±n)' when L5/S1 is missed and renaming every disc
 * so that the lowest one is L5/S1 finds it, else 'not segmented' (a missed lowest disc also reads as
 * a shift: the image decides), 'outside the image' when, at the disc spacing of the discs found, its
 * centre would lie less than half a segment inside the top or bottom edge (not assessable on this slice;
 * judged by the pipeline's own names, so an image the network segmented only in part and misnamed
 * can read as 'outside': check the overlay).
 *
 *   npx tsx scripts/diagnose-levels.ts --data ../shared/data/spider_midsagittal [--out /tmp/diag]
 *     [--overlays 20] [--overlay-all] [--class-cache /tmp/classes] [--only 12,57] [--min-component-mm3 V]
 * --class-cache keeps the network's class labelmaps so that anatomy changes re-run in seconds.
 * Overlays: image as stored (head up, anterior left), bodies blue/purple, discs green (inferred discs
 * orange), names in yellow. In the listing, an inferred disc's name ends in '*'.
 *   --overlay-inferred: overlays of the images with an inferred disc (instead of the failures).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { PNG } from 'pngjs';
import type { AnatomyResult } from '../extension/src/pipeline/anatomy';
import type { SpineVolume } from '../extension/src/pipeline/volume';
import { cachedSegmenter } from './lib/cached-segmentation';
import { outsideImage, IVD_BY_LEVEL as SPIDER_IVD, readCsv as csv, spiderImages } from './lib/spider';

/** IVD label by level name, plus the sacral remnant discs a naming shift can produce (diagnosis only). */
const IVD_BY_LEVEL: Record<string, number> = { 'S2/S3': -1, 'S1/S2': 0, ...SPIDER_IVD };

/** 3×5 glyphs, rows top to bottom, 3 bits each (for level names on overlays). */
const FONT: Record<string, number[]> = {
  '0': [7, 5, 5, 5, 7], '1': [2, 6, 2, 2, 7], '2': [7, 1, 7, 4, 7], '3': [7, 1, 3, 1, 7], '4': [5, 5, 7, 1, 1], '5': [7, 4, 7, 1, 7],
  '6': [7, 4, 7, 5, 7], '7': [7, 1, 1, 2, 2], '8': [7, 5, 7, 5, 7], '9': [7, 5, 7, 1, 7], C: [7, 4, 4, 4, 7], T: [7, 2, 2, 2, 2],
  L: [4, 4, 4, 4, 7], S: [7, 4, 7, 1, 7], '/': [1, 1, 2, 4, 4], '?': [7, 1, 3, 0, 2],
};

function overlay(vol: SpineVolume, seg: AnatomyResult, file: string): void {
  const [w, h] = vol.dims;
  const png = new PNG({ width: w, height: h });
  const sum = new Map<number, [number, number, number]>();
  for (let p = 0; p < w * h; p++) {
    const g = vol.voxels[p];
    const s = seg.labelmap.values[p];
    const kind = s ? seg.segments[s - 1].kind : undefined;
    const tint = kind === 'disc' ? (seg.segments[s - 1].inferred ? [255, 140, 0] : [0, 255, 0]) : kind ? (s % 2 ? [60, 120, 255] : [200, 60, 255]) : undefined;
    for (let c = 0; c < 3; c++) png.data[4 * p + c] = tint ? 0.55 * g + 0.45 * tint[c] : g;
    png.data[4 * p + 3] = 255;
    if (s) { const a = sum.get(s) ?? [0, 0, 0]; a[0] += p % w; a[1] += Math.floor(p / w); a[2]++; sum.set(s, a); }
  }
  for (const [s, [x, y, n]] of sum) {
    const text = seg.segments[s - 1].level ?? '?';
    let cx = Math.round(x / n) + (seg.segments[s - 1].kind === 'disc' ? 45 : 30), cy = Math.round(y / n) - 5;
    for (const ch of text) {
      (FONT[ch] ?? FONT['?']).forEach((bits, r) => { for (let c = 0; c < 3; c++) if (bits & (4 >> c))
        for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) {
          const px = cx + 2 * c + dx, py = cy + 2 * r + dy;
          if (px >= 0 && px < w && py >= 0 && py < h) png.data.set([255, 255, 0], 4 * (px + py * w));
        } });
      cx += 8;
    }
  }
  writeFileSync(file, PNG.sync.write(png));
}

async function main() {
  const o = new Command().requiredOption('--data <dir>', 'SPIDER-style folder (series.csv, gradings.csv, <patient>_t2.png)')
    .option('--model <manifest>', 'model manifest', 'models/manifest.json')
    .option('--out <dir>', 'overlay PNGs of failures go here')
    .option('--overlays <n>', 'at most this many overlays', '30')
    .option('--overlay-all', 'overlays of every image, not only failures')
    .option('--overlay-inferred', 'overlays of the images with an inferred disc')
    .option('--class-cache <dir>', 'cache of class labelmaps (network output)')
    .option('--only <patients>', 'comma-separated patient ids')
    .option('--min-component-mm3 <v>', 'override the minimum component volume (anatomy option)')
    .parse().opts<{ data: string; model: string; out?: string; overlays: string; overlayAll?: boolean; overlayInferred?: boolean; classCache?: string; only?: string; minComponentMm3?: string }>();
  const segmenter = cachedSegmenter(resolve(o.model), o.classCache && resolve(o.classCache));
  const only = o.only ? new Set(o.only.split(',')) : undefined;
  const series = spiderImages(o.data, only);
  const grades = csv(resolve(o.data, 'gradings.csv'));
  if (o.out) mkdirSync(o.out, { recursive: true });
  const tally = { graded: 0, found: 0, notSegmented: 0, outside: 0, misnamed: new Map<number, number>() };
  let overlays = 0;
  for (const s of series) {
    const vol = s.volume();
    const seg = await segmenter.segment(vol, s.series, o.minComponentMm3 ? { minComponentMm3: Number(o.minComponentMm3) } : {});
    const discs = seg.segments.filter((x) => x.kind === 'disc').reverse(); // caudal first
    const names = discs.map((d) => d.level ?? '?');
    const shown = discs.map((d, n) => names[n] + (d.inferred ? '*' : ''));
    const graded = grades.filter((g) => g.Patient === s.patient).map((g) => Number(g['IVD label'])).sort((a, b) => a - b);
    // Naming shift: when L5/S1 (IVD 1) is graded but not found, the level the lowest disc was given
    // minus 1 (+1 = named one level too high, e.g. S1 taken as L5; −1 = an S1/S2 remnant taken as L5/S1).
    const ivds = new Set(names.map((n) => IVD_BY_LEVEL[n]).filter((x) => x !== undefined));
    const lowest = names.map((n) => IVD_BY_LEVEL[n]).find((x) => x !== undefined);
    const shift = graded.includes(1) && !ivds.has(1) && lowest !== undefined ? lowest - 1 : 0;
    const outside = outsideImage(vol, seg, discs.map((d) => IVD_BY_LEVEL[d.level ?? '']));
    const misses: string[] = [];
    for (const ivd of graded) {
      tally.graded++;
      if (ivds.has(ivd)) { tally.found++; continue; }
      if (shift && ivds.has(ivd + shift)) { tally.misnamed.set(shift, (tally.misnamed.get(shift) ?? 0) + 1); misses.push(`${ivd}:misnamed (shift ${shift > 0 ? '+' : ''}${shift})`); }
      else if (outside(ivd)) { tally.outside++; misses.push(`${ivd}:outside the image`); }
      else { tally.notSegmented++; misses.push(`${ivd}:not segmented`); }
    }
    const bodies = seg.segments.filter((x) => x.kind === 'vertebral_body').reverse().map((b) => b.level ?? '?');
    console.log(`${s.patient}\tdiscs ${discs.length} [${shown.join(' ')}]\tbodies [${bodies.join(' ')}]\tgraded [${graded.join(',')}]\t${seg.levelNaming.anchor}${seg.levelNaming.certain ? '' : '?'}\t${misses.join(', ') || 'ok'}`);
    const wanted = o.overlayInferred ? discs.some((d) => d.inferred) : misses.length || o.overlayAll;
    if (o.out && wanted && overlays < Number(o.overlays)) { overlay(vol, seg, resolve(o.out, `${s.series}.png`)); overlays++; }
  }
  const pct = (x: number) => `${((100 * x) / tally.graded).toFixed(1)} %`;
  console.log(`\n${tally.graded} graded discs: found at their level ${pct(tally.found)}, outside the image ${pct(tally.outside)}, not segmented ${pct(tally.notSegmented)}, misnamed ` +
    ([...tally.misnamed].sort((a, b) => a[0] - b[0]).map(([k, v]) => `shift ${k > 0 ? '+' : ''}${k}: ${pct(v)}`).join(', ') || 'none'));
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
