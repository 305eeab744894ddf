/**
 * Reload: a study that already holds our result shows the stored findings without re-analysis.
 *
 * Finds the newest 'Spine MRI Report v<n>' SR series (Comprehensive 3D SR) in the study via QIDO-RS
 * through OHIF's data source, fetches the SR as Part 10 over WADO-RS (dicomweb-client on the data
 * source's wadoRoot, same origin, OHIF's Authorization header) and reads it with readSr → SpineReport.
 * The matching 'Spine MRI SEG v<n>' is shown by OHIF itself: its dicom-seg SOP class handler makes a
 * SEG display set, which we hydrate onto the viewport that shows the source series.
 */
import { api } from 'dicomweb-client';
import type { DisplaySet } from '../../../types/ohif';
import { readSr } from '../dicom/sr-read';
import type { SpineReport } from '../pipeline/report';
import { getOhifContext } from './context';
import { activeDataSource, studySeries, type OhifDicomWebDataSource, type QidoSeries } from './dataSourceStow';

const SR_DESCRIPTION = /^Spine MRI Report v(\d+)$/;
const SEG_DESCRIPTION = /^Spine MRI SEG v(\d+)$/;

/** Our newest stored result in a study: SR series and, when present, the SEG series of the same version. */
export interface StoredReportRef {
  version: number;
  srSeriesInstanceUid: string;
  segSeriesInstanceUid?: string;
}

export interface StoredReport extends StoredReportRef {
  report: SpineReport;
}

/** Picks the highest-version SR of ours from a study's series list (undefined when there is none). */
export function latestStoredReport(series: QidoSeries[]): StoredReportRef | undefined {
  let best: StoredReportRef | undefined;
  for (const s of series) {
    const m = SR_DESCRIPTION.exec(s.description ?? '');
    if (!m || (s.modality && s.modality !== 'SR')) continue;
    const version = Number(m[1]);
    if (!best || version > best.version) best = { version, srSeriesInstanceUid: s.seriesInstanceUid };
  }
  if (best) {
    const v = best.version;
    const seg = series.find((s) => SEG_DESCRIPTION.exec(s.description ?? '')?.[1] === String(v) && (!s.modality || s.modality === 'SEG'));
    if (seg) best.segSeriesInstanceUid = seg.seriesInstanceUid;
  }
  return best;
}

/** dicomweb-client on the data source's WADO-RS root (same-origin '/dicom-web' by default). */
function wadoClient(dataSource: OhifDicomWebDataSource): api.DICOMwebClient {
  const root = dataSource.getConfig?.()?.wadoRoot ?? '/dicom-web';
  const url = new URL(root, globalThis.location?.href).href.replace(/\/+$/, '');
  const auth = getOhifContext().servicesManager.services.userAuthenticationService?.getAuthorizationHeader?.();
  return new api.DICOMwebClient({ url, headers: auth && typeof auth === 'object' ? auth : {}, singlepart: false, verbose: false });
}

/**
 * The newest stored Spine MRI result of a study, read from its SR; undefined when the study has none.
 * `report.createdAt` is the SR's ContentDate/ContentTime (ISO 8601); `report.segments` is empty
 * (segments live in the SEG).
 * @throws Error when the PACS cannot be queried, the SR cannot be retrieved, or it is not our SR
 */
export async function loadStoredReport(studyInstanceUid: string, dataSource: OhifDicomWebDataSource = activeDataSource()): Promise<StoredReport | undefined> {
  const ref = latestStoredReport(await studySeries(studyInstanceUid, dataSource));
  if (!ref) return undefined;
  let parts: ArrayBuffer[];
  try {
    // dicomweb-client's typings mark `request` required; it is optional at runtime (a new XMLHttpRequest).
    const options = { studyInstanceUID: studyInstanceUid, seriesInstanceUID: ref.srSeriesInstanceUid } as Parameters<api.DICOMwebClient['retrieveSeries']>[0];
    parts = await wadoClient(dataSource).retrieveSeries(options);
  } catch (e) {
    const status = (e as { status?: number }).status;
    throw new Error(`Could not retrieve the stored report (SR v${ref.version}) from the PACS${status !== undefined ? ` (HTTP ${status})` : ''}: ${(e as Error).message}`);
  }
  if (!parts?.length) throw new Error(`The stored report series (SR v${ref.version}) has no instances.`);
  return { ...ref, report: readSr(parts[0]) };
}

/** Waits (up to timeoutMs) for OHIF to create the display set of a series. */
function waitForDisplaySet(seriesInstanceUid: string, timeoutMs: number): Promise<DisplaySet | undefined> {
  const { displaySetService } = getOhifContext().servicesManager.services;
  const find = () => displaySetService.getActiveDisplaySets().find((d) => d.SeriesInstanceUID === seriesInstanceUid);
  const now = find();
  if (now) return Promise.resolve(now);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      sub.unsubscribe();
      resolve(find());
    }, timeoutMs);
    const sub = displaySetService.subscribe(displaySetService.EVENTS.DISPLAY_SETS_ADDED, () => {
      const ds = find();
      if (ds) {
        clearTimeout(timer);
        sub.unsubscribe();
        resolve(ds);
      }
    });
  });
}

/**
 * Shows the stored SEG series in the viewport that displays its source series, through OHIF's own
 * SEG display set and its 'hydrateSecondaryDisplaySet' command.
 * @returns true when OHIF was asked to show it; false when the SEG display set or a viewport showing
 *   its source series was not found within timeoutMs.
 */
export async function showStoredSeg(segSeriesInstanceUid: string, timeoutMs = 30000): Promise<boolean> {
  const { servicesManager, commandsManager } = getOhifContext();
  const { viewportGridService } = servicesManager.services;
  const seg = (await waitForDisplaySet(segSeriesInstanceUid, timeoutMs)) as (DisplaySet & { referencedDisplaySetInstanceUID?: string; isHydrated?: boolean }) | undefined;
  if (!seg?.referencedDisplaySetInstanceUID) return false;
  if (seg.isHydrated) return true;
  const { viewports } = viewportGridService.getState();
  const vp = [...viewports.values()].find((v) => v.displaySetInstanceUIDs?.includes(seg.referencedDisplaySetInstanceUID!));
  if (!vp) return false;
  await commandsManager.runCommand('hydrateSecondaryDisplaySet', { displaySet: seg, viewportId: vp.viewportId });
  return true;
}
