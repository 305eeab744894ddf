/**
 * Export disc patches (pipeline/disc-crop.ts) with the readers' gradings from a SPIDER-style folder, for
 * training the disc classifier (models/training/pfirrmann.py). The same segmentation, naming and
 * measurement code as the viewer; a graded disc is used when the pipeline names its level (L5/S1 = IVD 1).
 * Both T2 sequences: the 2D 't2' images, then the 3D 't2_SPACE' ones (so that the classifier also grades 3D T2;
 * a patient's SPACE discs take the fold of its 't2' image; a patient with no 't2' image has no fold and is left out).
 *
 *   npx tsx scripts/export-disc-crops.ts --data ../shared/data/spider_midsagittal [--out .data/disc-crops] [--jitter 7]
 * Writes <out>/crops.f32 (float32, [disc][1 + jitter][channels][H][W], disc-crop.ts) and <out>/meta.json (per disc: patient, sequence, PNG sha256, ivd, grade, fold, …).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { sagittalFrame } from '../extension/src/pipeline/measure';
import { DISC_CROP, NO_JITTER, discCrop, type CropJitter } from '../extension/src/pipeline/disc-crop';
import { forEachSpiderImage, patientFolds, spiderFindings, spiderImages, SPIDER_T2_SEQUENCES } from './lib/spider';
import { loadNodeModels } from './lib/node-models';

/** Deterministic pseudo-random numbers (mulberry32) so an export is reproducible. */
function rng(seed: number): () => number {
  return () => { seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}

async function main() {
  const o = new Command().requiredOption('--data <dir>').option('--out <dir>', 'output folder', '.data/disc-crops')
    .option('--model <manifest>', 'segmentation model manifest', 'models/manifest.json').option('--jitter <n>', 'augmented copies per disc', '7')
    .parse().opts<{ data: string; out: string; model: string; jitter: string }>();
  const models = await loadNodeModels(o.model, 2);
  const folds = patientFolds(spiderImages(o.data).map((s) => s.patient));
  const nJitter = Number(o.jitter), random = rng(1);
  const crops: Float32Array[] = [];
  const meta: Record<string, unknown>[] = [];
  for (const sequence of SPIDER_T2_SEQUENCES) await forEachSpiderImage(o.data, models, (s, vol, ms, graded) => {
    if (!ms) return;
    for (const d of ms.discs) { // superior → inferior, as the pipeline lists them
      const frame = sagittalFrame(vol, d.sliceIndex);
      const g = graded.find((x) => x.disc === d);
      if (!g) continue;
      const jitters: CropJitter[] = [NO_JITTER, ...Array.from({ length: nJitter }, () => ({
        shiftUMm: (random() - 0.5) * 6, shiftVMm: (random() - 0.5) * 4, angleRad: (random() - 0.5) * 0.3, scale: 0.9 + random() * 0.2,
      }))];
      for (const j of jitters) crops.push(discCrop(vol, frame, d.measures.shape, d.csfLevel, j));
      const r = g.grading;
      meta.push({ patient: s.patient, sequence, imageSha256: s.sha256(), fold: folds.get(s.patient), ivd: g.ivd, level: d.segment.level, grade: Number(r['Pfirrman grade']), ...spiderFindings(r) });
    }
  }, undefined, sequence === 't2' ? undefined : new Set(folds.keys()), sequence);
  await models.release();
  mkdirSync(o.out, { recursive: true });
  const flat = new Float32Array(crops.length * DISC_CROP.channels * DISC_CROP.widthPx * DISC_CROP.heightPx);
  crops.forEach((c, n) => flat.set(c, n * c.length));
  writeFileSync(resolve(o.out, 'crops.f32'), Buffer.from(flat.buffer));
  writeFileSync(resolve(o.out, 'meta.json'), JSON.stringify({ ...DISC_CROP, copies: nJitter + 1, discs: meta }));
  const bySequence = SPIDER_T2_SEQUENCES.map((q) => `${meta.filter((m) => m.sequence === q).length} ${q}`).join(', ');
  process.stderr.write(`\n${meta.length} discs (${bySequence}) × ${nJitter + 1} patches → ${o.out}\n`);
}

main().catch((e) => { console.error(e instanceof Error ? e.message : e); process.exit(1); });
