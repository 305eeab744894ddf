/**
 * Scrolls the stack viewports that show a given series to the image whose plane lies nearest a point
 * (LPS mm): the axial T2 to a disc, the sagittal T1 to a foramen; or, after Analyze, the analysed series to its
 * mid-sagittal slice when the image shown is off the spine. Viewports showing other series, and volume viewports (the
 * segmentation's), are left alone.
 */
import type { Labelmap, Vec3 } from '../pipeline/volume';
import type { SegmentInfo } from '../pipeline/report';
import { midSagittalSlice } from '../pipeline/measure';
import { getCornerstone } from './cornerstone';
import { getOhifContext } from './context';

type StackViewport = { getImageIds?: () => string[]; getCurrentImageId?: () => string; setImageIdIndex?: (i: number) => Promise<unknown> };
type Scrollable = Required<StackViewport>;

/** The stack viewports of every rendering engine whose current image is one of `imageIds`. */
function stacksShowing(imageIds: Set<string>): Scrollable[] {
  const { core } = getCornerstone();
  return (core.getRenderingEngines?.() ?? []).flatMap((engine: { getViewports(): StackViewport[] }) => engine.getViewports())
    .filter((vp: StackViewport): vp is Scrollable => !!vp.setImageIdIndex && !!vp.getImageIds && imageIds.has(vp.getCurrentImageId?.() ?? ''));
}

/** @param imageIds the series' imageIds (a viewport is scrolled when its current image is one of them). */
export function scrollStacksTo(imageIds: Iterable<string>, pointLps: Vec3): void {
  const ids = new Set(imageIds);
  if (!ids.size) return;
  const { core } = getCornerstone();
  for (const vp of stacksShowing(ids)) {
    const stack = vp.getImageIds();
    let best = -1, bestDistance = Infinity;
    stack.forEach((id, i) => {
      const p = core.metaData.get('imagePlaneModule', id);
      if (!p?.imagePositionPatient || !p.rowCosines || !p.columnCosines) return;
      const r = p.rowCosines as number[], c = p.columnCosines as number[];
      const n = [r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0]];
      const d = Math.abs(n.reduce((s, x, a) => s + x * (pointLps[a] - p.imagePositionPatient[a]), 0));
      if (d < bestDistance) { bestDistance = d; best = i; }
    });
    if (best >= 0) void vp.setImageIdIndex(best);
  }
}

/** scrollStacksTo for the images of a series, found among OHIF's display sets (none: nothing happens). */
export function scrollSeriesTo(seriesInstanceUid: string, pointLps: Vec3): void {
  const { displaySetService } = getOhifContext().servicesManager.services;
  const sets = displaySetService.getActiveDisplaySets().filter((d: { SeriesInstanceUID?: string }) => d.SeriesInstanceUID === seriesInstanceUid);
  scrollStacksTo(sets.flatMap((d: { imageIds?: string[] }) => d.imageIds ?? []), pointLps);
}

/** Mean of an outline's points (LPS mm): where to scroll to show a measured region. */
export function outlineCentreLps(pts: Vec3[]): Vec3 {
  return [0, 1, 2].map((a) => pts.reduce((s, p) => s + p[a], 0) / pts.length) as Vec3;
}

/**
 * After Analyze: a stack viewport showing the analysed series on an image with under half the segments of the
 * mid-sagittal slice (a far-lateral slice the reader had scrolled to, or OHIF opened at, where the level names
 * would float over no outline) moves to the mid-sagittal slice (measure.ts midSagittalSlice: the discs' left–right
 * centre, else all segments'). A viewport on a slice that shows most of the spine stays where the reader put it.
 * @param imageIds the analysed series' imageIds in labelmap slice order; labelmap [columns, rows, slices].
 */
export function showMidSagittalIfSpineOffScreen(imageIds: string[], labelmap: Labelmap, segments: SegmentInfo[]): void {
  const [cols, rows] = labelmap.dims;
  const plane = cols * rows;
  const segmentsOn = (k: number) => new Set(labelmap.values.subarray(k * plane, (k + 1) * plane).filter((v) => v !== 0)).size;
  const discs = segments.filter((s) => s.kind === 'disc').map((s) => s.segmentNumber);
  const midK = midSagittalSlice(labelmap, discs.length ? discs : segments.map((s) => s.segmentNumber));
  const onMid = segmentsOn(midK);
  for (const vp of stacksShowing(new Set(imageIds))) {
    if (segmentsOn(imageIds.indexOf(vp.getCurrentImageId())) >= onMid / 2) continue;
    const target = vp.getImageIds().indexOf(imageIds[midK]);
    if (target >= 0) void vp.setImageIdIndex(target);
  }
}
