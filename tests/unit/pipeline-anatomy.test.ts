/**
 * Level naming on synthetic instance layouts: boxes for vertebral bodies and discs in a sagittal
 * class labelmap (1 = vertebral body, 2 = disc), rows superior→inferior, 1 mm pixels, 4 mm slices.
 */
import { labelAnatomy } from '../../extension/src/pipeline/anatomy';
import { connectedComponents } from '../../extension/src/pipeline/components';
import type { Labelmap, SpineVolume } from '../../extension/src/pipeline/volume';

const W = 90; // A-P mm
const K = 6; // slices
const idx = { vertebralBody: 1, disc: 2 };

interface Box { kind: 1 | 2; top: number; height: number; ap?: number; x0?: number; gapSlice?: number }

/**
 * Column of structures from the top (mm): each body `bodyH` mm, each disc 8 mm.
 * `bodies` = list of body heights/AP depths (superior first); discs between consecutive bodies,
 * plus `discAbove` / `discBelow`; `below` mm of empty image after the last structure.
 */
function layout(bodies: { h: number; ap: number; posteriorMm?: number; riseMm?: number; gapSlice?: number; discUnder?: { ap: number; x0: number } }[], opts: { discAbove?: boolean; discBelow?: boolean; below: number; above?: number }): { vol: SpineVolume; lm: Labelmap } {
  const boxes: Box[] = [];
  let y = opts.above ?? 10;
  if (opts.discAbove) { boxes.push({ kind: 2, top: y, height: 8 }); y += 10; }
  bodies.forEach((b, n) => {
    y -= b.riseMm ?? 0;
    boxes.push({ kind: 1, top: y, height: b.h, ap: b.ap, x0: 10 + (b.posteriorMm ?? 0), gapSlice: b.gapSlice });
    y += b.h + 1;
    if (n < bodies.length - 1 || opts.discBelow) { boxes.push({ kind: 2, top: y, height: 8, ...b.discUnder }); y += 9; }
  });
  const H = Math.max(1, y + opts.below);
  const values = new Uint8Array(W * H * K);
  for (const b of boxes)
    for (let k = 1; k < K - 1; k++)
      if (k !== b.gapSlice) for (let r = b.top; r < Math.min(H, b.top + b.height); r++)
        for (let c = b.x0 ?? 10; c < (b.x0 ?? 10) + (b.ap ?? 30); c++) values[c + r * W + k * W * H] = b.kind;
  const vol: SpineVolume = {
    voxels: new Float32Array(values.length), dims: [W, H, K], spacingMm: [1, 1, 4], originLps: [0, 0, 500],
    rowDirection: [0, 1, 0], columnDirection: [0, 0, -1], sliceDirection: [-1, 0, 0],
    studyInstanceUid: '', seriesInstanceUid: '', frameOfReferenceUid: '', sopInstanceUids: [],
  };
  return { vol, lm: { dims: [W, H, K], values } };
}

const lumbar = { h: 27, ap: 35 };
const thoracic = { h: 21, ap: 27 };

function names(r: ReturnType<typeof labelAnatomy>) {
  return r.segments.map((s) => s.label);
}

