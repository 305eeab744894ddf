/**
 * Level names on the image: 'L4' beside each vertebral body in every viewport that shows the analysed
 * series. Plain DOM laid over the viewport element (pointer-events: none), placed with the viewport's own
 * worldToCanvas on every render, so the names follow scrolling, panning and zooming. Each name sits
 * LABEL_OFFSET_MM anterior to the body's centroid (DICOM LPS: anterior = −y), beside the body rather
 * than over it, so the image and the segment outlines stay visible.
 */
import type { SegmentInfo } from '../pipeline/report';
import { getCornerstone } from './cornerstone';

/** Anterior offset of a name from its body's centroid, mm: about half an adult lumbar body depth plus a margin. */
export const LABEL_OFFSET_MM = 28;
const LAYER_CLASS = 'spine-level-labels';

type Viewport = { element: HTMLDivElement; getImageIds?: () => string[]; worldToCanvas: (p: number[]) => [number, number] };
const attached = new Map<HTMLDivElement, () => void>();

function layerOf(el: HTMLDivElement): HTMLDivElement {
  let layer = el.querySelector<HTMLDivElement>(`:scope > .${LAYER_CLASS}`);
  if (!layer) {
    layer = document.createElement('div');
    layer.className = LAYER_CLASS;
    layer.setAttribute('data-testid', 'spine-level-labels');
    Object.assign(layer.style, { position: 'absolute', inset: '0', pointerEvents: 'none', overflow: 'hidden', zIndex: '5' });
    el.appendChild(layer);
  }
  return layer;
}

function draw(vp: Viewport, layer: HTMLDivElement, bodies: SegmentInfo[]): void {
  layer.replaceChildren(
    ...bodies.map((b) => {
      const [x, y] = vp.worldToCanvas([b.centroidLps[0], b.centroidLps[1] - LABEL_OFFSET_MM, b.centroidLps[2]]);
      const span = document.createElement('span');
      span.textContent = b.level!;
      Object.assign(span.style, {
        position: 'absolute', left: `${x}px`, top: `${y}px`, transform: 'translate(-100%, -50%)',
        color: '#ffffff', font: 'bold 13px sans-serif', textShadow: '0 0 3px #000, 0 0 2px #000', whiteSpace: 'nowrap',
        fontStyle: b.readerModified ? 'italic' : 'normal',
      });
      return span;
    }),
  );
}

/**
 * Show (or update, after a level rename) the vertebral level names on the viewports displaying any of
 * `imageIds`. Calling it again replaces the previous names everywhere.
 */
export function showLevelLabels(imageIds: string[], segments: SegmentInfo[]): void {
  const { core } = getCornerstone();
  const rendered = core.Enums.Events.IMAGE_RENDERED;
  for (const [el, render] of attached) { el.removeEventListener(rendered, render); el.querySelector(`:scope > .${LAYER_CLASS}`)?.remove(); }
  attached.clear();
  const ours = new Set(imageIds);
  const bodies = segments.filter((s) => s.kind === 'vertebral_body' && s.level);
  for (const engine of core.getRenderingEngines?.() ?? []) {
    for (const vp of engine.getViewports() as Viewport[]) {
      if (!vp.element || !(vp.getImageIds?.() ?? []).some((id) => ours.has(id))) continue;
      const layer = layerOf(vp.element);
      const render = () => draw(vp, layer, bodies);
      vp.element.addEventListener(rendered, render);
      attached.set(vp.element, render);
      render();
    }
  }
}
