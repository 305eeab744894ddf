/**
 * Fetches the models for the browser: `<modelBaseUrl>manifest.json`, then the segmentation model
 * `<modelBaseUrl><manifest.file>` and, when the manifest has one, the disc classifier
 * `<modelBaseUrl><manifest.pfirrmann.file>`. Each file is kept in Cache Storage ('spine-mri-models') and
 * verified against its sha256 on every load (a cached file that fails the check is dropped and fetched
 * again; a fresh download that fails it throws pipeline/model.ts's checksum error).
 */
import { parseModelManifest, verifyModelBytes, type ModelManifest } from '../pipeline/model';

export const MODEL_CACHE_NAME = 'spine-mri-models';

export interface LoadedModel {
  manifest: ModelManifest;
  bytes: Uint8Array;
  /** The disc classifier's ONNX bytes; absent when the manifest has no "pfirrmann" block or it failed to load. */
  pfirrmannBytes?: Uint8Array;
  /** Why the listed disc classifier could not be loaded (segmentation still runs; its grades say "not assessable" with this). */
  pfirrmannError?: string;
  /** 'cache' when Cache Storage had verified copies of every file, else 'network'. */
  source: 'cache' | 'network';
}

type Checked = { file: string; sha256: string; bytes?: number };

async function fetchVerified(base: URL, entry: Checked, cache: Cache | undefined): Promise<{ bytes: Uint8Array; source: 'cache' | 'network' }> {
  const fileUrl = new URL(entry.file, base);
  // The cache key includes the checksum, so a new model version never reads an old file.
  const key = `${fileUrl.href}#sha256=${entry.sha256}`;
  const cached = await cache?.match(key);
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    try {
      await verifyModelBytes(bytes, entry);
      return { bytes, source: 'cache' };
    } catch {
      await cache?.delete(key);
    }
  }
  const m = await fetch(fileUrl);
  if (!m.ok) throw new Error(`Model file not found at ${fileUrl} (HTTP ${m.status}).`);
  const bytes = new Uint8Array(await m.arrayBuffer());
  await verifyModelBytes(bytes, entry);
  await cache?.put(key, new Response(bytes.slice(), { headers: { 'Content-Type': 'application/octet-stream' } })).catch(() => undefined);
  return { bytes, source: 'network' };
}

/** @throws Error with the URL and HTTP status when the manifest or the segmentation model cannot be fetched, or its checksum error. */
export async function loadModel(modelBaseUrl: string, origin: string): Promise<LoadedModel> {
  const base = new URL(modelBaseUrl, origin);
  const manifestUrl = new URL('manifest.json', base);
  const r = await fetch(manifestUrl, { cache: 'no-cache' });
  if (!r.ok) throw new Error(`Model manifest not found at ${manifestUrl} (HTTP ${r.status}); is models/ deployed and spineMri.modelBaseUrl right?`);
  const manifest = parseModelManifest(await r.text());
  const cache = typeof caches !== 'undefined' ? await caches.open(MODEL_CACHE_NAME).catch(() => undefined) : undefined;
  const seg = await fetchVerified(base, manifest, cache);
  let pf: Awaited<ReturnType<typeof fetchVerified>> | undefined;
  let pfirrmannError = manifest.pfirrmannRefused;
  // A missing or corrupt classifier costs the classifier's grades, not the segmentation.
  if (manifest.pfirrmann) pf = await fetchVerified(base, manifest.pfirrmann, cache).catch((e: Error) => { pfirrmannError = e.message; return undefined; });
  return { manifest, bytes: seg.bytes, pfirrmannBytes: pf?.bytes, pfirrmannError, source: seg.source === 'cache' && (!pf || pf.source === 'cache') ? 'cache' : 'network' };
}
