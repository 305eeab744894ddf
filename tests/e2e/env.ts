/**
 * Test environment for the browser tests: a private Orthanc (temp dir, free port), one real lumbar
 * case imported as DICOM, the gateway on port 0 serving OHIF + our freshly built plugins, and a
 * Debian Chromium (playwright-core) with a fresh profile.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { buildPlugins, pluginsDir } from '../../scripts/build';
import { createGateway } from '../../scripts/gateway';
import { importPaths } from '../../scripts/import';
import { findFreePort, orthancInstalled, startOrthanc, type RunningOrthanc } from '../../scripts/orthanc';
import { writeT1StandIn } from '../helpers/t1-stand-in';
import { findDicomFiles, readPart10 } from '../../scripts/lib/sources';
import { fromPart10, toPart10 } from '../../extension/src/dicom/uids';
import { writeEnhancedMrStandIn } from '../helpers/enhanced-mr-stand-in';

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

/**
 * Imports real research data with the project's importer (scripts/import.ts: NIfTI / SPIDER PNG →
 * DICOM → STOW-RS) into `orthanc`. Paths are relative to ../shared/data.
 * @returns the StudyInstanceUIDs stored.
 */
export async function importData(orthanc: RunningOrthanc, ...relPaths: string[]): Promise<string[]> {
  return importDataWith(orthanc, {}, ...relPaths);
}

/** importData with import options (e.g. an axial reformat beside each NIfTI volume). */
export async function importDataWith(orthanc: RunningOrthanc, opts: { axialReformat?: boolean }, ...relPaths: string[]): Promise<string[]> {
  const summary = await importPaths(
    relPaths.map((p) => join(sharedData, p)),
    { url: orthanc.dicomwebUrl, authorization: orthanc.authorization },
    { log: () => undefined, ...opts },
  );
  if (!summary.studyInstanceUids.length) throw new Error(`import of ${relPaths.join(', ')} stored no study`);
  return summary.studyInstanceUids;
}

/**
 * Imports one volume of ../shared/data after `rewrite` changed its DICOM files (written by the importer to a temporary
 * folder); returns the StudyInstanceUID `rewrite` names (its argument: the study the importer gave).
 */
