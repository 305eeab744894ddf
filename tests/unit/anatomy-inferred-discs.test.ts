/**
 * Inferred discs (infer-discs.ts, anatomy.ts) and off-column labels (column.ts) on single-slice
 * sagittal label maps built from boxes: class 1 = vertebral body, 2 = disc; rows superior→inferior,
 * columns anterior→posterior, 0.5 mm pixels. Image intensity: marrow 100 everywhere, with dark rows
 * (20) where a test paints a collapsed disc.
 */
import { labelAnatomy } from '../../extension/src/pipeline/anatomy';
import { dropPresacral, keepOnColumn, OFF_COLUMN_MAX_POSTERIOR_MM, OFF_COLUMN_MIN_ANTERIOR_MM } from '../../extension/src/pipeline/column';
import { discSpaceBetween } from '../../extension/src/pipeline/infer-discs';
import type { Labelmap, SpineVolume, Vec3 } from '../../extension/src/pipeline/volume';

const idx = { vertebralBody: 1, disc: 2 };
const PX = 0.5;

/** A box in mm: top row, height, anterior column, AP depth; kind 0 = dark band in the image only. */
interface Box { kind: 0 | 1 | 2; top: number; h: number; x0?: number; ap?: number }

function slice(boxes: Box[], heightMm: number): { vol: SpineVolume; lm: Labelmap } {
  const W = Math.round(140 / PX);
  const H = Math.round(heightMm / PX);
  const values = new Uint8Array(W * H);
  const voxels = new Float32Array(W * H).fill(100);
  for (const b of boxes)
    for (let r = Math.round(b.top / PX); r < Math.min(H, Math.round((b.top + b.h) / PX)); r++)
      for (let c = Math.round((b.x0 ?? 60) / PX); c < Math.round(((b.x0 ?? 60) + (b.ap ?? 35)) / PX); c++) {
        if (b.kind) values[c + r * W] = b.kind;
        else voxels[c + r * W] = 20;
      }
  const vol: SpineVolume = {
    voxels, dims: [W, H, 1], spacingMm: [PX, PX, 4], originLps: [0, 0, 0],
    rowDirection: [0, 1, 0], columnDirection: [0, 0, -1], sliceDirection: [1, 0, 0],
    studyInstanceUid: '', seriesInstanceUid: '', frameOfReferenceUid: '', sopInstanceUids: [''],
  };
  return { vol, lm: { dims: [W, H, 1], values } };
}

/**
 * L1–L5 (27 mm) and S1 (22 mm) from y = 5 with 8 mm discs between them (1 mm gaps around each disc),
 * except at `missing` (0 = L1/L2 … 4 = L5/S1), where the two bodies are `gapMm` apart with no disc.
 */
function spine(missing: number, gapMm: number): { boxes: Box[]; end: number; discTop: number } {
  const boxes: Box[] = [];
  let y = 5;
  let discTop = NaN;
  for (let n = 0; n < 6; n++) {
    boxes.push({ kind: 1, top: y, h: n < 5 ? 27 : 22 });
    y += n < 5 ? 27 : 22;
    if (n === 5) break;
    if (n === missing) { discTop = y; y += gapMm; }
    else { boxes.push({ kind: 2, top: y + 1, h: 8, ap: 33 }); y += 10; }
  }
  return { boxes, end: y, discTop };
}

const discs = (r: ReturnType<typeof labelAnatomy>) => r.segments.filter((s) => s.kind === 'disc');
const bodies = (r: ReturnType<typeof labelAnatomy>) => r.segments.filter((s) => s.kind === 'vertebral_body').map((s) => s.level);
/** Rows (mm from the top) that hold voxels of a segment. */
function rowsMm(r: ReturnType<typeof labelAnatomy>, segmentNumber: number): [number, number] {
  const [W] = r.labelmap.dims;
  let lo = Infinity, hi = -Infinity;
  r.labelmap.values.forEach((v, p) => { if (v === segmentNumber) { const y = Math.floor(p / W) * PX; lo = Math.min(lo, y); hi = Math.max(hi, y); } });
  return [lo, hi];
}

