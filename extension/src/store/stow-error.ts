/**
 * Clear messages for failed STOW-RS requests. Works with dicomweb-client's errors
 * ({ status, response }: status 0 = no answer) and with fetch-style errors (TypeError: fetch failed).
 */

/** Orthanc's error body is JSON with "Message" (and "Details"); anything else is shown trimmed. */
export function serverMessage(response: unknown): string {
  let text = '';
  if (typeof response === 'string') text = response;
  else if (response instanceof ArrayBuffer) text = new TextDecoder().decode(response);
  else if (response && typeof response === 'object') text = JSON.stringify(response);
  if (!text) return '';
  try {
    const j = JSON.parse(text) as { Message?: string; Details?: string };
    if (j.Message) return j.Details ? `${j.Message} (${j.Details})` : j.Message;
  } catch {
    /* not JSON */
  }
  return text.replace(/\s+/g, ' ').slice(0, 300);
}

/** One line saying why a STOW failed: PACS unreachable, or HTTP status + the server's message. */
export function describeStowError(e: unknown): string {
  const err = e as { status?: number; response?: unknown; message?: string; cause?: { code?: string } };
  if (err && typeof err.status === 'number') {
    if (err.status === 0) return 'the PACS is unreachable (no answer from the DICOMweb server)';
    const msg = serverMessage(err.response);
    return `the PACS answered HTTP ${err.status}${msg ? `: ${msg}` : ''}`;
  }
  if (err?.cause?.code === 'ECONNREFUSED' || /fetch failed|ECONNREFUSED|Failed to fetch|NetworkError/i.test(err?.message ?? '')) {
    return `the PACS is unreachable (${err?.cause?.code ?? err?.message})`;
  }
  return err?.message ?? String(e);
}

/** Thrown by saveToPacs / retryPending; the result stays pending under `pendingId`. */
export class SaveToPacsError extends Error {
  constructor(
    readonly step: 'SEG' | 'SR',
    readonly reason: string,
    readonly pendingId: string,
    override readonly cause?: unknown,
  ) {
    super(`Saving to PACS failed while storing the ${step}: ${reason}. The result is kept as pending (id ${pendingId}); press Retry to send it again.`);
    this.name = 'SaveToPacsError';
  }
}
