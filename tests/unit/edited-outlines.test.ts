import { correctedSegments, editedOutlines, withEditedOutlines } from '../../extension/src/pipeline/edited-outlines';
import type { SpineReport } from '../../extension/src/pipeline/report';
import { labelmapInOrder } from '../../extension/src/ohif/showSegmentation';
import { labelCentroids } from '../../extension/src/pipeline/measure';
import { measureSpine } from '../../extension/src/pipeline/measure-spine';
import { synthSpine } from './measure-synthetic';

describe('editedOutlines (Measure again from the reader\'s corrected outlines)', () => {
  const s = synthSpine({ canalApMm: 11, discHeightsMm: [10, 10, 10], nucleus: [240, 240, 240] });
  const measured = measureSpine(s.volume, s.labelmap, s.segments);
  const sac = measured.segments.find((x) => x.kind === 'dural_sac')!;
  const disc = measured.segments.find((x) => x.level === 'L2/L3')!;
  const body = measured.segments.find((x) => x.level === 'L3')!;

  it('finds no change when only the dural sac was edited, and leaves the sac out (it is found again by rule)', () => {
    const shown = { dims: measured.labelmap.dims, values: new Uint8Array(measured.labelmap.values) };
    shown.values.forEach((v, p) => { if (v === sac.segmentNumber) shown.values[p] = 0; });
    const r = editedOutlines(s.volume, shown, measured.labelmap, measured.segments);
    expect(r.changed).toBe(false);
    expect(r.segments.some((x) => x.outlineCorrected)).toBe(false);
    expect(r.labelmap.values.includes(sac.segmentNumber)).toBe(false);
    expect(r.segments.map((x) => x.kind)).not.toContain('dural_sac');
    expect(r.segments.map((x) => x.segmentNumber).sort()).toEqual(s.segments.map((x) => x.segmentNumber).sort());
  });

  it('takes a body painted over a disc: new voxel counts and centroids, and a thinner disc when measured again', () => {
    const shown = { dims: measured.labelmap.dims, values: new Uint8Array(measured.labelmap.values) };
    // The reader paints the lower half of the L2/L3 disc as L3 body (a disc outline drawn too thick).
    const [nx] = shown.dims;
    const rows = [...shown.values.keys()].filter((p) => shown.values[p] === disc.segmentNumber).map((p) => Math.floor(p / nx));
    const midRow = (Math.min(...rows) + Math.max(...rows)) / 2;
    shown.values.forEach((v, p) => { if (v === disc.segmentNumber && Math.floor(p / nx) > midRow) shown.values[p] = body.segmentNumber; });
    const r = editedOutlines(s.volume, shown, measured.labelmap, measured.segments);
    expect(r.changed).toBe(true);
    const before = labelCentroids(s.volume, measured.labelmap);
    const discAfter = r.segments.find((x) => x.segmentNumber === disc.segmentNumber)!;
    expect(discAfter.voxelCount).toBeLessThan(before.get(disc.segmentNumber)!.voxelCount * 0.7);
    expect(discAfter.level).toBe('L2/L3');
    // The two segments whose voxels changed are marked as the reader's outlines (SEMIAUTOMATIC in the SEG), no other.
    expect(r.segments.filter((x) => x.outlineCorrected).map((x) => x.level).sort()).toEqual(['L2/L3', 'L3']);
    const heights = (m: ReturnType<typeof measureSpine>) => m.discs.find((d) => d.segment.level === 'L2/L3')!.measures.discHeightMm;
    const again = measureSpine(s.volume, r.labelmap, r.segments);
    expect(heights(again)).toBeLessThan(heights(measured) * 0.7);
    // The sac is found again by rule (same rule, same image).
    expect(again.segments.filter((x) => x.kind === 'dural_sac')).toHaveLength(1);
  });

  it('drops a segment the reader erased entirely, and names it', () => {
    const shown = { dims: measured.labelmap.dims, values: new Uint8Array(measured.labelmap.values) };
    shown.values.forEach((v, p) => { if (v === disc.segmentNumber) shown.values[p] = 0; });
    const r = editedOutlines(s.volume, shown, measured.labelmap, measured.segments);
    expect(r.changed).toBe(true);
    expect(r.erased).toEqual([disc.label]);
    expect(r.segments.map((x) => x.segmentNumber)).not.toContain(disc.segmentNumber);
    expect(measureSpine(s.volume, r.labelmap, r.segments).discs.map((d) => d.segment.level)).not.toContain('L2/L3');
  });

  it('a draft of edits not measured yet: the report\'s bodies and discs as edited (erased ones left out), its dural sac as measured', () => {
    const shown = { dims: measured.labelmap.dims, values: new Uint8Array(measured.labelmap.values) };
    shown.values.forEach((v, p) => { if (v === disc.segmentNumber) shown.values[p] = body.segmentNumber; });
    const report = { segments: measured.segments } as SpineReport; // only its segments are read
    const drafted = withEditedOutlines(report, editedOutlines(s.volume, shown, measured.labelmap, measured.segments));
    expect(drafted.segments.map((x) => x.segmentNumber)).toEqual(measured.segments.map((x) => x.segmentNumber).filter((n) => n !== disc.segmentNumber));
    expect(drafted.segments.find((x) => x.kind === 'dural_sac')).toBe(sac);
    const l3 = drafted.segments.find((x) => x.segmentNumber === body.segmentNumber)!;
    expect(l3.outlineCorrected).toBe(true);
    expect(l3.voxelCount).toBe(body.voxelCount + disc.voxelCount);
  });

  it('leaves out a segment added in OHIF\'s panel, and names its number; the voxels it took from a disc are the disc\'s no longer', () => {
    const shown = { dims: measured.labelmap.dims, values: new Uint8Array(measured.labelmap.values) };
    const first = shown.values.indexOf(disc.segmentNumber);
    shown.values[first] = 99;
    shown.values[shown.values.indexOf(0)] = 99;
    const r = editedOutlines(s.volume, shown, measured.labelmap, measured.segments);
    expect(r.added).toEqual([99]);
    expect(r.labelmap.values.includes(99)).toBe(false);
    expect(r.segments.map((x) => x.segmentNumber)).not.toContain(99);
    expect(r.segments.find((x) => x.segmentNumber === disc.segmentNumber)!.outlineCorrected).toBe(true);
    // Nothing added: nothing named.
    expect(editedOutlines(s.volume, measured.labelmap, measured.labelmap, measured.segments).added).toEqual([]);
  });

  it('refuses a labelmap of other dims', () => {
    expect(() => editedOutlines(s.volume, { dims: [1, 1, 1], values: new Uint8Array(1) }, measured.labelmap, measured.segments)).toThrow(/not the one measured/);
  });

  it('keeps the stored SEG\'s corrected marks and adds those of segments edited since it was loaded (reopened findings)', () => {
    // A stored SEG whose L3 body was corrected before it was stored; now the reader erases the L2/L3 disc's top row.
    const stored = measured.segments.map((x) => (x.segmentNumber === body.segmentNumber ? { ...x, outlineCorrected: true as const } : x));
    const shown = { dims: measured.labelmap.dims, values: new Uint8Array(measured.labelmap.values) };
    const first = shown.values.indexOf(disc.segmentNumber);
    shown.values[first] = 0;
    const r = editedOutlines(s.volume, shown, measured.labelmap, stored);
    expect(r.segments.filter((x) => x.outlineCorrected).map((x) => x.level).sort()).toEqual(['L2/L3', 'L3']);
    expect(correctedSegments(shown.values, measured.labelmap.values, new Set([disc.segmentNumber, body.segmentNumber]))).toEqual(new Set([disc.segmentNumber]));
    // A sac edit or a label not outlined counts as no change.
    expect(correctedSegments([sac.segmentNumber, 0], [0, 0], new Set([disc.segmentNumber])).size).toBe(0);
  });
});

describe('labelmapInOrder (a stored SEG\'s slices in the analysed volume\'s order)', () => {
  const slices = new Map([['b', Uint8Array.of(2, 2)], ['a', Uint8Array.of(1, 1)]]);
  it('orders the slices by the volume\'s imageIds', () => {
    expect([...labelmapInOrder(slices, ['a', 'b'], [2, 1, 2]).values]).toEqual([1, 1, 2, 2]);
  });
  it('refuses a missing slice, one of another size, or a count other than the volume\'s', () => {
    expect(() => labelmapInOrder(slices, ['a', 'c'], [2, 1, 2])).toThrow(/No labelmap image for slice 2/);
    expect(() => labelmapInOrder(slices, ['a', 'b'], [3, 1, 2])).toThrow(/has 2 pixels, not 3/);
    expect(() => labelmapInOrder(slices, ['a'], [2, 1, 2])).toThrow(/1 slices, not 2/);
  });
});
