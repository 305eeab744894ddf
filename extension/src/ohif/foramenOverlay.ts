/**
 * The evidence of the foraminal grades: each measured foramen's outline and exiting root drawn on the
 * parasagittal image it was measured on (SVG over the viewport, viewportOverlay.ts), and the point to
 * jump to when the reader clicks a foraminal grade.
 */
import type { DiscForamina, ForamenMeasure } from '../pipeline/foramen';
import type { Vec3 } from '../pipeline/volume';
import { getCornerstone } from './cornerstone';
import { createViewportOverlay } from './viewportOverlay';

/** Outlines by SOPInstanceUID of the parasagittal image measured. */
let outlines = new Map<string, { label: string; outlineLps: Vec3[]; rootLps?: Vec3 }[]>();

const SVG = 'http://www.w3.org/2000/svg';
const COLOUR = '#38e0ff';
const sopOf = (imageId: string): string | undefined => getCornerstone().core.metaData.get('instance', imageId)?.SOPInstanceUID;

const refresh = createViewportOverlay('spine-foramina', 'spine-foramina', (vp, imageId, layer) => {
  const here = outlines.get(sopOf(imageId) ?? '');
  if (!here?.length) return;
  const svg = document.createElementNS(SVG, 'svg');
  Object.assign(svg.style, { position: 'absolute', inset: '0', width: '100%', height: '100%' });
  for (const o of here) {
    const pts = o.outlineLps.map((p) => vp.worldToCanvas(p));
    const poly = document.createElementNS(SVG, 'polygon');
    poly.setAttribute('points', pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' '));
    Object.entries({ fill: 'none', stroke: COLOUR, 'stroke-width': '1.5' }).forEach(([k, v]) => poly.setAttribute(k, v));
    svg.append(poly);
    if (o.rootLps) {
      const [x, y] = vp.worldToCanvas(o.rootLps);
      const root = document.createElementNS(SVG, 'circle');
      Object.entries({ cx: x.toFixed(1), cy: y.toFixed(1), r: '3', fill: 'none', stroke: COLOUR, 'stroke-width': '1.5', 'stroke-dasharray': '2 2' }).forEach(([k, v]) => root.setAttribute(k, v));
      svg.append(root);
    }
    const text = document.createElementNS(SVG, 'text');
    // Above the outline, centred (to its side it is cut off at the viewport's edge when zoomed in).
    const top = pts.reduce((a, b) => (b[1] < a[1] ? b : a), pts[0]);
    Object.entries({ x: String(top[0]), y: String(top[1] - 8), 'text-anchor': 'middle', fill: COLOUR, style: 'font: bold 12px sans-serif; paint-order: stroke; stroke: #000; stroke-width: 3px' }).forEach(([k, v]) => text.setAttribute(k, v));
    text.textContent = o.label;
    svg.append(text);
  }
  layer.appendChild(svg);
});

/** Centre of a measured foramen (mean of its outline), LPS mm; undefined when none was measured. */
export function foramenCentreLps(f: ForamenMeasure | undefined): Vec3 | undefined {
  const pts = f?.outlineLps;
  if (!pts?.length) return undefined;
  return [0, 1, 2].map((a) => pts.reduce((s, p) => s + p[a], 0) / pts.length) as Vec3;
}

/** Show the measured foramina (replacing earlier ones); `levelOf` names each disc segment. */
export function showForamenOutlines(foramina: DiscForamina[] | undefined, levelOf: (segmentNumber: number) => string | undefined): void {
  outlines = new Map();
  for (const both of foramina ?? []) {
    for (const f of [both.left, both.right]) {
      if (!f.sopInstanceUid || !f.outlineLps?.length || f.foramenHeightMm === null) continue;
      const list = outlines.get(f.sopInstanceUid) ?? [];
      list.push({ label: `${levelOf(f.segmentNumber) ?? ''} ${f.side} foramen ${f.foramenHeightMm.toFixed(0)} mm`.trim(), outlineLps: f.outlineLps, rootLps: f.rootCentreLps });
      outlines.set(f.sopInstanceUid, list);
    }
  }
  refresh();
}