describe('level naming', () => {
  it('5 lumbar bodies above the sacrum → T12/L1 … L5/S1, anchored on the sacrum, certain', () => {
    const { vol, lm } = layout([lumbar, lumbar, lumbar, lumbar, lumbar], { discAbove: true, discBelow: true, below: 30 });
    const r = labelAnatomy(lm, vol, idx);
    expect(names(r)).toEqual([
      'T12/L1 disc', 'L1 vertebral body', 'L1/L2 disc', 'L2 vertebral body', 'L2/L3 disc', 'L3 vertebral body',
      'L3/L4 disc', 'L4 vertebral body', 'L4/L5 disc', 'L5 vertebral body', 'L5/S1 disc',
    ]);
    expect(r.levelNaming).toMatchObject({ anchor: 'sacrum', certain: true });
    expect(r.segments.map((s) => s.segmentNumber)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    // Labelmap values are segment numbers, and each segment's voxels are where its box is.
    const l5 = r.segments.find((s) => s.level === 'L5' && s.kind === 'vertebral_body')!;
    expect(r.labelmap.values.filter((v) => v === l5.segmentNumber).length).toBe(l5.voxelCount);
    expect(l5.voxelCount).toBe(27 * 35 * 4);
    // Centroids run superior → inferior (LPS z decreasing).
    const z = r.segments.map((s) => s.centroidLps[2]);
    expect([...z].sort((a, b) => b - a)).toEqual(z);
  });

  it('disc below the lowest body but the image ends right after it → no sacrum anchor', () => {
    const { vol, lm } = layout([lumbar, lumbar, lumbar, lumbar, lumbar], { discBelow: true, below: 5 });
    const r = labelAnatomy(lm, vol, idx);
    expect(r.levelNaming.anchor).toBe('assumed_lowest_is_L5');
    expect(r.levelNaming.certain).toBe(false);
  });

  it('disc below the lowest body with 60 mm or more imaged below and nothing segmented there → same names, uncertain', () => {
    // 30 mm below (first test) is certain; here the sacrum would lie wholly in view and nothing is segmented.
    const { vol, lm } = layout([lumbar, lumbar, lumbar, lumbar, lumbar], { discAbove: true, discBelow: true, below: 80 });
    const r = labelAnatomy(lm, vol, idx);
    expect(r.levelNaming).toMatchObject({ anchor: 'sacrum', certain: false });
    expect(r.levelNaming.note).toMatch(/no vertebral body is segmented in the 8\d mm imaged below it.*may continue there unsegmented/);
    expect(r.segments.filter((s) => s.kind === 'disc').map((s) => s.level)).toEqual(['T12/L1', 'L1/L2', 'L2/L3', 'L3/L4', 'L4/L5', 'L5/S1']);
  });

  it('fewer than 4 discs segmented → uncertain, said why', () => {
    const { vol, lm } = layout([lumbar, lumbar], { discAbove: true, discBelow: true, below: 30 });
    const r = labelAnatomy(lm, vol, idx);
    expect(r.levelNaming).toMatchObject({ anchor: 'sacrum', certain: false });
    expect(r.levelNaming.note).toMatch(/Only 3 discs were segmented/);
    expect(r.segments.filter((s) => s.kind === 'disc').map((s) => s.level)).toEqual(['L3/L4', 'L4/L5', 'L5/S1']);
  });

  it('an "L5" whose posterior wall lies 15 mm in front of L4\'s (bowel taken for it) → uncertain; 10 mm → certain', () => {
    const column = { ...lumbar, posteriorMm: 20 };
    for (const [forwardMm, certain] of [[15, false], [10, true]] as const) {
      const { vol, lm } = layout([column, column, column, column, { ...lumbar, posteriorMm: 20 - forwardMm }], { discAbove: true, discBelow: true, below: 30 });
      const r = labelAnatomy(lm, vol, idx);
      expect(r.segments.filter((s) => s.kind === 'vertebral_body').map((s) => s.level)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5']);
      expect(r.levelNaming.certain).toBe(certain);
      if (!certain) expect(r.levelNaming.note).toMatch(/posterior wall of the L5 vertebral body lies 15 mm in front of L4's/);
    }
  });

  it('an L5/S1 outline in front of L5 rather than beneath it, over a shallower "S1" (presacral tissue) → uncertain, said why', () => {
    // L5's posterior wall at 45 mm; the disc's back edge at 28 mm (17 of 35 mm in front), spanning 18 of 35 mm.
    const inFront = { ap: 18, x0: 10 };
    const run = (discUnder: { ap: number; x0: number }, belowAp: number) => {
      const { vol, lm } = layout([lumbar, lumbar, lumbar, lumbar, { ...lumbar, discUnder }, { h: 27, ap: belowAp }], { discAbove: true, below: 30 });
      return labelAnatomy(lm, vol, idx);
    };
    const flagged = run(inFront, 25);
    expect(flagged.segments.filter((s) => s.kind === 'vertebral_body').map((s) => s.level)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'S1']);
    expect(flagged.levelNaming.certain).toBe(false);
    expect(flagged.levelNaming.note).toMatch(/The L5\/S1 disc outline lies in front of the L5 vertebral body rather than beneath it \(its back edge 50 % of L5's depth in front of its posterior wall, spanning 50 % of that depth\), and the body below it is 71 % as deep as L5: tissue in front of the sacrum/);
    // A disc spanning the endplate, or a body below as deep as L5 (a real disc outlined in part), is not flagged.
    for (const r of [run({ ap: 30, x0: 10 }, 25), run(inFront, 35)]) expect(r.levelNaming).toMatchObject({ anchor: 'sacrum', certain: true });
  });

  it('no sacrum in view → lowest complete body assumed L5, uncertain, with a note', () => {
    // The last body is cut by the inferior edge of the image (12 of 27 mm in view): not complete.
    const { vol, lm } = layout([thoracic, lumbar, lumbar, lumbar, lumbar, lumbar, lumbar], { below: -15 });
    const r = labelAnatomy(lm, vol, idx);
    expect(r.levelNaming).toMatchObject({ anchor: 'assumed_lowest_is_L5', certain: false });
    expect(r.levelNaming.note).toMatch(/sacrum was not identified/);
    const bodies = r.segments.filter((s) => s.kind === 'vertebral_body').map((s) => s.level);
    expect(bodies).toEqual(['T12', 'L1', 'L2', 'L3', 'L4', 'L5', 'S1']);
    expect(r.segments.filter((s) => s.kind === 'disc').map((s) => s.level)).toEqual(['T12/L1', 'L1/L2', 'L2/L3', 'L3/L4', 'L4/L5', 'L5/S1']);
  });

  it('6 lumbar-type bodies above the sacrum → flagged as a possible transitional vertebra', () => {
    const { vol, lm } = layout([lumbar, lumbar, lumbar, lumbar, lumbar, lumbar], { discBelow: true, below: 30 });
    const r = labelAnatomy(lm, vol, idx);
    expect(r.levelNaming.anchor).toBe('sacrum');
    expect(r.levelNaming.certain).toBe(false);
    expect(r.levelNaming.note).toMatch(/6 lumbar-type .*transitional/);
    expect(r.segments.filter((s) => s.kind === 'vertebral_body').map((s) => s.level)).toEqual(['T12', 'L1', 'L2', 'L3', 'L4', 'L5']);
  });

  it('smaller thoracic bodies above 5 lumbar ones and the sacrum → T11, T12, L1…L5, certain', () => {
    const { vol, lm } = layout([thoracic, thoracic, lumbar, lumbar, lumbar, lumbar, lumbar], { discBelow: true, below: 30 });
    const r = labelAnatomy(lm, vol, idx);
    expect(r.levelNaming).toMatchObject({ anchor: 'sacrum', certain: true });
    expect(r.segments.filter((s) => s.kind === 'vertebral_body').map((s) => s.level)).toEqual(['T11', 'T12', 'L1', 'L2', 'L3', 'L4', 'L5']);
  });

  it('lowest body posterior-inferior to the one above like the sacral promontory → S1, anchored on the sacrum', () => {
    // S1: 28 mm behind L5 and 28 mm lower (centroids), its top level with the L5/S1 disc's, no disc drawn below it.
    // (A 16 mm rise put S1 into L5 and over half the disc, a shape no spine has, which the disc-in-front check flags.)
    const s1 = { h: 27, ap: 35, posteriorMm: 28, riseMm: 9 };
    const { vol, lm } = layout([thoracic, lumbar, lumbar, lumbar, lumbar, lumbar, s1], { below: 10 });
    const r = labelAnatomy(lm, vol, idx);
    expect(r.levelNaming).toMatchObject({ anchor: 'sacrum', certain: true });
    expect(r.levelNaming.note).toMatch(/named S1/);
    expect(r.segments.filter((s) => s.kind === 'vertebral_body').map((s) => s.level)).toEqual(['T12', 'L1', 'L2', 'L3', 'L4', 'L5', 'S1']);
  });

  it('a body split left/right (empty slice between halves) is one segment', () => {
    const split = { ...lumbar, gapSlice: 2 };
    const { vol, lm } = layout([lumbar, lumbar, split, lumbar, lumbar], { discAbove: true, discBelow: true, below: 30 });
    const r = labelAnatomy(lm, vol, idx);
    const bodies = r.segments.filter((s) => s.kind === 'vertebral_body');
    expect(bodies.map((s) => s.level)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5']);
    expect(bodies[2].voxelCount).toBe(27 * 35 * 3);
  });

  it('two bodies fused across a bridged disc are split and named separately', () => {
    const fused = { h: 2 * 27 + 9, ap: 35 }; // L3+L4 with the disc space filled in as body
    const { vol, lm } = layout([lumbar, lumbar, fused, lumbar], { discAbove: true, discBelow: true, below: 30 });
    const r = labelAnatomy(lm, vol, idx);
    expect(r.segments.filter((s) => s.kind === 'vertebral_body').map((s) => s.level)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5']);
    expect(r.levelNaming.note).toMatch(/split as fused bodies/);
  });

  it('a small spurious "body" speck behind and below L5 is dropped, not taken for S1', () => {
    const { vol, lm } = layout([lumbar, lumbar, lumbar, lumbar, lumbar], { discAbove: true, discBelow: true, below: 30 });
    const [w, h] = vol.dims;
    const bottom = h - 20; // inside the 30 mm below the L5/S1 disc
    for (let k = 1; k < 5; k++) for (let r = bottom; r < bottom + 12; r++) for (let c = 60; c < 72; c++) lm.values[c + r * w + k * w * h] = 1;
    const r = labelAnatomy(lm, vol, idx);
    expect(r.segments.filter((s) => s.kind === 'vertebral_body').map((s) => s.level)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5']);
    expect(r.levelNaming).toMatchObject({ anchor: 'sacrum', certain: true });
    expect(r.labelmap.values[65 + (bottom + 5) * w + 2 * w * h]).toBe(0);
  });

  it('bodies bridged through a disc in one lateral slice are separated at the disc planes', () => {
    const { vol, lm } = layout([lumbar, lumbar, lumbar, lumbar, lumbar], { discAbove: true, discBelow: true, below: 30 });
    const [w, h] = vol.dims;
    // In slice 1 every disc pixel becomes "vertebral body": 3D components would join all five bodies.
    for (let p = w * h; p < 2 * w * h; p++) if (lm.values[p] === 2) lm.values[p] = 1;
    const r = labelAnatomy(lm, vol, idx);
    expect(r.segments.filter((s) => s.kind === 'vertebral_body').map((s) => s.level)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5']);
    expect(r.levelNaming).toMatchObject({ anchor: 'sacrum', certain: true });
  });

  it('no vertebral body → anchor none', () => {
    const { vol, lm } = layout([], { discAbove: true, below: 20 });
    const r = labelAnatomy(lm, vol, idx);
    expect(r.levelNaming).toMatchObject({ anchor: 'none', certain: false });
    expect(r.segments).toHaveLength(1);
    expect(r.segments[0].label).toBe('Disc');
  });
});

describe('connected components', () => {
  it('separates 6-connected blobs and drops ones below the volume threshold', () => {
    const dims: [number, number, number] = [10, 10, 3];
    const v = new Uint8Array(300);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) v[i + j * 10 + 10 * 10] = 1; // 16 voxels, slice 1
    v[5 + 5 * 10] = 1; // single voxel, slice 0
    v[6 + 6 * 10 + 100] = 1; // diagonal neighbour in slice 1 of nothing big
    const r = connectedComponents(v, dims, 1, [1, 1, 2], 3);
    expect(r.components.map((c) => c.voxelCount)).toEqual([16]);
    expect(r.components[0].volumeMm3).toBe(32);
    expect(r.ids[0 + 0 * 10 + 100]).toBe(1);
    expect(r.ids[5 + 5 * 10]).toBe(0);
  });
});
