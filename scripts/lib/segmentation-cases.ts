/**
 * The shared part of eval:axial and eval:foramen: their command line, the T2 cases of the segmentation/
 * data, and the loop that reads each case, segments it (network labelmap cached per case and model,
 * cached-segmentation.ts) and measures it (measureSpine).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { measureSpine, type SpineMeasurements } from '../../extension/src/pipeline/measure-spine';
import type { SpineVolume } from '../../extension/src/pipeline/volume';
import { cachedSegmenter } from './cached-segmentation';
import { readCases } from './labelled-cases';
import { readNiftiCase } from './sources';

export interface CaseEvalOptions { data: string; cases?: string; model: string; segCache: string; overlays?: string; json?: boolean }

/** Parses the common options; checks the data folder and creates the overlay folder. */
export function parseCaseEvalArgs(overlaysHelp: string): CaseEvalOptions {
  const o = new Command().requiredOption('--data <dir>', 'segmentation/ folder (cases.csv, <case>_image.nii.gz)')
    .option('--cases <list>', 'comma-separated case ids or sets (vb3 = every vb3_* case; default: every vb2_* and ivd_* case, the T2 ones)')
    .option('--model <manifest>', 'model manifest', 'models/manifest.json')
    .option('--seg-cache <dir>', 'cached network class labelmaps', '.data/eval-axial-seg')
    .option('--overlays <dir>', overlaysHelp)
    .option('--json', 'print JSON').parse()
    .opts<CaseEvalOptions>();
  if (!existsSync(resolve(o.data, 'cases.csv'))) throw new Error(`${o.data}: no cases.csv (expected the segmentation/ folder)`);
  if (o.overlays) mkdirSync(resolve(o.overlays), { recursive: true });
  return o;
}

/** A T2 case (vb2_*: Zukić 2014 TSE; ivd_*: Menezes-Reis 2016 spin echo); the rest are T1 or mixed. */
export const isT2Case = (c: string): boolean => /^(vb2|ivd)_/.test(c);

/**
 * The cases asked for, else every T2 case in cases.csv. An entry without '_' names a set: `vb3` is every vb3_* case.
 * @throws Error naming an entry that matches no case of cases.csv.
 */
export function casesOf(o: Pick<CaseEvalOptions, 'data' | 'cases'>): string[] {
  const all = readCases(o.data).map((r) => r.case);
  if (!o.cases) return all.filter(isT2Case);
  return o.cases.split(',').flatMap((entry) => {
    const hits = all.filter((c) => (entry.includes('_') ? c === entry : c.startsWith(`${entry}_`)));
    if (!hits.length) throw new Error(`--cases ${entry}: no such case or set in ${resolve(o.data, 'cases.csv')}`);
    return hits;
  });
}

/** Reads, segments and measures each case in turn (a dot on stderr per case). */
export async function forEachCase(o: CaseEvalOptions, cases: string[], fn: (c: string, volume: SpineVolume, ms: SpineMeasurements) => void): Promise<void> {
  const segmenter = cachedSegmenter(resolve(o.model), resolve(o.segCache));
  try {
    for (const c of cases) {
      const volume = readNiftiCase(resolve(o.data, `${c}_image.nii.gz`));
      const seg = await segmenter.segment(volume, c);
      fn(c, volume, measureSpine(volume, seg.labelmap, seg.segments));
      process.stderr.write('.');
    }
    process.stderr.write('\n');
  } finally {
    await segmenter.release();
  }
}
