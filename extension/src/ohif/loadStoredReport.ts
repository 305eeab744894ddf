/**
 * Reload: a study that already holds our result shows the stored findings without re-analysis.
 *
 * Finds the newest 'Spine MRI Report v<n>' SR series (Comprehensive 3D SR) in the study via QIDO-RS
 * through OHIF's data source, fetches the SR as Part 10 over WADO-RS (dicomweb-client on the data
 * source's wadoRoot, same origin, OHIF's Authorization header) and reads it with readSr → SpineReport.
 * The matching 'Spine MRI SEG v<n>' — or, for a version whose outlines did not change, the earlier version's SEG the
 * SR refers to — is shown by OHIF itself: its dicom-seg SOP class handler makes a SEG display set, which we hydrate
 * onto the viewport that shows the source series.
 */
import { api } from 'dicomweb-client';
import type { DisplaySet } from '../../../types/ohif';
import { storedSegNotShowable } from '../dicom/seg';
import { readSr } from '../dicom/sr-read';
import type { SegmentInfo, SpineReport } from '../pipeline/report';
import { latestStoredReport, segReferredTo, type StoredReportRef } from '../store/stored-result';
import { getOhifContext, viewportsShowing } from './context';
import { activeDataSource, studySeries, type OhifDicomWebDataSource } from './dataSourceStow';
import { copyLabelmapSlices } from './showSegmentation';
import { displaySetImageIds } from './displaySetImageIds';
import { showStoredInStudyBrowser } from './showStored';
import { ohifLabelmapSlices, segmentStatsLps, segmentsFromStoredSeg } from './storedSegments';

export interface StoredReport extends StoredReportRef {
  report: SpineReport;
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
  const series = await studySeries(studyInstanceUid, dataSource);
  const ref = latestStoredReport(series);
  if (!ref) return undefined;
  const sr = await retrieveInstance(studyInstanceUid, ref.srSeriesInstanceUid, `the stored report (SR v${ref.version})`, dataSource);
  return { ...ref, ...(ref.segSeriesInstanceUid ? {} : segReferredTo(sr, series)), report: readSr(sr) };
}

/**
 * One stored report series of ours (any version), read from its SR.
 * @param name how errors name it ('SR v2')
 * @throws Error when the PACS cannot return it or it is not our SR
 */
export async function readStoredReportSeries(studyInstanceUid: string, seriesInstanceUid: string, name = 'SR', dataSource: OhifDicomWebDataSource = activeDataSource()): Promise<SpineReport> {
  return readSr(await retrieveInstance(studyInstanceUid, seriesInstanceUid, `the stored report (${name})`, dataSource));
}

/**
 * The stored SEG's Part 10 bytes (to carry it into a new version when the reader changes the stored findings).
 * @throws Error when the PACS cannot return it
 */
export function retrieveStoredSeg(studyInstanceUid: string, ref: StoredReportRef, dataSource: OhifDicomWebDataSource = activeDataSource()): Promise<ArrayBuffer> {
  if (!ref.segSeriesInstanceUid) return Promise.reject(new Error(`the study holds no SEG of version ${ref.version} beside the stored report, nor the SEG it refers to`));
  return retrieveInstance(studyInstanceUid, ref.segSeriesInstanceUid, `the stored segmentation (SEG v${ref.segVersion ?? ref.version})`, dataSource);
}

/**
 * Lists a stored report version this page did not load (stored since, e.g. by another reader) in OHIF's study browser,
 * where the reader can open it in a viewport to compare; nothing when it is listed already. Best effort: a failure
 * is logged.
 */
