/**
 * `npm start`: everything a PACS admin needs to try the Spine MRI viewer on one machine.
 *   1. checks the Debian packages orthanc + orthanc-dicomweb (installs them with apt-get when run
 *      as root; otherwise prints the exact command and stops);
 *   2. builds the extension and mode (`npm run build`);
 *   3. starts a private Orthanc on 127.0.0.1:<orthancPort> with DICOMweb and authentication, storage
 *      in <dataDir>/orthanc/ (kept between starts) — unless SPINE_ORTHANC_URL names an existing server;
 *   4. starts the gateway (scripts/gateway.ts) on <gatewayHost>:<gatewayPort>;
 *   5. imports sample studies from <sampleDataDir> when present (only studies not yet stored);
 *   6. prints the URL. Ctrl-C / SIGTERM stops the gateway and Orthanc.
 * Configuration: spine-mri.config.json + SPINE_* environment variables (scripts/config.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { join, relative } from 'node:path';
import { loadConfig, repoRoot, type SpineConfig } from './config';
import { createGateway } from './gateway';
import { importPaths } from './import';
import { dicomwebClient, explainDicomwebError, type DicomwebTarget } from './lib/dicomweb';
import { niftiCaseUids } from './lib/sources';
import { deterministicUid } from './lib/uids';
import { basicAuth, loadOrCreateCredentials, orthancInstalled, startOrthanc, type RunningOrthanc } from './orthanc';

const APT_PACKAGES = ['orthanc', 'orthanc-dicomweb'];
/** Sample NIfTI cases: T1 FFE (vb3), T2 TSE (vb2), T2 discs (ivd). */
export const SAMPLE_NIFTI_CASES = ['vb3_05', 'vb2_02', 'ivd_11'];
/** Number of SPIDER patients (with both t1 and t2) imported as samples. */
export const SAMPLE_SPIDER_PATIENTS = 3;

/** A path for messages: relative when inside the repository, else absolute. */
function shown(p: string): string {
  const r = relative(repoRoot, p);
  return r && !r.startsWith('..') ? r : p;
}

function fail(message: string): never {
  console.error(`\n✖ ${message}\n`);
  process.exit(1);
}

function ensureOrthancPackages(): void {
  const inst = orthancInstalled();
  if (inst.ok) return;
  const cmd = `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y ${APT_PACKAGES.join(' ')}`;
  if (process.getuid?.() !== 0) {
    fail(`Orthanc is not installed (missing ${inst.missing.join(', ')}). Install the Debian packages, then run npm start again:\n\n    sudo sh -c '${cmd}'\n\n(A system Orthanc service that the package may start is not used: npm start runs its own on port 8043.)`);
  }
  console.log(`Installing ${APT_PACKAGES.join(', ')} with apt-get…`);
  const r = spawnSync('sh', ['-c', cmd], { stdio: 'inherit' });
  if (r.status !== 0 || !orthancInstalled().ok) fail(`apt-get failed (exit ${r.status}). Run by hand: ${cmd}`);
}

function buildPlugins(): void {
  if (!existsSync(join(repoRoot, 'scripts', 'build.ts'))) {
    console.warn('⚠ scripts/build.ts not found: the extension/mode bundles are not built; the viewer will run without them.');
    return;
  }
  console.log('Building the extension and mode (npm run build)…');
  const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) fail(`npm run build failed (exit ${r.status}); fix the errors above and run npm start again.`);
}

function ensureOhif(cfg: SpineConfig): void {
  if (existsSync(join(cfg.ohifDir, 'index.html'))) return;
  console.log('OHIF viewer not unpacked yet; fetching it (scripts/fetch-ohif.ts)…');
  const r = spawnSync('npx', ['tsx', join(repoRoot, 'scripts', 'fetch-ohif.ts')], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(join(cfg.ohifDir, 'index.html'))) fail(`The OHIF viewer is missing at ${cfg.ohifDir}; run npm install (its postinstall unpacks @ohif/app).`);
}

/** Paths of the sample sources under `dataDir` that exist, with the StudyInstanceUID each gets. */
export function sampleSources(dataDir: string): { path: string; studyInstanceUid: string; axialReformat?: boolean }[] {
  const out: { path: string; studyInstanceUid: string; axialReformat?: boolean }[] = [];
  for (const c of SAMPLE_NIFTI_CASES) {
    const p = join(dataDir, 'segmentation', `${c}_image.nii.gz`);
    // T2 volumes also get an axial reformat, so the axial dural sac area can be seen on sample data.
    if (existsSync(p)) out.push({ path: p, studyInstanceUid: niftiCaseUids(c, 0).studyInstanceUid, axialReformat: !c.startsWith('vb3') || undefined });
  }
  const spider = join(dataDir, 'spider_midsagittal');
  if (existsSync(join(spider, 'series.csv'))) {
    const files = new Set(readdirSync(spider));
    const patients = [...new Set([...files].map((f) => f.match(/^(\d+)_t1\.png$/)?.[1]).filter((p): p is string => !!p && files.has(`${p}_t2.png`)))];
    patients.sort((a, b) => Number(a) - Number(b));
    for (const p of patients.slice(0, SAMPLE_SPIDER_PATIENTS)) {
      for (const seq of ['t2', 't1']) out.push({ path: join(spider, `${p}_${seq}.png`), studyInstanceUid: deterministicUid(`spider:${p}:study`) });
    }
  }
  return out;
}

