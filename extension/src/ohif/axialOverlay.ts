/**
 * The axial evidence of the canal grade: the outline of the measured dural sac and its area drawn on
 * the axial T2 image it was measured on (SVG over the viewport, viewportOverlay.ts), and a jump of the
 * viewports showing the axial series to the image nearest a level.
 */
import type { AxialSacResult } from '../pipeline/axial-canal';
import type { SpineReport } from '../pipeline/report';
import type { Vec3 } from '../pipeline/volume';
import { getCornerstone } from './cornerstone';
import { createViewportOverlay } from './viewportOverlay';
import { scrollStacksTo } from './scrollStacks';

/** Outlines by SOPInstanceUID of the axial image measured. */
let outlines = new Map<string, { label: string; outlineLps: Vec3[] }[]>();
/** imageIds of the axial series the outlines belong to (the series jumpAxialTo scrolls). */
let axialImageIds = new Set<string>();

const SVG = 'http://www.w3.org/2000/svg';
const sopOf = (imageId: string): string | undefined => getCornerstone().core.metaData.get('instance', imageId)?.SOPInstanceUID;

const refresh = createViewportOverlay('spine-axial-sac', 'spine-axial-sac', (vp, imageId, layer) => {
  const here = outlines.get(sopOf(imageId) ?? '');
  if (!here?.length) return;
  const svg = document.createElementNS(SVG, 'svg');
  Object.assign(svg.style, { position: 'absolute', inset: '0', width: '100%', height: '100%' });
  for (const o of here) {
    const pts = o.outlineLps.map((p) => vp.worldToCanvas(p));
    const poly = document.createElementNS(SVG, 'polygon');
    poly.setAttribute('points', pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' '));
    poly.setAttribute('fill', 'none');
    poly.setAttribute('stroke', '#ffd400');
    poly.setAttribute('stroke-width', '1.5');
    const text = document.createElementNS(SVG, 'text');
    const top = pts.reduce((a, b) => (b[1] < a[1] ? b : a), pts[0]);
    text.setAttribute('x', String(top[0]));
    text.setAttribute('y', String(top[1] - 8));
    text.setAttribute('text-anchor', 'middle');
    text.setAttribute('fill', '#ffd400');
    text.setAttribute('style', 'font: bold 12px sans-serif; paint-order: stroke; stroke: #000; stroke-width: 3px');
    text.textContent = o.label;
    svg.append(poly, text);
  }
  layer.appendChild(svg);
});

function setOutlines(list: { sopInstanceUid: string; label: string; outlineLps: Vec3[] }[]): void {
  outlines = new Map();
  for (const { sopInstanceUid, ...o } of list) outlines.set(sopInstanceUid, [...(outlines.get(sopInstanceUid) ?? []), o]);
  refresh();
}

/**
 * Show the measured dural sac outlines of an analysis (replacing earlier ones); `levelOf` names each disc segment.
 * @param imageIds the axial series' imageIds (empty: no axial series, nothing to draw or scroll).
 */
export function showAxialOutlines(results: AxialSacResult[] | undefined, levelOf: (segmentNumber: number) => string | undefined, imageIds: string[]): void {
  axialImageIds = new Set(imageIds);
  setOutlines((results ?? []).flatMap((r) => (r.areaMm2 !== null && r.sopInstanceUid && r.outlineLps?.length
    ? [{ sopInstanceUid: r.sopInstanceUid, label: `${levelOf(r.segmentNumber) ?? ''} dural sac ${r.areaMm2.toFixed(0)} mm²`.trim(), outlineLps: r.outlineLps }]
    : [])));
}

/** Show the dural sac outlines a stored report (read from the SR) carries. */
export function showStoredAxialOutlines(report: SpineReport): void {
  axialImageIds = new Set();
  setOutlines(report.levels.flatMap((l) => l.measurements.filter((m) => m.name === 'duralSacAreaMm2' && m.sourceImage && m.outlineLps?.length)
    .map((m) => ({ sopInstanceUid: m.sourceImage!.sopInstanceUid, label: `${l.level} dural sac ${m.value.toFixed(0)} mm²`, outlineLps: m.outlineLps! }))));
}

/** Scroll the viewports showing the analysed study's axial series (showAxialOutlines) to the image nearest `pointLps` (a disc centre). */
export function jumpAxialTo(pointLps: Vec3): void {
  scrollStacksTo(axialImageIds, pointLps);
}
