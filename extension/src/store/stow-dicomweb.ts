/**
 * A Stow function over dicomweb-client (browser XMLHttpRequest; in Node supply an XMLHttpRequest
 * polyfill such as xhr2 first — scripts/lib/dicomweb.ts does). It treats a response that lists
 * FailedSOPSequence (0008,1198) as a failure, so "200 with failures" is not taken for success.
 */
import type { api } from 'dicomweb-client';
import { serverMessage } from './stow-error';
import type { Stow } from './save';
import { counted } from '../pipeline/words';

type StowResponse = Record<string, { Value?: unknown[] }> | undefined;

function parse(response: unknown): StowResponse {
  try {
    if (typeof response === 'string') return response ? JSON.parse(response) : undefined;
    if (response instanceof ArrayBuffer) return JSON.parse(new TextDecoder().decode(response));
    if (response && typeof response === 'object' && !Array.isArray(response)) return response as StowResponse;
  } catch {
    /* not JSON: nothing to check */
  }
  return undefined;
}

export function dicomwebStow(client: api.DICOMwebClient): Stow {
  return async (buffers) => {
    const response = await client.storeInstances({ datasets: buffers });
    const body = parse(response);
    const failed = body?.['00081198']?.Value ?? [];
    if (failed.length > 0) {
      const err = new Error('STOW-RS reported failed instances') as Error & { status: number; response: unknown };
      err.status = 409;
      err.response = serverMessage(response) || `${counted(failed.length, 'instance')} in FailedSOPSequence`;
      throw err;
    }
  };
}
