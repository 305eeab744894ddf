/** Corrected outlines as a reader draft keeps them (run-length encoded bodies and discs). */
import { keepOutlines, keptLabelmap } from '../../extension/src/store/kept-outlines';
import { outlinedSegments } from '../../extension/src/pipeline/edited-outlines';
import { makeLabelmap, makeReport, makeVolume } from './dicom-fixtures';

const v = makeVolume();
const labelmap = makeLabelmap(v);
const report = makeReport(v, labelmap);

describe('kept outlines', () => {
  it('gives back the bodies and discs voxel for voxel, the dural sac left out, in far fewer numbers than voxels', () => {
    const keep = outlinedSegments(report.segments);
    const kept = keepOutlines(labelmap, keep);
    expect(keep.has(11)).toBe(false); // the fixture's dural sac
    const back = keptLabelmap(kept);
    expect(back.dims).toEqual(labelmap.dims);
    expect([...back.values]).toEqual([...labelmap.values].map((x) => (keep.has(x) ? x : 0)));
    expect(kept.runs.length).toBeLessThan(labelmap.values.length / 4);
  });

  it('refuses runs that do not fill the labelmap', () => {
    const kept = keepOutlines(labelmap, outlinedSegments(report.segments));
    expect(() => keptLabelmap({ ...kept, runs: kept.runs.slice(0, -2) })).toThrow(/do not fill their/);
    expect(() => keptLabelmap({ ...kept, dims: [1, 1, 1] })).toThrow(/do not fill their 1×1×1 voxels/);
  });
});
