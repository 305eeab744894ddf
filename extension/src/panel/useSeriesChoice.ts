/**
 * React hook: the active study's series, classified, and the series chosen for analysis.
 * Re-evaluates when OHIF adds or changes display sets or the active viewport changes.
 */
import { useEffect, useState } from 'react';
import type { DisplaySet } from '../../../types/ohif';
import { getOhifContext } from '../ohif/context';
import { chooseForStudy } from '../ohif/headers';

export type StudyChoice = ReturnType<typeof chooseForStudy> & { studyInstanceUid?: string };

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

function compute(): StudyChoice {
  const { displaySetService } = getOhifContext().servicesManager.services;
  const all = displaySetService.getActiveDisplaySets();
  const studyInstanceUid = activeStudyUid(all);
  return { ...chooseForStudy(all, studyInstanceUid ?? ''), studyInstanceUid };
}

export function useSeriesChoice(): StudyChoice {
  const [choice, setChoice] = useState<StudyChoice>(compute);
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
  return choice;
}
