/**
 * The MR series each viewport showed last. OHIF replaces a viewport's display sets when a series is double-clicked in
 * the study browser and keeps no history, so without this a viewport the stored report took over could only be given
 * "some" series back (the analysed one), not the one the reader had there.
 */
import type { DisplaySet, Services } from '../../../types/ohif';
import { getOhifContext, viewportsShowing } from './context';

const lastMrInViewport = new Map<string, string>(); // viewportId → displaySetInstanceUID

/** Records, on every grid change, the MR display set each viewport shows. Call once (preRegistration). */
export function rememberImagesShown(services: Pick<Services, 'viewportGridService' | 'displaySetService'>): void {
  const { viewportGridService, displaySetService } = services;
  const record = () => {
    for (const v of viewportGridService.getState().viewports.values()) {
      const uid = v.displaySetInstanceUIDs?.[0];
      if (uid && displaySetService.getDisplaySetByUID(uid)?.Modality === 'MR') lastMrInViewport.set(v.viewportId, uid);
    }
  };
  const event = viewportGridService.EVENTS.GRID_STATE_CHANGED;
  if (event) viewportGridService.subscribe(event, record);
}

/** The MR display set this viewport showed last, if it still exists and belongs to that study; undefined otherwise. */
export function lastImagesShownIn(viewportId: string, studyInstanceUid: string, services: Pick<Services, 'displaySetService'>): string | undefined {
  const uid = lastMrInViewport.get(viewportId);
  return uid && services.displaySetService.getDisplaySetByUID(uid)?.StudyInstanceUID === studyInstanceUid ? uid : undefined;
}

/**
 * Puts `ds` back in a viewport where none shows it (the reader opened a stored report, OHIF's SR or another series in
 * its place): the viewport that showed it last, else the active one. Analyze calls it as it starts, so that its outlines
 * are drawn on screen; without it they were drawn nowhere, and the series put back later by the reader came back with
 * what OHIF had drawn on it before (a stored SEG) beside the new analysis' table.
 * @returns whether it changed the grid.
 */
export function showWhereLastShown(ds: DisplaySet): boolean {
  if (viewportsShowing(ds.displaySetInstanceUID).length) return false;
  const { viewportGridService } = getOhifContext().servicesManager.services;
  const state = viewportGridService.getState();
  const last = [...state.viewports.keys()].find((id) => lastMrInViewport.get(id) === ds.displaySetInstanceUID);
  const viewportId = last ?? state.activeViewportId;
  if (!viewportId) return false;
  viewportGridService.setDisplaySetsForViewport({ viewportId, displaySetInstanceUIDs: [ds.displaySetInstanceUID] });
  return true;
}
