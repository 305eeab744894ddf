import { fillHoles, grow4, outerBoundary, polygonArea as area } from '../../extension/src/pipeline/mask2d';

/** A w × h mask from rows of '#' (in) and '.' (out). */
function mask(rows: string[]): { m: Uint8Array; w: number; h: number } {
  const w = rows[0].length, h = rows.length;
  const m = new Uint8Array(w * h);
  rows.forEach((r, b) => [...r].forEach((c, a) => { m[a + b * w] = c === '#' ? 1 : 0; }));
  return { m, w, h };
}

/** The polygon as a set of 'x,y' corners, order and start free. */
const corners = (pts: [number, number][]) => new Set(pts.map(([x, y]) => `${x},${y}`));

describe('polygonArea', () => {
  it('gives the area of a polygon of either winding', () => {
    expect(area([[0, 0], [3, 0], [3, 2], [0, 2]])).toBe(6);
    expect(area([[0, 0], [0, 2], [3, 2], [3, 0]])).toBe(6);
    expect(area([[0, 0], [2, 0], [0, 2]])).toBe(2);
  });
});

describe('outerBoundary', () => {
  it('goes round a rectangle by its four corners, in pixel-edge units', () => {
    const { m, w, h } = mask(['......', '..###.', '..###.', '......']);
    const pts = outerBoundary(m, w, h);
    expect(corners(pts)).toEqual(new Set(['2,1', '5,1', '5,3', '2,3']));
    expect(pts).toHaveLength(4);
    expect(area(pts)).toBe(6);
  });

  it('follows a concave (L-shaped) region with a vertex at each corner, enclosing its pixels only', () => {
    const { m, w, h } = mask(['#...', '#...', '####']);
    const pts = outerBoundary(m, w, h);
    expect(corners(pts)).toEqual(new Set(['0,0', '1,0', '1,2', '4,2', '4,3', '0,3']));
    expect(area(pts)).toBe(6);
  });

  it('keeps pixels touching at a corner in one outline, and returns the largest of separate regions', () => {
    const diagonal = mask(['#..', '.#.', '...']);
    expect(area(outerBoundary(diagonal.m, diagonal.w, diagonal.h))).toBe(2);
    const two = mask(['##....', '##..#.', '......']);
    expect(corners(outerBoundary(two.m, two.w, two.h))).toEqual(new Set(['0,0', '2,0', '2,2', '0,2']));
  });

  it('encloses a hole, and gives nothing for an empty mask', () => {
    const ring = mask(['###', '#.#', '###']);
    expect(area(outerBoundary(ring.m, ring.w, ring.h))).toBe(9);
    expect(outerBoundary(new Uint8Array(4), 2, 2)).toEqual([]);
  });

  it('encloses exactly the pixels of irregular regions (area = pixel count)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 20; trial++) {
      const w = 40, h = 30, noise = new Uint8Array(w * h).map(() => (random() < 0.6 ? 1 : 0));
      noise[20 + 15 * w] = 1;
      const region = grow4(noise, w, h, 20 + 15 * w);
      fillHoles(region, w, h);
      expect(area(outerBoundary(region, w, h))).toBe(region.reduce((s, v) => s + v, 0));
    }
  });
});
