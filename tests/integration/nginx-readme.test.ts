/**
 * The nginx server block documented in README.md ("nginx equivalent of the gateway") works as
 * written: run by Debian nginx in front of a real Orthanc, it serves OHIF with the import map,
 * proxies /dicom-web with the injected credentials, sets COOP/COEP/CORP and the MIME types.
 * Skips with a message when nginx or Orthanc is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { injectImportMap, ohifAppConfig } from '../../scripts/gateway';
import { findFreePort, orthancInstalled, startOrthanc, type RunningOrthanc } from '../../scripts/orthanc';
import { storeInstances } from '../../scripts/import';
import { mrSeriesToPart10, SEQUENCES } from '../../scripts/lib/dicom-mr';
import { deterministicUid } from '../../scripts/lib/uids';

/** A synthetic 8×6×2 MR series (no research data needed) with StudyDescription 'nginx test study'. */
function syntheticSeries(): ArrayBuffer[] {
  const uid = (k: string) => deterministicUid(`test:nginx:${k}`);
  const voxels = new Float32Array(8 * 6 * 2).map((_, i) => i);
  return mrSeriesToPart10(
    { voxels, dims: [8, 6, 2], spacingMm: [1, 1, 3], originLps: [0, 0, 0], rowDirection: [0, 1, 0], columnDirection: [0, 0, -1], sliceDirection: [-1, 0, 0], studyInstanceUid: uid('study'), seriesInstanceUid: uid('series'), frameOfReferenceUid: uid('for'), sopInstanceUids: [uid('0'), uid('1')] },
    { patientName: 'Test^Nginx', patientId: 'nginx-1', studyInstanceUid: uid('study'), studyDescription: 'nginx test study', studyId: '1', seriesInstanceUid: uid('series'), seriesNumber: 1, seriesDescription: 'SAG T2', frameOfReferenceUid: uid('for'), sopInstanceUid: (k) => uid(String(k)), sequence: SEQUENCES.t2Tse, comments: 'synthetic test data' },
  );
}

const NGINX = '/usr/sbin/nginx';
const root = resolve(__dirname, '../..');
const ok = existsSync(NGINX) && orthancInstalled().ok && existsSync(join(root, '.data/ohif/index.html'));
if (!ok) console.warn('nginx-readme skipped: needs Debian nginx (apt-get install nginx-light), Orthanc and the unpacked OHIF (.data/ohif)');
const d = ok ? describe : describe.skip;

/** The first ```nginx fenced block of README.md. */
function readmeServerBlock(): string {
  const m = readFileSync(join(root, 'README.md'), 'utf8').match(/```nginx\n([\s\S]*?)```/);
  if (!m) throw new Error('README.md has no ```nginx block');
  return m[1];
}

