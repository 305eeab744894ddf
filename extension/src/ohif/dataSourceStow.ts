/**
 * Save to PACS through OHIF's active data source: STOW-RS with `dataSource.store.dicom(arrayBuffer)`
 * (OHIF 3.13 DicomWebDataSource; it adds OHIF's Authorization header), and the study's series list
 * with `dataSource.query.series.search(StudyInstanceUID)` (QIDO-RS) for version numbering and for
 * finding our stored SEG/SR.
 *
 * OHIF's store.dicom resolves on HTTP 200 and 202 and discards the response body, so we hand it our
 * own XMLHttpRequest (dicomweb-client uses a caller's request object when given one) and read the
 * STOW-RS response ourselves: a FailedSOPSequence (0008,1198) in it is a failure, not a success.
 * Each object stored is then shown in OHIF's study browser (showStored.ts).
 */
import type { Stow } from '../store/save';
import { serverMessage } from '../store/stow-error';
import { getOhifContext } from './context';
import { showStoredInStudyBrowser } from './showStored';
import type { QidoStudy } from './priorReport';
import { counted } from '../pipeline/words';

/** The parts of OHIF's DicomWebDataSource used here. */
export interface OhifDicomWebDataSource {
  store: { dicom(dataset: ArrayBuffer, request?: XMLHttpRequest): Promise<unknown> };
  query: {
    series: { search(studyInstanceUid: string): Promise<QidoSeries[]> };
    /** QIDO-RS study search (OHIF's mapParams: patientId → PatientID; disableWildcard for an exact match). */
    studies?: { search(params: { patientId: string; disableWildcard?: boolean }): Promise<QidoStudy[]> };
  };
  getConfig?(): { wadoRoot?: string; qidoRoot?: string } | undefined;
}

/** One series as OHIF's processSeriesResults maps a QIDO-RS series result. */
export interface QidoSeries {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  modality: string;
  seriesNumber?: string;
  /** SeriesDescription (0008,103E). */
  description?: string;
  numSeriesInstances?: number;
}

/**
 * OHIF's active data source.
 * @throws Error when OHIF has none or it cannot store DICOM (e.g. a JSON/static data source).
 */
export function activeDataSource(): OhifDicomWebDataSource {
  const ds = getOhifContext().extensionManager.getActiveDataSource()?.[0] as Partial<OhifDicomWebDataSource> | undefined;
  if (!ds) throw new Error('OHIF has no active data source; cannot save to or read from the PACS.');
  if (typeof ds.store?.dicom !== 'function') throw new Error('The active OHIF data source cannot store DICOM (it is not a DICOMweb data source with STOW-RS).');
  return ds as OhifDicomWebDataSource;
}

/** Number of instances a STOW-RS response lists as failed (FailedSOPSequence), 0 when none or not JSON. */
export function failedInstanceCount(responseText: unknown): number {
  if (typeof responseText !== 'string' || !responseText.trim().startsWith('{')) return 0;
  try {
    const body = JSON.parse(responseText) as Record<string, { Value?: unknown[] }>;
    return body['00081198']?.Value?.length ?? 0;
  } catch {
    return 0;
  }
}

/**
 * A Stow (store/save.ts) over the data source: one STOW-RS request per Part 10 object, in order.
 * Rejects with dicomweb-client's error ({ status, response }; status 0 = no answer), or with
 * status 409 when the PACS answered but listed the object in FailedSOPSequence.
 */
export function dataSourceStow(dataSource: OhifDicomWebDataSource = activeDataSource()): Stow {
  return async (buffers) => {
    for (const buffer of buffers) {
      const request = new XMLHttpRequest();
      await dataSource.store.dicom(buffer, request);
      let text: string | undefined;
      try {
        text = request.responseText; // throws when a responseType other than '' / 'text' was set
      } catch {
        text = undefined;
      }
      const failed = failedInstanceCount(text);
      if (failed > 0) {
        const err = new Error('STOW-RS reported failed instances') as Error & { status: number; response: unknown };
        err.status = 409;
        err.response = serverMessage(text) || `${counted(failed, 'instance')} in FailedSOPSequence`;
        throw err;
      }
      showStoredInStudyBrowser(buffer, dataSource.getConfig?.()?.wadoRoot);
    }
  };
}

/** The study's series (QIDO-RS through the data source), e.g. to number a new version. */
export async function studySeries(studyInstanceUid: string, dataSource: OhifDicomWebDataSource = activeDataSource()): Promise<QidoSeries[]> {
  return (await dataSource.query.series.search(studyInstanceUid)) ?? [];
}
