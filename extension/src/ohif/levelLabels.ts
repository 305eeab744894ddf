/**
 * Level names on the image: 'L4' beside each vertebral body in every viewport that shows the analysed
 * series, including viewports opened later (viewportOverlay.ts). Each name sits LABEL_OFFSET_MM anterior
 * to the body's centroid (DICOM LPS: anterior = −y), beside the body rather than over it, so the image
 * and outlines stay visible.
 */
import type { SegmentInfo } from '../pipeline/report';
import type { Vec3 } from '../pipeline/volume';
import { createViewportOverlay } from './viewportOverlay';

/** Anterior offset of a name from its body's centroid, mm: about half an adult lumbar body depth plus a margin. */
export const LABEL_OFFSET_MM = 28;
/** How far a disc's posterior margin lies behind the disc's centre, mm: about half an adult lumbar disc's AP depth (35–45 mm). */
const POSTERIOR_MARGIN_TO_CENTRE_MM = 18;

/**
 * Where a label of a disc level's finding ends so that it sits in the column of the level names, midway between the
 * names of the disc's two bodies (canalOverlay.ts, slipOverlay.ts): LABEL_OFFSET_MM in front of the bodies' mean
 * centroid, else of the disc's centroid. Without the segments (a stored SR whose SEG is not shown: the SR holds none),
 * the disc's centre is estimated from `discMarginLps`, points at the disc's posterior margin on its centre line (at a
 * tilted L5/S1 these lie lower than the centroid). DICOM LPS mm (anterior = −y).
 */
export function inNameColumn(segments: SegmentInfo[], level: string, discMarginLps: Vec3[]): Vec3 {
  const named = (kind: SegmentInfo['kind'], name: string) => segments.find((s) => s.kind === kind && s.level === name)?.centroidLps;
  const [above, below] = level.split('/').map((name) => named('vertebral_body', name));
  const centre = above && below ? ([0, 1, 2].map((a) => (above[a] + below[a]) / 2) as Vec3) : named('disc', level);
  if (centre) return [centre[0], centre[1] - LABEL_OFFSET_MM, centre[2]];
  const mean = (a: number) => discMarginLps.reduce((sum, p) => sum + p[a], 0) / discMarginLps.length;
  const front = Math.min(...discMarginLps.map((p) => p[1]));
  return [mean(0), front - POSTERIOR_MARGIN_TO_CENTRE_MM - LABEL_OFFSET_MM, mean(2)];
}

/** What to draw: the analysed series' imageIds, its named vertebral bodies (latest analysis or rename, or the stored SEG), and whether the names are uncertain. */
let current: { imageIds: Set<string>; bodies: SegmentInfo[]; uncertain: boolean } | undefined;

const refresh = createViewportOverlay('spine-level-labels', 'spine-level-labels', (vp, imageId, layer) => {
  if (!current?.imageIds.has(imageId)) return;
  layer.append(
    ...current.bodies.map((b) => {
      const [x, y] = vp.worldToCanvas([b.centroidLps[0], b.centroidLps[1] - LABEL_OFFSET_MM, b.centroidLps[2]]);
      const span = document.createElement('span');
      // Uncertain names are marked on the image itself, where the reader looks, not only in the panel.
      span.textContent = current!.uncertain ? `${b.level}?` : b.level!;
      Object.assign(span.style, {
        position: 'absolute', left: `${x}px`, top: `${y}px`, transform: 'translate(-100%, -50%)',
        color: current!.uncertain ? '#ffc857' : '#ffffff', font: 'bold 13px sans-serif', textShadow: '0 0 3px #000, 0 0 2px #000', whiteSpace: 'nowrap',
        fontStyle: b.readerModified ? 'italic' : 'normal',
      });
      return span;
    }),
  );
});

/**
 * Show (or update, after a level rename) the vertebral level names on the viewports displaying any of
 * `imageIds`, now and in viewports enabled later. Calling it again replaces the previous names everywhere.
 * @param uncertain the report's level names are marked uncertain: each name is drawn as 'L4?' in amber.
 */
export function showLevelLabels(imageIds: string[], segments: SegmentInfo[], uncertain = false): void {
  current = { imageIds: new Set(imageIds), bodies: segments.filter((s) => s.kind === 'vertebral_body' && s.level), uncertain };
  refresh();
}
