/**
 * Configuration for `npm start`, the gateway and the importer: `spine-mri.config.json` at the repo
 * root (committed defaults; every key optional) overridden by environment variables. No code edits
 * are needed to deploy. Relative paths are resolved against the repository root.
 *
 * | key (spine-mri.config.json) | environment variable      | default          | meaning |
 * |-----------------------------|---------------------------|------------------|---------|
 * | gatewayHost                 | SPINE_GATEWAY_HOST        | 127.0.0.1        | address the gateway listens on (loopback by default) |
 * | gatewayPort                 | SPINE_GATEWAY_PORT        | 3000             | gateway TCP port: OHIF viewer + /dicom-web proxy (0 = any free port) |
 * | orthancUrl                  | SPINE_ORTHANC_URL         | (empty)          | an existing Orthanc/DICOMweb server, e.g. http://pacs:8042; when set, no Orthanc is started |
 * | orthancPort                 | SPINE_ORTHANC_PORT        | 8043             | HTTP port of the Orthanc that `npm start` runs (localhost only) |
 * | orthancUser                 | SPINE_ORTHANC_USER        | spine            | HTTP Basic user the gateway and importer use |
 * | orthancPassword             | SPINE_ORTHANC_PASSWORD    | (generated)      | its password; if empty, a random one is generated once into `<dataDir>/orthanc/credentials.json` (mode 0600) |
 * | dicomwebRoot                | SPINE_DICOMWEB_ROOT       | /dicom-web       | path of the DICOMweb service on the Orthanc/PACS (QIDO, WADO-RS and STOW-RS share it) |
 * | dataDir                     | SPINE_DATA_DIR            | .data            | project-local state (git-ignored): Orthanc storage, config, credentials, OHIF dist |
 * | ohifDir                     | SPINE_OHIF_DIR            | .data/ohif       | the prebuilt OHIF 3.13.2 viewer (unpacked by `npm install`'s postinstall) |
 * | pluginsDir                  | SPINE_PLUGINS_DIR         | dist/plugins     | built extension/mode bundles (`npm run build`), served at /plugins/ |
 * | modelDir                    | SPINE_MODEL_DIR           | models           | ONNX model files + manifest.json, served at /models/ |
 * | modelBaseUrl                | SPINE_MODEL_BASE_URL      | /models/         | where the browser loads models from (another URL, e.g. a CDN, to not serve modelDir) |
 * | ortBaseUrl                  | SPINE_ORT_BASE_URL        | /ort/            | where the browser loads onnxruntime-web's .mjs/.wasm (served from node_modules/onnxruntime-web/dist) |
 * | sampleDataDir               | SPINE_SAMPLE_DATA         | ../shared/data   | research data to import as sample studies on first start (skipped when absent) |
 * | importSamples               | SPINE_IMPORT_SAMPLES      | true             | import the sample studies at start ("false"/"0" to skip) |
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..');
export const CONFIG_FILE = 'spine-mri.config.json';

export interface SpineConfig {
  gatewayHost: string;
  gatewayPort: number;
  /** External DICOMweb server base URL (no trailing slash); undefined = run our own Orthanc. */
  orthancUrl?: string;
  orthancPort: number;
  orthancUser: string;
  /** Undefined = generate/load from `<dataDir>/orthanc/credentials.json`. */
  orthancPassword?: string;
  /** Starts with '/', no trailing slash, e.g. '/dicom-web'. */
  dicomwebRoot: string;
  dataDir: string;
  ohifDir: string;
  pluginsDir: string;
  modelDir: string;
  modelBaseUrl: string;
  ortBaseUrl: string;
  sampleDataDir: string;
  importSamples: boolean;
}

type Key = keyof SpineConfig;
type Kind = 'string' | 'port' | 'path' | 'url' | 'boolean' | 'root';

