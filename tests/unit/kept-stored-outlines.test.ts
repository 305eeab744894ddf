/** Corrected outlines of a stored SEG kept in the browser, and read back against the stored SEG loaded on a new page. */
import { keptStoredSlices, storedCorrectionsIn, type StoredOutlines } from '../../extension/src/panel/outlineCorrection';
import { keepOutlines } from '../../extension/src/store/kept-outlines';
import type { SegmentInfo, SpineReport } from '../../extension/src/pipeline/report';
import type { Vec3 } from '../../extension/src/pipeline/volume';

const segment = (segmentNumber: number, label: string, kind: SegmentInfo['kind']): SegmentInfo =>
  ({ segmentNumber, label, kind, voxelCount: 0, centroidLps: [0, 0, 0] }) as unknown as SegmentInfo;
const segments = [segment(1, 'L4 vertebral body', 'vertebral_body'), segment(2, 'L4/L5 disc', 'disc'), segment(3, 'Dural sac', 'dural_sac')];
// Two 4×3 slices of the stored SEG as loaded: body 1 above disc 2, the sac (3) in the last column.
const slice = () => Uint8Array.from([1, 1, 1, 3, 2, 2, 2, 3, 0, 0, 0, 3]);
const loaded = new Map([['img-a', slice()], ['img-b', slice()]]);
const stored: StoredOutlines = { segmentationId: 'seg', sourceImageIds: ['img-a', 'img-b'], loaded, segments, report: {} as SpineReport };

/** The kept form of `slices` in imageIds order, as storedOutlinesToKeep writes it. */
function kept(slices: Uint8Array[], imageIds = ['img-a', 'img-b']) {
  const values = new Uint8Array(slices.length * 12);
  slices.forEach((x, k) => values.set(x, k * 12));
  return { outlines: keepOutlines({ dims: [4, 3, slices.length] as Vec3, values }, new Set([1, 2])), imageIds };
}

describe('stored SEG outlines kept in this browser', () => {
  it('read back per source image, and name the segments the reader corrected', () => {
    const painted = slice();
    painted[4] = 1; // the body painted over the disc's first pixel on img-b
    const slices = keptStoredSlices(kept([slice(), painted]), stored);
    expect([...slices.keys()]).toEqual(['img-a', 'img-b']);
    expect([...slices.get('img-b')!]).toEqual([1, 1, 1, 0, 1, 2, 2, 0, 0, 0, 0, 0]); // the sac is not kept: found by rule
    expect(storedCorrectionsIn(slices, stored)).toEqual(['L4 vertebral body', 'L4/L5 disc']);
    expect(storedCorrectionsIn(keptStoredSlices(kept([slice(), slice()]), stored), stored)).toEqual([]);
  });

  it('are refused, saying why, where the stored SEG lies on other images now', () => {
    expect(() => keptStoredSlices(kept([slice(), slice()], ['img-a', 'img-c']), stored)).toThrow('they were drawn on images the stored SEG does not lie on now');
    expect(() => keptStoredSlices(kept([slice()], ['img-a']), stored)).toThrow('does not lie on now');
  });
});
