/**
 * The axial evidence of the canal grade: the outline of the measured dural sac and its area drawn on
 * the axial T2 image it was measured on (outlineOverlay.ts), and a jump of the
 * viewports showing the axial series to the image nearest a level.
 */
import type { AxialSacResult } from '../pipeline/axial-canal';
import type { SpineReport } from '../pipeline/report';
import type { Vec3 } from '../pipeline/volume';
import { createOutlineOverlay } from './outlineOverlay';
import { scrollStacksTo } from './scrollStacks';

/** imageIds of the axial series the outlines belong to (the series jumpAxialTo scrolls). */
let axialImageIds = new Set<string>();

const show = createOutlineOverlay('spine-axial-sac', '#ffd400');

/**
 * Show the measured dural sac outlines of an analysis (replacing earlier ones); `levelOf` names each disc segment.
 * @param imageIds the axial series' imageIds (empty: no axial series, nothing to draw or scroll).
 */
export function showAxialOutlines(results: AxialSacResult[] | undefined, levelOf: (segmentNumber: number) => string | undefined, imageIds: string[]): void {
  axialImageIds = new Set(imageIds);
  show((results ?? []).flatMap((r) => (r.areaMm2 !== null && r.sopInstanceUid && r.outlineLps?.length
    ? [{ sopInstanceUid: r.sopInstanceUid, label: `${levelOf(r.segmentNumber) ?? ''} dural sac ${r.areaMm2.toFixed(0)} mm²`.trim(), outlineLps: r.outlineLps }]
    : [])));
}

/** Show the dural sac outlines a stored report (read from the SR) carries. */
export function showStoredAxialOutlines(report: SpineReport): void {
  axialImageIds = new Set();
  show(report.levels.flatMap((l) => l.measurements.filter((m) => m.name === 'duralSacAreaMm2' && m.sourceImage && m.outlineLps?.length)
    .map((m) => ({ sopInstanceUid: m.sourceImage!.sopInstanceUid, label: `${l.level} dural sac ${m.value.toFixed(0)} mm²`, outlineLps: m.outlineLps! }))));
}

/** Scroll the viewports showing the analysed study's axial series (showAxialOutlines) to the image nearest `pointLps` (a disc centre). */
export function jumpAxialTo(pointLps: Vec3): void {
  scrollStacksTo(axialImageIds, pointLps);
}
