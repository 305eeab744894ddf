/** Synthetic 1-slice sagittal T2 for measurement/grading tests: 1 mm pixels, columns anterior→posterior, rows superior→inferior. */
import type { SegmentInfo } from '../../extension/src/pipeline/report';
import type { Labelmap, SpineVolume, Vec3 } from '../../extension/src/pipeline/volume';
import { voxelToLps } from '../../extension/src/pipeline/volume';

/** bodyShiftsMm: per vertebral body (superior first), its shift in mm, + posterior (a slipped body: listhesis tests). */
export interface SynthOptions { canalApMm: number; discHeightsMm: number[]; nucleus: number[]; withCsf?: boolean; bodyShiftsMm?: number[] }

/** Vertebral bodies 25 mm tall alternating with discs (given heights), anterior wall i=20, posterior wall i=59, CSF behind a 2 mm dark ligament. */
export function synthSpine(o: SynthOptions): { volume: SpineVolume; labelmap: Labelmap; segments: SegmentInfo[] } {
  const nx = 120, ny = 40 + 25 * (o.discHeightsMm.length + 1) + o.discHeightsMm.reduce((a, b) => a + b, 0);
  const vox = new Float32Array(nx * ny).fill(40), lab = new Uint8Array(nx * ny);
  const segs: { kind: 'vertebral_body' | 'disc'; level: string; j0: number; j1: number }[] = [];
  let j = 20;
  const names = ['L1', 'L2', 'L3', 'L4', 'L5', 'S1'];
  for (let n = 0; n <= o.discHeightsMm.length; n++) {
    segs.push({ kind: 'vertebral_body', level: names[n], j0: j, j1: j + 25 }); j += 25;
    if (n < o.discHeightsMm.length) { segs.push({ kind: 'disc', level: `${names[n]}/${names[n + 1]}`, j0: j, j1: j + o.discHeightsMm[n] }); j += o.discHeightsMm[n]; }
  }
  const segments: SegmentInfo[] = [];
  const volume: SpineVolume = {
    voxels: vox, dims: [nx, ny, 1], spacingMm: [1, 1, 4], originLps: [0, 0, 0], rowDirection: [0, 1, 0], columnDirection: [0, 0, -1], sliceDirection: [1, 0, 0],
    studyInstanceUid: '1.2.3', seriesInstanceUid: '1.2.3.4', frameOfReferenceUid: '1.2.3.5', sopInstanceUids: ['1.2.3.6'],
  };
  let discNo = 0, bodyNo = 0;
  segs.forEach((s, n) => {
    const segNo = n + 1;
    let si = 0, sj = 0, count = 0;
    const shift = s.kind === 'vertebral_body' ? o.bodyShiftsMm?.[bodyNo++] ?? 0 : 0;
    for (let jj = s.j0; jj < s.j1; jj++) for (let i = 20 + shift; i < 60 + shift; i++) {
      const p = i + jj * nx;
      lab[p] = segNo; count++; si += i; sj += jj;
      if (s.kind === 'vertebral_body') vox[p] = 100;
      else vox[p] = i >= 30 && i < 50 ? o.nucleus[discNo] : 80;
    }
    if (s.kind === 'disc') discNo++;
    const c: Vec3 = voxelToLps(volume, si / count, sj / count, 0);
    segments.push({ segmentNumber: segNo, kind: s.kind, level: s.level, label: `${s.level} ${s.kind === 'disc' ? 'disc' : 'vertebral body'}`, voxelCount: count, centroidLps: c });
  });
  for (let jj = 10; jj < ny - 10; jj++) {
    for (let i = 60; i < 62; i++) vox[i + jj * nx] = 20; // posterior longitudinal ligament
    if (o.withCsf !== false) for (let i = 62; i < 62 + o.canalApMm; i++) vox[i + jj * nx] = 250;
    for (let i = 62 + o.canalApMm; i < 62 + o.canalApMm + 3; i++) vox[i + jj * nx] = 30; // ligamentum flavum
  }
  return { volume, labelmap: { dims: [nx, ny, 1], values: lab }, segments };
}
