/**
 * The labelled NIfTI cases of ../shared/data/segmentation (cases.csv + <case>_image/_label.nii.gz) and the
 * training split (models/training/split.json), for eval:seg and fit-logit-offsets.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Labelmap, Vec3 } from '../../extension/src/pipeline/volume';

export interface CaseRow { case: string; structure: string; levels: string[] | null }

/** @throws Error when cases.csv is missing or lacks a column. */
export function readCases(dir: string): CaseRow[] {
  const csv = resolve(dir, 'cases.csv');
  if (!existsSync(csv)) throw new Error(`${csv} not found: --data must be a folder with cases.csv and <case>_image.nii.gz / <case>_label.nii.gz`);
  const [head, ...rows] = readFileSync(csv, 'utf8').trim().split(/\r?\n/);
  const cols = head.split(',');
  const at = (name: string) => {
    const i = cols.indexOf(name);
    if (i < 0) throw new Error(`${csv} has no "${name}" column (has: ${cols.join(', ')})`);
    return i;
  };
  const [ci, si, li] = [at('case'), at('structure'), at('levels')];
  return rows.map((r) => {
    const f = r.split(',');
    const lv = f[li]?.trim() ?? '';
    const names = lv.split(/\s+/).filter(Boolean);
    const named = names.length > 0 && names.every((n) => /^[CTLS]\d+(\/[CTLS]\d+)?$/.test(n));
    return { case: f[ci], structure: f[si], levels: named ? names : null };
  });
}

export function splitCases(splitPath: string, which: string): Set<string> {
  if (!existsSync(splitPath)) throw new Error(`--split ${which} needs ${splitPath} (written by the model training recipe)`);
  const s = JSON.parse(readFileSync(splitPath, 'utf8')) as Record<string, unknown>;
  const ids = s[which];
  if (!Array.isArray(ids)) throw new Error(`${splitPath} has no "${which}" list (has: ${Object.keys(s).join(', ')})`);
  return new Set(ids as string[]);
}

/**
 * The label grid must be the image grid. One public case (vb2_04) has a label with one extra slice;
 * keep the overlapping index range (voxel (i,j,k) ↔ (i,j,k)), warn, and go on.
 */
export function conformLabelmap(gt: Labelmap, dims: Vec3, name: string): Labelmap {
  if (gt.dims.every((d, i) => d === dims[i])) return gt;
  process.stderr.write(`warning: ${name}: label dims [${gt.dims.join(',')}] != image dims [${dims.join(',')}]; comparing the overlapping voxel range\n`);
  const values = new Uint8Array(dims[0] * dims[1] * dims[2]);
  for (let k = 0; k < Math.min(dims[2], gt.dims[2]); k++)
    for (let j = 0; j < Math.min(dims[1], gt.dims[1]); j++)
      for (let i = 0; i < Math.min(dims[0], gt.dims[0]); i++) values[i + j * dims[0] + k * dims[0] * dims[1]] = gt.values[i + j * gt.dims[0] + k * gt.dims[0] * gt.dims[1]];
  return { dims: [...dims], values };
}
