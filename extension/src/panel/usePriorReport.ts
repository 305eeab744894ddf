/**
 * The prior study's stored findings per study (ohif/priorReport.ts), looked up once per study and page, outside React
 * as the other panel states are: OHIF remounts the panel when its tab is shown again.
 */
import { useEffect, useSyncExternalStore } from 'react';
import { findPriorReport, type PriorReport } from '../ohif/priorReport';

export type PriorState = { status: 'loading' } | { status: 'none' } | { status: 'loaded'; prior: PriorReport } | { status: 'error'; message: string };

const states = new Map<string, PriorState>();
const listeners = new Set<() => void>();
const LOADING: PriorState = { status: 'loading' };

function set(studyUid: string, s: PriorState): void {
  states.set(studyUid, s);
  listeners.forEach((l) => l());
}

function load(studyUid: string): void {
  if (states.has(studyUid)) return;
  set(studyUid, LOADING);
  findPriorReport(studyUid).then(
    (prior) => set(studyUid, prior ? { status: 'loaded', prior } : { status: 'none' }),
    (e: Error) => set(studyUid, { status: 'error', message: e.message }),
  );
}

export function usePriorReport(studyUid: string): PriorState {
  useEffect(() => load(studyUid), [studyUid]);
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => states.get(studyUid) ?? LOADING,
  );
}
