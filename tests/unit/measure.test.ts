import { buildSpineReport, measureSpine } from '../../extension/src/pipeline/build-report';
import { heightIndices, midSagittalSlice, sagittalFrame } from '../../extension/src/pipeline/measure';
import { synthSpine } from './measure-synthetic';

const opts = {
  model: { name: 'test', version: '0', sha256: '' }, software: { name: 'test', version: '0' },
  levelNaming: { anchor: 'none' as const, certain: false, note: 'synthetic' },
};

describe('measureSpine on a synthetic mid-sagittal T2', () => {
  const s = synthSpine({ canalApMm: 11, discHeightsMm: [10, 5, 10], nucleus: [240, 60, 240] });
  const m = measureSpine(s.volume, s.labelmap, s.segments);

  it('measures disc heights in mm along the minor axis', () => {
    expect(m.discs.map((d) => Math.round(d.measures.discHeightMm))).toEqual([10, 5, 10]);
  });
  it('computes height indices against adjacent discs', () => {
    expect(m.discs[1].heightIndex).toBeCloseTo(0.5, 2);
    expect(m.discs[0].heightIndex).toBeCloseTo(2, 2);
  });
  it('measures the dural sac AP diameter behind each disc within one pixel', () => {
    for (const d of m.discs) expect(Math.abs((d.canalApMm ?? 0) - 11)).toBeLessThanOrEqual(1);
    expect(m.discs[1].midVertebralCanalApMm).not.toBeNull();
  });
  it('adds a dural sac segment and paints its voxels without touching the input labelmap', () => {
    const sac = m.segments.find((x) => x.kind === 'dural_sac');
    expect(sac).toBeDefined();
    expect(sac!.voxelCount).toBeGreaterThan(100);
    expect(m.labelmap.values.filter((v) => v === sac!.segmentNumber).length).toBe(sac!.voxelCount);
    expect(s.labelmap.values.includes(sac!.segmentNumber)).toBe(false);
  });
  it('uses the CSF intensity as the nucleus reference', () => {
    expect(m.csfMedian).toBeCloseTo(250, 0);
    expect(m.discs[0].features!.nucleusCsfSignalRatio).toBeCloseTo(240 / 250, 2);
    expect(m.discs[1].features!.nucleusAnnulusContrast).toBeLessThan(0);
  });
});

describe('measurement input checks', () => {
  it('rejects a non-sagittal volume', () => {
    const s = synthSpine({ canalApMm: 11, discHeightsMm: [10], nucleus: [200] });
    const axial = { ...s.volume, rowDirection: [1, 0, 0] as [number, number, number], columnDirection: [0, 1, 0] as [number, number, number] };
    expect(() => sagittalFrame(axial, 0)).toThrow(/not sagittal/);
  });
  it('rejects a labelmap of other dims', () => {
    const s = synthSpine({ canalApMm: 11, discHeightsMm: [10], nucleus: [200] });
    expect(() => buildSpineReport(s.volume, { dims: [1, 1, 1], values: new Uint8Array(1) }, s.segments, opts)).toThrow(/dims/);
  });
  it('heightIndices is NaN without neighbours', () => {
    expect(heightIndices([8])[0]).toBeNaN();
  });
});

describe('midSagittalSlice', () => {
  /** 4×4-pixel slices; `perSlice[k]` pixels of segment 1 on slice k. */
  const labelmap = (perSlice: number[]) => {
    const values = new Uint8Array(16 * perSlice.length);
    perSlice.forEach((n, k) => values.fill(1, 16 * k, 16 * k + n));
    return { dims: [4, 4, perSlice.length] as [number, number, number], values };
  };

  it("takes the discs' left-right centre, not the slice where a flat-topped disc profile happens to peak", () => {
    // A disc over slices 2..10, one pixel larger on slice 3: its centre is slice 6.
    expect(midSagittalSlice(labelmap([0, 0, 8, 11, 10, 10, 10, 10, 10, 10, 8, 0, 0]), [1])).toBe(6);
  });
  it('counts only the given segments, and falls back to the middle slice when they have no voxel', () => {
    const m = labelmap([0, 0, 0, 0, 16, 16, 16]);
    expect(midSagittalSlice(m, [1])).toBe(5);
    expect(midSagittalSlice(m, [2])).toBe(3);
  });
});
