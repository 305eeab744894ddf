/**
 * The axial evidence of the canal grade: the outline of the measured dural sac and its area drawn on
 * the axial T2 image it was measured on (outlineOverlay.ts), and a jump of the
 * viewports showing the axial series to the image nearest a level.
 */
import type { SpineReport } from '../pipeline/report';
import type { Vec3 } from '../pipeline/volume';
import { createOutlineOverlay } from './outlineOverlay';
import { scrollStacksTo } from './scrollStacks';

/** imageIds of the axial series the outlines belong to (the series jumpAxialTo scrolls). */
let axialImageIds = new Set<string>();

const show = createOutlineOverlay('spine-axial-sac', '#ffd400');

/**
 * Show the dural sac outlines of `report` (replacing earlier ones), labelled with level, area and canal grade
 * (reader changes included: call again after an edit); for a fresh analysis or a report read from a stored SR.
 * @param imageIds the analysed study's axial series (jumpAxialTo scrolls it); empty for a stored report.
 */
export function showAxialOutlines(report: SpineReport, imageIds: string[] = []): void {
  axialImageIds = new Set(imageIds);
  show(report.levels.flatMap((l) => l.measurements.filter((m) => m.name === 'duralSacAreaMm2' && m.sourceImage && m.outlineLps?.length).map((m) => {
    const g = l.centralCanalStenosis;
    return {
      sopInstanceUid: m.sourceImage!.sopInstanceUid,
      label: `${l.level} dural sac ${m.value.toFixed(0)} mm²${g.value !== null ? ` · ${g.value === 'none' ? 'no stenosis' : `${g.value} stenosis`}${g.readerModified ? '*' : ''}` : ''}`,
      outlineLps: m.outlineLps!,
    };
  })));
}

/** Scroll the viewports showing the analysed study's axial series (showAxialOutlines) to the image nearest `pointLps` (a disc centre). */
export function jumpAxialTo(pointLps: Vec3): void {
  scrollStacksTo(axialImageIds, pointLps);
}
