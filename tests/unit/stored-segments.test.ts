import { segmentStatsLps, segmentsFromStoredSeg, type LabelmapSlice } from '../../extension/src/ohif/storedSegments';

// A sagittal slice (rows run head→foot = −z, columns run anterior→posterior = +y in LPS), 3 columns × 2 rows:
// non-square on purpose (OHIF's own SEG centroid confuses Rows and Columns).
const sagittal = (x: number, values: number[]): LabelmapSlice => ({
  values,
  columns: 3,
  imagePositionPatient: [x, 10, 100],
  rowCosines: [0, 1, 0],
  columnCosines: [0, 0, -1],
  rowPixelSpacing: 4,
  columnPixelSpacing: 0.5,
});

describe('segmentStatsLps', () => {
  it('places each segment at the mean LPS position of its pixels, with PixelSpacing row\\column the right way round', () => {
    const stats = segmentStatsLps([sagittal(-2, [0, 0, 0, 0, 0, 1]), sagittal(2, [2, 2, 0, 0, 0, 0])]);
    // Segment 1: column 2 of row 1 only → y = 10 + 2 × 0.5, z = 100 − 1 × 4.
    expect(stats.get(1)).toEqual({ centroidLps: [-2, 11, 96], voxelCount: 1 });
    // Segment 2: columns 0 and 1 of row 0 on the slice at x = 2.
    expect(stats.get(2)).toEqual({ centroidLps: [2, 10.25, 100], voxelCount: 2 });
    expect(stats.has(0)).toBe(false);
  });
  it('averages over slices', () => {
    expect(segmentStatsLps([sagittal(-2, [1, 0, 0, 0, 0, 0]), sagittal(4, [1, 0, 0, 0, 0, 0])]).get(1)?.centroidLps).toEqual([1, 10, 100]);
  });
});

describe('segmentsFromStoredSeg', () => {
  const at = (y: number) => ({ centroidLps: [0, y, 0] as [number, number, number], voxelCount: 10 });
  const stats = new Map([[1, at(1)], [2, at(2)], [3, at(3)], [4, at(4)], [6, at(6)]]);
  it('reads kind and level from our SegmentLabel; SEMIAUTOMATIC = the reader renamed it; the description marks inferred discs', () => {
    const segments = segmentsFromStoredSeg(
      {
        1: { label: 'L4 vertebral body', cachedStats: { algorithmType: 'AUTOMATIC' } },
        2: { label: 'L4/L5 disc' },
        3: { label: 'L5 vertebral body', cachedStats: { algorithmType: 'SEMIAUTOMATIC' } },
        4: { label: 'Vertebral body' },
        5: { label: 'S1 vertebral body' }, // no voxels
        6: { label: 'Liver' }, // not ours
      },
      stats,
      new Map([[2, 'disc space inferred by rule; not segmented by the network']]),
    );
    expect(segments.map((s) => [s.segmentNumber, s.kind, s.level, s.readerModified, s.inferred])).toEqual([
      [1, 'vertebral_body', 'L4', undefined, undefined],
      [2, 'disc', 'L4/L5', undefined, true],
      [3, 'vertebral_body', 'L5', true, undefined],
      [4, 'vertebral_body', undefined, undefined, undefined],
    ]);
    expect(segments[1]).toMatchObject({ label: 'L4/L5 disc', centroidLps: [0, 2, 0], voxelCount: 10 });
  });
});
