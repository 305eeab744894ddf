/**
 * Mounts one of our React components inside OHIF's panel area.
 *
 * The prebuilt OHIF dist does not share its React, so our panel cannot use OHIF's React tree.
 * OHIF renders a panel as `createElement(component, props)` with its own React 18.3; the
 * component we give it returns a plain host element (`<div ref>`) — React 18 elements are plain
 * objects tagged with Symbol.for('react.element'), so OHIF's React renders it — and the ref
 * callback creates our own React root inside that div.
 */
import { createElement, type ComponentType } from 'react';
import { createRoot, type Root } from 'react-dom/client';

const roots = new WeakMap<HTMLElement, Root>();

/** Returns a component for OHIF's React that hosts `Component` in a separate React root. */
export function hostInOwnRoot(Component: ComponentType, className: string): (props: Record<string, unknown>) => unknown {
  const ref = (el: HTMLElement | null) => {
    if (!el || roots.has(el)) return;
    const root = createRoot(el);
    roots.set(el, root);
    root.render(createElement(Component));
    // Unmount when OHIF removes the host (panel closed, mode left).
    const observer = new MutationObserver(() => {
      if (!el.isConnected) {
        observer.disconnect();
        roots.delete(el);
        setTimeout(() => root.unmount(), 0);
      }
    });
    observer.observe(document.body, { childList: true, subtree: true });
  };
  const element = createElement('div', { ref, className, style: { height: '100%', overflow: 'auto' } });
  return () => element;
}
