/**
 * The evidence of the foraminal grades: each measured foramen's outline and exiting root drawn on the
 * parasagittal image it was measured on (SVG over the viewport, viewportOverlay.ts), and the point to
 * jump to when the reader clicks a foraminal grade.
 */
import type { DiscForamina } from '../pipeline/foramen';
import type { SpineReport } from '../pipeline/report';
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

function setOutlines(list: { sopInstanceUid: string; label: string; outlineLps: Vec3[]; rootLps?: Vec3 }[]): void {
  outlines = new Map();
  for (const { sopInstanceUid, ...o } of list) outlines.set(sopInstanceUid, [...(outlines.get(sopInstanceUid) ?? []), o]);
  refresh();
}

/** Show the measured foramina of an analysis (replacing earlier ones); `levelOf` names each disc segment. */
export function showForamenOutlines(foramina: DiscForamina[] | undefined, levelOf: (segmentNumber: number) => string | undefined): void {
  setOutlines((foramina ?? []).flatMap((both) => [both.left, both.right]).flatMap((f) => (f.sopInstanceUid && f.outlineLps?.length && f.foramenHeightMm !== null
    ? [{ sopInstanceUid: f.sopInstanceUid, label: `${levelOf(f.segmentNumber) ?? ''} ${f.side} foramen ${f.foramenHeightMm.toFixed(0)} mm`.trim(), outlineLps: f.outlineLps, rootLps: f.rootCentreLps }]
    : [])));
}

/** Show the foramen outlines a stored report (read from the SR) carries. */
export function showStoredForamenOutlines(report: SpineReport): void {
  setOutlines(report.levels.flatMap((l) => (['Left', 'Right'] as const).flatMap((side) => {
    const area = l.measurements.find((m) => m.name === `foramenArea${side}Mm2`);
    const height = l.measurements.find((m) => m.name === `foramenHeight${side}Mm`);
    return area?.sourceImage && area.outlineLps?.length
      ? [{ sopInstanceUid: area.sourceImage.sopInstanceUid, label: `${l.level} ${side.toLowerCase()} foramen${height ? ` ${height.value.toFixed(0)} mm` : ''}`, outlineLps: area.outlineLps }]
      : [];
  })));
}
