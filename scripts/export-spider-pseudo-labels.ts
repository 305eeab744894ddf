/**
 * Pseudo-labels for fine-tuning the segmentation network on clinical SPIDER T2 slices (self-training): the
 * pipeline's own vertebral bodies and discs on the images whose level names it marks certain and where it
 * names at least five discs. Only patients of the given folds (scripts/lib/spider.ts patientFolds), so the
 * other folds stay unseen for evaluating the fine-tuned network.
 *
 *   npx tsx scripts/export-spider-pseudo-labels.ts --data ../shared/data/spider_midsagittal --folds 0,1,2 --out .data/spider-pseudo
 * Writes <out>/<series>_label.png (8-bit: 0 background, 1 vertebral body, 2 disc, 3 disc inferred by rule =
 * unknown) and <out>/cases.json ([{ series, image, rowSpacingMm, colSpacingMm }]); models/training/prepare_spider.py
 * turns them into training cases.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { PNG } from 'pngjs';
import { segmentSpine } from '../extension/src/pipeline/analyze';
import { loadNodeModels } from './lib/node-models';
import { patientFolds, spiderImages } from './lib/spider';

const MIN_NAMED_DISCS = 5;

async function main() {
  const o = new Command().requiredOption('--data <dir>').requiredOption('--folds <list>', 'patient folds to export, e.g. 0,1,2')
    .option('--out <dir>', 'output folder', '.data/spider-pseudo').option('--model <manifest>', 'segmentation model manifest', 'models/manifest.json')
    .parse().opts<{ data: string; folds: string; out: string; model: string }>();
  const folds = new Set(o.folds.split(',').map(Number));
  const models = await loadNodeModels(o.model, 2);
  const images = spiderImages(o.data);
  const fold = patientFolds(images.map((s) => s.patient));
  mkdirSync(o.out, { recursive: true });
  const cases: { series: string; image: string; rowSpacingMm: number; colSpacingMm: number }[] = [];
  let skipped = 0;
  for (const im of images.filter((s) => folds.has(fold.get(s.patient)!))) {
    const volume = im.volume();
    const r = await segmentSpine(volume, models.backend, models.manifest);
    const named = r.segments.filter((s) => s.kind === 'disc' && s.level).length;
    if (!r.levelNaming.certain || named < MIN_NAMED_DISCS) { skipped++; continue; }
    const cls = new Uint8Array(256);
    for (const s of r.segments) cls[s.segmentNumber] = s.kind === 'vertebral_body' ? 1 : s.kind === 'disc' ? (s.inferred ? 3 : 2) : 0;
    const [w, h] = volume.dims;
    const png = new PNG({ width: w, height: h, colorType: 0, inputColorType: 0 });
    for (let p = 0; p < w * h; p++) png.data[p] = cls[r.labelmap.values[p]];
    writeFileSync(resolve(o.out, `${im.series}_label.png`), PNG.sync.write(png, { colorType: 0, inputColorType: 0 }));
    cases.push({ series: im.series, image: resolve(o.data, `${im.series}.png`), rowSpacingMm: volume.spacingMm[1], colSpacingMm: volume.spacingMm[0] });
  }
  await models.release();
  writeFileSync(resolve(o.out, 'cases.json'), JSON.stringify(cases, null, 1));
  process.stderr.write(`${cases.length} images pseudo-labelled, ${skipped} skipped (names uncertain or < ${MIN_NAMED_DISCS} discs) → ${o.out}\n`);
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
