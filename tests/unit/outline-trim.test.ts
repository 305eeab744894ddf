/**
 * Trimming segments to the network's calibrated outline (outline-trim.ts) on a constructed labelmap: a body
 * with a one-voxel rim outside the outline loses the rim (count and centroid follow); a thin disc mostly
 * outside is kept whole; a disc inferred by rule is never trimmed.
 */
import { trimToOutline } from '../../extension/src/pipeline/outline-trim';
import type { SegmentInfo } from '../../extension/src/pipeline/report';
import type { SpineVolume } from '../../extension/src/pipeline/volume';

const [nI, nJ] = [20, 20];
const volume: SpineVolume = {
  voxels: new Float32Array(nI * nJ), dims: [nI, nJ, 1], spacingMm: [1, 1, 1], originLps: [0, 0, 0],
  rowDirection: [0, 1, 0], columnDirection: [0, 0, -1], sliceDirection: [1, 0, 0],
  studyInstanceUid: '', seriesInstanceUid: '', frameOfReferenceUid: '', sopInstanceUids: [],
};
const at = (i: number, j: number) => i + j * nI;
const segment = (segmentNumber: number, kind: SegmentInfo['kind'], extra: Partial<SegmentInfo> = {}): SegmentInfo =>
  ({ segmentNumber, kind, label: kind, voxelCount: 0, centroidLps: [0, 0, 0], ...extra });

function scene() {
  const values = new Uint8Array(nI * nJ), outline = new Uint8Array(nI * nJ);
  for (let j = 2; j < 10; j++) for (let i = 2; i < 10; i++) {
    values[at(i, j)] = 1; // body 8×8; its outline is the inner 6×6
    if (i > 2 && i < 9 && j > 2 && j < 9) outline[at(i, j)] = 1;
  }
  for (let i = 2; i < 10; i++) {
    values[at(i, 12)] = 2; // thin disc: 8 voxels, 2 inside the outline
    if (i < 4) outline[at(i, 12)] = 1;
    values[at(i, 15)] = 3; // inferred disc, nothing inside the outline
  }
  return { labelmap: { dims: [nI, nJ, 1] as [number, number, number], values }, outline };
}

describe('trimToOutline', () => {
  it('trims a rim, keeps a segment that would lose more than half, never trims an inferred disc', () => {
    const { labelmap, outline } = scene();
    const segments = [segment(1, 'vertebral_body'), segment(2, 'disc'), segment(3, 'disc', { inferred: true })];
    const out = trimToOutline(labelmap, segments, outline, volume);
    const count = (s: number) => labelmap.values.filter((v) => v === s).length;
    expect(count(1)).toBe(36);
    expect(out[0].voxelCount).toBe(36);
    // Centre of the 6×6 core: i = j = 5.5 → LPS y = 5.5 (rows run along +y), z = −5.5 (columns along −z).
    expect(out[0].centroidLps[1]).toBeCloseTo(5.5);
    expect(out[0].centroidLps[2]).toBeCloseTo(-5.5);
    expect(count(2)).toBe(8);
    expect(out[1]).toBe(segments[1]);
    expect(count(3)).toBe(8);
    expect(out[2]).toBe(segments[2]);
  });

  it('changes nothing when every voxel is inside the outline', () => {
    const { labelmap } = scene();
    const before = labelmap.values.slice();
    const segments = [segment(1, 'vertebral_body'), segment(2, 'disc'), segment(3, 'disc')];
    expect(trimToOutline(labelmap, segments, new Uint8Array(nI * nJ).fill(1), volume)).toBe(segments);
    expect(labelmap.values).toEqual(before);
  });
});
