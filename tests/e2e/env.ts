/**
 * Test environment for the browser tests: a private Orthanc (temp dir, free port), one real lumbar
 * case imported as DICOM, the gateway on port 0 serving OHIF + our freshly built plugins, and a
 * Debian Chromium (playwright-core) with a fresh profile.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { buildPlugins, pluginsDir } from '../../scripts/build';
import { createGateway } from '../../scripts/gateway';
import { readNiftiVolume } from '../../scripts/lib/nifti';
import { mrSeriesToPart10, SEQUENCES } from '../../scripts/lib/dicom-mr';
import { deterministicUid } from '../../scripts/lib/uids';
import { findFreePort, orthancInstalled, startOrthanc, type RunningOrthanc } from '../../scripts/orthanc';

export const repoRoot = resolve(__dirname, '../..');
export const sharedData = resolve(repoRoot, '../shared/data');
export const CHROMIUM = '/usr/bin/chromium';
export const artifactsDir = join(repoRoot, 'tests', 'artifacts');

/** Why the browser tests cannot run here, or undefined when they can. */
export function e2eSkipReason(): string | undefined {
  if (!existsSync(sharedData)) return `${sharedData} is absent (real data is not part of a fresh clone)`;
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (apt-get install chromium)`;
  const o = orthancInstalled();
  if (!o.ok) return `Orthanc is missing (${o.missing.join(', ')})`;
  if (!existsSync(join(repoRoot, '.data', 'ohif', 'index.html'))) return 'the OHIF viewer is not unpacked (.data/ohif); run npm install';
  return undefined;
}

export interface ImportedStudy {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  slices: number;
}

/**
 * Imports one real NIfTI case of ../shared/data/segmentation as a sagittal MR series (geometry and
 * DICOM writing by scripts/lib: nifti.ts + dicom-mr.ts), through Orthanc's REST API.
 */
export async function importCase(orthanc: RunningOrthanc, kase: string, sequence: keyof typeof SEQUENCES, label: string): Promise<ImportedStudy> {
  const v = readNiftiVolume(join(sharedData, 'segmentation', `${kase}_image.nii.gz`));
  const studyInstanceUid = deterministicUid(`e2e-study:${kase}`);
  const seriesInstanceUid = deterministicUid(`e2e-series:${kase}:${sequence}`);
  const files = mrSeriesToPart10(v, {
    patientName: `E2E^${kase}`,
    patientId: `e2e-${kase}`,
    studyInstanceUid,
    studyDescription: 'Lumbar spine MRI (e2e)',
    studyId: '1',
    seriesInstanceUid,
    seriesNumber: 2,
    seriesDescription: label,
    frameOfReferenceUid: deterministicUid(`e2e-for:${kase}`),
    sopInstanceUid: (k) => deterministicUid(`e2e-sop:${kase}:${sequence}:${k}`),
    sequence: SEQUENCES[sequence],
    comments: `e2e test import of ${kase}`,
  });
  for (const f of files) {
    const r = await fetch(`${orthanc.url}/instances`, {
      method: 'POST',
      headers: { Authorization: orthanc.authorization, 'Content-Type': 'application/dicom' },
      body: Buffer.from(f),
    });
    if (!r.ok) throw new Error(`Orthanc refused instance of ${kase}: HTTP ${r.status} ${await r.text()}`);
  }
  return { studyInstanceUid, seriesInstanceUid, slices: files.length };
}

export interface ViewerEnv {
  baseUrl: string;
  orthanc: RunningOrthanc;
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far. */
  errors: string[];
  close(): Promise<void>;
}

export async function startViewerEnv(modelDir = join(repoRoot, 'models')): Promise<ViewerEnv> {
  await buildPlugins();
  const tmp = mkdtempSync(join(tmpdir(), 'spine-e2e-'));
  const orthanc = await startOrthanc({ dataDir: join(tmp, 'orthanc'), httpPort: await findFreePort(), user: 'e2e', password: 'e2e-secret' });
  const app = createGateway({
    ohifDir: join(repoRoot, '.data', 'ohif'),
    pluginsDir,
    modelDir,
    dicomwebUpstream: orthanc.dicomwebUrl,
    authorization: orthanc.authorization,
  });
  const server: Server = await new Promise((r) => {
    const s = app.listen(0, '127.0.0.1', () => r(s));
  });
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const context = await chromium.launchPersistentContext(join(tmp, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1600, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text().slice(0, 500)}`);
  });
  return {
    baseUrl,
    orthanc,
    context,
    page,
    errors,
    async close() {
      await context.close().catch(() => undefined);
      await new Promise((r) => server.close(() => r(undefined)));
      await orthanc.stop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Fraction of pixels brighter than 20/255 and the grey-level standard deviation of a PNG. */
export function pngStats(png: Buffer): { brightFraction: number; std: number } {
  const img = PNG.sync.read(png);
  let bright = 0;
  let sum = 0;
  let sum2 = 0;
  const n = img.width * img.height;
  for (let i = 0; i < n; i++) {
    const g = (img.data[4 * i] + img.data[4 * i + 1] + img.data[4 * i + 2]) / 3;
    if (g > 20) bright++;
    sum += g;
    sum2 += g * g;
  }
  const mean = sum / n;
  return { brightFraction: bright / n, std: Math.sqrt(Math.max(0, sum2 / n - mean * mean)) };
}

/** Dismisses OHIF's "investigational use" banner if shown (it covers the lower part of the viewer). */
export async function dismissBanner(page: Page): Promise<void> {
  const b = page.getByRole('button', { name: 'Confirm and hide' });
  if (await b.isVisible().catch(() => false)) await b.click();
}
