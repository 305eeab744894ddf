/**
 * Binary masks on a 2D pixel grid (w × h, index = a + b·w, value 1 = in): connected components, hole
 * filling, outer boundary, convex hull, erosion/dilation, Otsu threshold. Framework-free helpers for the measurements on single images.
 */

/** The 4-connected component of mask m containing pixel `start`, as a new mask. */
export function grow4(m: Uint8Array, w: number, h: number, start: number): Uint8Array {
  const out = new Uint8Array(w * h);
  const stack = [start];
  out[start] = 1;
  while (stack.length) {
    const p = stack.pop()!;
    const a = p % w, b = (p - a) / w;
    for (const q of [a > 0 ? p - 1 : -1, a < w - 1 ? p + 1 : -1, b > 0 ? p - w : -1, b < h - 1 ? p + w : -1]) {
      if (q >= 0 && m[q] && !out[q]) { out[q] = 1; stack.push(q); }
    }
  }
  return out;
}

/** The 4-connected components of m, each as the list of its pixel indices. */
export function components4(m: Uint8Array, w: number, h: number): number[][] {
  const seen = new Uint8Array(w * h);
  const out: number[][] = [];
  for (let p = 0; p < w * h; p++) {
    if (!m[p] || seen[p]) continue;
    const comp = grow4(m, w, h, p);
    const pixels: number[] = [];
    for (let q = 0; q < w * h; q++) if (comp[q]) { pixels.push(q); seen[q] = 1; }
    out.push(pixels);
  }
  return out;
}

/** Marks every 0 pixel not 4-connected to the window border as 1 (holes inside the region). */
export function fillHoles(m: Uint8Array, w: number, h: number): void {
  const outside = new Uint8Array(w * h);
  const stack: number[] = [];
  const push = (p: number) => { if (!m[p] && !outside[p]) { outside[p] = 1; stack.push(p); } };
  for (let a = 0; a < w; a++) { push(a); push(a + (h - 1) * w); }
  for (let b = 0; b < h; b++) { push(b * w); push(w - 1 + b * w); }
  while (stack.length) {
    const p = stack.pop()!;
    const a = p % w, b = (p - a) / w;
    if (a > 0) push(p - 1);
    if (a < w - 1) push(p + 1);
    if (b > 0) push(p - w);
    if (b < h - 1) push(p + w);
  }
  for (let p = 0; p < w * h; p++) if (!outside[p]) m[p] = 1;
}

/** Convex hull of points (Andrew's monotone chain), counter-clockwise in (a, b) = (column, row) axes. */
export function convexHull(points: [number, number][]): [number, number][] {
  const pts = [...points].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  if (pts.length < 3) return pts;
  const half = (list: [number, number][]) => {
    const out: [number, number][] = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2], out[out.length - 1], p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  return [...half(pts), ...half([...pts].reverse())];
}

function cross(o: [number, number], p: [number, number], q: [number, number]): number {
  return (p[0] - o[0]) * (q[1] - o[1]) - (p[1] - o[1]) * (q[0] - o[0]);
}

/** Mask of the pixels whose centre lies inside a convex hull given in pixel-edge units (pixel (a, b) covers [a, a+1] × [b, b+1]). */
export function hullMask(hull: [number, number][], w: number, h: number): Uint8Array {
  const mask = new Uint8Array(w * h);
  if (hull.length < 3) return mask;
  for (let b = 0; b < h; b++) for (let a = 0; a < w; a++) {
    const c: [number, number] = [a + 0.5, b + 0.5];
    let inside = true;
    for (let n = 0; n < hull.length && inside; n++) inside = cross(hull[n], hull[(n + 1) % hull.length], c) >= 0;
    if (inside) mask[a + b * w] = 1;
  }
  return mask;
}

/** Unit steps along pixel edges: +a, +b, −a, −b. */
const STEP: [number, number][] = [[1, 0], [0, 1], [-1, 0], [0, -1]];

/**
 * The outline of the largest region of m as a closed polygon along pixel edges, in pixel-edge units (pixel (a, b)
 * covers [a, a+1] × [b, b+1]), a vertex at each corner of the outline. It encloses exactly that region's pixels:
 * its area (shoelace) is their count, holes included. Pixels touching only at a corner belong to one region (the
 * outline passes that corner twice). "Largest" = enclosing the most pixels; [] for an empty mask.
 */