describe('inferred discs: gap rule', () => {
  it('an empty 3 mm space between L4 and L5 becomes the L4/L5 disc, marked inferred', () => {
    const { boxes, end, discTop } = spine(3, 3);
    const { vol, lm } = slice(boxes, end + 30);
    const r = labelAnatomy(lm, vol, idx);
    expect(bodies(r)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'S1']);
    expect(discs(r).map((d) => d.label)).toEqual(['L1/L2 disc', 'L2/L3 disc', 'L3/L4 disc', 'L4/L5 disc', 'L5/S1 disc']);
    const l45 = discs(r).find((d) => d.level === 'L4/L5')!;
    expect(l45.inferred).toBe(true);
    expect(discs(r).filter((d) => d.inferred)).toHaveLength(1);
    expect(l45.voxelCount).toBe(6 * 70); // 3 mm × 35 mm at 0.5 mm pixels
    const [lo, hi] = rowsMm(r, l45.segmentNumber);
    expect(lo).toBeCloseTo(discTop);
    expect(hi).toBeCloseTo(discTop + 3 - PX);
    expect(r.levelNaming.note).toMatch(/No disc was segmented at L4\/L5/);
  });

  it('a column gap counts from 1 mm: 0.5 mm between the masks with no dark band is no disc space', () => {
    // 1 slice, 10 columns (AP) × 40 rows of 0.5 mm: upper body rows 0–9, lower body from row 10 + gap rows.
    const space = (gapRows: number) => {
      const row = (p: number) => Math.floor(p / 10);
      const inLower = (p: number) => row(p) >= 10 + gapRows;
      return discSpaceBetween({ dims: [10, 40, 1], spacingMm: [0.5, 0.5, 1], vAxis: 1, vUp: false }, (p) => row(p) < 10, inLower,
        (p) => row(p) < 10 || inLower(p), new Float32Array(400).fill(100));
    };
    expect(space(1)).toBeNull();
    const two = space(2)!;
    expect(two.rule).toBe('gap');
    expect([...two.disc].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, n) => 100 + n)); // rows 10–11
  });

  it('a collapsed disc below the speck floor (50 mm² on one slice) is inferred down to half of it', () => {
    // L4 and L5 1 mm apart: 1 mm × 35 mm = 35 mm² is kept; with 20 mm deep bodies, 20 mm² is not.
    const run = (apMm: number) => {
      const { boxes, end } = spine(3, 1);
      const tops = boxes.filter((b) => b.kind === 1).map((b) => b.top);
      for (const b of boxes) if (b.kind === 1 && (b.top === tops[3] || b.top === tops[4])) b.ap = apMm;
      const { vol, lm } = slice(boxes, end + 30);
      return discs(labelAnatomy(lm, vol, idx)).find((d) => d.level === 'L4/L5');
    };
    const kept = run(35);
    expect(kept?.inferred).toBe(true);
    expect(kept?.voxelCount).toBe(2 * 70); // 35 mm² at 0.25 mm² per pixel
    expect(run(20)).toBeUndefined();
  });

  it('no disc between two sacral segments', () => {
    const { boxes, end } = spine(-1, 0);
    const s2: Box = { kind: 1, top: end + 3, h: 18 };
    const { vol, lm } = slice([...boxes, s2], end + 50);
    const r = labelAnatomy(lm, vol, idx);
    expect(bodies(r).slice(-2)).toEqual(['S1', 'S2']);
    expect(discs(r).map((d) => d.level)).toEqual(['L1/L2', 'L2/L3', 'L3/L4', 'L4/L5', 'L5/S1']);
  });

  it('two pieces of one body (closer than half a segment, no disc between) are one body: no disc inferred, names not shifted', () => {
    // L3 cut by a 2 mm line into two 12.5 mm pieces (SPIDER 231: counted as two bodies, every name above was one level too high).
    const { boxes, end } = spine(-1, 0);
    const l3 = boxes.findIndex((b) => b.kind === 1 && b.top > 70);
    const cut = boxes[l3];
    boxes.splice(l3, 1, { kind: 1, top: cut.top, h: 12.5 }, { kind: 1, top: cut.top + 14.5, h: 12.5 });
    const { vol, lm } = slice(boxes, end + 30);
    const r = labelAnatomy(lm, vol, idx);
    expect(discs(r).filter((d) => d.inferred)).toHaveLength(0);
    expect(bodies(r)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'S1']);
    expect(discs(r).map((d) => d.level)).toEqual(['L1/L2', 'L2/L3', 'L3/L4', 'L4/L5', 'L5/S1']);
    const l3seg = r.segments.find((x) => x.level === 'L3')!;
    expect(l3seg.voxelCount).toBe(2 * 25 * 70); // both pieces: 2 × 12.5 mm × 35 mm at 0.5 mm pixels
    expect(r.levelNaming.note).toMatch(/1 vertebral-body label lying within one body of the label above, with no disc between, was taken as pieces of that body/);
  });

  it('two bodies a segment apart with no disc between stay two (a missed disc, not pieces)', () => {
    const { boxes, end } = spine(1, 8); // L2/L3 missing, the bodies 8 mm apart: inferred, not merged
    const { vol, lm } = slice(boxes, end + 30);
    const r = labelAnatomy(lm, vol, idx);
    expect(bodies(r)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'S1']);
    expect(r.levelNaming.note).not.toMatch(/pieces of that body/);
  });
});

