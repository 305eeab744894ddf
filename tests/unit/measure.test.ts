import { buildSpineReport, discMeasurements } from '../../extension/src/pipeline/build-report';
import { measureSpine } from '../../extension/src/pipeline/measure-spine';
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

describe('measureSpine paints the dural sac without thin tongues behind it', () => {
  it('leaves out a 4 mm strip of bright fat running on behind the sac (no dura line), measuring the AP as before', () => {
    const s = synthSpine({ canalApMm: 12, discHeightsMm: [10, 10], nucleus: [240, 240] });
    const nx = s.volume.dims[0];
    // Rows 40–43 (behind L2): the ligamentum flavum bright, and bright tissue on to column 84, dark behind it.
    for (let j = 40; j < 44; j++) for (let i = 74; i < 85; i++) s.volume.voxels[i + j * nx] = 250;
    const m = measureSpine(s.volume, s.labelmap, s.segments);
    const sac = m.segments.find((x) => x.kind === 'dural_sac')!.segmentNumber;
    const at = (i: number, j: number) => m.labelmap.values[i + j * nx];
    for (const j of [40, 41, 43]) expect([at(68, j), at(76, j), at(80, j)]).toEqual([sac, 0, 0]);
    for (const d of m.discs) expect(Math.abs((d.canalApMm ?? 0) - 12)).toBeLessThanOrEqual(1);
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

describe('measureSpine on a spine whose lowest disc lies off the mid-sagittal slice', () => {
  // Seven 2 mm slices. L1/L2 and L2/L3 are labelled on slices 1–3, L3/L4 on slices 4–6 (a curved or oblique spine);
  // the bodies on every slice. The sac reads 7 mm AP on slices 0–3 and 11 mm on 4–6.
  const narrow = synthSpine({ canalApMm: 7, discHeightsMm: [10, 10, 10], nucleus: [240, 240, 240] });
  const wide = synthSpine({ canalApMm: 11, discHeightsMm: [10, 10, 10], nucleus: [240, 240, 240] });
  const slicePixels = narrow.volume.voxels.length, lowest = narrow.segments.find((s) => s.level === 'L3/L4')!.segmentNumber;
  const voxels = new Float32Array(7 * slicePixels), values = new Uint8Array(7 * slicePixels);
  for (let k = 0; k < 7; k++) {
    voxels.set((k <= 3 ? narrow : wide).volume.voxels, k * slicePixels);
    narrow.labelmap.values.forEach((v, p) => {
      const disc = narrow.segments.find((s) => s.segmentNumber === v)?.kind === 'disc';
      const onSlice = !disc || (v === lowest ? k >= 4 : k >= 1 && k <= 3);
      if (v && onSlice) values[k * slicePixels + p] = v;
    });
  }
  const volume = { ...narrow.volume, voxels, dims: [narrow.volume.dims[0], narrow.volume.dims[1], 7] as [number, number, number], spacingMm: [1, 1, 2] as [number, number, number], sopInstanceUids: Array.from({ length: 7 }, (_, k) => `1.2.3.6.${k}`) };
  const labelmap = { dims: volume.dims, values };
  const m = measureSpine(volume, labelmap, narrow.segments);

  it("measures each disc on the spine's mid-sagittal slice unless its own centre lies over 3 mm away", () => {
    expect(m.sliceIndex).toBe(3);
    expect(m.discs.map((d) => [d.segment.level, d.sliceIndex])).toEqual([['L1/L2', 3], ['L2/L3', 3], ['L3/L4', 5]]);
    // The evidence says where: the disc's own slice, 4 mm off the mid-sagittal one.
    expect(m.discs.map((d) => d.offMidlineMm)).toEqual([undefined, undefined, 4]);
    const method = (d: (typeof m.discs)[number]) => discMeasurements(d).find((x) => x.name === 'canalApDiameterMm')?.method;
    expect(method(m.discs[2])).toMatch(/sagittal slice through the disc's centre, 4 mm off the mid-sagittal slice$/);
    expect(method(m.discs[0])).toMatch(/, mid-sagittal T2$/);
  });
  it('reads the canal, the slip and the disc patch on that slice', () => {
    expect(m.discs.map((d) => Math.round(d.canalApMm ?? 0))).toEqual([7, 7, 11]);
    expect(m.discs[2].listhesisImage?.sourceImage?.sopInstanceUid).toBe('1.2.3.6.5');
    expect(m.discs[0].listhesisImage?.sourceImage?.sopInstanceUid).toBe('1.2.3.6.3');
    // The canal AP line (drawn as evidence and stored in the SR) lies on that image, 11 mm long.
    const line = m.discs[2].canalApImage!;
    expect(line.sourceImage?.sopInstanceUid).toBe('1.2.3.6.5');
    expect(line.lineLps.map((p) => p[0])).toEqual([10, 10]); // LPS x of slice 5: 5 × 2 mm along the slice direction
    expect(Math.hypot(...line.lineLps[0].map((x, n) => x - line.lineLps[1][n]))).toBeCloseTo(m.discs[2].canalApMm!, 5);
    expect(discMeasurements(m.discs[2]).find((x) => x.name === 'canalApDiameterMm')).toMatchObject({ sourceImage: line.sourceImage, lineLps: line.lineLps });
  });
  const sacSlice = (lm: { values: Uint8Array }, k: number) => {
    const sac = m.segments.find((x) => x.kind === 'dural_sac')!.segmentNumber;
    const frame = sagittalFrame(volume, k), out: [number, number][] = [];
    for (let p = 0; p < slicePixels; p++) if (lm.values[k * slicePixels + p] === sac) out.push(frame.toMm(p % volume.dims[0], Math.floor(p / volume.dims[0])));
    return { ap: out.map((x) => x[0]), si: out.map((x) => x[1]) };
  };
  it('paints the sac on the slices within 5 mm of the mid-sagittal one, each within 2 mm of the sac nearer the midline', () => {
    for (const k of [1, 2, 3, 4, 5]) expect(sacSlice(m.labelmap, k).ap.length).toBeGreaterThan(500);
    expect(sacSlice(m.labelmap, 0).ap.length).toBe(0); // 6 mm off
    // Slice 4 holds an 11 mm sac; slice 3's is 7 mm (AP 62–68 mm): slice 4 is painted only up to 2 mm behind it.
    expect(Math.max(...sacSlice(m.labelmap, 3).ap)).toBe(68);
    expect(Math.max(...sacSlice(m.labelmap, 4).ap)).toBe(70);
    // Slice 5, the lowest disc's own slice, shows the sac along the whole spine, not only near that disc.
    const discSi = m.discs[2].measures.shape.centre[1];
    expect(Math.max(...sacSlice(m.labelmap, 5).si.map((si) => Math.abs(si - discSi)))).toBeGreaterThan(40);
  });
  it('paints no sac beside the midline where its CSF is dimmer than on the midline (the edge of the sac), nor beyond it', () => {
    const dim = new Float32Array(voxels);
    for (let p = 2 * slicePixels; p < 3 * slicePixels; p++) if (dim[p] === 250) dim[p] = 150;
    const r = measureSpine({ ...volume, voxels: dim }, labelmap, narrow.segments);
    expect(sacSlice(r.labelmap, 2).ap.length).toBe(0);
    expect(sacSlice(r.labelmap, 1).ap.length).toBe(0);
    expect(sacSlice(r.labelmap, 4).ap.length).toBeGreaterThan(500);
    expect(r.discs.map((d) => Math.round(d.canalApMm ?? 0))).toEqual([7, 7, 11]); // display only: the measurements stand
  });
  it("paints the sac found on a disc's own slice further than 5 mm off the midline only near that disc", () => {
    const apart = { ...volume, spacingMm: [1, 1, 3] as [number, number, number] }; // slice 5 lies 6 mm off slice 3
    const r = measureSpine(apart, labelmap, narrow.segments);
    const painted = sacSlice(r.labelmap, 5).si, discSi = r.discs[2].measures.shape.centre[1]; // the slice direction is LPS x: same frame
    expect(painted.length).toBeGreaterThan(50);
    expect(Math.max(...painted.map((si) => Math.abs(si - discSi)))).toBeLessThanOrEqual(12);
    expect(sacSlice(r.labelmap, 4).si.length).toBeGreaterThan(0); // 3 mm off: beside the midline
  });
  it('says the slip was sought on the slice through the disc, not the mid-sagittal one, when a body is missing there', () => {
    const l4 = narrow.segments.find((s) => s.level === 'L4')!.segmentNumber;
    const without = { dims: volume.dims, values: new Uint8Array(values) };
    for (let p = 4 * slicePixels; p < 7 * slicePixels; p++) if (without.values[p] === l4) without.values[p] = 0;
    const r = measureSpine(volume, without, narrow.segments).discs.find((d) => d.segment.level === 'L3/L4')!;
    expect(r.sliceIndex).toBe(5);
    expect(r.listhesis).toEqual({ reason: "the vertebral body below the disc is not segmented on the slice through the disc's centre" });
  });
});