d('README nginx server block', () => {
  let tmp: string;
  let orthanc: RunningOrthanc;
  let nginx: ChildProcess;
  let base: string;
  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'h1-nginx-'));
    orthanc = await startOrthanc({ dataDir: join(tmp, 'orthanc'), httpPort: await findFreePort(), user: 'nx', password: 'pw-' + Date.now() });
    await storeInstances({ url: orthanc.dicomwebUrl, authorization: orthanc.authorization }, syntheticSeries(), 'synthetic series');
    // /srv/ohif: OHIF dist (symlinked) with the two edited files.
    const ohif = join(tmp, 'ohif');
    spawnSync('cp', ['-rs', join(root, '.data/ohif'), ohif]);
    rmSync(join(ohif, 'index.html'));
    rmSync(join(ohif, 'app-config.js'));
    writeFileSync(join(ohif, 'index.html'), injectImportMap(readFileSync(join(root, '.data/ohif/index.html'), 'utf8')));
    writeFileSync(join(ohif, 'app-config.js'), `window.config = ${JSON.stringify(ohifAppConfig({}))};`);
    // /srv/spine-mri: built plugins, models, onnxruntime-web.
    const spine = join(tmp, 'spine');
    mkdirSync(join(spine, 'dist/plugins'), { recursive: true });
    mkdirSync(join(spine, 'models'), { recursive: true });
    mkdirSync(join(spine, 'node_modules'), { recursive: true });
    writeFileSync(join(spine, 'dist/plugins/extension.mjs'), 'export default {};\n');
    writeFileSync(join(spine, 'models/manifest.json'), '{"models":[]}\n');
    symlinkSync(join(root, 'node_modules/onnxruntime-web'), join(spine, 'node_modules/onnxruntime-web'));

    const port = await findFreePort();
    const upstreamPort = new URL(orthanc.url).port;
    const server = readmeServerBlock()
      .replace('listen 80;', `listen 127.0.0.1:${port};`)
      .replaceAll('/srv/ohif', ohif)
      .replaceAll('/srv/spine-mri', spine)
      .replace('127.0.0.1:8043', `127.0.0.1:${upstreamPort}`)
      .replace('Basic BASE64_OF_USER_COLON_PASSWORD', orthanc.authorization);
    const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${join(tmp, t)};`).join(' ');
    const conf = `${process.getuid?.() === 0 ? 'user root;' : ''} daemon off; worker_processes 1; pid ${join(tmp, 'nginx.pid')}; error_log ${join(tmp, 'error.log')};
events {}
http { include /etc/nginx/mime.types; access_log off; ${temp}
${server}
}`;
    writeFileSync(join(tmp, 'nginx.conf'), conf);
    const t = spawnSync(NGINX, ['-t', '-p', tmp, '-c', join(tmp, 'nginx.conf')], { encoding: 'utf8' });
    if (t.status !== 0) throw new Error(`nginx -t rejected the README block:\n${t.stderr}`);
    nginx = spawn(NGINX, ['-p', tmp, '-c', join(tmp, 'nginx.conf')], { stdio: 'ignore' });
    base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 50; i++) {
      try {
        await fetch(base + '/');
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    throw new Error(`nginx did not start; ${readFileSync(join(tmp, 'error.log'), 'utf8')}`);
  });
  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx.once('exit', r));
      nginx.kill('SIGTERM');
      await exited;
    }
    await orthanc?.stop();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('serves OHIF with the import map and the cross-origin isolation headers; SPA routes fall back to index.html', async () => {
    const r = await fetch(`${base}/`);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('<script type="importmap">');
    expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(r.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(await (await fetch(`${base}/ohif-spine-mri-mode?StudyInstanceUIDs=1`)).text()).toContain('importmap');
  });

  it('proxies /dicom-web to Orthanc with the configured credentials', async () => {
    expect((await fetch(`${orthanc.dicomwebUrl}/studies`)).status).toBe(401);
    const r = await fetch(`${base}/dicom-web/studies`);
    expect(r.status).toBe(200);
    expect(Array.isArray(await r.json())).toBe(true);
    expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('passes OHIF\'s percent-encoded includefield list so the study list gets StudyDescription', async () => {
    const r = await fetch(`${base}/dicom-web/studies?limit=101&offset=0&fuzzymatching=false&includefield=00081030%2C00080060%2C00080090%2C00100030`);
    const studies = (await r.json()) as Record<string, { Value?: unknown[] }>[];
    expect(studies).toHaveLength(1);
    expect(studies[0]['00081030']?.Value?.[0]).toBe('nginx test study');
  });

  it('serves .mjs as text/javascript and .wasm as application/wasm', async () => {
    expect((await fetch(`${base}/plugins/extension.mjs`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await fetch(`${base}/ort/ort.wasm.min.mjs`)).headers.get('content-type')).toMatch(/^text\/javascript/);
    const w = await fetch(`${base}/ort/ort-wasm-simd-threaded.wasm`);
    expect(w.status).toBe(200);
    expect(w.headers.get('content-type')).toBe('application/wasm');
    expect((await fetch(`${base}/models/manifest.json`)).headers.get('content-type')).toMatch(/^application\/json/);
  });
});
