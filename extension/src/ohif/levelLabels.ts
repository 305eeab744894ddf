/**
 * Level names on the image: 'L4' beside each vertebral body in every viewport that shows the analysed
 * series, including viewports opened later (layout changes). Plain DOM laid over the viewport element
 * (pointer-events: none), placed with the viewport's own worldToCanvas on every render, so the names
 * follow scrolling, panning and zooming. Each name sits LABEL_OFFSET_MM anterior to the body's centroid
 * (DICOM LPS: anterior = −y), beside the body rather than over it, so the image and outlines stay visible.
 */
import type { SegmentInfo } from '../pipeline/report';
import { getCornerstone } from './cornerstone';

/** Anterior offset of a name from its body's centroid, mm: about half an adult lumbar body depth plus a margin. */
export const LABEL_OFFSET_MM = 28;
const LAYER_CLASS = 'spine-level-labels';

type Viewport = { element: HTMLDivElement; getCurrentImageId?: () => string; worldToCanvas: (p: number[]) => [number, number] };
type Core = ReturnType<typeof getCornerstone>['core'];

/** What to draw: the analysed series' imageIds and its named vertebral bodies (latest analysis or rename). */
let current: { imageIds: Set<string>; bodies: SegmentInfo[] } | undefined;
const attached = new WeakSet<HTMLDivElement>();
let watchingNewViewports = false;

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

/** Draw the names on one viewport element, or clear them when it shows another series. */
function render(core: Core, el: HTMLDivElement): void {
  const vp = core.getEnabledElement?.(el)?.viewport as Viewport | undefined;
  const layer = layerOf(el);
  const imageId = vp?.getCurrentImageId?.();
  if (!vp || !current || !imageId || !current.imageIds.has(imageId)) {
    layer.replaceChildren();
    return;
  }
  layer.replaceChildren(
    ...current.bodies.map((b) => {
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

function attach(core: Core, el: HTMLDivElement | undefined): void {
  if (!el || attached.has(el)) return;
  attached.add(el);
  el.addEventListener(core.Enums.Events.IMAGE_RENDERED, () => render(core, el));
}

/**
 * Show (or update, after a level rename) the vertebral level names on the viewports displaying any of
 * `imageIds`, now and in viewports enabled later. Calling it again replaces the previous names everywhere.
 */
export function showLevelLabels(imageIds: string[], segments: SegmentInfo[]): void {
  const { core } = getCornerstone();
  current = { imageIds: new Set(imageIds), bodies: segments.filter((s) => s.kind === 'vertebral_body' && s.level) };
  if (!watchingNewViewports) {
    watchingNewViewports = true;
    core.eventTarget?.addEventListener(core.Enums.Events.ELEMENT_ENABLED, (e: CustomEvent<{ element: HTMLDivElement }>) => attach(core, e.detail?.element));
  }
  for (const engine of core.getRenderingEngines?.() ?? []) {
    for (const vp of engine.getViewports() as Viewport[]) {
      attach(core, vp.element);
      render(core, vp.element);
    }
  }
}
