import { levelMarksFromSegments, segmentCentroidsLps, type LabelmapSlice } from '../../extension/src/ohif/storedLevelNames';

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

describe('segmentCentroidsLps', () => {
  it('places each segment at the mean LPS position of its pixels, with PixelSpacing row\\column the right way round', () => {
    // Segment 1: column 2 of row 1 only → y = 10 + 2 × 0.5, z = 100 − 1 × 4.
    const c = segmentCentroidsLps([sagittal(-2, [0, 0, 0, 0, 0, 1]), sagittal(2, [2, 2, 0, 0, 0, 0])]);
    expect(c.get(1)).toEqual([-2, 11, 96]);
    // Segment 2: columns 0 and 1 of row 0 on the slice at x = 2.
    expect(c.get(2)).toEqual([2, 10.25, 100]);
    expect(c.has(0)).toBe(false);
  });
  it('averages over slices', () => {
    expect(segmentCentroidsLps([sagittal(-2, [1, 0, 0, 0, 0, 0]), sagittal(4, [1, 0, 0, 0, 0, 0])]).get(1)).toEqual([1, 10, 100]);
  });
});

describe('levelMarksFromSegments', () => {
  const centroids = new Map([[1, [0, 1, 2]], [2, [0, 5, 6]], [3, [0, 9, 9]], [4, [0, 0, 0]]] as [number, [number, number, number]][]);
  it('keeps named vertebral bodies with a centroid; SEMIAUTOMATIC segments are the reader\'s renames', () => {
    const marks = levelMarksFromSegments(
      {
        1: { label: 'L4 vertebral body', cachedStats: { algorithmType: 'AUTOMATIC' } },
        2: { label: 'L5 vertebral body', cachedStats: { algorithmType: 'SEMIAUTOMATIC' } },
        3: { label: 'L4/L5 disc' },
        4: { label: 'Vertebral body' },
        5: { label: 'S1 vertebral body' }, // no voxels, no centroid
      },
      centroids,
    );
    expect(marks).toEqual([
      { kind: 'vertebral_body', level: 'L4', centroidLps: [0, 1, 2] },
      { kind: 'vertebral_body', level: 'L5', centroidLps: [0, 5, 6], readerModified: true },
    ]);
  });
});
