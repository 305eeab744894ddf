/**
 * What the gateway's GET /health checks (scripts/gateway.ts), for a PACS admin's monitoring: everything a reader's
 * Analyze and Save need from this server — the DICOMweb server reachable with the configured credentials, our
 * plugin bundles, the models as the manifest names them (sha256 checked, as the browser does), onnxruntime-web's
 * files. Each check says what it found; the gateway answers 200 when all pass, else 503.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ORT_BROWSER_BUNDLE } from '../../extension/src/pipeline/model';
import { PLUGIN_ENTRIES } from './plugin-files';

export interface HealthCheck { name: 'dicomweb' | 'plugins' | 'models' | 'onnxruntime-web'; ok: boolean; detail: string }

export interface HealthOptions {
  /** Full upstream DICOMweb URL and the Authorization header sent to it (gateway options). */
  dicomwebUpstream: string;
  authorization?: string;
  pluginsDir: string;
  /** Folder served at modelBaseUrl; absent when the models are served elsewhere (not checked then). */
  modelDir?: string;
  ortDir: string;
}

/** The onnxruntime-web bundle the analysis worker imports on wasm, and the wasm binary it loads. */
const ORT_FILES = [ORT_BROWSER_BUNDLE.wasm, 'ort-wasm-simd-threaded.wasm'];
const DICOMWEB_TIMEOUT_MS = 5000;

/** sha256 per file path, recomputed only when the file's size or mtime changes. */
const sums = new Map<string, { key: string; sha256: string }>();
function sha256Of(path: string): string {
  const st = statSync(path);
  const key = `${st.size} ${st.mtimeMs}`;
  const hit = sums.get(path);
  if (hit?.key === key) return hit.sha256;
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex');
  sums.set(path, { key, sha256 });
  return sha256;
}

async function checkDicomweb(o: HealthOptions): Promise<HealthCheck> {
  const url = `${o.dicomwebUpstream.replace(/\/+$/, '')}/studies?limit=1`;
  try {
    const r = await fetch(url, { headers: { Accept: 'application/dicom+json', ...(o.authorization ? { Authorization: o.authorization } : {}) }, signal: AbortSignal.timeout(DICOMWEB_TIMEOUT_MS) });
    if (r.ok) return { name: 'dicomweb', ok: true, detail: `${o.dicomwebUpstream} answers QIDO-RS (HTTP ${r.status})` };
    const why = r.status === 401 || r.status === 403 ? ': the credentials were refused (orthancUser / orthancPassword)' : '';
    return { name: 'dicomweb', ok: false, detail: `${o.dicomwebUpstream} answered HTTP ${r.status}${why}` };
  } catch (e) {
    return { name: 'dicomweb', ok: false, detail: `${o.dicomwebUpstream} is unreachable (${(e as Error).message})` };
  }
}

function checkFiles(name: 'plugins' | 'onnxruntime-web', dir: string, files: string[], hint: string): HealthCheck {
  const missing = files.filter((f) => !existsSync(join(dir, f)));
  return missing.length
    ? { name, ok: false, detail: `missing in ${dir}: ${missing.join(', ')} (${hint})` }
    : { name, ok: true, detail: `${files.join(', ')} in ${dir}` };
}

function checkModels(modelDir: string | undefined): HealthCheck {
  if (!modelDir) return { name: 'models', ok: true, detail: 'served from another modelBaseUrl: not checked here' };
  const manifestPath = join(modelDir, 'manifest.json');
  let manifest: { file?: string; sha256?: string; pfirrmann?: { file?: string; sha256?: string } };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (e) {
    return { name: 'models', ok: false, detail: `${manifestPath} cannot be read (${(e as Error).message}): Analyze cannot run` };
  }
  const wanted = [manifest, manifest.pfirrmann].filter((m): m is { file: string; sha256: string } => !!m?.file && !!m.sha256);
  const problems = wanted.flatMap((m) => {
    const path = join(modelDir, m.file);
    if (!existsSync(path)) return [`${m.file} is missing`];
    return sha256Of(path) === m.sha256 ? [] : [`${m.file} does not match its sha256 in manifest.json (the browser refuses it)`];
  });
  return problems.length
    ? { name: 'models', ok: false, detail: problems.join('; ') }
    : { name: 'models', ok: true, detail: `${wanted.map((m) => m.file).join(', ')} match manifest.json` };
}

/** Runs every check (the DICOMweb one waits at most DICOMWEB_TIMEOUT_MS). */
export async function healthChecks(o: HealthOptions): Promise<HealthCheck[]> {
  return [
    await checkDicomweb(o),
    checkFiles('plugins', o.pluginsDir, PLUGIN_ENTRIES.map(([, out]) => out), 'run npm run build'),
    checkModels(o.modelDir),
    checkFiles('onnxruntime-web', o.ortDir, ORT_FILES, 'run npm install'),
  ];
}
