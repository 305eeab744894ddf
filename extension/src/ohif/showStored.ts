/**
 * A SEG or SR just stored in the PACS appears in OHIF's study browser at once, without reopening the
 * study — as after OHIF's own SEG/SR save, which adds the stored dataset to its metadata store and lets
 * the mode's SOP class handlers make a display set of it. A runtime plugin cannot reach that store, so the
 * object goes to `displaySetService.makeDisplaySets` directly (the call the store's listener makes), with
 * the data source's `wadoRoot` so that OHIF's SEG loader fetches it back from the PACS (WADO-RS) when the
 * reader opens it. Best effort: the object is already stored, so a failure here is logged, never reported
 * as a failed save.
 */
import { fromPart10 } from '../dicom/uids';
import { getOhifContext } from './context';

/**
 * @param part10 the object as sent by STOW-RS (DICOM Part 10 bytes)
 * @param wadoRoot the data source's WADO-RS root (its config), for loading the object back
 */
export function showStoredInStudyBrowser(part10: ArrayBuffer, wadoRoot: string | undefined): void {
  try {
    const { displaySetService } = getOhifContext().servicesManager.services;
    const instance = fromPart10(part10) as Record<string, unknown>;
    delete instance._meta;
    if (wadoRoot) instance.wadoRoot = wadoRoot;
    displaySetService.makeDisplaySets([instance], { madeInClient: true });
  } catch (e) {
    console.warn(`Spine MRI: stored in the PACS, but not shown in the study browser until the study is reopened: ${(e as Error).message}`);
  }
}
