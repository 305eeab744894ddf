/**
 * fit-logit-offsets — the per-class logit offsets (manifest output.logitOffsets) that draw the network's
 * vertebral bodies and discs as tight as the experts do (segment.ts outline, trimmed in outline-trim.ts).
 *
 *   npx tsx scripts/fit-logit-offsets.ts --data ../shared/data/segmentation [--split train] [--write]
 *
 * Why: training ignores a 2.5 mm ring around every label (prepare.py), so nothing stops the network from
 * growing outward; on the held-out cases its bodies were 8–43 % larger than the expert labels (precision ≈ 0.75,
 * recall ≈ 0.92). Lowering a structure's logit before the argmax shrinks it.
 *
 * How: the network runs once per case of the split (the training cases: the held-out ones stay unseen), through
 * the product's own segmentClasses; every offset pair on a grid (vertebral body and disc, 0 … −6 in steps of
 * 0.25, background 0) is scored by Dice within the labelled superior–inferior range, as eval:seg scores it, each
 * source voxel taking the logits sampled bilinearly at its centre as the product's outline does (preprocess.ts
 * outlineToSource). The score is that of the plain offset argmax: the product's trim keeps a segment whole
 * when it would lose more than half (outline-trim.ts), which this fit does not model. The pair with the best mean
 * of the vertebral body Dice (vb cases) and the disc Dice (ivd cases, the only expert disc labels) is printed and,
 * with --write, stored in the manifest with the sha256 of the model it was fitted for. Then
 * `npm run eval:seg -- --split val` measures it on the held-out cases.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { classIndex, type InferenceBackend, type ModelManifest } from '../extension/src/pipeline/model';
import { logitSampler, sagittalGeometry } from '../extension/src/pipeline/preprocess';
import { segmentClasses } from '../extension/src/pipeline/segment';
import { voxelToLps } from '../extension/src/pipeline/volume';
import { conformLabelmap, readCases, splitCases } from './lib/labelled-cases';
import { readNiftiLabelmap, readNiftiVolume } from './lib/nifti';
import { loadNodeModels } from './lib/node-models';
import { clipToGtRange } from './lib/seg-metrics';

/** One case reduced to what any offset pair needs: the source voxels (in the labelled range) the network did not call background. */
interface CaseTally {
  kind: 'vertebral_body' | 'disc';
  /** Logits [background, vertebral body, disc] sampled at each kept voxel, interleaved. */
  logits: Float32Array;
  /** 1 where the kept voxel is labelled. */
  labelled: Uint8Array;
  /** All labelled voxels of the case (the Dice denominator's ground-truth part). */
  labelledTotal: number;
}

const GRID = Array.from({ length: 25 }, (_, n) => -0.25 * n);

async function tallyCase(volumePath: string, labelPath: string, kind: CaseTally['kind'], manifest: ModelManifest, backend: InferenceBackend, name: string): Promise<CaseTally> {
  const volume = readNiftiVolume(volumePath);
  const gt = conformLabelmap(readNiftiLabelmap(labelPath), volume.dims, name);
  const slices: Float32Array[] = [];
  const recorder: InferenceBackend = { name: backend.name, run: async (x, h, w) => { const l = await backend.run(x, h, w); slices.push(l); return l; }, release: async () => {} };
  await segmentClasses(volume, recorder, manifest);
  const g = sagittalGeometry(volume, manifest);
  const [nI, nJ, nK] = volume.dims;
  // The labelled superior–inferior range, as eval:seg clips it.
  const zOf = (p: number) => voxelToLps(volume, p % nI, Math.floor(p / nI) % nJ, Math.floor(p / (nI * nJ)))[2];
  const inRange = clipToGtRange(new Uint8Array(gt.values.length).fill(1), gt.values, zOf);
  const labelledTotal = gt.values.reduce((n, v) => n + (v ? 1 : 0), 0);
  const keptLogits: number[] = [], keptLabelled: number[] = [];
  const l = new Float32Array(3);
  for (let k = 0; k < nK; k++) {
    const sample = logitSampler(g, slices[k], 3);
    for (let j = 0; j < nJ; j++)
      for (let i = 0; i < nI; i++) {
        const q = i + j * nI + k * nI * nJ;
        if (!inRange[q]) continue;
        sample(i, j, l);
        // Offsets only lower the two structure classes, so a voxel the network calls background stays background.
        if (l[0] >= l[1] && l[0] >= l[2]) continue;
        keptLogits.push(l[0], l[1], l[2]);
        keptLabelled.push(gt.values[q] ? 1 : 0);
      }
  }
  return { kind, logits: Float32Array.from(keptLogits), labelled: Uint8Array.from(keptLabelled), labelledTotal };
}

