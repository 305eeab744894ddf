/**
 * Outlines the reader corrected, as a reader draft keeps them (store/reader-drafts.ts): the vertebral bodies and discs
 * of the labelmap they were measured from, run-length encoded. A spine fills a few per cent of a sagittal series'
 * voxels, so a 512×512×20 labelmap (5 MB) keeps in tens of kB, and the draft is written again at every change.
 */
import type { Labelmap, Vec3 } from '../pipeline/volume';

export interface KeptOutlines {
  /** The labelmap's dims, as pipeline/volume.ts orders them (columns, rows, slices). */
  dims: Vec3;
  /** [value, run length in voxels] pairs, one after the other, in the labelmap's voxel order (voxelIndex). */
  runs: Uint32Array;
}

/**
 * @param keep the segment numbers kept (the bodies and discs: edited-outlines.ts outlinedSegments); others are kept as 0.
 */
export function keepOutlines(labelmap: Labelmap, keep: Set<number>): KeptOutlines {
  const runs: number[] = [];
  const values = labelmap.values;
  for (let p = 0; p < values.length;) {
    const v = keep.has(values[p]) ? values[p] : 0;
    let q = p + 1;
    while (q < values.length && (keep.has(values[q]) ? values[q] : 0) === v) q++;
    runs.push(v, q - p);
    p = q;
  }
  return { dims: [...labelmap.dims] as Vec3, runs: Uint32Array.from(runs) };
}

/**
 * The labelmap again.
 * @throws Error when the runs do not fill the dims exactly (a damaged entry).
 */
export function keptLabelmap(kept: KeptOutlines): Labelmap {
  const values = new Uint8Array(kept.dims[0] * kept.dims[1] * kept.dims[2]);
  let p = 0;
  for (let r = 0; r + 1 < kept.runs.length; r += 2) {
    if (p + kept.runs[r + 1] > values.length) break;
    values.fill(kept.runs[r], p, p + kept.runs[r + 1]);
    p += kept.runs[r + 1];
  }
  if (p !== values.length || kept.runs.length % 2) throw new Error(`the kept outlines do not fill their ${kept.dims.join('×')} voxels`);
  return { dims: [...kept.dims] as Vec3, values };
}