export function outerBoundary(m: Uint8Array, w: number, h: number): [number, number][] {
  // Directed edges between a pixel in m and one outside it, walked with the pixel on the right (b axis down);
  // edge = 4 × corner index + step, corner (x, y) at x + y·(w + 1).
  const W = w + 1, isIn = (a: number, b: number) => a >= 0 && b >= 0 && a < w && b < h && m[a + b * w] === 1;
  const edges: number[] = [];
  const outgoing = new Map<number, number[]>();
  const add = (x: number, y: number, step: number) => {
    const corner = x + y * W;
    edges.push(4 * corner + step);
    outgoing.set(corner, [...(outgoing.get(corner) ?? []), step]);
  };
  for (let b = 0; b < h; b++) for (let a = 0; a < w; a++) {
    if (!isIn(a, b)) continue;
    if (!isIn(a, b - 1)) add(a, b, 0);
    if (!isIn(a + 1, b)) add(a + 1, b, 1);
    if (!isIn(a, b + 1)) add(a + 1, b + 1, 2);
    if (!isIn(a - 1, b)) add(a, b + 1, 3);
  }
  // At a corner where two pixels touch diagonally two edges leave: turning left keeps the two in one outline.
  const next = (edge: number): number => {
    const corner = edge >> 2, step = edge & 3;
    const to = corner + STEP[step][0] + STEP[step][1] * W;
    const out = outgoing.get(to)!;
    return 4 * to + (out.length === 1 ? out[0] : (step + 3) % 4);
  };
  const used = new Set<number>();
  let best: [number, number][] = [], bestArea = 0;
  for (const start of edges) {
    if (used.has(start)) continue;
    const loop: [number, number][] = [];
    let e = start;
    do {
      used.add(e);
      const corner = e >> 2, x = corner % W, y = (corner - x) / W, n = next(e);
      if ((n & 3) !== (e & 3)) loop.push([x + STEP[e & 3][0], y + STEP[e & 3][1]]);
      e = n;
    } while (e !== start);
    const area = polygonArea(loop);
    if (area > bestArea) { bestArea = area; best = loop; }
  }
  return best;
}

/** Area enclosed by a closed polygon (shoelace), in the square of its units; either winding. */
export function polygonArea(pts: [number, number][]): number {
  let twice = 0;
  for (let k = 0; k < pts.length; k++) {
    const [x1, y1] = pts[k], [x2, y2] = pts[(k + 1) % pts.length];
    twice += x1 * y2 - x2 * y1;
  }
  return Math.abs(twice) / 2;
}

/** Pixel offsets within r mm (a disc of radius r, for morph) at pixel spacing [sx, sy] mm. */
export function ballOffsets(r: number, [sx, sy]: [number, number]): [number, number][] {
  const out: [number, number][] = [];
  const ra = Math.floor(r / sx), rb = Math.floor(r / sy);
  for (let db = -rb; db <= rb; db++) for (let da = -ra; da <= ra; da++) if (Math.hypot(da * sx, db * sy) <= r) out.push([da, db]);
  return out;
}

/** Binary erosion or dilation of m (w × h) by the pixel offsets `ball`; outside the window counts as 0. */
export function morph(m: Uint8Array, w: number, h: number, ball: [number, number][], op: 'erode' | 'dilate'): Uint8Array {
  const out = new Uint8Array(w * h);
  for (let b = 0; b < h; b++) for (let a = 0; a < w; a++) {
    let all = true, any = false;
    for (const [da, db] of ball) {
      const x = a + da, y = b + db;
      const v = x >= 0 && y >= 0 && x < w && y < h && m[x + y * w] === 1;
      all &&= v; any ||= v;
    }
    out[a + b * w] = (op === 'erode' ? all : any) ? 1 : 0;
  }
  return out;
}

/** Otsu's threshold (Otsu N., IEEE Trans Syst Man Cybern 1979;9:62–6) of finite values, over 64 bins. */
export function otsuThreshold(values: number[]): number {
  const xs = values.filter(Number.isFinite);
  const lo = Math.min(...xs), hi = Math.max(...xs);
  if (!(hi > lo)) return hi;
  const bins = 64, hist = new Array<number>(bins).fill(0);
  for (const x of xs) hist[Math.min(bins - 1, Math.floor(((x - lo) / (hi - lo)) * bins))]++;
  let total = 0; for (let n = 0; n < bins; n++) total += n * hist[n];
  let best = 0, bestVar = -1, w0 = 0, sum0 = 0;
  for (let t = 0; t < bins - 1; t++) {
    w0 += hist[t]; sum0 += t * hist[t];
    const w1 = xs.length - w0;
    if (!w0 || !w1) continue;
    const m0 = sum0 / w0, m1 = (total - sum0) / w1;
    const between = w0 * w1 * (m0 - m1) ** 2;
    if (between > bestVar) { bestVar = between; best = t; }
  }
  return lo + ((best + 1) / bins) * (hi - lo);
}
