/**
 * Fetches the segmentation model for the browser: `<modelBaseUrl>manifest.json`, then
 * `<modelBaseUrl><manifest.file>`, kept in Cache Storage ('spine-mri-models') and verified against
 * the manifest's sha256 on every load (a cached file that fails the check is dropped and fetched again;
 * a fresh download that fails it throws pipeline/model.ts's checksum error).
 */
import { parseModelManifest, verifyModelBytes, type ModelManifest } from '../pipeline/model';

export const MODEL_CACHE_NAME = 'spine-mri-models';

export interface LoadedModel {
  manifest: ModelManifest;
  bytes: Uint8Array;
  /** 'cache' when Cache Storage had a verified copy, else 'network'. */
  source: 'cache' | 'network';
}

/** @throws Error with the URL and HTTP status when the manifest or model cannot be fetched. */
export async function loadModel(modelBaseUrl: string, origin: string): Promise<LoadedModel> {
  const base = new URL(modelBaseUrl, origin);
  const manifestUrl = new URL('manifest.json', base);
  const r = await fetch(manifestUrl, { cache: 'no-cache' });
  if (!r.ok) throw new Error(`Model manifest not found at ${manifestUrl} (HTTP ${r.status}); is models/ deployed and spineMri.modelBaseUrl right?`);
  const manifest = parseModelManifest(await r.text());
  const fileUrl = new URL(manifest.file, base);
  // The cache key includes the checksum, so a new model version never reads an old file.
  const key = `${fileUrl.href}#sha256=${manifest.sha256}`;
  const cache = typeof caches !== 'undefined' ? await caches.open(MODEL_CACHE_NAME).catch(() => undefined) : undefined;
  const cached = await cache?.match(key);
  if (cached) {
    const bytes = new Uint8Array(await cached.arrayBuffer());
    try {
      await verifyModelBytes(bytes, manifest);
      return { manifest, bytes, source: 'cache' };
    } catch {
      await cache?.delete(key);
    }
  }
  const m = await fetch(fileUrl);
  if (!m.ok) throw new Error(`Model file not found at ${fileUrl} (HTTP ${m.status}).`);
  const bytes = new Uint8Array(await m.arrayBuffer());
  await verifyModelBytes(bytes, manifest);
  await cache?.put(key, new Response(bytes.slice(), { headers: { 'Content-Type': 'application/octet-stream' } })).catch(() => undefined);
  return { manifest, bytes, source: 'network' };
}