describe('inferred discs: dark-band rule', () => {
  it('two body masks bridged across a dark collapsed disc are split at the dark band, which becomes the disc', () => {
    // L4 and L5 painted as one 54 mm mask (the network took the disc for bone); the image shows the
    // collapsed disc as a 2 mm dark band 33 mm from the top of the mask, not at its middle.
    const { boxes, end } = spine(3, 0);
    const l4 = boxes.findIndex((b) => b.kind === 1 && b.top > 110);
    const top = boxes[l4].top;
    boxes[l4] = { kind: 1, top, h: 54 };
    boxes.splice(l4 + 1, 1);
    const { vol, lm } = slice([...boxes, { kind: 0, top: top + 30, h: 2 }], end + 30);
    const r = labelAnatomy(lm, vol, idx);
    expect(bodies(r)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'S1']);
    const l45 = discs(r).find((d) => d.level === 'L4/L5')!;
    expect(l45.inferred).toBe(true);
    const [lo, hi] = rowsMm(r, l45.segmentNumber);
    expect(lo).toBeCloseTo(top + 30);
    expect(hi).toBeCloseTo(top + 32 - PX);
    // The bodies end at the band: L4 above it, L5 below it.
    const l4seg = r.segments.find((s) => s.level === 'L4')!;
    const l5seg = r.segments.find((s) => s.level === 'L5')!;
    expect(rowsMm(r, l4seg.segmentNumber)[1]).toBeCloseTo(top + 30 - PX);
    expect(rowsMm(r, l5seg.segmentNumber)[0]).toBeCloseTo(top + 32);
  });

  it('no disc when the bridged mask shows no dark band (one tall body, uniform marrow)', () => {
    const { boxes, end } = spine(3, 0);
    const l4 = boxes.findIndex((b) => b.kind === 1 && b.top > 110);
    boxes[l4] = { kind: 1, top: boxes[l4].top, h: 54 };
    boxes.splice(l4 + 1, 1);
    const { vol, lm } = slice(boxes, end + 30);
    const r = labelAnatomy(lm, vol, idx);
    expect(discs(r).filter((d) => d.inferred)).toHaveLength(0);
  });

  it('discSpaceBetween moves the lower mask\'s voxels above the band to the upper body', () => {
    // 1 slice, 10 columns (AP) × 30 rows: upper = rows 0–9, lower = rows 10–29, dark band rows 15–16.
    const dims: Vec3 = [10, 30, 1];
    const row = (p: number) => Math.floor(p / 10);
    const intensity = new Float32Array(300).fill(100);
    for (let p = 150; p < 170; p++) intensity[p] = 10;
    const s = discSpaceBetween({ dims, spacingMm: [1, 1, 1], vAxis: 1, vUp: false }, (p) => row(p) < 10, (p) => row(p) >= 10, () => true, intensity)!;
    expect(s.rule).toBe('dark band');
    expect(new Set(s.disc.map(row))).toEqual(new Set([15, 16]));
    expect(new Set(s.toUpper.map(row))).toEqual(new Set([10, 11, 12, 13, 14]));
    expect(s.toLower).toHaveLength(0);
  });
});

