/**
 * A plain-DOM layer over every cornerstone viewport element (pointer-events: none), redrawn on each
 * IMAGE_RENDERED, including viewports enabled later (layout changes). Each overlay draws from its own
 * state with the viewport's worldToCanvas, so what it draws follows scrolling, panning and zooming.
 */
import { getCornerstone } from './cornerstone';

export type OverlayViewport = { element: HTMLDivElement; getCurrentImageId?: () => string; worldToCanvas: (p: number[]) => [number, number] };
type Core = ReturnType<typeof getCornerstone>['core'];

/**
 * @param layerClass CSS class (and one layer per viewport) of this overlay.
 * @param draw fills `layer` for the viewport's current image, or leaves it empty; called on every render.
 * @returns refresh(): redraw every viewport now (after the overlay's state changed).
 */
export function createViewportOverlay(layerClass: string, testId: string, draw: (vp: OverlayViewport, imageId: string, layer: HTMLDivElement) => void): () => void {
  const attached = new WeakSet<HTMLDivElement>();
  let watching = false;

  const layerOf = (el: HTMLDivElement): HTMLDivElement => {
    let layer = el.querySelector<HTMLDivElement>(`:scope > .${layerClass}`);
    if (!layer) {
      layer = document.createElement('div');
      layer.className = layerClass;
      layer.setAttribute('data-testid', testId);
      Object.assign(layer.style, { position: 'absolute', inset: '0', pointerEvents: 'none', overflow: 'hidden', zIndex: '5' });
      el.appendChild(layer);
    }
    return layer;
  };
  const render = (core: Core, el: HTMLDivElement) => {
    const vp = core.getEnabledElement?.(el)?.viewport as OverlayViewport | undefined;
    const layer = layerOf(el);
    layer.replaceChildren();
    const imageId = vp?.getCurrentImageId?.();
    if (vp && imageId) draw(vp, imageId, layer);
  };
  const attach = (core: Core, el: HTMLDivElement | undefined) => {
    if (!el || attached.has(el)) return;
    attached.add(el);
    el.addEventListener(core.Enums.Events.IMAGE_RENDERED, () => render(core, el));
  };
  return () => {
    const { core } = getCornerstone();
    if (!watching) {
      watching = true;
      core.eventTarget?.addEventListener(core.Enums.Events.ELEMENT_ENABLED, (e: CustomEvent<{ element: HTMLDivElement }>) => attach(core, e.detail?.element));
    }
    for (const engine of core.getRenderingEngines?.() ?? []) {
      for (const vp of engine.getViewports() as OverlayViewport[]) {
        attach(core, vp.element);
        render(core, vp.element);
      }
    }
  };
}
