/**
 * Browser test of Save to PACS (real Orthanc + gateway + Debian Chromium, real lumbar cases):
 *   1. Analyze → Save to PACS → the SEG and SR series are in the study (QIDO-RS through the gateway) and in
 *      OHIF's study browser at once (the SEG, opened from there, loads back from the PACS; the SR shows its
 *      findings as text, and "Back to the images" puts the T2 back in its viewport);
 *      Save again without changes says "already saved" and stores nothing; reloading the study shows
 *      the findings loaded from the SR (no re-analysis) and OHIF shows the stored SEG.
 *   1b. The reopened findings corrected in place: Discard drops a change; Save stores version 2 (the stored
 *      SEG carried over, an SR of the changed findings); reopened, version 2 shows; a change not saved yet is
 *      offered again after a new analysis.
 *   1c. The reopened levels renamed (one vertebra lower) and saved as version 3: table, SR and the SEG's segment
 *      names (drawn on the image) follow; version 3 reopened is renamed back to the software's names (its note again).
 *   1d. Uncertain stored names ('L4?') confirmed by the reader and saved as version 2 (SPIDER patient 3).
 *   2. Fault path: Orthanc stopped → Save says what failed and offers Retry; Orthanc restarted on the
 *      same storage → Retry stores it; exactly one SEG + one SR.
 *   2b. A browser that refuses to keep anything (IndexedDB writes fail as on a full disk): the panel says what lives in
 *      the page only, the page asks before closing, and Save (with Retry, the PACS down first) still stores.
 *   3. Resume: a save that failed, then a page reload → "Resume unsaved result from <time>" → Retry
 *      stores it; exactly one SEG + one SR.
 *   4. A study analysed and stored by `npm run analyze:pacs` (the CLI, before anyone opens it) opens with the
 *      findings read from its SR and the stored SEG shown.
 *   5. The patient's prior study (an Orthanc copy dated earlier) holds stored findings: a new analysis is compared with
 *      them, level by level; a grade the reader changes shows as differing, in the panel and in the findings text.
 *   6. Changes to stored findings whose study got a newer version since it was opened (here from analyze:pacs --redo):
 *      not stored, the panel says why; "Open version 2" reloads with it and offers the changes, applied and saved as
 *      version 3; after another such version, "Save as version 5 anyway" stores them; a new analysis saved after
 *      another such version is refused the same way, and saved anyway.
 * The model is models/ when a trained model exists there, else the tiny random-weights fixture (its
 * output has segments but no graded levels, which is enough to save SEG + SR).
 * Screenshots: tests/artifacts/save-*.png.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { startOrthanc } from '../../scripts/orthanc';
import { dicomwebClient } from '../../scripts/lib/dicomweb';
import { fromPart10, newUid, toPart10 } from '../../extension/src/dicom/uids';
import { dicomwebStow } from '../../extension/src/store/stow-dicomweb';
import { earlierBuildsBinarySeg } from '../unit/dicom-fixtures';
import { shiftLevelName } from '../../extension/src/panel/readerEdits';
import { artifactsDir, copyStudyWith, dismissBanner, e2eSkipReason, importData, levelReasonsNamingOtherLevels, repoRoot, scrollAwayThenWaitForJump, startViewerEnv, type ViewerEnv } from './env';

const skip = e2eSkipReason();
if (skip) console.warn(`Skipping save e2e: ${skip}`);
const d = skip ? describe.skip : describe;

const modelDir = existsSync(join(repoRoot, 'models', 'manifest.json')) ? join(repoRoot, 'models') : join(repoRoot, 'tests', 'fixtures', 'tiny-random-model');

interface SeriesRow {
  modality: string;
  description: string;
  seriesInstanceUid: string;
}

d('Save to PACS from the Spine MRI panel (Chromium, Orthanc)', () => {
  let env: ViewerEnv;
  let studyA: string;
  let studyB: string;
  let studyC: string;
  const spineLogs: string[] = [];

  /** The study's series as the PACS lists them (QIDO-RS through the gateway, like the browser). */
  async function qidoSeries(studyUid: string): Promise<SeriesRow[]> {
    const r = await fetch(`${env.baseUrl}/dicom-web/studies/${studyUid}/series`, { headers: { Accept: 'application/dicom+json' } });
    if (!r.ok) throw new Error(`QIDO series of ${studyUid}: HTTP ${r.status}`);
    const rows = (await r.json()) as Record<string, { Value?: unknown[] }>[];
    return rows.map((row) => ({ modality: String(row['00080060']?.Value?.[0] ?? ''), description: String(row['0008103E']?.Value?.[0] ?? ''), seriesInstanceUid: String(row['0020000E']?.Value?.[0] ?? '') }));
  }
  /** Deletes the study's (only) SEG series through Orthanc's REST API, as an admin would; returns it as Orthanc listed it. */
  async function deleteSegSeries(studyUid: string): Promise<{ ID: string; MainDicomTags: { SeriesInstanceUID: string } }> {
    const auth = { Authorization: env.orthanc.authorization };
    const [orthancStudy] = (await (await fetch(`${env.orthanc.url}/tools/lookup`, { method: 'POST', body: studyUid, headers: auth })).json()) as { ID: string }[];
    const series = (await (await fetch(`${env.orthanc.url}/studies/${orthancStudy.ID}/series`, { headers: auth })).json()) as { ID: string; MainDicomTags: { Modality: string; SeriesInstanceUID: string } }[];
    const seg = series.find((x) => x.MainDicomTags.Modality === 'SEG')!;
    expect((await fetch(`${env.orthanc.url}/series/${seg.ID}`, { method: 'DELETE', headers: auth })).ok).toBe(true);
    return seg;
  }
  /** Sets the Pfirrmann grade of `level` in the stored findings to V, or IV where it is V; returns the grade set. */
  async function changeStoredGrade(page: Page, level: string): Promise<'IV' | 'V'> {
    await page.locator('[data-testid="spine-stored-results"] [data-testid="spine-levels-table"] tbody tr', { hasText: level }).first().click();
    const grade = page.getByTestId('spine-stored-results').getByTestId('spine-level-detail').getByLabel('Pfirrmann grade');
    const readerGrade = (await grade.inputValue()) === '5' ? 'IV' : 'V';
    await grade.selectOption(readerGrade === 'V' ? '5' : '4');
    await page.getByTestId('spine-stored-edits').waitFor({ timeout: 10000 });
    return readerGrade;
  }
  const ours = (rows: SeriesRow[]) => rows.filter((r) => r.modality === 'SEG' || r.modality === 'SR').map((r) => `${r.modality} ${r.description}`).sort();

  /**
   * `npm run analyze:pacs -- --study UID --store` against the test Orthanc, as a cron job runs it: its stdout and the
   * report.json it wrote (its `--out` folder is removed afterwards).
   */
  async function analyzePacs(studyUid: string, ...extraArgs: string[]): Promise<{ stdout: string; report: { segments: { segmentNumber: number; voxelCount: number }[] } }> {
    const out = mkdtempSync(join(tmpdir(), 'analyze-pacs-e2e-'));
    try {
      const { stdout } = await promisify(execFile)('npx', ['tsx', 'scripts/analyze-pacs.ts', '--url', env.orthanc.dicomwebUrl, '--user', 'e2e', '--password', 'e2e-secret',
        '--study', studyUid, '--store', '--out', out, ...extraArgs], { cwd: repoRoot });
      return { stdout, report: JSON.parse(readFileSync(join(out, studyUid, 'report.json'), 'utf8')) };
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }

  /**
   * Each stored report version of the study ('Spine MRI Report v2'): its SR's SOP Instance UID and the SOP Instance
   * UIDs its Predecessor Documents Sequence (0040,A360) names, from the PACS's WADO-RS metadata.
   */
  async function reportVersions(studyUid: string): Promise<Record<string, { sop: string; predecessors: string[] }>> {
    const out: Record<string, { sop: string; predecessors: string[] }> = {};
    type Json = Record<string, { Value?: any[] }>;
    for (const s of (await qidoSeries(studyUid)).filter((x) => x.modality === 'SR')) {
      const r = await fetch(`${env.baseUrl}/dicom-web/studies/${studyUid}/series/${s.seriesInstanceUid}/metadata`, { headers: { Accept: 'application/dicom+json' } });
      if (!r.ok) throw new Error(`metadata of ${s.description}: HTTP ${r.status}`);
      const [sr] = (await r.json()) as Json[];
      const predecessors = (sr['0040A360']?.Value ?? []).flatMap((study: Json) => (study['00081115']?.Value ?? [])
        .flatMap((series: Json) => (series['00081199']?.Value ?? []).map((sop: Json) => String(sop['00081155']?.Value?.[0]))));
      out[s.description] = { sop: String(sr['00080018']?.Value?.[0]), predecessors };
    }
    return out;
  }

  async function openStudy(page: Page, studyUid: string): Promise<void> {
    await page.goto(`${env.baseUrl}/spine-mri?StudyInstanceUIDs=${studyUid}`);
    await page.getByTestId('spine-analyze').waitFor({ timeout: 60000 });
    await page.waitForFunction(() => !(document.querySelector('[data-testid="spine-analyze"]') as HTMLButtonElement)?.disabled, null, { timeout: 60000 });
    await page.locator('canvas.cornerstone-canvas').first().waitFor({ timeout: 60000 });
    await dismissBanner(page);
  }

  async function analyze(page: Page): Promise<void> {
    await page.getByTestId('spine-analyze').click();
    await page.waitForSelector('[data-testid="spine-results"], [data-testid="spine-error"]', { timeout: 300000 });
    expect(await page.getByTestId('spine-error').count()).toBe(0);
    await page.getByTestId('spine-save').waitFor({ timeout: 10000 });
    expect(await page.getByTestId('spine-save').isEnabled()).toBe(true);
  }

  /**
   * Clicks Save (or Retry) and waits for its outcome line. The previous outcome stays on screen
   * until React re-renders after the click, so it is marked stale first and only a new line counts.
   */
  async function saveOutcome(page: Page, testId: string, outcomeIds: string[]): Promise<string> {
    const sel = outcomeIds.map((id) => `[data-testid="${id}"]:not([data-stale])`).join(', ');
    await page.evaluate((s) => document.querySelectorAll(s).forEach((el) => el.setAttribute('data-stale', '')), sel);
    await page.getByTestId(testId).first().click();
    await page.waitForSelector(sel, { timeout: 120000 });
    return (await page.locator(sel).first().textContent()) ?? '';
  }

  let orthancDown = false;
  async function stopOrthanc(): Promise<void> {
    await env.orthanc.stop();
    orthancDown = true;
  }
  /** Orthanc again on the same storage and port (the gateway keeps pointing at it). */
  async function restartOrthanc(): Promise<void> {
    if (!orthancDown) return;
    const port = Number(new URL(env.orthanc.url).port);
    env.orthanc = await startOrthanc({ dataDir: dirname(env.orthanc.logFile), httpPort: port, user: 'e2e', password: 'e2e-secret' });
    orthancDown = false;
  }
  // A failed test must not leave the next one without a PACS.
  afterEach(() => restartOrthanc(), 60000);

  const shot = (page: Page, name: string) => page.screenshot({ path: join(artifactsDir, `save-${name}.png`) });
  /** Opens a level's evidence and changes its Pfirrmann grade (V ↔ IV: any other grade becomes V); returns the grade set. */
  async function changePfirrmannGrade(page: Page, level: string): Promise<'IV' | 'V'> {
    await page.locator('[data-testid="spine-levels-table"] tbody tr', { hasText: level }).first().click();
    const grade = page.getByTestId('spine-level-detail').getByLabel('Pfirrmann grade');
    const readerGrade = (await grade.inputValue()) === '5' ? 'IV' : 'V';
    await grade.selectOption(readerGrade === 'V' ? '5' : '4');
    await page.getByTestId('finding-pfirrmannGrade').getByText(/changed by the reader/).waitFor({ timeout: 10000 });
    return readerGrade;
  }
  /** Whether the page would ask before being closed (its beforeunload handler cancels a synthetic event). */
  const asksBeforeLeaving = (page: Page) => page.evaluate(() => {
    const e = new Event('beforeunload', { cancelable: true });
    window.dispatchEvent(e);
    return e.defaultPrevented;
  });
  /** OHIF's segmentations (window.services is OHIF's own global): label and number of segments of each. */
  const ohifSegmentations = (page: Page) =>
    page.evaluate(() =>
      ((window as unknown as { services: { segmentationService: { getSegmentations(): { label?: string; segments?: object }[] } } }).services.segmentationService
        .getSegmentations() ?? []).map((x) => ({ label: x.label ?? '', segments: Object.keys(x.segments ?? {}).length })),
    );

  /** Per viewport: the series it shows and the labels of the segmentations drawn on it (OHIF's representations). */
  const viewportDrawings = (page: Page) =>
    page.evaluate(() => {
      const { viewportGridService, displaySetService, segmentationService } = (window as unknown as { services: any }).services;
      return [...viewportGridService.getState().viewports.entries()].map(([id, v]: [string, any]) => ({
        series: (displaySetService.getDisplaySetByUID(v.displaySetInstanceUIDs?.[0])?.SeriesDescription ?? '—') as string,
        labels: (segmentationService.getSegmentationRepresentations(id) as { segmentationId: string }[])
          .map((r) => (segmentationService.getSegmentation(r.segmentationId)?.label ?? r.segmentationId) as string),
      }));
    });
  /** The segmentations drawn on each viewport, by label, viewports without any left out. */
  const segmentationsOnViewports = async (page: Page) => (await viewportDrawings(page)).map((v) => v.labels).filter((labels) => labels.length);

  beforeAll(async () => {
    mkdirSync(artifactsDir, { recursive: true });
    env = await startViewerEnv(modelDir);
    env.page.on('console', (m) => {
      if (m.text().includes('Spine MRI')) spineLogs.push(`${m.type()}: ${m.text().slice(0, 500)}`);
    });
    [studyA] = await importData(env.orthanc, 'segmentation/vb2_02_image.nii.gz');
    [studyB] = await importData(env.orthanc, 'segmentation/vb2_04_image.nii.gz');
    [studyC] = await importData(env.orthanc, 'segmentation/vb2_05_image.nii.gz');
    expect(new Set([studyA, studyB, studyC]).size).toBe(3);
  }, 240000);

  afterAll(async () => {
    await env?.close();
  });

  it('saves SEG + SR, refuses a silent duplicate, and reloads the findings from the SR', async () => {
    const { page } = env;
    await openStudy(page, studyA);
    // A fresh study has no stored result and nothing pending.
    expect(await page.getByTestId('spine-stored-line').count()).toBe(0);
    expect(await page.getByTestId('spine-pending').count()).toBe(0);
    await analyze(page);
    expect(await asksBeforeLeaving(page)).toBe(false); // an analysis without reader changes is redone in seconds
    const namesOnImage = () => page.locator('[data-testid="spine-level-labels"] span').allTextContents();
    await page.waitForSelector('[data-testid="spine-level-labels"] span', { timeout: 10000 });
    const analysedNames = (await namesOnImage()).sort();
    // The reader corrects a grade before saving (the SR keeps it; analysing again must not lose it).
    const readerGrade = await changePfirrmannGrade(page, 'L4/L5');
    expect(await asksBeforeLeaving(page)).toBe(true); // the reader's change is only in this page

    const saved = await saveOutcome(page, 'spine-save', ['spine-save-status', 'spine-save-error']);
    expect(saved).toContain('Saved: SEG series ‘Spine MRI SEG v1’ and SR ‘Spine MRI Report v1’ stored in the PACS');
    expect(await asksBeforeLeaving(page)).toBe(false);
    expect(ours(await qidoSeries(studyA))).toEqual(['SEG Spine MRI SEG v1', 'SR Spine MRI Report v1']);
    // The study browser lists the stored SEG and SR at once (no reopening), and nothing is loaded over the
    // analysis: OHIF still holds one segmentation, the analysis' own.
    const seriesInBrowser = (description: string) =>
      page.locator('[data-cy="study-browser-thumbnail-no-image"], [data-cy="study-browser-thumbnail"]', { hasText: description }).first();
    await seriesInBrowser('Spine MRI SEG v1').waitFor({ timeout: 15000 });
    await seriesInBrowser('Spine MRI Report v1').waitFor({ timeout: 15000 });
    expect((await ohifSegmentations(page)).map((x) => x.label)).toEqual(['Spine MRI analysis']);
    await shot(page, 'saved');

    // Nothing changed: no second copy.
    const again = await saveOutcome(page, 'spine-save', ['spine-save-status', 'spine-save-error']);
    expect(again).toMatch(/Already saved: nothing changed since version 1/);
    expect(ours(await qidoSeries(studyA))).toEqual(['SEG Spine MRI SEG v1', 'SR Spine MRI Report v1']);
    // The stored SEG, opened from the study browser, loads back from the PACS (WADO-RS) with every segment.
    await seriesInBrowser('Spine MRI SEG v1').dblclick();
    await page.getByRole('button', { name: 'Yes' }).waitFor({ timeout: 30000 });
    await page.waitForTimeout(1000);
    // Offered to load, the stored SEG is shown by itself, not under the analysis outlines.
    expect(await page.evaluate(() => {
      const { viewportGridService, displaySetService, segmentationService } = (window as unknown as { services: any }).services;
      return [...viewportGridService.getState().viewports.values()]
        .filter((v: any) => displaySetService.getDisplaySetByUID(v.displaySetInstanceUIDs?.[0])?.Modality === 'SEG')
        .map((v: any) => segmentationService.getSegmentationRepresentations(v.viewportId).filter((r: { segmentationId: string }) => r.segmentationId.startsWith('spine-mri-')).length);
    })).toEqual([0]);
    await page.getByRole('button', { name: 'Yes' }).click();
    await page.waitForFunction(() => (window as unknown as { services: { segmentationService: { getSegmentations(): unknown[] } } }).services.segmentationService.getSegmentations().length === 2, null, { timeout: 60000 });
    const [analysed, stored] = await ohifSegmentations(page);
    expect([analysed.label, stored.label]).toEqual(['Spine MRI analysis', 'Spine MRI SEG v1']);
    expect(stored.segments).toBe(analysed.segments);
    // The stored SR, opened from the study browser, shows its findings (read back from the PACS), the reader's
    // change marked; OHIF's own SR viewport stays black on our report.
    const viewportSeries = () => page.evaluate(() => {
      const { viewportGridService, displaySetService } = (window as unknown as { services: any }).services;
      return [...viewportGridService.getState().viewports.values()].map((v: any) => {
        const ds = displaySetService.getDisplaySetByUID(v.displaySetInstanceUIDs[0]);
        return `${ds?.Modality} ${ds?.displaySetInstanceUID}`;
      });
    });
    // OHIF shows the SEG's display set until it has hydrated it onto its MR series (its segmentation may be listed first).
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline && !(await viewportSeries()).every((x) => x.startsWith('MR '))) await page.waitForTimeout(250);
    const before = await viewportSeries();
    expect(before).toEqual([expect.stringMatching(/^MR /)]);
    await seriesInBrowser('Spine MRI Report v1').dblclick();
    const reportText = page.getByTestId('spine-stored-report-text');
    await reportText.waitFor({ timeout: 30000 });
    expect(await reportText.textContent()).toContain(`L4/L5: Pfirrmann ${readerGrade}*`);
    await shot(page, 'stored-report');
    // "Back to the images": the viewport shows the sagittal T2 it showed before the report again.
    expect(await viewportSeries()).toEqual([expect.stringMatching(/^SR /)]);
    await page.getByTestId('spine-stored-report-back').click();
    await page.getByTestId('spine-stored-report-viewport').waitFor({ state: 'detached', timeout: 15000 });
    expect(await viewportSeries()).toEqual(before);

    // Reload: findings come from the SR, not from a new analysis; OHIF shows the stored SEG. The SEG's pixels held
    // back at the PACS meanwhile: the line says the outlines are on their way.
    const storedSegUid = (await qidoSeries(studyA)).find((x) => x.modality === 'SEG')!.seriesInstanceUid;
    let releaseSeg!: () => void;
    const segHeld = new Promise<void>((resolve) => (releaseSeg = resolve));
    const segPixels = `**/series/${storedSegUid}/instances/**`;
    await page.route(segPixels, async (route) => { await segHeld; await route.continue(); });
    await openStudy(page, studyA);
    const line = page.getByTestId('spine-stored-line');
    await line.waitFor({ timeout: 60000 });
    expect(await line.textContent()).toMatch(/^Findings loaded from the PACS \(SR of .+, version 1\); loading the segmentation from the stored SEG…$/);
    releaseSeg();
    expect(await page.getByTestId('spine-results').count()).toBe(0);
    // How the levels were named (and whether that is certain) comes back with the findings.
    expect(await page.getByTestId('spine-stored-level-naming').textContent()).toMatch(/^(Levels: |⚠ Level names uncertain: )Counted upward/);
    await page
      .waitForFunction(() => document.querySelector('[data-testid="spine-stored-line"]')?.textContent?.includes('segmentation shown from the stored SEG'), null, { timeout: 60000 })
      .catch(async (e) => {
        await shot(page, 'reloaded');
        console.log(`panel: ${await page.getByTestId('spine-stored-results').textContent()}\nerrors: ${env.errors.join('\n')}\nlogs: ${spineLogs.join('\n')}`);
        throw e;
      });
    await page.unroute(segPixels);
    // The level names are drawn beside the stored bodies again, as the analysis drew them.
    await page.waitForSelector('[data-testid="spine-level-labels"] span', { timeout: 15000 });
    expect((await namesOnImage()).sort()).toEqual(analysedNames);
    // A stored level row, clicked, scrolls the sagittal viewport to that disc of the stored SEG (as after an analysis):
    // scrolled away from the mid-sagittal slice, the viewport comes back near it.
    const jump = await scrollAwayThenWaitForJump(page);
    await page.locator('[data-testid="spine-stored-results"] [data-testid="spine-levels-table"] tbody tr', { hasText: 'L4/L5' }).first().click();
    expect(Math.abs((await jump.waitForJump()) - jump.before)).toBeLessThanOrEqual(8);
    await page.waitForTimeout(2000);
    await shot(page, 'reloaded');
    // The SR carries each foramen's outline and slice: a stored foraminal grade shows them again.
    await page.locator('[data-testid="spine-stored-results"] [data-testid^="spine-foramen-"]').filter({ hasText: /^[0-3]$/ }).first().click();
    await page.waitForSelector('[data-testid="spine-foramina"] svg polygon', { timeout: 15000 });
    expect(await page.locator('[data-testid="spine-foramina"] svg text').first().textContent()).toMatch(/^(T12\/L1|L\d\/(L\d|S1)) (left|right) foramen \d+ mm( · Lee [0-3]\*?)?$/);
    // …and the exiting root the grade was read around (a graded foramen has one), from the SR's SCOORD3D POINT.
    expect(await page.locator('[data-testid="spine-foramina"] svg circle').count()).toBeGreaterThan(0);
    await shot(page, 'reloaded-foramen');
    // The stored SEG is a segmentation in OHIF (window.services is OHIF's own global) with our segments.
    const segs = await ohifSegmentations(page);
    expect(segs.length).toBe(1);
    expect(segs[0].segments).toBeGreaterThan(0);
    expect(await segmentationsOnViewports(page)).toEqual([[segs[0].label]]);
    await page.locator('[data-cy="panelSegmentationWithToolsLabelMap-btn"]').click();
    await page.waitForTimeout(1000);
    await shot(page, 'reloaded-seg-panel');
    await page.locator('[data-cy="spineMri-btn"]').click();

    // Analysing the study again loses no work: the reader's change in the stored report is offered, and applied on request.
    await page.getByTestId('spine-analyze').click();
    await page.waitForSelector('[data-testid="spine-results"], [data-testid="spine-error"]', { timeout: 300000 });
    const offer = page.getByTestId('spine-carry-over');
    expect(await offer.textContent()).toContain(`Your changes in the stored report (version 1): L4/L5 Pfirrmann grade ${readerGrade}.`);
    await shot(page, 'carry-over');
    // The new analysis' outlines replace the stored SEG's on the image (as its table replaces the stored one): the stored
    // SEG stays in OHIF but is no longer drawn under them.
    expect((await ohifSegmentations(page)).map((x) => x.label)).toEqual(expect.arrayContaining(['Spine MRI analysis', segs[0].label]));
    await page.waitForFunction(() => {
      const { viewportGridService, segmentationService } = (window as unknown as { services: any }).services;
      return [...viewportGridService.getState().viewports.keys()].every((id: string) =>
        (segmentationService.getSegmentationRepresentations(id) as { segmentationId: string }[]).every((r) => r.segmentationId.startsWith('spine-mri-')));
    }, null, { timeout: 10000 });
    expect(await segmentationsOnViewports(page)).toEqual([['Spine MRI analysis']]);
    await page.locator('[data-cy="panelSegmentationWithToolsLabelMap-btn"]').click();
    await page.waitForTimeout(1000);
    await shot(page, 'analysed-seg-panel');
    await page.locator('[data-cy="spineMri-btn"]').click();
    await page.getByTestId('spine-carry-over-apply').click();
    await offer.waitFor({ state: 'detached', timeout: 10000 });
    const row = page.locator('[data-testid="spine-results"] [data-testid="spine-levels-table"] tbody tr', { hasText: 'L4/L5' }).first();
    expect(await row.textContent()).toContain(`${readerGrade}*`);
  }, 600000);

  it('the browser asks before a page holding unsaved reader changes is closed, and keeps the changes for the next Analyze', async () => {
    const page = await env.context.newPage();
    await openStudy(page, studyB);
    await analyze(page);
    const readerGrade = await changePfirrmannGrade(page, 'L3/L4');
    const dialog = page.waitForEvent('dialog', { timeout: 15000 });
    await page.close({ runBeforeUnload: true });
    const d = await dialog;
    expect(d.type()).toBe('beforeunload');
    await d.accept(); // leave anyway: the page closes
    await page.waitForEvent('close', { timeout: 15000 }).catch(() => undefined);
    expect(page.isClosed()).toBe(true);

    // The change was kept in this browser as it was made: a new page says so, and offers it again after Analyze.
    const again = await env.context.newPage();
    await openStudy(again, studyB);
    const kept = again.getByTestId('spine-kept-draft');
    await kept.waitFor({ timeout: 30000 });
    expect(await kept.textContent()).toMatch(/^Your changes to an analysis of this series \(.+\), not saved to the PACS, are kept in this browser: press Analyze to apply them again\./);
    await analyze(again);
    const offer = again.getByTestId('spine-carry-over');
    await offer.waitFor({ timeout: 30000 });
    expect(await offer.textContent()).toMatch(new RegExp(`^Your changes in the analysis of .+ kept in this browser \\(not saved to the PACS\\): L3/L4 Pfirrmann grade ${readerGrade}\\.`));
    await shot(again, 'kept-changes-offered');
    await again.getByTestId('spine-carry-over-apply').click();
    await offer.waitFor({ state: 'detached', timeout: 10000 });
    const row = again.locator('[data-testid="spine-results"] [data-testid="spine-levels-table"] tbody tr', { hasText: 'L3/L4' }).first();
    expect(await row.textContent()).toContain(`${readerGrade}*`);
    await again.close();
  }, 600000);

  it('corrects a grade in the reopened findings and saves them as version 2, the stored SEG carried over', async () => {
    const { page } = env;
    await openStudy(page, studyA); // holds version 1 from the test above
    await page.waitForFunction(() => document.querySelector('[data-testid="spine-stored-line"]')?.textContent?.includes('segmentation shown from the stored SEG'), null, { timeout: 60000 });
    const storedRow = (level: string) => page.locator('[data-testid="spine-stored-results"] [data-testid="spine-levels-table"] tbody tr', { hasText: level }).first();
    const storedL45 = (await storedRow('L4/L5').textContent()) ?? '';
    await storedRow('L2/L3').click();
    const grade = page.getByTestId('spine-stored-results').getByTestId('spine-level-detail').getByLabel('Pfirrmann grade');
    const newGrade = (await grade.inputValue()) === '5' ? 'IV' : 'V';
    // Discard drops a change; nothing is stored.
    await grade.selectOption(newGrade === 'V' ? '5' : '4');
    await page.getByTestId('spine-stored-edits').waitFor({ timeout: 10000 });
    expect(await storedRow('L2/L3').textContent()).toContain(`${newGrade}*`);
    await page.getByTestId('spine-stored-discard').click();
    await page.getByTestId('spine-stored-edits').waitFor({ state: 'detached', timeout: 10000 });
    expect(await storedRow('L2/L3').textContent()).not.toContain('*');
    // A stenosis the reader calls on the stored findings is drawn at once from the SR's AP line, marked as the
    // reader's; Discard takes it away again.
    if (!(await grade.isVisible())) await storedRow('L2/L3').click();
    await page.getByTestId('spine-stored-results').getByTestId('spine-level-detail').getByLabel('Central canal stenosis').selectOption('severe');
    await page.getByTestId('spine-stored-edits').waitFor({ timeout: 10000 });
    await storedRow('L2/L3').click(); // to the slice its line is drawn on
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="spine-canal-lines"] svg text')]
      .some((t) => /^L2\/L3 canal AP \d+\.\d mm · severe\*$/.test(t.getAttribute('data-label') ?? '')), null, { timeout: 10000 });
    await shot(page, 'stored-canal-line');
    await page.getByTestId('spine-stored-discard').click();
    await page.getByTestId('spine-stored-edits').waitFor({ state: 'detached', timeout: 10000 });
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="spine-canal-lines"] svg text').length === 0, null, { timeout: 10000 });
    // Changed again and saved: version 2 is an SR referring to version 1's SEG (a grade changed, not the outlines).
    if (!(await grade.isVisible())) await storedRow('L2/L3').click();
    await grade.selectOption(newGrade === 'V' ? '5' : '4');
    const saved = await saveOutcome(page, 'spine-stored-save', ['spine-stored-save-status', 'spine-stored-save-error']);
    await shot(page, 'stored-edited');
    expect(saved).toBe('Saved your changes: SR ‘Spine MRI Report v2’ stored in the PACS, referring to ‘Spine MRI SEG v1’ (the outlines are unchanged, so they are not stored again).');
    expect(ours(await qidoSeries(studyA))).toEqual(['SEG Spine MRI SEG v1', 'SR Spine MRI Report v1', 'SR Spine MRI Report v2']);
    expect(await page.getByTestId('spine-stored-line').textContent()).toMatch(/version 2\)/);
    // For software reading the study: the SR of version 2 names version 1's as the document it revises.
    const versions = await reportVersions(studyA);
    expect(versions['Spine MRI Report v1'].predecessors).toEqual([]);
    expect(versions['Spine MRI Report v2'].predecessors).toEqual([versions['Spine MRI Report v1'].sop]);

    // Reopened: version 2 with the new change and the earlier one, and the SEG it refers to shown.
    await openStudy(page, studyA);
    await page.waitForFunction(() => /version 2\); segmentation shown from the stored SEG/.test(document.querySelector('[data-testid="spine-stored-line"]')?.textContent ?? ''), null, { timeout: 60000 });
    expect(await storedRow('L2/L3').textContent()).toContain(`${newGrade}*`);
    expect(await storedRow('L4/L5').textContent()).toBe(storedL45);
    await page.waitForSelector('[data-testid="spine-level-labels"] span', { timeout: 15000 });

    // A change not saved yet is not lost by analysing again: the new result offers it with the stored ones.
    await storedRow('L3/L4').click();
    const l34 = page.getByTestId('spine-stored-results').getByTestId('spine-level-detail').getByLabel('Pfirrmann grade');
    const l34Grade = (await l34.inputValue()) === '1' ? 'II' : 'I';
    await l34.selectOption(l34Grade === 'I' ? '1' : '2');
    await page.getByTestId('spine-stored-edits').waitFor({ timeout: 10000 });
    await page.getByTestId('spine-analyze').click();
    await page.waitForSelector('[data-testid="spine-results"], [data-testid="spine-error"]', { timeout: 300000 });
    const offer = await page.getByTestId('spine-carry-over').textContent();
    expect(offer).toContain('Your changes in the stored report (version 2, changed and not saved yet):');
    expect(offer).toContain(`L2/L3 Pfirrmann grade ${newGrade}`);
    expect(offer).toContain(`L3/L4 Pfirrmann grade ${l34Grade}`);
    // Applied, the changes are the new result's: unsaved work of that result, no longer of the stored findings.
    await page.getByTestId('spine-carry-over-apply').click();
    const warned = page.waitForEvent('console', (m) => m.text().includes('not saved to the PACS'));
    expect(await asksBeforeLeaving(page)).toBe(true);
    const unsaved = (await warned).text();
    expect(unsaved).toContain('your changes to the analysis of series');
    expect(unsaved).not.toContain('stored findings');
  }, 420000);

  it('keeps unsaved changes to reopened findings in this browser: a new page offers them again, and Discard drops them', async () => {
    // The test above changed L3/L4 on version 2 and took the change into a new analysis, never saved: kept once, as
    // that analysis' changes (offered after Analyze), no longer as changes to the stored findings.
    let page = await env.context.newPage();
    const storedRow = (level: string) => page.locator('[data-testid="spine-stored-results"] [data-testid="spine-levels-table"] tbody tr', { hasText: level }).first();
    const version2Shown = () => page.waitForFunction(() => /version 2\); segmentation shown from the stored SEG/.test(document.querySelector('[data-testid="spine-stored-line"]')?.textContent ?? ''), null, { timeout: 60000 });
    await openStudy(page, studyA);
    await version2Shown();
    await page.getByTestId('spine-kept-draft').waitFor({ timeout: 30000 });
    expect(await page.getByTestId('spine-kept-draft').textContent()).toMatch(/^Your changes to an analysis of this series \(.+\), not saved to the PACS, are kept in this browser/);
    expect(await page.getByTestId('spine-stored-results').getByTestId('spine-carry-over').count()).toBe(0);

    // A change to the stored findings, the page then closed without saving it: a new page offers it on version 2.
    await storedRow('L3/L4').click();
    const l34 = page.getByTestId('spine-stored-results').getByTestId('spine-level-detail').getByLabel('Pfirrmann grade');
    const l34Grade = (await l34.inputValue()) === '1' ? 'II' : 'I';
    await l34.selectOption(l34Grade === 'I' ? '1' : '2');
    await page.getByTestId('spine-stored-edits').waitFor({ timeout: 10000 });
    await page.waitForTimeout(500); // kept in IndexedDB as it is made
    await page.close();
    page = await env.context.newPage();
    await openStudy(page, studyA);
    await version2Shown();
    const offer = page.getByTestId('spine-stored-results').getByTestId('spine-carry-over');
    await offer.waitFor({ timeout: 30000 });
    expect(await offer.textContent()).toMatch(new RegExp(`^Your changes in the stored findings \\(version 2\\) of .+, kept in this browser \\(not saved to the PACS\\): L3/L4 Pfirrmann grade ${l34Grade}\\.`));
    await shot(page, 'stored-kept-changes');
    await page.getByTestId('spine-carry-over-apply').click();
    await page.getByTestId('spine-stored-edits').waitFor({ timeout: 10000 });
    expect(await storedRow('L3/L4').textContent()).toContain(`L3/L4${l34Grade}*`);
    // A second tab of this browser is offered the same changes and applies them: the browser keeps the same changes,
    // so neither tab warns.
    const tab2 = await env.context.newPage();
    await openStudy(tab2, studyA);
    await tab2.waitForFunction(() => /version 2\); segmentation shown from the stored SEG/.test(document.querySelector('[data-testid="spine-stored-line"]')?.textContent ?? ''), null, { timeout: 60000 });
    await tab2.getByTestId('spine-stored-results').getByTestId('spine-carry-over').waitFor({ timeout: 30000 });
    // The first tab hears the second keep them (the note store/reader-drafts.ts posts to the other tabs).
    await page.evaluate(() => {
      const channel = new BroadcastChannel('spine-mri-drafts');
      (window as { heardFromTab2?: Promise<unknown> }).heardFromTab2 = new Promise((resolve) => { channel.onmessage = (e) => { channel.close(); resolve(e.data); }; });
    });
    await tab2.getByTestId('spine-carry-over-apply').click();
    expect(await page.evaluate(() => (window as { heardFromTab2?: Promise<unknown> }).heardFromTab2)).toMatchObject({ key: expect.stringMatching(/^sr:/) });
    await page.waitForTimeout(500); // the panel's warning, were there one, follows the same note
    expect(await page.getByTestId('spine-storage-refused').count()).toBe(0);
    // It then changes the same version otherwise: the browser keeps one tab's changes (the last made), and the tab
    // whose changes they replaced says they are in that page only.
    await changeStoredGrade(tab2, 'L4/L5');
    const notKept = '⚠ This browser did not keep your changes to the stored findings (the same findings were changed, saved or discarded in another tab of this browser since, and it keeps one tab\'s changes only). Until saved to the PACS they are in this page only: save before closing the tab.';
    expect(await page.getByTestId('spine-storage-refused').textContent({ timeout: 10000 })).toBe(notKept);
    expect(await tab2.getByTestId('spine-storage-refused').count()).toBe(0);
    await page.getByTestId('spine-storage-refused').scrollIntoViewIfNeeded();
    await shot(page, 'stored-changes-replaced-in-another-tab');
    // Discarded: gone from this browser too (the other tab's changes with them, as that tab then says), so the study
    // opens without the offer.
    await page.getByTestId('spine-stored-discard').click();
    await page.getByTestId('spine-stored-edits').waitFor({ state: 'detached', timeout: 10000 });
    expect(await page.getByTestId('spine-storage-refused').count()).toBe(0);
    expect(await tab2.getByTestId('spine-storage-refused').textContent({ timeout: 10000 })).toBe(notKept);
    await tab2.close();
    await openStudy(page, studyA);
    await page.waitForFunction(() => /version 2\)/.test(document.querySelector('[data-testid="spine-stored-line"]')?.textContent ?? ''), null, { timeout: 60000 });
    await page.locator('[data-testid="spine-stored-results"] [data-testid="spine-levels-table"]').waitFor({ timeout: 30000 });
    await page.waitForTimeout(1000); // the kept changes are read from IndexedDB after the table is shown
    expect(await page.getByTestId('spine-stored-results').getByTestId('spine-carry-over').count()).toBe(0);
    await page.close();
  }, 300000);

  it('renames the levels of reopened findings and saves them as version 3, the SEG\'s segments renamed', async () => {
    const { page } = env;
    await openStudy(page, studyA); // holds version 2 from the test above, software names
    await page.waitForFunction(() => /version 2\); segmentation shown from the stored SEG/.test(document.querySelector('[data-testid="spine-stored-line"]')?.textContent ?? ''), null, { timeout: 60000 });
    await page.waitForSelector('[data-testid="spine-level-labels"] span', { timeout: 15000 });
    const namesOnImage = async () => (await page.locator('[data-testid="spine-level-labels"] span').allTextContents()).sort();
    const before = await namesOnImage();
    const storedLevels = async () => (await page.locator('[data-testid="spine-stored-results"] [data-testid="spine-levels-table"] tbody tr[title^="Click to show"] td:first-child').allTextContents())
      .map((t) => /[CTLS]\d+\/[CTLS]\d+/.exec(t)?.[0]);
    const levelsBefore = await storedLevels();
    await page.locator('[data-testid="spine-stored-results"] [data-testid="spine-levels-table"] tbody tr', { hasText: 'L2/L3' }).first().click();
    await page.getByTestId('spine-stored-results').getByTestId('spine-level-detail').getByLabel('Level name').selectOption({ label: 'L3/L4' });
    await page.getByTestId('spine-stored-edits').waitFor({ timeout: 10000 });
    expect(await page.getByTestId('spine-stored-level-naming').textContent()).toMatch(/Level names set by the reader \(1 vertebra lower than the software named them/);
    // Every name one vertebra lower, in the table and beside the bodies on the image.
    expect(await storedLevels()).toEqual(levelsBefore.map((l) => shiftLevelName(l!, 1)));
    // The stored report's name-dependent grades follow the new names too (what its measurements allow, else "press Analyze").
    expect(await levelReasonsNamingOtherLevels(page, '[data-testid="spine-stored-results"] [data-testid="spine-levels-table"]')).toEqual([]);
    expect(await page.getByTestId('spine-stored-level-naming-regraded').textContent()).toMatch(/^Graded again under the new names: .* as T1[12]\/(T12|L1)\)/);
    expect(await namesOnImage()).not.toEqual(before);
    expect(await namesOnImage()).toContain('L5');
    const saved = await saveOutcome(page, 'spine-stored-save', ['spine-stored-save-status', 'spine-stored-save-error']);
    expect(saved).toContain('SEG series ‘Spine MRI SEG v3’');
    const versions = await reportVersions(studyA);
    expect(versions['Spine MRI Report v3'].predecessors).toEqual([versions['Spine MRI Report v2'].sop]);

    // Reopened: version 3 names the levels the reader's way, in the SR and in the SEG (the names on the image come from it).
    await openStudy(page, studyA);
    await page.waitForFunction(() => /version 3\); segmentation shown from the stored SEG/.test(document.querySelector('[data-testid="spine-stored-line"]')?.textContent ?? ''), null, { timeout: 60000 });
    expect(await page.getByTestId('spine-stored-level-naming').textContent()).toMatch(/Level names set by the reader/);
    await page.waitForSelector('[data-testid="spine-level-labels"] span', { timeout: 15000 });
    const after = await namesOnImage();
    expect(after).not.toEqual(before);
    expect(await storedLevels()).toEqual(levelsBefore.map((l) => shiftLevelName(l!, 1)));
    expect(after.length).toBe(before.length);
    await shot(page, 'stored-renamed');
    // Renamed again from the stored version 3 (the SR kept the shift from the software's names): back to the
    // software's names, its own naming note again; then discarded.
    await page.locator('[data-testid="spine-stored-results"] [data-testid="spine-levels-table"] tbody tr', { hasText: 'L3/L4' }).first().click();
    await page.getByTestId('spine-stored-results').getByTestId('spine-level-detail').getByLabel('Level name').selectOption({ label: 'L2/L3' });
    await page.getByTestId('spine-stored-edits').waitFor({ timeout: 10000 });
    expect(await storedLevels()).toEqual(levelsBefore);
    expect(await page.getByTestId('spine-stored-level-naming').textContent()).not.toMatch(/set by the reader/);
    await page.getByTestId('spine-stored-discard').click();
    await page.waitForFunction(() => /set by the reader/.test(document.querySelector('[data-testid="spine-stored-level-naming"]')?.textContent ?? ''), null, { timeout: 10000 });
  }, 300000);

  it('confirms uncertain level names of reopened findings and saves that as version 2', async () => {
    if (!modelDir.endsWith('models')) return; // the random-weights fixture names no levels
    const { page } = env;
    // SPIDER patient 3: one mid-sagittal T2 slice whose names come with a warning.
    const [spider] = await importData(env.orthanc, 'spider_midsagittal/3_t2.png');
    await openStudy(page, spider);
    await analyze(page);
    expect(await saveOutcome(page, 'spine-save', ['spine-save-status', 'spine-save-error'])).toContain('Spine MRI Report v1');
    await openStudy(page, spider);
    await page.waitForFunction(() => /segmentation shown from the stored SEG/.test(document.querySelector('[data-testid="spine-stored-line"]')?.textContent ?? ''), null, { timeout: 60000 });
    expect(await page.getByTestId('spine-stored-level-naming').textContent()).toMatch(/^⚠ Level names uncertain: /);
    const labels = page.locator('[data-testid="spine-level-labels"] span');
    await labels.first().waitFor({ timeout: 15000 });
    expect((await labels.allTextContents()).every((n) => n.endsWith('?'))).toBe(true);
    await page.getByTestId('spine-stored-confirm-levels').click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="spine-level-labels"] span')].every((x) => !x.textContent!.endsWith('?')), null, { timeout: 10000 });
    expect(await page.getByTestId('spine-stored-level-naming').textContent()).toMatch(/^Levels: Level names checked and confirmed by the reader/);
    expect(await saveOutcome(page, 'spine-stored-save', ['spine-stored-save-status', 'spine-stored-save-error'])).toContain('SR ‘Spine MRI Report v2’');
    await openStudy(page, spider);
    await page.waitForFunction(() => /version 2\); segmentation shown from the stored SEG/.test(document.querySelector('[data-testid="spine-stored-line"]')?.textContent ?? ''), null, { timeout: 60000 });
    expect(await page.getByTestId('spine-stored-level-naming').textContent()).toMatch(/^Levels: Level names checked and confirmed by the reader/);
    expect(await page.getByTestId('spine-stored-confirm-levels').count()).toBe(0);
    await labels.first().waitFor({ timeout: 15000 });
    expect((await labels.allTextContents()).some((n) => n.endsWith('?'))).toBe(false);
  }, 300000);

  it('says plainly when the PACS is down, keeps the result, and Retry stores it once', async () => {
    const { page } = env;
    await openStudy(page, studyB);
    await analyze(page);
    // A reader change, so that leaving would lose something unless the failed save keeps it.
    await changePfirrmannGrade(page, 'L3/L4');
    expect(await asksBeforeLeaving(page)).toBe(true);
    await stopOrthanc();
    const failed = await saveOutcome(page, 'spine-save', ['spine-save-status', 'spine-save-error']);
    await shot(page, 'error');
    expect(failed).toMatch(/^Saving failed while storing the SEG: the PACS is unreachable/);
    expect(failed).toContain('press Retry');
    expect(failed).toContain('kept in this browser');
    // Kept as a pending result in IndexedDB (resumable after a reload): closing the page loses nothing.
    for (let waited = 0; (await asksBeforeLeaving(page)) && waited < 10000; waited += 250) await page.waitForTimeout(250);
    expect(await asksBeforeLeaving(page)).toBe(false);
    const retry = page.getByTestId('spine-save-retry');
    expect(await retry.isVisible()).toBe(true);
    // The failure is shown once (not again as a "resume" item).
    expect(await page.getByTestId('spine-pending').count()).toBe(0);

    await restartOrthanc();
    const stored = await saveOutcome(page, 'spine-save-retry', ['spine-save-status']);
    await shot(page, 'retried');
    expect(stored).toContain('Saved: SEG series ‘Spine MRI SEG v1’ and SR ‘Spine MRI Report v1’');
    expect(await page.getByTestId('spine-save-error').count()).toBe(0);
    expect(ours(await qidoSeries(studyB))).toEqual(['SEG Spine MRI SEG v1', 'SR Spine MRI Report v1']);
  }, 600000);

  it('where the browser refuses to keep anything (storage full), says so, asks before closing, and still saves', async () => {
    if (!modelDir.endsWith('models')) return; // the random-weights fixture grades nothing to change
    const [study] = await importData(env.orthanc, 'segmentation/vb2_07_image.nii.gz');
    const page = await env.context.newPage();
    // Every write to the panel's IndexedDB stores fails as a full disk makes it fail; reads still work.
    await page.addInitScript(() => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: [unknown, IDBValidKey?]) {
        if (this.name === 'reader-changes' || this.name === 'pending-results') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.apply(this, args);
      };
    });
    await openStudy(page, study);
    await analyze(page);
    await changePfirrmannGrade(page, 'L4/L5');
    const warning = page.getByTestId('spine-storage-refused');
    await warning.waitFor({ timeout: 10000 });
    expect(await warning.textContent()).toBe('⚠ This browser did not keep your changes to the analysis (QuotaExceededError: The quota has been exceeded). '
      + 'Until saved to the PACS they are in this page only: save before closing the tab.');
    expect(await asksBeforeLeaving(page)).toBe(true);

    // The PACS down as well: the result is kept in the page, and the page still asks.
    await stopOrthanc();
    const failed = await saveOutcome(page, 'spine-save', ['spine-save-status', 'spine-save-error']);
    expect(failed).toMatch(/^Saving failed while storing the SEG: the PACS is unreachable.+The unsaved result is kept in this page only \(this browser refused to store it\): press Retry before closing the tab\.$/);
    expect(await warning.textContent()).toContain('your changes to the analysis and the unsaved result (version 1)');
    await shot(page, 'storage-refused');
    expect(await asksBeforeLeaving(page)).toBe(true);

    await restartOrthanc();
    const stored = await saveOutcome(page, 'spine-save-retry', ['spine-save-status']);
    expect(stored).toContain('Saved: SEG series ‘Spine MRI SEG v1’ and SR ‘Spine MRI Report v1’');
    expect(ours(await qidoSeries(study))).toEqual(['SEG Spine MRI SEG v1', 'SR Spine MRI Report v1']);
    await warning.waitFor({ state: 'detached', timeout: 10000 });
    expect(await asksBeforeLeaving(page)).toBe(false);
    await page.close();
  }, 600000);

  it('offers to resume an unsaved result after a reload, and Retry stores it once', async () => {
    const { page } = env;
    await openStudy(page, studyC);
    await analyze(page);
    await stopOrthanc();
    const failed = await saveOutcome(page, 'spine-save', ['spine-save-status', 'spine-save-error']);
    expect(failed).toMatch(/unreachable/);
    await restartOrthanc();

    await openStudy(page, studyC);
    const item = page.getByTestId('spine-pending');
    await item.waitFor({ timeout: 30000 });
    expect(await item.count()).toBe(1);
    expect(await item.textContent()).toMatch(/Resume unsaved result from .+ \(version 1, not stored yet\)/);
    await page.getByTestId('spine-pending-show').click();
    await shot(page, 'resume');
    expect(ours(await qidoSeries(studyC))).toEqual([]);

    await page.getByTestId('spine-pending-retry').click();
    const status = page.getByTestId('spine-resume-status');
    await status.waitFor({ timeout: 120000 });
    expect(await status.textContent()).toContain('Saved: SEG series ‘Spine MRI SEG v1’');
    await page.waitForFunction(() => !document.querySelector('[data-testid="spine-pending"]'), null, { timeout: 10000 });
    await shot(page, 'resumed');
    expect(ours(await qidoSeries(studyC))).toEqual(['SEG Spine MRI SEG v1', 'SR Spine MRI Report v1']);
  }, 600000);

  it('puts the stored SEG back on the image of its series when the reader turns from the new analysis to another series', async () => {
    if (!modelDir.endsWith('models')) return; // the random-weights fixture names no levels (no stored findings table)
    const { page } = env;
    // SPIDER 4 (no other test here uses it): a sagittal T2 (analysed) and a sagittal T1 (offered with "Analyse this"), side by side.
    const [study] = await importData(env.orthanc, 'spider_midsagittal/4_t2.png', 'spider_midsagittal/4_t1.png');
    /** Per viewport: 'series: segmentations drawn on it'. */
    const drawn = async () => (await viewportDrawings(page)).map((v) => `${v.series}: ${[...v.labels].sort().join(', ')}`).sort();
    await openStudy(page, study);
    await analyze(page);
    // The version is the PACS's next (an earlier run against the same Orthanc storage may have stored some).
    const version = /Spine MRI SEG v(\d+)/.exec(await saveOutcome(page, 'spine-save', ['spine-save-status', 'spine-save-error']))?.[1];
    expect(version).toBeDefined();
    const storedSeg = `Spine MRI SEG v${version}`;
    await openStudy(page, study);
    await page.waitForFunction(() => document.querySelector('[data-testid="spine-stored-line"]')?.textContent?.includes('segmentation shown from the stored SEG'), null, { timeout: 60000 });
    const t2 = 'SAG T2 — SPIDER 4', t1 = 'SAG T1 — SPIDER 4';
    expect(await drawn()).toEqual([`${t1}: `, `${t2}: ${storedSeg}`]);
    // The reader swaps the two series between the viewports, and back: what is drawn follows the series.
    const swapTwice = async (expected: string[]) => {
      const firstSeries = async () => (await viewportDrawings(page))[0].series;
      for (let n = 0; n < 2; n++) {
        const shownFirst = await firstSeries();
        await page.evaluate(() => {
          const { viewportGridService } = (window as unknown as { services: any }).services;
          const vps = [...viewportGridService.getState().viewports.values()] as { viewportId: string; displaySetInstanceUIDs: string[] }[];
          viewportGridService.setDisplaySetsForViewports(vps.map((v, m) => ({ viewportId: v.viewportId, displaySetInstanceUIDs: vps[(m + 1) % vps.length].displaySetInstanceUIDs })));
        });
        await page.waitForTimeout(2000); // OHIF sets up the viewports' new stacks and their representations
        expect(await firstSeries()).toBe(shownFirst === t1 ? t2 : t1);
        expect(await drawn()).toEqual(expected);
      }
    };
    await swapTwice([`${t1}: `, `${t2}: ${storedSeg}`]);
    await analyze(page);
    await page.waitForFunction((t) => {
      const { viewportGridService, displaySetService, segmentationService } = (window as unknown as { services: any }).services;
      return [...viewportGridService.getState().viewports.entries()].some(([id, v]: [string, any]) =>
        displaySetService.getDisplaySetByUID(v.displaySetInstanceUIDs?.[0])?.SeriesDescription === t
        && (segmentationService.getSegmentationRepresentations(id) as unknown[]).length === 1);
    }, t2, { timeout: 10000 });
    expect(await drawn()).toEqual([`${t1}: `, `${t2}: Spine MRI analysis`]);
    await swapTwice([`${t1}: `, `${t2}: Spine MRI analysis`]); // the stored SEG, taken off, stays off
    // The T1 chosen instead (from its own viewport, made active by a click, so that the T2 stays on screen): it has no
    // analysis, so the stored findings show again, and the stored SEG on the T2 with them (beside the T2's analysis,
    // still drawn); never on the T1, which it does not outline.
    await page.locator('[data-cy="viewport-pane"]').nth(1).click();
    await page.getByTestId('spine-series-choose').first().click();
    await page.getByTestId('spine-stored-level-naming').waitFor({ timeout: 30000 });
    await page.waitForFunction((label) => {
      const { segmentationService } = (window as unknown as { services: any }).services;
      return segmentationService.getSegmentations().some((x: any) => x.label === label
        && (segmentationService.getViewportIdsWithSegmentation(x.segmentationId) ?? []).length > 0);
    }, storedSeg, { timeout: 10000 });
    expect(await drawn()).toEqual([`${t1}: `, `${t2}: ${storedSeg}, Spine MRI analysis`]);
    await swapTwice([`${t1}: `, `${t2}: ${storedSeg}, Spine MRI analysis`]);
    await shot(page, 'stored-seg-back');
  }, 420000);

  it('Analyze puts the series back where the stored report took its place, with the new outlines on it and not the stored SEG', async () => {
    if (!modelDir.endsWith('models')) return; // the random-weights fixture names no levels (no stored findings table)
    const { page } = env;
    const [study] = await importData(env.orthanc, 'spider_midsagittal/6_t2.png'); // no other test here uses it
    const drawn = async () => (await viewportDrawings(page)).map((v) => `${v.series}: ${[...v.labels].sort().join(', ')}`).sort();
    await openStudy(page, study);
    await analyze(page);
    const saved = await saveOutcome(page, 'spine-save', ['spine-save-status', 'spine-save-error']);
    const [, storedSeg, report] = /(Spine MRI SEG v\d+).*(Spine MRI Report v\d+)/.exec(saved) ?? [];
    expect(report).toBeDefined();
    await openStudy(page, study);
    await page.waitForFunction(() => document.querySelector('[data-testid="spine-stored-line"]')?.textContent?.includes('segmentation shown from the stored SEG'), null, { timeout: 60000 });
    const t2 = 'SAG T2 — SPIDER 6 (t2_tse_sag_384)';
    expect(await drawn()).toEqual([`${t2}: ${storedSeg}`]);
    // The reader opens the stored report in the (only) viewport, in the T2's place, and presses Analyze.
    await page.getByText(report, { exact: true }).first().dblclick();
    await page.getByTestId('spine-stored-report-viewport').waitFor({ timeout: 30000 });
    expect((await viewportDrawings(page)).map((v) => v.series)).not.toContain(t2);
    await analyze(page);
    await page.waitForFunction((t) => {
      const { viewportGridService, displaySetService, segmentationService } = (window as unknown as { services: any }).services;
      return [...viewportGridService.getState().viewports.entries()].some(([id, v]: [string, any]) =>
        displaySetService.getDisplaySetByUID(v.displaySetInstanceUIDs?.[0])?.SeriesDescription === t
        && (segmentationService.getSegmentationRepresentations(id) as unknown[]).length > 0);
    }, t2, { timeout: 30000 });
    await page.waitForTimeout(2000); // OHIF may still restore what it drew on the series before
    expect(await drawn()).toEqual([`${t2}: Spine MRI analysis`]);
    // Nor does the panel still say the table and outlines shown came from the PACS: it names the version stored.
    expect(await page.getByTestId('spine-stored-line').textContent()).toMatch(/^Stored in the PACS: findings version \d+ \(SR of .+\)\. The table and outlines above are this page's analysis\.$/);
    await shot(page, 'analyze-puts-series-back');
  }, 420000);

  it('compares a new analysis with the findings stored in the patient\'s prior study', async () => {
    if (!modelDir.endsWith('models')) return; // the random-weights fixture grades nothing
    const { page } = env;
    const [imported] = await importData(env.orthanc, 'segmentation/vb2_08_image.nii.gz');
    // Two visits of one patient: the same images as two studies (new UIDs), dated 2020-01-02 and 2024-03-01.
    const prior = await copyStudyWith(env.orthanc, imported, { StudyDate: '20200102' });
    const current = await copyStudyWith(env.orthanc, imported, { StudyDate: '20240301' });
    expect((await analyzePacs(prior)).stdout).toContain('1 study: 1 stored');
    await openStudy(page, current);
    await analyze(page);
    const section = page.getByTestId('spine-results').getByTestId('spine-prior');
    await section.waitFor({ timeout: 60000 });
    // The same images analysed by the same software: nothing differs.
    expect(await section.textContent()).toMatch(/^Prior study \(2020-01-02\)No graded finding differs from the prior study of 2020-01-02 at the \d+ levels both name/);
    // The reader calls a stenosis: that differs from the prior, in the panel and in the findings text.
    await page.locator('[data-testid="spine-levels-table"] tbody tr', { hasText: 'L3/L4' }).first().click();
    const canal = page.getByTestId('spine-level-detail').getByLabel('Central canal stenosis');
    const before = await canal.inputValue();
    expect(['none', 'mild', 'moderate', 'severe']).toContain(before); // graded by the software (vb2_08 L3/L4: none)
    const readerGrade = before === 'severe' ? 'moderate' : 'severe';
    await canal.selectOption(readerGrade);
    await section.getByTestId('spine-prior-changes').waitFor({ timeout: 10000 });
    expect(await section.getByTestId('spine-prior-changes').locator('tbody tr').allTextContents()).toEqual([`L3/L4Central canal stenosis${before}${readerGrade}*`]);
    await page.getByTestId('spine-results').getByTestId('spine-findings-text-toggle').click();
    expect(await page.getByTestId('spine-results').getByTestId('spine-findings-text').textContent())
      .toContain(`Differs from the prior study of 2020-01-02 (stored findings, levels matched by name): L3/L4 Central canal stenosis ${before} → ${readerGrade}*.`);
    await section.scrollIntoViewIfNeeded();
    await shot(page, 'prior-compared');
    // The prior itself has no earlier study with findings: it says so.
    await openStudy(page, prior);
    await page.getByTestId('spine-stored-results').getByTestId('spine-prior').waitFor({ timeout: 60000 });
    expect(await page.getByTestId('spine-stored-results').getByTestId('spine-prior').textContent()).toBe('No earlier study of this patient holds Spine MRI findings to compare with.');
  }, 300000);

  it('opens a study analysed beforehand by `npm run analyze:pacs` with its findings and SEG from the PACS', async () => {
    if (!modelDir.endsWith('models')) return; // the random-weights fixture grades nothing
    const { page } = env;
    const [study] = await importData(env.orthanc, 'segmentation/vb2_06_image.nii.gz');
    // The README's command, as a cron job runs it, against the same Orthanc.
    expect((await analyzePacs(study, '--reader', 'Doe^Jane')).stdout).toContain('1 study: 1 stored');
    expect(ours(await qidoSeries(study))).toEqual(['SEG Spine MRI SEG v1', 'SR Spine MRI Report v1']);
    await openStudy(page, study);
    // The person the SR names as its observer (here --reader; in the viewer, the reader signed in through OIDC).
    await page.waitForFunction(() => /^Findings loaded from the PACS \(SR of .+, version 1, reader Jane Doe\); segmentation shown from the stored SEG/.test(document.querySelector('[data-testid="spine-stored-line"]')?.textContent ?? ''), null, { timeout: 60000 });
    expect(await page.getByTestId('spine-results').count()).toBe(0);
    const rows = await page.locator('[data-testid="spine-stored-results"] [data-testid="spine-levels-table"] tbody tr').allTextContents();
    expect(rows.some((r) => r.startsWith('▸ L4/L5'))).toBe(true);
    await page.waitForSelector('[data-testid="spine-level-labels"] span', { timeout: 15000 });
    await page.waitForTimeout(1500);
    await shot(page, 'batch-analysed');
    // The SEG deleted from the PACS (by an admin, or lost): the findings still open, and the panel says why no outlines.
    const seg = await deleteSegSeries(study);
    await openStudy(page, study);
    await page.waitForFunction(() => /^Findings loaded from the PACS \(SR of .+, version 1, reader Jane Doe\)$/.test(document.querySelector('[data-testid="spine-stored-line"]')?.textContent ?? ''), null, { timeout: 60000 });
    const missing = `the PACS holds no "Spine MRI SEG v1" beside this report, nor the SEG its SR refers to (SeriesInstanceUID ${seg.MainDicomTags.SeriesInstanceUID}): deleted, or never stored`;
    expect(await page.getByTestId('spine-stored-results').textContent()).toContain(`The stored SEG is not shown: ${missing}; press Analyze to outline the structures again.`);
    expect((await page.locator('[data-testid="spine-stored-results"] [data-testid="spine-levels-table"] tbody tr').allTextContents()).some((r) => r.startsWith('▸ L4/L5'))).toBe(true);
    // Without outlines a clicked level still moves the sagittal images to its disc: to the image its canal AP was measured on.
    const jump = await scrollAwayThenWaitForJump(page);
    await page.locator('[data-testid="spine-stored-results"] [data-testid="spine-levels-table"] tbody tr', { hasText: 'L3/L4' }).first().click();
    expect(Math.abs((await jump.waitForJump()) - jump.before)).toBeLessThanOrEqual(8);
    // A changed grade cannot be saved without the outlines it was measured on: no Save, and the panel says what to do instead.
    await changeStoredGrade(page, 'L4/L5');
    expect(await page.getByTestId('spine-stored-save').count()).toBe(0);
    expect(await page.getByTestId('spine-stored-save-unavailable').textContent()).toBe(`They cannot be saved as a new version: ${missing}, and each version is stored with the outlines it was measured on. Press Analyze to outline the structures again: these changes are offered for the new analysis where it can take them, and saving it stores them with a new SEG. Until then they are kept in this browser.`);
    await page.getByTestId('spine-stored-save-unavailable').scrollIntoViewIfNeeded();
    await shot(page, 'stored-seg-missing');
    // As it says: analysed again, the change is offered, and saved with the new analysis as version 2 with its SEG.
    await analyze(page);
    const offer = page.locator('[data-testid="spine-carry-over"]:not([data-testid="spine-stored-results"] *)');
    await shot(page, 'stored-seg-missing-analysed');
    expect(await offer.textContent()).toMatch(/^Your changes in the stored report \(version 1, changed and not saved yet\): L4\/L5 Pfirrmann grade (IV|V)\./);
    await offer.getByTestId('spine-carry-over-apply').click();
    expect(await saveOutcome(page, 'spine-save', ['spine-save-status', 'spine-save-error'])).toContain('SR ‘Spine MRI Report v2’ stored in the PACS');
    expect(ours(await qidoSeries(study))).toEqual(['SEG Spine MRI SEG v2', 'SR Spine MRI Report v1', 'SR Spine MRI Report v2']);
    // The SEG deleted while a reader has the findings open and changed: Save says so, rather than fail with a Retry that cannot succeed.
    await openStudy(page, study);
    await page.waitForFunction(() => /version 2\); segmentation shown from the stored SEG/.test(document.querySelector('[data-testid="spine-stored-line"]')?.textContent ?? ''), null, { timeout: 60000 });
    await changeStoredGrade(page, 'L3/L4');
    await page.getByTestId('spine-stored-save').waitFor({ timeout: 10000 });
    const seg2 = await deleteSegSeries(study);
    await page.getByTestId('spine-stored-save').click();
    expect(await page.getByTestId('spine-stored-save-error').textContent({ timeout: 30000 })).toBe('Not saved: the stored SEG was deleted from the PACS after this page opened it (the outlines on screen are the copy the page loaded).');
    expect(await page.getByTestId('spine-stored-save-unavailable').textContent()).toContain(`They cannot be saved as a new version: the PACS holds no "Spine MRI SEG v2" beside this report, nor the SEG its SR refers to (SeriesInstanceUID ${seg2.MainDicomTags.SeriesInstanceUID})`);
    expect(await page.getByTestId('spine-stored-save').count()).toBe(0);
    await page.getByTestId('spine-stored-edits').scrollIntoViewIfNeeded();
    await shot(page, 'stored-seg-deleted-while-open');
    expect(ours(await qidoSeries(study))).toEqual(['SR Spine MRI Report v1', 'SR Spine MRI Report v2']);
  }, 360000);

  it('shows a stored SEG whose frames are not whole bytes (ivd_11, 221 × 165 pixels: written FRACTIONAL, RLE Lossless) voxel for voxel as measured; an earlier build\'s binary one is shown again once a change to the findings is saved', async () => {
    // As BINARY, such a SEG did not open (OHIF refused the pad byte) or was painted sheared (frames starting mid-byte).
    if (!modelDir.endsWith('models')) return;
    const { page } = env;
    const [study] = await importData(env.orthanc, 'segmentation/ivd_11_image.nii.gz');
    const cli = await analyzePacs(study);
    expect(cli.stdout).toContain('1 study: 1 stored');
    const measured = Object.fromEntries(cli.report.segments.map((x) => [x.segmentNumber, x.voxelCount]));
    /** Voxels per segment of the labelmap OHIF built from the stored SEG (cornerstone's cache). */
    const shownVoxels = () => page.evaluate(() => {
      const w = window as unknown as { cornerstoneTools: any; cornerstone: any };
      const counts: Record<number, number> = {};
      for (const seg of w.cornerstoneTools.segmentation.state.getSegmentations()) {
        for (const id of seg.representationData?.Labelmap?.imageIds ?? []) {
          const image = w.cornerstone.cache.getImage(id);
          const values: ArrayLike<number> = image.voxelManager?.getScalarData?.() ?? image.getPixelData();
          for (let i = 0; i < values.length; i++) if (values[i]) counts[values[i]] = (counts[values[i]] ?? 0) + 1;
        }
      }
      return counts;
    });
    const segShown = (version: number) => page.waitForFunction((v) => {
      const line = document.querySelector('[data-testid="spine-stored-line"]')?.textContent ?? '';
      return line.includes(`version ${v})`) && line.includes('segmentation shown from the stored SEG');
    }, version, { timeout: 60000 });
    await openStudy(page, study);
    await segShown(1);
    expect(await shownVoxels()).toEqual(measured);
    await page.waitForSelector('[data-testid="spine-level-labels"] span', { timeout: 15000 });
    await page.waitForTimeout(1500);
    await shot(page, 'stored-fractional-seg');

    // v2: v1's findings with its SEG as builds before 2026-12-06 stored it (BINARY, frames starting mid-byte).
    const client = dicomwebClient({ url: `${env.baseUrl}/dicom-web` });
    const part10 = async (description: string) => {
      const series = (await qidoSeries(study)).find((r) => r.description === description)!;
      const [bytes] = await client.retrieveSeries({ studyInstanceUID: study, seriesInstanceUID: series.seriesInstanceUid, request: {} } as Parameters<typeof client.retrieveSeries>[0]);
      return fromPart10(bytes);
    };
    const { _meta: _sr, ...sr } = await part10('Spine MRI Report v1');
    const oldSeg = earlierBuildsBinarySeg(await part10('Spine MRI SEG v1'));
    await dicomwebStow(client)([toPart10({ ...oldSeg, SeriesInstanceUID: newUid(), SOPInstanceUID: newUid(), SeriesDescription: 'Spine MRI SEG v2' })]);
    await dicomwebStow(client)([toPart10({ ...sr, SeriesInstanceUID: newUid(), SOPInstanceUID: newUid(), SeriesDescription: 'Spine MRI Report v2' })]);
    await openStudy(page, study);
    await page.waitForFunction(() => document.body.innerText.includes('The stored SEG is not shown: it is a binary SEG of 221 × 165-pixel images'), null, { timeout: 60000 });
    // A changed grade saved as v3 carries the outlines over as a FRACTIONAL RLE SEG: shown at once, voxel for voxel.
    await page.locator('[data-testid="spine-stored-results"] [data-testid="spine-levels-table"] tbody tr', { hasText: 'L3/L4' }).first().click();
    const grade = page.getByTestId('spine-stored-results').getByTestId('spine-level-detail').getByLabel('Pfirrmann grade');
    await grade.selectOption((await grade.inputValue()) === '5' ? '4' : '5');
    expect(await saveOutcome(page, 'spine-stored-save', ['spine-stored-save-status', 'spine-stored-save-error'])).toContain('SEG series ‘Spine MRI SEG v3’');
    await segShown(3);
    expect(await shownVoxels()).toEqual(measured);
    expect(await page.evaluate(() => document.body.innerText)).not.toContain('The stored SEG is not shown');
    await page.waitForSelector('[data-testid="spine-level-labels"] span', { timeout: 15000 });
    await page.waitForTimeout(1500);
    await shot(page, 'stored-old-seg-revised');
  }, 300000);

  it('does not save changes to stored findings over a version stored since without saying so: they are offered on that version, or saved anyway', async () => {
    if (!modelDir.endsWith('models')) return;
    // studyC holds version 1 from the resume test above (run alone, this test stores it first).
    if (!ours(await qidoSeries(studyC)).length) await analyzePacs(studyC);
    const page = await env.context.newPage();
    const storedLine = (version: number) => page.waitForFunction((v) => new RegExp(`version ${v}\\); segmentation shown from the stored SEG`).test(document.querySelector('[data-testid="spine-stored-line"]')?.textContent ?? ''), version, { timeout: 60000 });
    await openStudy(page, studyC);
    await storedLine(1);
    // Meanwhile version 2 is stored from elsewhere: here a batch analysis run again.
    await analyzePacs(studyC, '--redo');
    // Each version an SR; a SEG with those a new analysis made (here all but 3 and 5, grade changes referring to the SEG before).
    const versions = (n: number) => Array.from({ length: n }, (_, k) => [...(k + 1 === 3 || k + 1 === 5 ? [] : [`SEG Spine MRI SEG v${k + 1}`]), `SR Spine MRI Report v${k + 1}`]).flat().sort();
    expect(ours(await qidoSeries(studyC))).toEqual(versions(2));

    // The reader changes version 1 as shown and saves: nothing is stored, and the panel says why.
    const readerGrade = await changeStoredGrade(page, 'L4/L5');
    const refused = await saveOutcome(page, 'spine-stored-save', ['spine-stored-save-status', 'spine-stored-save-error']);
    expect(refused).toMatch(/^Not saved: version 2 of these findings was stored after you opened version 1 /);
    expect(refused).toContain('Saved now instead, your changes to version 1 become version 3, without the changes made in version 2.');
    expect(ours(await qidoSeries(studyC))).toEqual(versions(2));
    expect(await page.getByTestId('spine-stored-save').textContent()).toBe('Save as version 3 anyway');
    expect(await page.getByTestId('spine-stored-open-newest').textContent()).toBe('Open version 2');
    // Version 2, which the page had not loaded, is in the study list now, where the message points.
    await page.waitForFunction(() => (window as unknown as { services: any }).services.displaySetService.getActiveDisplaySets()
      .some((d: { SeriesDescription?: string }) => d.SeriesDescription === 'Spine MRI Report v2'), null, { timeout: 30000 });
    await shot(page, 'stored-superseded');

    // Open version 2: the page reloads (without asking: the changes are kept in this browser) with version 2, which
    // offers the change made to version 1; applied and saved, it is version 3, made from version 2.
    const asked: string[] = [];
    page.on('dialog', (d) => { asked.push(d.type()); void d.accept(); });
    await Promise.all([page.waitForEvent('load', { timeout: 60000 }), page.getByTestId('spine-stored-open-newest').click()]);
    expect(asked).toEqual([]);
    await storedLine(2);
    const offer = page.getByTestId('spine-stored-results').getByTestId('spine-carry-over');
    await offer.waitFor({ timeout: 30000 });
    expect(await offer.textContent()).toMatch(new RegExp(`^Your changes in the stored findings \\(version 1\\) of .+, kept in this browser and not saved to the PACS; version 2 was stored since: L4/L5 Pfirrmann grade ${readerGrade}\\.`));
    await shot(page, 'stored-superseded-offered');
    await page.getByTestId('spine-carry-over-apply').click();
    await page.getByTestId('spine-stored-edits').getByText('Your changes to the stored findings (version 2) are not saved yet.').waitFor({ timeout: 10000 });
    expect(await page.locator('[data-testid="spine-stored-results"] [data-testid="spine-levels-table"] tbody tr', { hasText: 'L4/L5' }).first().textContent()).toContain(`${readerGrade}*`);
    const merged = await saveOutcome(page, 'spine-stored-save', ['spine-stored-save-status', 'spine-stored-save-error']);
    expect(merged).toContain('SR ‘Spine MRI Report v3’ stored in the PACS');
    expect(ours(await qidoSeries(studyC))).toEqual(versions(3));
    expect(await page.getByTestId('spine-carry-over').count()).toBe(0); // taken: not offered again

    // Another version stored since again (4): this time the reader saves their change to version 3 anyway, as version 5.
    await analyzePacs(studyC, '--redo');
    await changeStoredGrade(page, 'L3/L4');
    expect(await saveOutcome(page, 'spine-stored-save', ['spine-stored-save-status', 'spine-stored-save-error'])).toMatch(/^Not saved: version 4 of these findings was stored after you opened version 3 /);
    const saved = await saveOutcome(page, 'spine-stored-save', ['spine-stored-save-status', 'spine-stored-save-error']);
    expect(saved).toContain('SR ‘Spine MRI Report v5’ stored in the PACS');
    expect(ours(await qidoSeries(studyC))).toEqual(versions(5));

    // A new analysis saved after another version was stored (6) is refused the same way, and saved anyway as 7.
    await analyze(page);
    await analyzePacs(studyC, '--redo');
    const analysisRefused = await saveOutcome(page, 'spine-save', ['spine-save-status', 'spine-save-error']);
    expect(analysisRefused).toMatch(/^Not saved: version 6 of this study's findings was stored since \(version 5 was the newest this page knew of\)/);
    expect(analysisRefused).toContain('Saved now, this analysis becomes version 7, the one the viewer opens, without the changes made in version 6');
    expect(ours(await qidoSeries(studyC))).toEqual(versions(6));
    expect(await page.getByTestId('spine-save').textContent()).toBe('Save as version 7 anyway');
    expect(await saveOutcome(page, 'spine-save', ['spine-save-status', 'spine-save-error'])).toContain('SR ‘Spine MRI Report v7’ stored in the PACS');
    expect(ours(await qidoSeries(studyC))).toEqual(versions(7));
    // The study browser lists the versions newest first (their UIDs are time-ordered: dicom/uids.ts newUid).
    await openStudy(page, studyC);
    await storedLine(7);
    const listed = page.getByText(/^Spine MRI Report v\d+$/);
    await page.waitForFunction(() => [...document.querySelectorAll('span, div')].filter((e) => /^Spine MRI Report v\d+$/.test(e.textContent ?? '') && !e.children.length).length >= 7, null, { timeout: 30000 });
    expect(await listed.allTextContents()).toEqual([7, 6, 5, 4, 3, 2, 1].map((v) => `Spine MRI Report v${v}`));
    await page.close();
  }, 600000);
});