describe('off-column labels', () => {
  it('a "body" and a "disc" far in front of the sacrum (a bowel loop) are dropped and do not shift the names', () => {
    const { boxes, end } = spine(-1, 0);
    const loop: Box[] = [{ kind: 1, top: end + 5, h: 20, x0: 5, ap: 25 }, { kind: 2, top: end + 26, h: 5, x0: 5, ap: 20 }];
    const { vol, lm } = slice([...boxes, ...loop], end + 40);
    const r = labelAnatomy(lm, vol, idx);
    expect(bodies(r)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'S1']);
    expect(discs(r).map((d) => d.level)).toEqual(['L1/L2', 'L2/L3', 'L3/L4', 'L4/L5', 'L5/S1']);
    expect(r.levelNaming.note).toMatch(/2 vertebral-body or disc labels more than 25 mm in front/);
  });

  it('keepOnColumn keeps bodies up to the threshold in front of the body above and drops those beyond', () => {
    const at = (y: number, z: number) => ({ centroidLps: [0, y, z] as Vec3, zMm: z });
    const col = [at(50, 200), at(45, 165), at(50 - OFF_COLUMN_MIN_ANTERIOR_MM, 130), at(20, 95), at(48, 60)];
    const disc = [at(48, 182), at(0, 110)];
    const r = keepOnColumn(col, disc);
    // 45 → 25 (20 mm forward: kept); 25 → 20 kept; 20 → 48 kept (28 mm back, as S1 behind L5).
    expect(r.bodies).toHaveLength(5);
    const far = keepOnColumn([at(50, 200), at(48, 165), at(48 - OFF_COLUMN_MIN_ANTERIOR_MM - 1, 130), at(46, 95)], disc);
    expect(far.bodies.map((b) => b.zMm)).toEqual([200, 165, 95]);
    expect(far.discs.map((d) => d.zMm)).toEqual([182]);
    expect(far.dropped).toBe(2);
  });

  it('keepOnColumn drops a label far behind the body above (the back\'s soft tissue) and keeps the spine below it', () => {
    const at = (y: number, z: number) => ({ centroidLps: [0, y, z] as Vec3, zMm: z });
    // SPIDER 162: a blob 130 mm behind the spine, between two bodies; kept, it made every body below "in front".
    const col = [at(50, 200), at(52, 165), at(52 + OFF_COLUMN_MAX_POSTERIOR_MM + 1, 150), at(54, 130), at(56, 95)];
    const disc = [at(53, 147), at(55, 112), at(52 + OFF_COLUMN_MAX_POSTERIOR_MM + 5, 140)];
    const r = keepOnColumn(col, disc);
    expect(r.bodies.map((b) => b.zMm)).toEqual([200, 165, 130, 95]);
    expect(r.discs.map((d) => d.zMm)).toEqual([147, 112]);
    expect(r.dropped).toBe(2);
    // Up to the limit behind: kept.
    expect(keepOnColumn([at(50, 200), at(50 + OFF_COLUMN_MAX_POSTERIOR_MM, 165)], []).dropped).toBe(0);
  });

  it('dropPresacral drops a lowest disc in front of a body that steps back like S1, and the bodies below it', () => {
    const at = (y: number, z: number) => ({ centroidLps: [0, y, z] as Vec3, zMm: z });
    // L4 (y 50), then S1 35 mm lower and 15 mm behind (step 0.43 of the drop ≥ 0.3); a "disc" below S1
    // and 5 mm in front of it, with a "body" below that: presacral tissue.
    const bodies = [at(50, 200), at(52, 165), at(67, 130), at(55, 95)];
    const discsAt = [at(51, 182), at(60, 147), at(62, 112)];
    const r = dropPresacral(bodies, discsAt);
    expect(r.bodies.map((b) => b.zMm)).toEqual([200, 165, 130]);
    expect(r.discs.map((d) => d.zMm)).toEqual([182, 147]);
    expect(r.dropped).toBe(2);
    // The same lowest disc behind that body's centroid: a real disc; nothing dropped.
    expect(dropPresacral(bodies, [at(51, 182), at(60, 147), at(68, 112)]).dropped).toBe(0);
    // A body stacked nearly vertically (2 mm back for 35 mm down, as L5 on L4): the disc in front of it is kept.
    const stacked = [at(50, 200), at(52, 165), at(54, 130), at(55, 95)];
    expect(dropPresacral(stacked, discsAt).dropped).toBe(0);
  });
});
