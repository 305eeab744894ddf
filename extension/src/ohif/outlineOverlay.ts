/**
 * Measured regions drawn on the images they were measured on: per image (SOPInstanceUID) a list of
 * outlines, each with a label above it and optionally a dashed marker (SVG over the viewport,
 * viewportOverlay.ts). Used for the axial dural sac, the foramina, the slips and the canal AP lines.
 */
import type { Vec3 } from '../pipeline/volume';
import { getCornerstone } from './cornerstone';
import { createViewportOverlay } from './viewportOverlay';
import { frameOfImageId } from './readVolume';

/**
 * One region: where (image; frameNumber: the frame of a multi-frame instance, absent for a single-frame image), what it
 * says, its outline (an open path when `open`) and an optional point marker, LPS mm.
 */
export interface ImageOutline {
  sopInstanceUid: string; frameNumber?: number; label: string; outlineLps: Vec3[]; markerLps?: Vec3; open?: boolean;
  /** The label beside the line instead of above it (a short line whose surroundings the label would hide): after its last point, or before its first where the viewport ends and no `labelEnd` is given; above where neither fits. */
  labelAfterEnd?: boolean;
  /** A shorter label ('L1/L2 canal severe'), drawn where the whole one does not fit (narrow viewports); the whole one stays in the element's data-label. */
  shortLabel?: string;
  /**
   * Where the label may end instead (right-aligned): a point in front of the spine at the disc's height, in the column
   * of the level names (levelLabels.ts), between two names, so that the label covers neither the spine nor the names;
   * centred on the point's height ('at') or a line below it ('below'), so that two labels of one disc do not cover each other.
   */
  labelEnd?: { lps: Vec3; line: 'at' | 'below' };
}

const SVG = 'http://www.w3.org/2000/svg';
const sopOf = (imageId: string): string | undefined => getCornerstone().core.metaData.get('instance', imageId)?.SOPInstanceUID;
/** Outlines are kept by image: 'sop' for a single-frame image, 'sop#frame' for a frame of a multi-frame one. */
const keyOf = (sop: string, frame?: number) => (frame ? `${sop}#${frame}` : sop);


