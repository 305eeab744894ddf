/**
 * Trimming segments to the network's calibrated outline (outline-trim.ts) on a constructed labelmap: a body
 * with a one-voxel rim outside the outline loses the rim (count and centroid follow); a thin disc mostly
 * outside is kept whole; a disc inferred by rule is never trimmed; a body–disc border moves to where the outline's
 * class changes.
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

  it('moves a body–disc border to where the outline\'s class changes, at most two voxels, and only between trimmed segments', () => {
    // Body rows j = 2..9, disc rows j = 10..13 (class 1 = body, 2 = disc); the outline puts the border 1 row up
    // at i < 8, 3 rows down at i >= 14 (clipped to 2), and everything is inside.
    const values = new Uint8Array(nI * nJ), outline = new Uint8Array(nI * nJ);
    for (let j = 2; j < 14; j++) for (let i = 0; i < nI; i++) {
      values[at(i, j)] = j < 10 ? 1 : 2;
      const border = i < 8 ? 9 : i >= 14 ? 13 : 10;
      outline[at(i, j)] = j < border ? 1 : 2;
    }
    const labelmap = { dims: [nI, nJ, 1] as [number, number, number], values };
    const segments = [segment(1, 'vertebral_body', { voxelCount: 160 }), segment(2, 'disc', { voxelCount: 80 })];
    const out = trimToOutline(labelmap, segments, outline, volume, { vertebral_body: 1, disc: 2 });
    const firstDiscRow = (i: number) => [...Array(nJ).keys()].find((j) => values[at(i, j)] === 2);
    expect([0, 7, 8, 13, 14, 19].map(firstDiscRow)).toEqual([9, 9, 10, 10, 12, 12]);
    expect(out[0].voxelCount).toBe(160 + 6 * 2 - 8);
    expect(out[1].voxelCount).toBe(80 - 6 * 2 + 8);
    // Without the classes of the kinds, or with the disc kept whole (mostly outside the outline), nothing moves.
    const again = () => { for (let j = 2; j < 14; j++) for (let i = 0; i < nI; i++) values[at(i, j)] = j < 10 ? 1 : 2; };
    again();
    expect(trimToOutline(labelmap, segments, outline, volume)).toBe(segments);
    again();
    for (let i = 0; i < nI; i++) for (let j = 11; j < 14; j++) outline[at(i, j)] = 0;
    trimToOutline(labelmap, segments, outline, volume, { vertebral_body: 1, disc: 2 });
    expect(firstDiscRow(14)).toBe(10);
  });
});
