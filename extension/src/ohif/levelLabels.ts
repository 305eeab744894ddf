/**
 * Level names on the image: 'L4' beside each vertebral body in every viewport that shows the analysed
 * series, including viewports opened later (viewportOverlay.ts). Each name sits LABEL_OFFSET_MM anterior
 * to the body's centroid (DICOM LPS: anterior = −y), beside the body rather than over it, so the image
 * and outlines stay visible.
 */
import type { SegmentInfo } from '../pipeline/report';
import { createViewportOverlay } from './viewportOverlay';

/** Anterior offset of a name from its body's centroid, mm: about half an adult lumbar body depth plus a margin. */
export const LABEL_OFFSET_MM = 28;

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