/** Imports the sample sources whose study is not yet in the PACS. Returns the number of series stored. */
async function importSamples(cfg: SpineConfig, target: DicomwebTarget): Promise<number> {
  if (!cfg.importSamples) return 0;
  if (!existsSync(cfg.sampleDataDir)) {
    console.log(`No sample data at ${cfg.sampleDataDir}. To add your own studies (NIfTI, SPIDER PNG or DICOM folders):\n    npm run import -- <path>…`);
    return 0;
  }
  const samples = sampleSources(cfg.sampleDataDir);
  const client = dicomwebClient(target);
  const missing: typeof samples = [];
  const present = new Map<string, boolean>();
  for (const s of samples) {
    if (!present.has(s.studyInstanceUid)) {
      try {
        const found = await client.searchForStudies({ queryParams: { StudyInstanceUID: s.studyInstanceUid } });
        present.set(s.studyInstanceUid, Array.isArray(found) && found.length > 0);
      } catch (e) {
        throw explainDicomwebError(e, target, 'Checking sample studies');
      }
    }
    if (!present.get(s.studyInstanceUid)) missing.push(s);
  }
  if (!missing.length) {
    console.log(`Sample studies already stored (${samples.length} series from ${shown(cfg.sampleDataDir)}).`);
    return 0;
  }
  console.log(`Importing ${missing.length} sample sources from ${cfg.sampleDataDir}…`);
  let series = 0;
  for (const axialReformat of [false, true]) {
    const paths = missing.filter((s) => !!s.axialReformat === axialReformat).map((s) => s.path);
    if (paths.length) series += (await importPaths(paths, target, { log: (s) => console.log('  ' + s), axialReformat })).series;
  }
  return series;
}

function listen(app: ReturnType<typeof createGateway>, host: string, port: number): Promise<Server> {
  return new Promise((resolveP, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolveP(server));
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new Error(`Gateway port ${host}:${port} is in use; choose another with SPINE_GATEWAY_PORT=<port> npm start`) : e),
    );
  });
}

async function main(): Promise<void> {
  const cfg = loadConfig();
  if (!cfg.orthancUrl) ensureOrthancPackages();
  buildPlugins();
  ensureOhif(cfg);

  let orthanc: RunningOrthanc | undefined;
  let server: Server | undefined;
  let stopping = false;
  const shutdown = async (signal: string, exitCode = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    if (exitCode === 0) console.log(`\n${signal}: stopping…`);
    server?.closeAllConnections();
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await orthanc?.stop();
    console.log('Stopped the gateway' + (orthanc ? ' and Orthanc.' : '.'));
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  let upstream: DicomwebTarget;
  let credentialsNote: string;
  try {
    if (cfg.orthancUrl) {
      upstream = { url: cfg.orthancUrl + cfg.dicomwebRoot, authorization: cfg.orthancPassword ? basicAuth(cfg.orthancUser, cfg.orthancPassword) : undefined };
      credentialsNote = `Using the existing DICOMweb server ${upstream.url} (SPINE_ORTHANC_URL).`;
    } else {
      const dir = join(cfg.dataDir, 'orthanc');
      const cred = loadOrCreateCredentials(dir, cfg.orthancUser, cfg.orthancPassword);
      console.log(`Starting Orthanc on 127.0.0.1:${cfg.orthancPort} (storage ${shown(dir)})…`);
      try {
        orthanc = await startOrthanc({ dataDir: dir, httpPort: cfg.orthancPort, user: cred.user, password: cred.password, dicomwebRoot: cfg.dicomwebRoot });
      } catch (e) {
        throw new Error(`${(e as Error).message}\nIf port ${cfg.orthancPort} is taken, choose another: SPINE_ORTHANC_PORT=<port> npm start`);
      }
      upstream = { url: orthanc.dicomwebUrl, authorization: orthanc.authorization };
      const log = orthanc.logFile;
      void orthanc.exited.then((code) => {
        if (!stopping) {
          console.error(`\n✖ Orthanc stopped unexpectedly (${code}); see ${log}`);
          void shutdown('Orthanc exit', 1);
        }
      });
      credentialsNote = cfg.orthancPassword
        ? `Orthanc ${orthanc.url} (user "${cred.user}", password from configuration).`
        : `Orthanc ${orthanc.url} — user "${cred.user}", password in ${shown(cred.file)} (mode 0600).`;
    }
    const app = createGateway({
      ohifDir: cfg.ohifDir,
      pluginsDir: cfg.pluginsDir,
      modelDir: cfg.modelDir,
      modelBaseUrl: cfg.modelBaseUrl,
      ortBaseUrl: cfg.ortBaseUrl,
      dicomwebUpstream: upstream.url,
      authorization: upstream.authorization,
    });
    server = await listen(app, cfg.gatewayHost, cfg.gatewayPort);
    await importSamples(cfg, upstream);
  } catch (e) {
    console.error(`\n✖ ${(e as Error).message}\n`);
    await shutdown('error', 1);
    return;
  }
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : cfg.gatewayPort;
  const host = cfg.gatewayHost === '127.0.0.1' || cfg.gatewayHost === '0.0.0.0' ? 'localhost' : cfg.gatewayHost;
  console.log(`\n✔ Spine MRI viewer: http://${host}:${port}/`);
  console.log(`  DICOMweb (same origin, no credentials needed in the browser): http://${host}:${port}/dicom-web`);
  console.log(`  Health check for monitoring (200 ok / 503 with what fails): http://${host}:${port}/health`);
  console.log(`  ${credentialsNote}`);
  console.log('  Import more studies: npm run import -- <path>…    Stop: Ctrl-C\n');
}

void main();