/** Dice of the case's labelled class with these offsets (added to the vertebral body and disc logits). */
function dice(t: CaseTally, vbOffset: number, discOffset: number): number {
  const want = t.kind === 'disc' ? 2 : 1;
  let predicted = 0, overlap = 0;
  for (let n = 0; n < t.labelled.length; n++) {
    const bg = t.logits[3 * n], vb = t.logits[3 * n + 1] + vbOffset, disc = t.logits[3 * n + 2] + discOffset;
    const cls = bg >= vb && bg >= disc ? 0 : vb >= disc ? 1 : 2;
    if (cls !== want) continue;
    predicted++;
    overlap += t.labelled[n];
  }
  return (2 * overlap) / (predicted + t.labelledTotal);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  const o = new Command()
    .requiredOption('--data <dir>', 'folder with cases.csv and <case>_image/_label.nii.gz')
    .option('--model <manifest>', 'model manifest', 'models/manifest.json')
    .option('--split <name>', 'cases of models/training/split.json to fit on', 'train')
    .option('--write', 'store the offsets in the manifest')
    .parse().opts<{ data: string; model: string; split: string; write?: boolean }>();
  const { manifest: loaded, backend } = await loadNodeModels(o.model, 2);
  const manifest: ModelManifest = { ...loaded, output: { name: loaded.output.name, classes: loaded.output.classes } };
  if (classIndex(manifest, 'vertebral_body') !== 1 || classIndex(manifest, 'disc') !== 2) throw new Error('expected classes 0 background, 1 vertebral body, 2 disc');
  const keep = splitCases(resolve('models/training/split.json'), o.split);
  const tallies: CaseTally[] = [];
  for (const c of readCases(o.data).filter((r) => keep.has(r.case))) {
    const kind = c.structure === 'disc' ? 'disc' : 'vertebral_body';
    tallies.push(await tallyCase(resolve(o.data, `${c.case}_image.nii.gz`), resolve(o.data, `${c.case}_label.nii.gz`), kind, manifest, backend, c.case));
    process.stderr.write('.');
  }
  await backend.release();
  const vbCases = tallies.filter((t) => t.kind === 'vertebral_body'), discCases = tallies.filter((t) => t.kind === 'disc');
  let best = { vb: 0, disc: 0, vbDice: 0, discDice: 0, score: -1 };
  for (const vb of GRID)
    for (const disc of GRID) {
      const vbDice = mean(vbCases.map((t) => dice(t, vb, disc))), discDice = mean(discCases.map((t) => dice(t, vb, disc)));
      if ((vbDice + discDice) / 2 > best.score) best = { vb, disc, vbDice, discDice, score: (vbDice + discDice) / 2 };
    }
  const zero = { vbDice: mean(vbCases.map((t) => dice(t, 0, 0))), discDice: mean(discCases.map((t) => dice(t, 0, 0))) };
  console.log(`${o.split} split: ${vbCases.length} vertebral body cases, ${discCases.length} disc cases (Dice within the labelled range, semantic classes)`);
  console.log(`offsets 0 / 0:                          vertebral body Dice ${zero.vbDice.toFixed(3)}, disc Dice ${zero.discDice.toFixed(3)}`);
  console.log(`best offsets ${best.vb} (vertebral body) / ${best.disc} (disc): vertebral body Dice ${best.vbDice.toFixed(3)}, disc Dice ${best.discDice.toFixed(3)}`);
  if (!o.write) return;
  const path = resolve(o.model);
  const json = JSON.parse(readFileSync(path, 'utf8'));
  json.output.logitOffsets = [0, best.vb, best.disc];
  json.output.logitOffsetsModelSha256 = json.sha256;
  json.output.logitOffsetsFit = {
    command: `npx tsx scripts/fit-logit-offsets.ts --data <segmentation> --split ${o.split} --write`,
    cases: { vertebralBody: vbCases.length, disc: discCases.length },
    diceWithoutOffsets: { vertebralBody: +zero.vbDice.toFixed(4), disc: +zero.discDice.toFixed(4) },
    diceWithOffsets: { vertebralBody: +best.vbDice.toFixed(4), disc: +best.discDice.toFixed(4) },
  };
  writeFileSync(path, JSON.stringify(json, null, 2) + '\n');
  console.log(`written to ${path}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
