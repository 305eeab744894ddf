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

/** Our React root inside `el` (created on first use; unmounted when OHIF removes the host). */
function rootIn(el: HTMLElement): Root {
  let root = roots.get(el);
  if (root) return root;
  const created = createRoot(el);
  roots.set(el, created);
  const observer = new MutationObserver(() => {
    if (!el.isConnected) {
      observer.disconnect();
      roots.delete(el);
      setTimeout(() => created.unmount(), 0);
    }
  });
  observer.observe(document.body, { childList: true, subtree: true });
  return created;
}

const hostStyle = { height: '100%', overflow: 'auto' };

/** Returns a component for OHIF's React that hosts `Component` (no props) in a separate React root. */
export function hostInOwnRoot(Component: ComponentType, className: string): (props: Record<string, unknown>) => unknown {
  const ref = (el: HTMLElement | null) => {
    if (el && !roots.has(el)) rootIn(el).render(createElement(Component));
  };
  const element = createElement('div', { ref, className, style: hostStyle });
  return () => element;
}

/**
 * As hostInOwnRoot, for a component that takes props from OHIF (e.g. a viewport's `displaySets`):
 * each render by OHIF re-renders ours with `pick(props)` (plain data only: OHIF's React elements cannot
 * cross into our React).
 */
export function hostInOwnRootWithProps<P extends object>(Component: ComponentType<P>, className: string, pick: (props: Record<string, unknown>) => P): (props: Record<string, unknown>) => unknown {
  return (props) => {
    const ref = (el: HTMLElement | null) => { if (el) rootIn(el).render(createElement(Component, pick(props))); };
    return createElement('div', { ref, className, style: hostStyle });
  };
}