/** One row per key: environment variable, default, kind of value. Keep in sync with the table above. */
const SCHEMA: Record<Key, { env: string; def: string | number | boolean | undefined; kind: Kind }> = {
  gatewayHost: { env: 'SPINE_GATEWAY_HOST', def: '127.0.0.1', kind: 'string' },
  gatewayPort: { env: 'SPINE_GATEWAY_PORT', def: 3000, kind: 'port' },
  orthancUrl: { env: 'SPINE_ORTHANC_URL', def: undefined, kind: 'url' },
  orthancPort: { env: 'SPINE_ORTHANC_PORT', def: 8043, kind: 'port' },
  orthancUser: { env: 'SPINE_ORTHANC_USER', def: 'spine', kind: 'string' },
  orthancPassword: { env: 'SPINE_ORTHANC_PASSWORD', def: undefined, kind: 'string' },
  dicomwebRoot: { env: 'SPINE_DICOMWEB_ROOT', def: '/dicom-web', kind: 'root' },
  dataDir: { env: 'SPINE_DATA_DIR', def: '.data', kind: 'path' },
  ohifDir: { env: 'SPINE_OHIF_DIR', def: '.data/ohif', kind: 'path' },
  pluginsDir: { env: 'SPINE_PLUGINS_DIR', def: 'dist/plugins', kind: 'path' },
  modelDir: { env: 'SPINE_MODEL_DIR', def: 'models', kind: 'path' },
  modelBaseUrl: { env: 'SPINE_MODEL_BASE_URL', def: '/models/', kind: 'string' },
  ortBaseUrl: { env: 'SPINE_ORT_BASE_URL', def: '/ort/', kind: 'string' },
  sampleDataDir: { env: 'SPINE_SAMPLE_DATA', def: '../shared/data', kind: 'path' },
  importSamples: { env: 'SPINE_IMPORT_SAMPLES', def: true, kind: 'boolean' },
};

function parseValue(key: Key, kind: Kind, raw: unknown, from: string): unknown {
  if (raw === undefined || raw === null || raw === '') return undefined;
  const bad = (why: string): never => {
    throw new Error(`Configuration ${key} from ${from}: ${JSON.stringify(raw)} ${why}`);
  };
  switch (kind) {
    case 'port': {
      const n = typeof raw === 'number' ? raw : Number(String(raw));
      if (!Number.isInteger(n) || n < 0 || n > 65535) bad('is not a TCP port (0..65535)');
      return n;
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return raw;
      const s = String(raw).toLowerCase();
      if (['1', 'true', 'yes', 'on'].includes(s)) return true;
      if (['0', 'false', 'no', 'off'].includes(s)) return false;
      return bad('is not a boolean (true/false)');
    }
    case 'url': {
      const s = String(raw).replace(/\/+$/, '');
      if (!/^https?:\/\/[^/]+/.test(s)) bad('is not an http(s) URL such as http://localhost:8042');
      return s;
    }
    case 'root': {
      const s = '/' + String(raw).replace(/^\/+|\/+$/g, '');
      return s === '/' ? '' : s;
    }
    case 'path': {
      const s = String(raw);
      return isAbsolute(s) ? s : resolve(repoRoot, s);
    }
    default:
      if (typeof raw !== 'string') bad('is not a string');
      return raw;
  }
}

/**
 * Loads the configuration: defaults < `<root>/spine-mri.config.json` < environment.
 * @param env environment (default process.env); @param file config file path (default repo root).
 * @throws Error naming the key and source on an invalid value, an unknown key or unparsable JSON.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, file = join(repoRoot, CONFIG_FILE)): SpineConfig {
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      fromFile = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`Cannot parse ${file}: ${(e as Error).message}`);
    }
    for (const k of Object.keys(fromFile)) {
      if (!(k in SCHEMA) && !k.startsWith('$') && !k.startsWith('_')) {
        throw new Error(`${file}: unknown key "${k}" (known: ${Object.keys(SCHEMA).join(', ')})`);
      }
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(SCHEMA) as Key[]) {
    const { env: name, def, kind } = SCHEMA[key];
    const v =
      parseValue(key, kind, env[name], `environment ${name}`) ??
      parseValue(key, kind, fromFile[key], file) ??
      parseValue(key, kind, def, 'defaults');
    out[key] = v;
  }
  return out as unknown as SpineConfig;
}
