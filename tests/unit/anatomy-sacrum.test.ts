/**
 * Sacrum finding and component size on single-slice (SPIDER-like) sagittal label maps built from
 * boxes: class 1 = vertebral body, 2 = disc; rows superior→inferior, columns anterior→posterior.
 */
import { labelAnatomy } from '../../extension/src/pipeline/anatomy';
import { defaultMinComponentMm3 } from '../../extension/src/pipeline/components';
import type { Labelmap, SpineVolume } from '../../extension/src/pipeline/volume';

const idx = { vertebralBody: 1, disc: 2 };

/** A box in mm: top row, height, anterior column, AP depth. */
interface Box { kind: 1 | 2; top: number; h: number; x0?: number; ap?: number }

/** One sagittal slice of `heightMm` × 100 mm at `pixelMm` spacing, `thicknessMm` thick. */
function slice(boxes: Box[], heightMm: number, pixelMm = 1, thicknessMm = 4): { vol: SpineVolume; lm: Labelmap } {
  const W = Math.round(100 / pixelMm);
  const H = Math.round(heightMm / pixelMm);
  const values = new Uint8Array(W * H);
  for (const b of boxes)
    for (let r = Math.round(b.top / pixelMm); r < Math.min(H, Math.round((b.top + b.h) / pixelMm)); r++)
      for (let c = Math.round((b.x0 ?? 20) / pixelMm); c < Math.round(((b.x0 ?? 20) + (b.ap ?? 35)) / pixelMm); c++) if (r >= 0) values[c + r * W] = b.kind;
  const vol: SpineVolume = {
    voxels: new Float32Array(values.length), dims: [W, H, 1], spacingMm: [pixelMm, pixelMm, thicknessMm], originLps: [0, 0, 0],
    rowDirection: [0, 1, 0], columnDirection: [0, 0, -1], sliceDirection: [1, 0, 0],
    studyInstanceUid: '', seriesInstanceUid: '', frameOfReferenceUid: '', sopInstanceUids: [''],
  };
  return { vol, lm: { dims: [W, H, 1], values } };
}

/** Five lumbar bodies (27 mm) with 8 mm discs between and below them, from `top`; returns the boxes and the row after the last disc. */
function lumbar(top = 5): { boxes: Box[]; next: number } {
  const boxes: Box[] = [];
  let y = top;
  for (let n = 0; n < 5; n++) {
    boxes.push({ kind: 1, top: y, h: 27 }, { kind: 2, top: y + 28, h: 8, ap: 33 });
    y += 37;
  }
  return { boxes, next: y };
}

const names = (r: ReturnType<typeof labelAnatomy>, kind: string) => r.segments.filter((s) => s.kind === kind).map((s) => s.level);

describe('minimum component size', () => {
  it('is a volume in 3D and an in-plane area through a thin slab', () => {
    expect(defaultMinComponentMm3([100, 100, 20], [1, 1, 4])).toBe(300);
    expect(defaultMinComponentMm3([512, 512, 1], [0.47, 0.47, 0.9])).toBeCloseTo(45);
    expect(defaultMinComponentMm3([512, 512, 1], [0.6, 0.6, 4])).toBe(200);
  });

  it('keeps the discs of a single 0.9 mm slice (a 3D SPACE mid-sagittal slice)', () => {
    // Each disc is 8 × 33 mm = 264 mm² → 238 mm³ in a 0.9 mm slice: below 300 mm³, above 50 mm².
    const { boxes, next } = lumbar();
    const { vol, lm } = slice(boxes, next + 30, 0.5, 0.9);
    const r = labelAnatomy(lm, vol, idx);
    expect(names(r, 'disc')).toEqual(['L1/L2', 'L2/L3', 'L3/L4', 'L4/L5', 'L5/S1']);
  });
});

