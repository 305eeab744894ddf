/**
 * Real Orthanc (Debian orthanc + orthanc-dicomweb) on a free port in a temp dir:
 *   - import of one real NIfTI case over STOW-RS, found with QIDO-RS, a frame retrieved with WADO-RS
 *     equals the source pixels; importing again adds nothing (deterministic UIDs);
 *   - the gateway on port 0: /dicom-web works without credentials from the client, COOP/COEP/CORP
 *     headers everywhere, index.html carries the import map, app-config.js our extension and mode;
 *   - the gateway's GET /health: 200 when all is there, 503 naming each failing part.
 * Skips with a message when Orthanc is not installed; the import part also when ../shared/data is absent.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createGateway, EXTENSION_ID, MODE_ID } from '../../scripts/gateway';
import { importPaths } from '../../scripts/import';
import { dicomwebClient } from '../../scripts/lib/dicomweb';
import { readNiftiFile } from '../../scripts/lib/nifti';
import { findDicomFiles } from '../../scripts/lib/sources';
import { findFreePort, orthancInstalled, startOrthanc, type RunningOrthanc } from '../../scripts/orthanc';

const data = resolve(__dirname, '../../../shared/data');
const hasOrthanc = orthancInstalled().ok;
const hasData = existsSync(data);
const hasDcmmkdir = spawnSync('which', ['dcmmkdir']).status === 0; // DCMTK (.ci/run installs it)
if (!hasOrthanc) console.warn(`orthanc-import skipped: ${orthancInstalled().missing.join(', ')} missing (apt-get install orthanc orthanc-dicomweb)`);
else if (!hasData) console.warn(`orthanc-import: import part skipped, ${data} is absent (real research data is not in the repository)`);
const o = hasOrthanc ? describe : describe.skip;
const withData = hasOrthanc && hasData ? describe : describe.skip;

let orthanc: RunningOrthanc;
let tmp: string;
beforeAll(async () => {
  if (!hasOrthanc) return;
  tmp = mkdtempSync(join(tmpdir(), 'h1-orthanc-'));
  orthanc = await startOrthanc({ dataDir: join(tmp, 'orthanc'), httpPort: await findFreePort(), user: 'tester', password: 'secret-' + Date.now() });
});
afterAll(async () => {
  await orthanc?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const target = () => ({ url: orthanc.dicomwebUrl, authorization: orthanc.authorization });

withData('import of a real NIfTI case (ivd_11, T2, uint16) into Orthanc', () => {
  const file = join(data, 'segmentation', 'ivd_11_image.nii.gz');
  it('stores it with STOW-RS, QIDO-RS finds it, WADO-RS returns the source pixels', async () => {
    const logs: string[] = [];
    const r = await importPaths([file], target(), { log: (s) => logs.push(s) });
    expect(r).toMatchObject({ series: 1, instances: 59 });
    expect(logs[0]).toMatch(/stored ivd_11_image\.nii\.gz → "SAG T2 SE — ivd_11/);

    const client = dicomwebClient(target());
    const studies = await client.searchForStudies({ queryParams: { PatientID: 'fcs-ivd_11' } });
    expect(studies).toHaveLength(1);
    expect(studies[0]['0020000D'].Value[0]).toBe(r.studyInstanceUids[0]);
    const series = await client.searchForSeries({ studyInstanceUID: r.studyInstanceUids[0] });
    expect(series).toHaveLength(1);
    expect(series[0]['0008103E'].Value[0]).toContain('Menezes-Reis');
    const seriesUid = series[0]['0020000E'].Value[0];
    const instances = await client.searchForInstances({ studyInstanceUID: r.studyInstanceUids[0], seriesInstanceUID: seriesUid, queryParams: { InstanceNumber: '30' } });
    expect(instances).toHaveLength(1);
    const sop = instances[0]['00080018'].Value[0];

    const frames = (await client.retrieveInstanceFrames({ studyInstanceUID: r.studyInstanceUids[0], seriesInstanceUID: seriesUid, sopInstanceUID: sop, frameNumbers: '1', request: {} })) as ArrayBuffer[];
    const nii = readNiftiFile(file);
    const [n0, n1] = nii.shape;
    const px = new Uint16Array(frames[0].slice(0, n0 * n1 * 2));
    expect(px.length).toBe(n0 * n1);
    const k = 29; // InstanceNumber 30
    let diff = 0;
    let max = 0;
    for (let a0 = 0; a0 < n0; a0++) {
      for (let a1 = 0; a1 < n1; a1++) {
        const v = nii.values[a0 + a1 * n0 + k * n0 * n1];
        if (px[a0 * n1 + a1] !== v) diff++;
        if (v > max) max = v;
      }
    }
    expect(diff).toBe(0);
    expect(max).toBeGreaterThan(255); // raw uint16 intensities survived
  });

  it('QIDO through the gateway honours includefield as OHIF sends it (comma percent-encoded)', async () => {
    const app = createGateway({ ohifDir: resolve(__dirname, '../../.data/ohif'), pluginsDir: tmp, dicomwebUpstream: orthanc.dicomwebUrl, authorization: orthanc.authorization });
    const s = app.listen(0, '127.0.0.1');
    await new Promise((r) => s.once('listening', r));
    const addr = s.address();
    const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/dicom-web/studies?PatientID=fcs-ivd_11&includefield=00081030%2C00080060`;
    const studies = (await (await fetch(url)).json()) as Record<string, { Value?: string[] }>[];
    s.closeAllConnections();
    await new Promise((res) => s.close(res));
    expect(studies).toHaveLength(1);
    expect(studies[0]['00081030']?.Value?.[0]).toBe('Spine MRI sample ivd_11'); // StudyDescription for OHIF's study list
  });

  it('importing the same file again stores no duplicates', async () => {
    await importPaths([file], target(), { log: () => undefined });
    const client = dicomwebClient(target());
    const studies = await client.searchForStudies({ queryParams: { PatientID: 'fcs-ivd_11' } });
    expect(studies).toHaveLength(1);
    expect(studies[0]['00201208'].Value[0]).toBe(59); // NumberOfStudyRelatedInstances
  });

  (hasDcmmkdir ? it : it.skip)('imports a CD/USB export (DICOM files + DICOMDIR) without sending the DICOMDIR, which Orthanc refuses', async () => {
    const cd = join(tmp, 'cd');
    const { studyInstanceUids } = await importPaths([file], undefined, { outDir: join(tmp, 'cd-source'), log: () => undefined });
    mkdirSync(join(cd, 'DICOM'), { recursive: true });
    findDicomFiles(join(tmp, 'cd-source')).forEach((f, k) => copyFileSync(f, join(cd, 'DICOM', `IM${String(k).padStart(4, '0')}`)));
    // +I: the research files have no StudyDate, which a DICOMDIR record needs.
    const made = spawnSync('dcmmkdir', ['+r', '+I', '-Pgp', 'DICOM'], { cwd: cd, encoding: 'utf8' });
    expect(made.status).toBe(0);
    expect(existsSync(join(cd, 'DICOMDIR'))).toBe(true);
    const r = await importPaths([cd], target(), { log: () => undefined });
    // Read in two batches of 50 files: still one series of one study (the summary counted batches as series).
    expect(r).toEqual({ series: 1, instances: 59, studyInstanceUids: studyInstanceUids });
  });
});

o('gateway (express + http-proxy-middleware) in front of Orthanc', () => {
  let server: Server;
  let base: string;
  const pluginsDir = () => join(tmp, 'plugins');
  beforeAll(async () => {
    mkdirSync(pluginsDir(), { recursive: true });
    writeFileSync(join(pluginsDir(), 'extension.mjs'), 'export default { id: "x" };\n');
    const app = createGateway({ ohifDir: resolve(__dirname, '../../.data/ohif'), pluginsDir: pluginsDir(), dicomwebUpstream: orthanc.dicomwebUrl, authorization: orthanc.authorization });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it('proxies /dicom-web with server-side credentials (client sends none, or a wrong one)', async () => {
    const direct = await fetch(`${orthanc.dicomwebUrl}/studies`);
    expect(direct.status).toBe(401); // Orthanc itself requires authentication
    const r = await fetch(`${base}/dicom-web/studies`, { headers: { Accept: 'application/dicom+json' } });
    expect(r.status).toBe(200);
    expect(Array.isArray(await r.json())).toBe(true);
    const wrong = await fetch(`${base}/dicom-web/studies`, { headers: { Authorization: 'Basic d3Jvbmc6d3Jvbmc=' } });
    expect(wrong.status).toBe(200);
    for (const h of ['cross-origin-opener-policy', 'cross-origin-embedder-policy']) expect(r.headers.get(h)).toBeTruthy();
    expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('serves index.html with the import map and the isolation headers, and SPA routes', async () => {
    const r = await fetch(`${base}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(r.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    const html = await r.text();
    expect(html).toContain(`<script type="importmap">{"imports":{"${EXTENSION_ID}":"/plugins/extension.mjs","${MODE_ID}":"/plugins/mode.mjs"}}</script>`);
    expect(html.indexOf('importmap')).toBeLessThan(html.indexOf('<script>'));
    const spa = await fetch(`${base}/${MODE_ID}?StudyInstanceUIDs=1.2.3`);
    expect(await spa.text()).toContain('importmap');
    expect((await fetch(`${base}/no-such-file.js`)).status).toBe(404);
  });

  it('generates app-config.js with our extension, mode and same-origin DICOMweb data source', async () => {
    const js = await (await fetch(`${base}/app-config.js`)).text();
    const window: { config?: Record<string, any> } = {};
    new Function('window', js)(window);
    expect(window.config?.extensions).toEqual([EXTENSION_ID]);
    expect(window.config?.modes).toEqual([MODE_ID]);
    const ds = window.config?.dataSources[0].configuration;
    expect([ds.qidoRoot, ds.wadoRoot, ds.staticWado]).toEqual(['/dicom-web', '/dicom-web', false]);
    expect(window.config?.spineMri.modelBaseUrl).toBe('/models/');
  });

  it('serves plugins as text/javascript and onnxruntime-web wasm as application/wasm', async () => {
    const p = await fetch(`${base}/plugins/extension.mjs`);
    expect(p.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await p.text()).toContain('export default');
    const w = await fetch(`${base}/ort/ort-wasm-simd-threaded.wasm`);
    expect(w.status).toBe(200);
    expect(w.headers.get('content-type')).toBe('application/wasm');
    expect(w.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });

  it('never forwards a login prompt: without configured credentials the 401 of Orthanc has no WWW-Authenticate', async () => {
    const app = createGateway({ ohifDir: resolve(__dirname, '../../.data/ohif'), pluginsDir: pluginsDir(), dicomwebUpstream: orthanc.dicomwebUrl });
    const s = app.listen(0, '127.0.0.1');
    await new Promise((r) => s.once('listening', r));
    const addr = s.address();
    const r = await fetch(`http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/dicom-web/studies`, { headers: { Authorization: orthanc.authorization } });
    expect(r.status).toBe(401); // the browser's own Authorization header is stripped, not passed on
    expect(r.headers.get('www-authenticate')).toBeNull();
    s.closeAllConnections();
    await new Promise((res) => s.close(res));
  });

  it('answers 502 with a clear message when the DICOMweb server is down', async () => {
    const app = createGateway({ ohifDir: resolve(__dirname, '../../.data/ohif'), pluginsDir: pluginsDir(), dicomwebUpstream: `http://127.0.0.1:${await findFreePort()}/dicom-web` });
    const s = app.listen(0, '127.0.0.1');
    await new Promise((r) => s.once('listening', r));
    const addr = s.address();
    const r = await fetch(`http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/dicom-web/studies`);
    expect(r.status).toBe(502);
    expect((await r.json()).error).toMatch(/unreachable/);
    s.closeAllConnections();
    await new Promise((res) => s.close(res));
  });
});

o('gateway GET /health (for monitoring)', () => {
  /** Starts a gateway with these options, fetches /health, stops it. */
  async function health(opts: Partial<Parameters<typeof createGateway>[0]>): Promise<{ status: number; body: { status: string; checks: { name: string; ok: boolean; detail: string }[] } }> {
    const app = createGateway({ ohifDir: resolve(__dirname, '../../.data/ohif'), pluginsDir: join(tmp, 'no-plugins'), dicomwebUpstream: orthanc.dicomwebUrl, authorization: orthanc.authorization, ...opts });
    const s = app.listen(0, '127.0.0.1');
    await new Promise((r) => s.once('listening', r));
    const addr = s.address();
    try {
      const r = await fetch(`http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/health`);
      return { status: r.status, body: await r.json() };
    } finally {
      s.closeAllConnections();
      await new Promise((res) => s.close(res));
    }
  }
  const detail = (b: { checks: { name: string; detail: string }[] }, name: string) => b.checks.find((c) => c.name === name)?.detail ?? '';
  const plugins = () => {
    const dir = join(tmp, 'health-plugins');
    mkdirSync(dir, { recursive: true });
    for (const f of ['extension.mjs', 'mode.mjs', 'analysis-worker.mjs']) writeFileSync(join(dir, f), '// test\n');
    return dir;
  };

  it('answers 200 when the DICOMweb server, the plugins, the models (sha256) and onnxruntime-web are all there', async () => {
    const r = await health({ pluginsDir: plugins(), modelDir: resolve(__dirname, '../../models') });
    expect(r.body.checks.map((c) => `${c.name} ${c.ok}`)).toEqual(['dicomweb true', 'plugins true', 'models true', 'onnxruntime-web true']);
    expect(r.status).toBe(200);
    expect(detail(r.body, 'models')).toMatch(/spine-sag-unet-v1\.onnx, pfirrmann-cnn-v1\.onnx match manifest\.json/);
  });

  it('answers 503 naming what fails: PACS down or refusing the credentials, bundles missing, a model that fails its checksum', async () => {
    const models = join(tmp, 'health-models');
    mkdirSync(models, { recursive: true });
    const manifest = JSON.parse(readFileSync(resolve(__dirname, '../../models/manifest.json'), 'utf8'));
    writeFileSync(join(models, 'manifest.json'), JSON.stringify(manifest));
    writeFileSync(join(models, manifest.file), readFileSync(resolve(__dirname, '../../models', manifest.file)));
    writeFileSync(join(models, manifest.pfirrmann.file), 'not the classifier');
    const down = await health({ dicomwebUpstream: `http://127.0.0.1:${await findFreePort()}/dicom-web`, modelDir: models });
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('failing');
    expect(detail(down.body, 'dicomweb')).toMatch(/is unreachable/);
    expect(detail(down.body, 'plugins')).toMatch(/missing in .*: extension\.mjs, mode\.mjs, analysis-worker\.mjs \(run npm run build\)/);
    expect(detail(down.body, 'models')).toBe(`${manifest.pfirrmann.file} does not match its sha256 in manifest.json (the browser refuses it)`);
    const refused = await health({ pluginsDir: plugins(), authorization: 'Basic d3Jvbmc6d3Jvbmc=' });
    expect(refused.status).toBe(503);
    expect(detail(refused.body, 'dicomweb')).toMatch(/answered HTTP 401: the credentials were refused/);
    expect(refused.body.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['dicomweb']);
  });
});

withData('import when the PACS is down', () => {
  it('fails with a message that names the server', async () => {
    const url = `http://127.0.0.1:${await findFreePort()}/dicom-web`;
    const png = join(data, 'spider_midsagittal', '1_t2.png');
    await expect(importPaths([png], { url }, { log: () => undefined })).rejects.toThrow(new RegExp(`${url.replace(/[.]/g, '\\.')} is unreachable`));
  });
});