export async function listStoredReportInStudyBrowser(studyInstanceUid: string, ref: StoredReportRef, dataSource: OhifDicomWebDataSource = activeDataSource()): Promise<void> {
  try {
    const { displaySetService } = getOhifContext().servicesManager.services;
    if (displaySetService.getActiveDisplaySets().some((d) => d.SeriesInstanceUID === ref.srSeriesInstanceUid)) return;
    const part10 = await retrieveInstance(studyInstanceUid, ref.srSeriesInstanceUid, `the stored report (SR v${ref.version})`, dataSource);
    showStoredInStudyBrowser(part10, dataSource.getConfig?.()?.wadoRoot);
  } catch (e) {
    console.warn(`Spine MRI: SR v${ref.version} is not listed in the study browser until the study is reopened: ${(e as Error).message}`);
  }
}

/** The first instance of a series as Part 10, over WADO-RS. @throws Error naming `what` when it cannot be retrieved. */
async function retrieveInstance(studyInstanceUid: string, seriesInstanceUid: string, what: string, dataSource: OhifDicomWebDataSource): Promise<ArrayBuffer> {
  let parts: ArrayBuffer[];
  try {
    // dicomweb-client's typings mark `request` required; it is optional at runtime (a new XMLHttpRequest).
    const options = { studyInstanceUID: studyInstanceUid, seriesInstanceUID: seriesInstanceUid } as Parameters<api.DICOMwebClient['retrieveSeries']>[0];
    parts = await wadoClient(dataSource).retrieveSeries(options);
  } catch (e) {
    const status = (e as { status?: number }).status;
    throw new Error(`Could not retrieve ${what} from the PACS${status !== undefined ? ` (HTTP ${status})` : ''}: ${(e as Error).message}`);
  }
  if (!parts?.length) throw new Error(`The series of ${what} has no instances.`);
  return parts[0];
}

/** Outcome of showStoredSeg. */
export interface StoredSegShown {
  shown: boolean;
  reason?: string;
  segmentationId?: string;
  segments?: SegmentInfo[];
  sourceImageIds?: string[];
  /** The stored SEG's pixels as loaded, per source imageId (copyLabelmapSlices): the reader's brush edits are told from them. */
  loadedOutlines?: Map<string, Uint8Array>;
}

/** Polls `probe` every 250 ms until it returns a value, or undefined after timeoutMs. */
async function poll<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined || Date.now() >= deadline) return v;
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Shows the stored SEG series in the viewports that display its source series: OHIF's own SEG display
 * set is loaded (`displaySet.load`, which makes a segmentation whose id is the SEG display set's
 * displaySetInstanceUID) and added to each such viewport as a labelmap representation.
 * @returns shown: true when the segmentation is in OHIF and on a viewport, with its id, the SEG's segments
 *   (storedSegments.ts: kind, level, centroid in LPS mm) and the source series' imageIds, for the level names on
 *   the image and a clicked level row's jump, and a copy of its pixels (Measure again tells the reader's edits from it); otherwise `reason` says why not (SEG display set or a viewport showing its source series not found within timeoutMs, or a SEG OHIF would draw shifted: seg.ts storedSegNotShowable).
 * @throws Error when OHIF fails to load the SEG
 */