describe('sacrum', () => {
  it('a body below the lowest disc with no disc below it is S1 (the partly segmented sacrum), not L5', () => {
    const { boxes, next } = lumbar();
    const { vol, lm } = slice([...boxes, { kind: 1, top: next + 1, h: 20, ap: 30 }], next + 50);
    const r = labelAnatomy(lm, vol, idx);
    expect(r.levelNaming).toMatchObject({ anchor: 'sacrum', certain: true });
    expect(r.levelNaming.note).toMatch(/^Counted upward from the sacrum: 1 vertebral body segment lies below the lowest disc, as the sacrum does; it is named S1\./);
    expect(names(r, 'vertebral_body')).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'S1']);
    expect(names(r, 'disc')).toEqual(['L1/L2', 'L2/L3', 'L3/L4', 'L4/L5', 'L5/S1']);
  });

  it('names counted from that one sacral segment are uncertain when 150 mm or more below it shows nothing segmented', () => {
    const { boxes, next } = lumbar();
    const s1 = { kind: 1 as const, top: next + 1, h: 20, ap: 30 };
    const below = (mm: number) => labelAnatomy(slice([...boxes, s1], next + 21 + mm).lm, slice([...boxes, s1], next + 21 + mm).vol, idx);
    // 100 mm below a correctly named S1 is ordinary (the rest of the sacrum and the coccyx, often unsegmented).
    expect(below(100).levelNaming).toMatchObject({ anchor: 'sacrum', certain: true });
    const far = below(160);
    expect(far.levelNaming).toMatchObject({ anchor: 'sacrum', certain: false });
    expect(far.levelNaming.note).toMatch(/160 mm is imaged below that S1 with nothing segmented/);
    expect(names(far, 'vertebral_body')).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'S1']); // names kept, only flagged
    // Two sacral segments: the network did segment the sacrum; no flag however much lies below.
    const two = slice([...boxes, s1, { kind: 1, top: next + 22, h: 20, ap: 30 }], next + 42 + 160);
    expect(labelAnatomy(two.lm, two.vol, idx).levelNaming).toMatchObject({ anchor: 'sacrum', certain: true });
  });

  it('bodies far smaller than lumbar ones (a cervical series, or a PixelSpacing that does not fit) make the names uncertain', () => {
    const { boxes, next } = lumbar();
    const withSacrum = [...boxes, { kind: 1 as const, top: next + 1, h: 20, ap: 30 }];
    const at = (pixelMm: number) => { const { vol, lm } = slice(withSacrum, next + 50, 1); return labelAnatomy(lm, { ...vol, spacingMm: [pixelMm, pixelMm, 4] }, idx); };
    expect(at(1).levelNaming.certain).toBe(true); // 35 mm deep bodies
    // The same pixels at 0.5 mm: 17.5 mm deep, cervical size.
    const small = at(0.5);
    expect(small.levelNaming.certain).toBe(false);
    expect(small.levelNaming.note).toMatch(/measure about 18 mm from front to back, where adult lumbar bodies measure about 30–35 mm: this may be a cervical series, or the series' PixelSpacing may not fit the image/);
  });

  it('no such evidence when that body is cut by the image edge within half a segment', () => {
    const { boxes, next } = lumbar();
    const { vol, lm } = slice([...boxes, { kind: 1, top: next + 1, h: 27 }], next + 10);
    const r = labelAnatomy(lm, vol, idx);
    expect(r.levelNaming.anchor).not.toBe('sacrum');
  });

  // L1–L5, L5/S1, S1 stepped 22 mm back for 36 mm down (the promontory), then a disc below S1 (behind S1's
  // centre, as the sacrum curves back) and an S2 body.
  function withSacralDisc(discAp: number, discH: number) {
    const { boxes, next } = lumbar();
    const s1: Box = { kind: 1, top: next + 1, h: 22, x0: 45, ap: 30 };
    const disc: Box = { kind: 2, top: next + 24, h: discH, x0: 55, ap: discAp };
    const s2: Box = { kind: 1, top: next + 25 + discH, h: 15, x0: 50, ap: 25 };
    const { vol, lm } = slice([...boxes, s1, disc, s2], next + 70);
    return labelAnatomy(lm, vol, idx);
  }

  it('a small disc below S1-by-shape is a sacral remnant (S1/S2)', () => {
    const r = withSacralDisc(15, 4); // 60 mm² vs 264 mm² lumbar discs
    expect(names(r, 'vertebral_body')).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'S1', 'S2']);
    expect(names(r, 'disc')).toEqual(['L1/L2', 'L2/L3', 'L3/L4', 'L4/L5', 'L5/S1', 'S1/S2']);
  });

  it('a "disc" in front of S1 with a "body" below it (presacral tissue) is dropped and does not shift the names', () => {
    const { boxes, next } = lumbar();
    const s1: Box = { kind: 1, top: next + 1, h: 22, x0: 45, ap: 30 };
    const fakeDisc: Box = { kind: 2, top: next + 24, h: 8, x0: 30, ap: 25 }; // 200 mm²: no remnant by size
    const fakeBody: Box = { kind: 1, top: next + 33, h: 20, x0: 25, ap: 30 };
    const { vol, lm } = slice([...boxes, s1, fakeDisc, fakeBody], next + 70);
    const r = labelAnatomy(lm, vol, idx);
    expect(names(r, 'vertebral_body')).toEqual(['L1', 'L2', 'L3', 'L4', 'L5', 'S1']);
    expect(names(r, 'disc')).toEqual(['L1/L2', 'L2/L3', 'L3/L4', 'L4/L5', 'L5/S1']);
    expect(r.levelNaming.note).toMatch(/steps back from the one above it as S1 does; it is named S1. Below it, a disc label in front of it and 1 vertebral-body label were taken as tissue in front of the sacrum/);
    // Their voxels are background in the labelmap.
    const [W] = vol.dims;
    expect(r.labelmap.values[35 + (next + 27) * W]).toBe(0);
  });

  it('a full-size lowest disc is L5/S1 even below a posterior step', () => {
    const r = withSacralDisc(33, 8);
    expect(names(r, 'disc').at(-1)).toBe('L5/S1');
    expect(names(r, 'vertebral_body').at(-1)).toBe('S1');
  });

  it('two fragments side by side at the top edge are no promontory step', () => {
    // The top body is cut by the image edge and split into an anterior and a posterior piece (1 mm apart in height).
    const { boxes, next } = lumbar(20);
    const frags: Box[] = [{ kind: 1, top: 0, h: 11, x0: 20, ap: 15 }, { kind: 1, top: 0, h: 12, x0: 40, ap: 15 }, { kind: 2, top: 12, h: 6, ap: 33 }];
    const { vol, lm } = slice([...frags, ...boxes], next + 30);
    const r = labelAnatomy(lm, vol, idx);
    expect(r.levelNaming.anchor).toBe('sacrum');
    expect(names(r, 'vertebral_body').slice(-5)).toEqual(['L1', 'L2', 'L3', 'L4', 'L5']);
  });
});