async function importRewritten(orthanc: RunningOrthanc, relPath: string, rewrite: (dir: string, study: string) => string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'spine-e2e-rewrite-'));
  try {
    const [study] = (await importPaths([join(sharedData, relPath)], undefined, { outDir: dir, log: () => undefined })).studyInstanceUids;
    const stored = rewrite(dir, study);
    await importPaths([dir], { url: orthanc.dicomwebUrl, authorization: orthanc.authorization }, { log: () => undefined });
    return stored;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * importData of one NIfTI volume plus a sagittal T1 stand-in of it in the same study (tests/helpers/t1-stand-in.ts), each
 * of its copies after `t1.change`; a second stand-in in one Orthanc needs a `t1.seriesInstanceUid` of its own (its
 * SOPInstanceUIDs follow from it, and Orthanc keeps the first instance of a UID).
 */
export function importDataWithT1StandIn(orthanc: RunningOrthanc, relPath: string, t1: { seriesInstanceUid?: string; change?: Parameters<typeof writeT1StandIn>[3] } = {}): Promise<string> {
  return importRewritten(orthanc, relPath, (dir, study) => (writeT1StandIn(dir, t1.seriesInstanceUid, 0, t1.change), study));
}

/**
 * One image or volume of ../shared/data stored, then copied by Orthanc into a new study whose images Orthanc (DCMTK)
 * transcoded to `transferSyntax` (POST /studies/{id}/modify with Transcode), as a PACS that keeps images compressed holds
 * them; returns the new study's StudyInstanceUID.
 */
export async function importTranscoded(orthanc: RunningOrthanc, relPath: string, transferSyntax: string): Promise<string> {
  const [source] = await importData(orthanc, relPath);
  return modifiedCopy(orthanc, source, { Transcode: transferSyntax, Force: true }, `transcode ${relPath} to ${transferSyntax}`);
}

/**
 * A copy of a stored study made by Orthanc (POST /studies/{id}/modify: new Study, Series and SOP Instance UIDs, same
 * patient) with `replace` set in every file, e.g. another StudyDate, as a second visit of the patient; returns its
 * StudyInstanceUID.
 */
export function copyStudyWith(orthanc: RunningOrthanc, studyInstanceUid: string, replace: Record<string, string>): Promise<string> {
  return modifiedCopy(orthanc, studyInstanceUid, { Replace: replace }, `copy study ${studyInstanceUid}`);
}

/** Orthanc's POST /studies/{id}/modify of a stored study with `body`; returns the copy's StudyInstanceUID. */
async function modifiedCopy(orthanc: RunningOrthanc, studyInstanceUid: string, body: object, what: string): Promise<string> {
  const auth = { Authorization: orthanc.authorization };
  const [id] = (await (await fetch(`${orthanc.url}/tools/lookup`, { method: 'POST', body: studyInstanceUid, headers: auth })).json()) as { ID: string }[];
  const r = await fetch(`${orthanc.url}/studies/${id.ID}/modify`, { method: 'POST', body: JSON.stringify(body), headers: auth });
  if (!r.ok) throw new Error(`Orthanc could not ${what}: HTTP ${r.status}`);
  const copy = (await r.json()) as { ID: string };
  return ((await (await fetch(`${orthanc.url}/studies/${copy.ID}`, { headers: auth })).json()) as { MainDicomTags: { StudyInstanceUID: string } }).MainDicomTags.StudyInstanceUID;
}

/**
 * One image of ../shared/data stored in a study of its own with PixelSpacing (0028,0030) removed from every file, as
 * some exports and secondary captures arrive; returns its StudyInstanceUID.
 */
export function importWithoutPixelSpacing(orthanc: RunningOrthanc, relPath: string): Promise<string> {
  return importRewritten(orthanc, relPath, (dir) => asStudyOfItsOwn(findDicomFiles(dir), '2.25.20261203000000000000000000000000001', (ds) => { delete ds.PixelSpacing; }));
}

/** Rewrites the Part 10 `files` (one series) as series 1 of `study`, each after `change`; returns `study`. */
function asStudyOfItsOwn(files: string[], study: string, change: (ds: ReturnType<typeof fromPart10>) => void = () => undefined): string {
  for (const [n, f] of files.entries()) {
    const ds = fromPart10(readPart10(f));
    change(ds);
    Object.assign(ds, { StudyInstanceUID: study, SeriesInstanceUID: `${study}.1`, SOPInstanceUID: `${study}.1.${n + 1}` });
    writeFileSync(f, Buffer.from(toPart10(ds)));
  }
  return study;
}

/**
 * One volume of ../shared/data stored in a study of its own without one of its images (the `missing`-th file in name
 * order), as when an image never reached the PACS; returns its StudyInstanceUID.
 */
export function importWithImageMissing(orthanc: RunningOrthanc, relPath: string, missing: number): Promise<string> {
  return importRewritten(orthanc, relPath, (dir) => {
    const files = findDicomFiles(dir).sort();
    rmSync(files[missing]);
    return asStudyOfItsOwn(files.filter((_, n) => n !== missing), '2.25.20261203000000000000000000000000002');
  });
}

/** One NIfTI volume stored as one Enhanced (multi-frame) MR instance, in a study of its own (tests/helpers/enhanced-mr-stand-in.ts); returns its StudyInstanceUID. */
export function importEnhancedMrStandIn(orthanc: RunningOrthanc, relPath: string): Promise<string> {
  return importRewritten(orthanc, relPath, (dir) => writeEnhancedMrStandIn(dir).studyInstanceUid);
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
  const env: ViewerEnv = {
    baseUrl,
    orthanc,
    context,
    page,
    errors,
    async close() {
      await context.close().catch(() => undefined);
      server.closeAllConnections();
      await new Promise((r) => server.close(() => r(undefined)));
      // env.orthanc, not the first one: a test may have restarted Orthanc and replaced it.
      await env.orthanc.stop();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
  return env;
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

/** The slice index n of OHIF's viewport overlay 'I:<InstanceNumber> (n/N)' (first viewport), NaN when none is shown. */
const SLICE_INDEX = /\bI:\s*\d+ \((\d+)\/\d+\)/;
export async function shownSliceIndex(page: Page): Promise<number> {
  return page.evaluate((re) => Number(new RegExp(re).exec(document.body.innerText)?.[1]), SLICE_INDEX.source);
}

/**
 * For "a clicked level moves the viewport": wheel-scrolls the first viewport until its slice index is at least
 * 10 away from where it was, and returns a function that waits until the index changes again (the jump) and
 * returns the new index.
 */
export async function scrollAwayThenWaitForJump(page: Page): Promise<{ before: number; waitForJump: () => Promise<number> }> {
  const before = await shownSliceIndex(page);
  await page.locator('canvas.cornerstone-canvas').first().hover();
  for (let n = 0; n < 20; n++) await page.mouse.wheel(0, 100);
  await page.waitForFunction(([re, from]) => Math.abs(Number(new RegExp(re as string).exec(document.body.innerText)?.[1]) - (from as number)) >= 10, [SLICE_INDEX.source, before], { timeout: 10000 });
  const scrolled = await shownSliceIndex(page);
  return {
    before,
    waitForJump: async () => {
      await page.waitForFunction(([re, from]) => Number(new RegExp(re as string).exec(document.body.innerText)?.[1]) !== from, [SLICE_INDEX.source, scrolled], { timeout: 10000 });
      return shownSliceIndex(page);
    },
  };
}

/**
 * In a levels table (the panel's, or the stored findings'), every not-assessable reason or rule (the cells' titles)
 * that calls a level thoracic or not lumbar names its own row's level: 'row T12/L1 says T11/T12' for each that names
 * another (the levels were renamed and the name-dependent grades not graded again: grade/level-rules.ts).
 */
export function levelReasonsNamingOtherLevels(page: Page, tableSelector: string): Promise<string[]> {
  return page.locator(`${tableSelector} tbody tr`).evaluateAll((rows) => rows.flatMap((tr) => {
    const level = /^[▸▾] (\S+?)†?$/.exec(tr.querySelector('td')?.textContent?.trim() ?? '')?.[1];
    if (!level) return [];
    const titles = [...tr.querySelectorAll('[title]')].map((el) => el.getAttribute('title') ?? '');
    return titles.flatMap((t) => [...t.matchAll(/([CTLS]\d+\/[CTLS]\d+) is (?:a thoracic level|above the lumbar canal|not a lumbar level)/g)].map((m) => m[1]))
      .filter((named) => named !== level).map((named) => `row ${level} says ${named}`);
  }));
}
