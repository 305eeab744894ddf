/**
 * React hook: the active study's series, classified, and the series chosen for analysis — automatically, or the
 * one the reader chose in the Series table (kept per study for the session: OHIF unmounts the panel on a tab switch).
 * Re-evaluates when OHIF adds or changes display sets or the active viewport changes.
 */
import { useCallback, useEffect, useState } from 'react';
import type { DisplaySet } from '../../../types/ohif';
import { getOhifContext } from '../ohif/context';
import { chooseForStudy } from '../ohif/headers';
import type { ReaderSeriesChoice } from '../pipeline/series';

export type StudyChoice = ReturnType<typeof chooseForStudy> & {
  studyInstanceUid?: string;
  /**
   * Analyse this series (with the weighting the reader states, where its headers give none) instead of the automatic
   * choice, and show it in the active viewport; undefined goes back to the automatic choice.
   */
  chooseForAnalysis: (readerChoice: ReaderSeriesChoice | undefined) => void;
};

/** StudyInstanceUID → the series the reader chose for the analysis. */
const readerChoices = new Map<string, ReaderSeriesChoice>();

/** The study of the active viewport, else the first study with display sets. */
function activeStudyUid(all: DisplaySet[]): string | undefined {
  const { viewportGridService, displaySetService } = getOhifContext().servicesManager.services;
  try {
    const { activeViewportId } = viewportGridService.getState();
    const uids = viewportGridService.getDisplaySetsUIDsForViewport(activeViewportId) ?? [];
    const ds = uids.length ? displaySetService.getDisplaySetByUID(uids[0]) : undefined;
    if (ds?.StudyInstanceUID) return ds.StudyInstanceUID;
  } catch {
    /* no grid yet */
  }
  return all[0]?.StudyInstanceUID;
}

function compute(): Omit<StudyChoice, 'chooseForAnalysis'> {
  const { displaySetService } = getOhifContext().servicesManager.services;
  const all = displaySetService.getActiveDisplaySets();
  const studyInstanceUid = activeStudyUid(all);
  return { ...chooseForStudy(all, studyInstanceUid ?? '', readerChoices.get(studyInstanceUid ?? '')), studyInstanceUid };
}

/** Shows a display set in the active viewport (where the analysis draws its segmentation). */
function showInActiveViewport(ds: DisplaySet): void {
  const { viewportGridService } = getOhifContext().servicesManager.services;
  const { activeViewportId } = viewportGridService.getState();
  if (activeViewportId) viewportGridService.setDisplaySetsForViewport({ viewportId: activeViewportId, displaySetInstanceUIDs: [ds.displaySetInstanceUID] });
}

export function useSeriesChoice(): StudyChoice {
  const [choice, setChoice] = useState(compute);
  useEffect(() => {
    const { displaySetService, viewportGridService } = getOhifContext().servicesManager.services;
    const update = () => setChoice(compute());
    const subs = [
      ...['DISPLAY_SETS_ADDED', 'DISPLAY_SETS_CHANGED', 'DISPLAY_SETS_REMOVED']
        .map((e) => displaySetService.EVENTS[e])
        .filter(Boolean)
        .map((e) => displaySetService.subscribe(e, update)),
      ...['ACTIVE_VIEWPORT_ID_CHANGED', 'GRID_STATE_CHANGED']
        .map((e) => viewportGridService.EVENTS[e])
        .filter(Boolean)
        .map((e) => viewportGridService.subscribe(e, update)),
    ];
    update();
    return () => subs.forEach((s) => s.unsubscribe());
  }, []);
  const chooseForAnalysis = useCallback((readerChoice: ReaderSeriesChoice | undefined) => {
    const study = choice.studyInstanceUid ?? '';
    if (readerChoice) readerChoices.set(study, readerChoice);
    else readerChoices.delete(study);
    const next = compute();
    setChoice(next);
    const ds = next.displaySetOf(next.analysisSeries);
    if (ds) showInActiveViewport(ds);
  }, [choice.studyInstanceUid]);
  return { ...choice, chooseForAnalysis };
}