function svgEl(name: string, attrs: Record<string, string>): SVGElement {
  const el = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

/** Width of a label's character, px (bold 12 px sans-serif): the estimate where a label cannot be measured (no layout). */
const LABEL_CHAR_PX = 7;

/**
 * Where a label of `widthPx` goes beside a line (canvas points `pts`): after its last point, continuing its direction,
 * or where that would leave the viewport (`viewportPx` wide), before its first point (not with `afterOnly`); undefined
 * when neither fits.
 */
export function besideLine(pts: number[][], widthPx: number, viewportPx: number, afterOnly = false): Record<string, string> | undefined {
  const [first, last] = [pts[0], pts[pts.length - 1]];
  const dir = last[0] >= first[0] ? 1 : -1;
  const fits = (x: number, d: number) => (d > 0 ? x + widthPx <= viewportPx : x - widthPx >= 0);
  for (const [p, d] of ([[last, dir], [first, -dir]] as const).slice(0, afterOnly ? 1 : 2)) {
    const x = p[0] + 6 * d;
    if (fits(x, d)) return { x: String(x), y: String(p[1] + 4), 'text-anchor': d > 0 ? 'start' : 'end' };
  }
  return undefined;
}

/** A label of `widthPx` ending at canvas point `end`, centred on its height or a line (14 px) below; undefined when it would leave a viewport `viewportPx` wide. */
export function endingAt(end: number[], line: 'at' | 'below', widthPx: number, viewportPx: number): Record<string, string> | undefined {
  if (end[0] - widthPx < 0 || end[0] > viewportPx) return undefined;
  return { x: end[0].toFixed(1), y: (end[1] + 4 + (line === 'below' ? 14 : 0)).toFixed(1), 'text-anchor': 'end' }; // y: the baseline of 12 px text
}

/**
 * Where a label goes and which text it shows (canvas px): beside the line (`labelAfterEnd`), whole then short; then
 * ending at `end` (`labelEnd`), whole then short; then before the line's first point (`labelAfterEnd` without `labelEnd`);
 * else centred above the outline's top point, moved inside the viewport: whole where it fits the viewport's width, else short.
 * @param widthPx measures a text's width, px.
 */
export function placeLabel(o: Pick<ImageOutline, 'label' | 'shortLabel' | 'labelAfterEnd' | 'labelEnd'>, pts: number[][], end: number[] | undefined, widthPx: (text: string) => number, viewportPx: number): { text: string; attrs: Record<string, string> } {
  const texts = [o.label, ...(o.shortLabel ? [o.shortLabel] : [])];
  const tries: ((w: number) => Record<string, string> | undefined)[] = [];
  if (o.labelAfterEnd) tries.push((w) => besideLine(pts, w, viewportPx, true));
  if (o.labelEnd && end) tries.push((w) => endingAt(end, o.labelEnd!.line, w, viewportPx));
  else if (o.labelAfterEnd) tries.push((w) => besideLine(pts, w, viewportPx));
  for (const attempt of tries) {
    for (const text of texts) {
      const attrs = attempt(widthPx(text));
      if (attrs) return { text, attrs };
    }
  }
  // The whole label where it fits the viewport's width, else the short one: a 1366 px screen's 1 × 2 layout cut a
  // 51-character slip label off at both edges (SPIDER 1, L4/L5).
  const text = texts.find((t) => widthPx(t) + 4 < viewportPx) ?? texts[texts.length - 1]; // clampCentre's margin: 2 px a side
  const top = pts.reduce((a, b) => (b[1] < a[1] ? b : a), pts[0]);
  return { text, attrs: { x: String(clampCentre(top[0], widthPx(text), viewportPx)), y: String(top[1] - 8), 'text-anchor': 'middle' } };
}

/** The x of a label of `labelPx` centred at `x`, moved so that the whole label stays inside a viewport `viewportPx` wide. */
export function clampCentre(x: number, labelPx: number, viewportPx: number): number {
  const half = labelPx / 2 + 2;
  return viewportPx > 2 * half ? Math.min(Math.max(x, half), viewportPx - half) : viewportPx / 2;
}

/**
 * @param testId CSS class and data-testid of the overlay's layer
 * @returns show(list): replace the outlines drawn (on every viewport, now and when images change)
 */
export function createOutlineOverlay(testId: string, colour: string): (list: ImageOutline[]) => void {
  let bySop = new Map<string, ImageOutline[]>();
  const refresh = createViewportOverlay(testId, testId, (vp, imageId, layer) => {
    const sop = sopOf(imageId) ?? '';
    const here = bySop.get(keyOf(sop, frameOfImageId(imageId))) ?? bySop.get(sop); // single-frame images name frame 1 too
    if (!here?.length) return;
    const svg = svgEl('svg', { style: 'position: absolute; inset: 0; width: 100%; height: 100%' });
    layer.appendChild(svg); // in the document first, so that labels can be measured as they are drawn
    const widthPx = layer.clientWidth;
    for (const o of here) {
      const pts = o.outlineLps.map((p) => vp.worldToCanvas(p));
      // An open path (a few straight lines over coloured segments) is drawn thicker than an outline to stand out.
      svg.append(svgEl(o.open ? 'polyline' : 'polygon', { points: pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' '), fill: 'none', stroke: colour, 'stroke-width': o.open ? '3' : '1.5' }));
      if (o.markerLps) {
        const [x, y] = vp.worldToCanvas(o.markerLps);
        svg.append(svgEl('circle', { cx: x.toFixed(1), cy: y.toFixed(1), r: '3', fill: 'none', stroke: colour, 'stroke-width': '1.5', 'stroke-dasharray': '2 2' }));
      }
      const text = svgEl('text', { fill: colour, style: 'font: bold 12px sans-serif; paint-order: stroke; stroke: #000; stroke-width: 3px', 'data-label': o.label }) as SVGTextElement;
      svg.append(text);
      const measure = (t: string) => { text.textContent = t; return text.getComputedTextLength?.() || t.length * LABEL_CHAR_PX; }; // no layout (tests): estimated
      const placed = placeLabel(o, pts, o.labelEnd && vp.worldToCanvas(o.labelEnd.lps), measure, widthPx);
      text.textContent = placed.text;
      for (const [k, v] of Object.entries(placed.attrs)) text.setAttribute(k, v);
    }
  });
  return (list) => {
    bySop = new Map();
    for (const o of list) {
      const key = keyOf(o.sopInstanceUid, o.frameNumber);
      bySop.set(key, [...(bySop.get(key) ?? []), o]);
    }
    refresh();
  };
}