export async function showStoredSeg(segSeriesInstanceUid: string, timeoutMs = 30000): Promise<StoredSegShown> {
  const { segmentationService, userAuthenticationService } = getOhifContext().servicesManager.services;
  if (!segmentationService) return { shown: false, reason: 'OHIF segmentationService is not available in this mode' };
  type SegDisplaySet = DisplaySet & {
    referencedDisplaySetInstanceUID?: string;
    load?: (o: { headers: Record<string, string> }) => Promise<void>;
    /** OHIF's parse of the SEG's SegmentSequence (index 0 unused). */
    segMetadata?: { data?: ({ SegmentNumber?: number | string; SegmentDescription?: string } | undefined)[] };
  };
  const { displaySetService, cornerstoneViewportService } = getOhifContext().servicesManager.services;
  // OHIF creates the SEG display set and fills the viewport grid asynchronously while the study loads.
  const seg = (await poll(() => displaySetService.getActiveDisplaySets().find((d) => d.SeriesInstanceUID === segSeriesInstanceUid), timeoutMs)) as SegDisplaySet | undefined;
  if (!seg) return { shown: false, reason: 'OHIF did not create a display set for the stored SEG series' };
  const notShowable = storedSegNotShowable((seg.instance ?? {}) as Record<string, unknown>); // its WADO-RS metadata
  if (notShowable) return { shown: false, reason: notShowable };
  const viewportsShowingSource = () => {
    const ref = seg.referencedDisplaySetInstanceUID;
    if (!ref) return undefined;
    const list = viewportsShowing(ref).filter((v) => !cornerstoneViewportService || cornerstoneViewportService.getCornerstoneViewport?.(v.viewportId));
    return list.length ? list : undefined;
  };
  const targets = await poll(viewportsShowingSource, timeoutMs);
  if (!seg.referencedDisplaySetInstanceUID || typeof seg.load !== 'function') return { shown: false, reason: 'OHIF did not link the stored SEG to its source series' };
  if (!targets) return { shown: false, reason: 'no viewport shows the source series of the stored SEG' };
  await seg.load({ headers: userAuthenticationService?.getAuthorizationHeader?.() ?? {} });
  const segmentationId = seg.displaySetInstanceUID;
  const segmentation = segmentationService.getSegmentation(segmentationId);
  if (!segmentation) return { shown: false, reason: 'OHIF loaded the SEG but made no segmentation from it' };
  for (const vp of targets) await segmentationService.addSegmentationRepresentation(vp.viewportId, { segmentationId });
  const descriptions = new Map<number, string>();
  for (const d of seg.segMetadata?.data ?? []) if (d?.SegmentDescription) descriptions.set(Number(d.SegmentNumber), d.SegmentDescription);
  const sourceDs = displaySetService.getDisplaySetByUID(seg.referencedDisplaySetInstanceUID);
  const sourceImageIds = sourceDs ? displaySetImageIds(sourceDs) : [];
  let loadedOutlines: Map<string, Uint8Array> | undefined;
  try { loadedOutlines = copyLabelmapSlices(segmentationId, sourceImageIds); } catch (e) { console.warn(`Spine MRI: the stored outlines cannot be measured again: ${(e as Error).message}`); }
  return {
    shown: true,
    segmentationId,
    segments: segmentsFromStoredSeg(segmentation.segments ?? {}, segmentStatsLps(ohifLabelmapSlices(segmentation)), descriptions),
    sourceImageIds,
    loadedOutlines,
  };
}

/**
 * Takes a stored SEG off the viewports (`on` false) once a new analysis replaces the stored findings in the panel —
 * else both labelmaps lie on the image, the stored one under the new, and OHIF's segmentation panel lists both —
 * or puts it back on the viewports that show its source series, where the stored findings show again (not on one
 * that shows another series now). The segmentation stays in OHIF, and its pixels as loaded in the panel's state.
 * A segmentation OHIF no longer holds is left alone.
 */
export async function showStoredSegOnViewports(segmentationId: string, on: boolean): Promise<void> {
  const { segmentationService, displaySetService } = getOhifContext().servicesManager.services;
  if (!segmentationService?.getSegmentation(segmentationId)) return;
  const drawnOn = new Set(segmentationService.getViewportIdsWithSegmentation?.(segmentationId) ?? []);
  if (!on) {
    for (const id of drawnOn) segmentationService.removeRepresentationsFromViewport?.(id, { segmentationId });
    return;
  }
  // OHIF's SEG display set (its UID is the segmentation's id) names the series the SEG lies on.
  const source = (displaySetService.getDisplaySetByUID(segmentationId) as { referencedDisplaySetInstanceUID?: string } | undefined)?.referencedDisplaySetInstanceUID;
  for (const { viewportId } of source ? viewportsShowing(source) : []) {
    if (drawnOn.has(viewportId)) continue;
    try { await segmentationService.addSegmentationRepresentation(viewportId, { segmentationId }); } catch (e) { console.warn(`Spine MRI: the stored SEG is not shown again on viewport ${viewportId}: ${(e as Error).message}`); }
  }
}
