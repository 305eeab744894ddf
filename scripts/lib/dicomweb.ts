/**
 * DICOMweb (QIDO-RS, WADO-RS, STOW-RS) from Node with dicomweb-client. dicomweb-client speaks
 * XMLHttpRequest, which Node lacks: `xhr2` provides it (installed only as a Node polyfill here;
 * the browser uses its own).
 */
import { api } from 'dicomweb-client';
import XHR2 from 'xhr2';

/** A DICOMweb endpoint: full base URL (e.g. http://127.0.0.1:8043/dicom-web) + optional Authorization value. */
export interface DicomwebTarget {
  url: string;
  authorization?: string;
}

/** dicomweb-client for `target`, with Node's missing XMLHttpRequest supplied once. */
export function dicomwebClient(target: DicomwebTarget): api.DICOMwebClient {
  const g = globalThis as { XMLHttpRequest?: unknown };
  if (typeof g.XMLHttpRequest === 'undefined') g.XMLHttpRequest = XHR2;
  return new api.DICOMwebClient({
    url: target.url.replace(/\/+$/, ''),
    headers: target.authorization ? { Authorization: target.authorization } : {},
    singlepart: false,
    verbose: false,
  });
}

/** Turns dicomweb-client's bare "request failed" into a message a user can act on. */
export function explainDicomwebError(e: unknown, target: DicomwebTarget, what: string): Error {
  const status = (e as { status?: number }).status;
  if (status === 0) return new Error(`${what}: the DICOMweb server at ${target.url} is unreachable (connection refused or no answer). Is the PACS / \`npm start\` running?`);
  if (status === 401 || status === 403) return new Error(`${what}: ${target.url} refused our credentials (HTTP ${status}); check SPINE_ORTHANC_USER / SPINE_ORTHANC_PASSWORD or .data/orthanc/credentials.json`);
  if (status !== undefined) {
    const body = String((e as { response?: unknown }).response ?? '').slice(0, 300);
    return new Error(`${what}: ${target.url} answered HTTP ${status}${body ? ` — ${body}` : ''}`);
  }
  return e instanceof Error ? e : new Error(`${what}: ${String(e)}`);
}
