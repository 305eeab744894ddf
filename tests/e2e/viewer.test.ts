/**
 * Browser test of the viewer part: real Orthanc, real gateway, real Debian Chromium, real data
 * imported with scripts/import.ts. Opens the study list, then studies in the Spine MRI mode:
 *  - FastCleverSeg vb2_02 (one sagittal T2 TSE volume, Zukić 2014): 1×1, mid-sagittal slice shown;
 *  - SPIDER patient 3 (t1_tse_sag_320 + t2_tse_sag_384, Siemens Avanto 1.5 T, single slices):
 *    1×2 hanging, sagittal T2 left and sagittal T1 right, single-slice warning.
 * Checks rendered (non-blank) canvases and the panel's series classification text.
 * Screenshots: tests/artifacts/viewer.png, tests/artifacts/viewer-spider.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { artifactsDir, dismissBanner, e2eSkipReason, importData, pngStats, scrollAwayThenWaitForJump, startViewerEnv, type ViewerEnv } from './env';

const skip = e2eSkipReason();
if (skip) console.warn(`Skipping viewer e2e: ${skip}`);
const d = skip ? describe.skip : describe;

/** Waits until a canvas shows an image: ≥ `minBright` bright pixels and contrast (std > 15 grey levels). */
async function waitForImage(canvas: Locator, minBright = 0.1): Promise<{ brightFraction: number; std: number }> {
  let stats = { brightFraction: 0, std: 0 };
  for (let i = 0; i < 60 && !(stats.brightFraction > minBright && stats.std > 15); i++) {
    await canvas.page().waitForTimeout(1000);
    stats = pngStats(await canvas.screenshot());
  }
  return stats;
}

d('Spine MRI mode in OHIF (Chromium)', () => {
  let env: ViewerEnv;
  let vb2Study: string;
  let spiderStudy: string;

  beforeAll(async () => {
    env = await startViewerEnv();
    [vb2Study] = await importData(env.orthanc, 'segmentation/vb2_02_image.nii.gz');
    [spiderStudy] = await importData(env.orthanc, 'spider_midsagittal/3_t1.png', 'spider_midsagittal/3_t2.png');
    mkdirSync(artifactsDir, { recursive: true });
  }, 180000);

  afterAll(async () => {
    await env?.close();
  });

  it('lists the studies and offers the Spine MRI mode', async () => {
    const { page, baseUrl } = env;
    await page.goto(`${baseUrl}/`);
    const row = page.getByText(/FastCleverSeg.*vb2_02/).first();
    await row.waitFor({ timeout: 60000 });
    await page.getByText(/SPIDER.*3/).first().waitFor({ timeout: 10000 });
    await row.click();
    const launch = page.getByRole('button', { name: /Spine MRI/ }).first();
    await launch.waitFor({ timeout: 30000 });
    await page.screenshot({ path: join(artifactsDir, 'study-list.png') });
    await launch.click();
    await page.waitForURL(new RegExp(`/spine-mri\\?StudyInstanceUIDs=${vb2Study.replace(/\./g, '\\.')}`), { timeout: 30000 });
    await page.getByTestId('spine-mri-panel').waitFor({ timeout: 60000 });
  }, 120000);

  it('opens a sagittal T2 volume: mid-sagittal image rendered, panel names the sagittal T2', async () => {
    const { page, baseUrl } = env;
    await page.goto(`${baseUrl}/spine-mri?StudyInstanceUIDs=${vb2Study}`);
    const message = page.getByTestId('spine-series-message');
    await message.waitFor({ timeout: 60000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="spine-series-message"]')?.textContent?.includes('Analysis will use'), null, {
      timeout: 60000,
    });
    expect(await message.textContent()).toMatch(/Analysis will use the sagittal T2 #\d+ "SAG T2 TSE — vb2_02 .*" \(75 slices\)\./);
    const table = await page.getByTestId('spine-series-table').textContent();
    expect(table).toContain('SAG T2');
    expect(table).toMatch(/EchoTime \d+ ms ≥ 60 and RepetitionTime \d+ ms ≥ 2000 → T2/);

    await dismissBanner(page);
    const canvases = page.locator('canvas.cornerstone-canvas');
    await canvases.first().waitFor({ timeout: 60000 });
    expect(await canvases.count()).toBe(1);
    const stats = await waitForImage(canvases.first());
    expect(stats.brightFraction).toBeGreaterThan(0.1);
    expect(stats.std).toBeGreaterThan(15);
    // Opens at the middle (mid-sagittal) slice of 75, not the far-lateral first one.
    await page.getByText(/\(38\/75\)/).first().waitFor({ timeout: 10000 });
    await page.screenshot({ path: join(artifactsDir, 'viewer.png') });
    expect(env.errors.filter((e) => /spine/i.test(e))).toEqual([]);
  }, 180000);

  it("lists the reader's own measurements in OHIF's Measurement panel, asks before closing while they are not stored, and stores them as an SR that opens again", async () => {
    const page = await env.context.newPage();
    page.on('dialog', (dialog) => void dialog.accept()); // the reload below leaves anyway
    const asksBeforeLeaving = () => page.evaluate(() => {
      const e = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(e);
      return e.defaultPrevented;
    });
    const open = async () => {
      await page.goto(`${env.baseUrl}/spine-mri?StudyInstanceUIDs=${vb2Study}`);
      await page.locator('canvas.cornerstone-canvas').first().waitFor({ timeout: 60000 });
      await dismissBanner(page);
      await waitForImage(page.locator('canvas.cornerstone-canvas').first());
    };
    /** Draws a Length across the viewport at height fraction `y`, from 45 % to 65 % of its width. */
    const drawLength = async (y: number) => {
      await page.locator('[data-cy="MeasurementTools-split-button-primary"]').click();
      const box = (await page.locator('[data-cy="viewport-pane"]').first().boundingBox())!;
      await page.mouse.move(box.x + box.width * 0.45, box.y + box.height * y);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * 0.65, box.y + box.height * y, { steps: 8 });
      await page.mouse.up();
    };
    const measurementCount = () => page.evaluate(() => (window as unknown as { services: any }).services.measurementService.getMeasurements().length as number);
    const srSeries = async () => {
      const r = await fetch(`${env.baseUrl}/dicom-web/studies/${vb2Study}/series`, { headers: { Accept: 'application/dicom+json' } });
      const rows = (await r.json()) as Record<string, { Value?: unknown[] }>[];
      return rows.filter((row) => row['00080060']?.Value?.[0] === 'SR').map((row) => String(row['0008103E']?.Value?.[0] ?? ''));
    };

    await open();
    expect(await asksBeforeLeaving()).toBe(false);
    await drawLength(0.5);
    await page.waitForFunction(() => (window as unknown as { services: any }).services.measurementService.getMeasurements().length === 1, null, { timeout: 10000 });
    await page.locator('[data-cy="panelMeasurement-btn"]').click();
    await page.getByText('Measurements (1)').waitFor({ timeout: 10000 });
    expect(await page.getByText(/^\d+(\.\d+)? mm$/).count()).toBeGreaterThan(0);
    expect(await asksBeforeLeaving()).toBe(true); // drawn, in no SR

    // Create SR stores it in the PACS as OHIF's own SR; then closing loses nothing.
    await page.getByText('Create SR').click();
    await page.getByPlaceholder('Report name').fill('Reader measurements');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForFunction(() => {
      const e = new Event('beforeunload', { cancelable: true });
      window.dispatchEvent(e);
      return !e.defaultPrevented;
    }, null, { timeout: 30000 });
    expect(await srSeries()).toEqual(['Reader measurements']);
    await page.screenshot({ path: join(artifactsDir, 'viewer-measurements-stored.png') });
    // One drawn since is not stored.
    await drawLength(0.35);
    await page.waitForFunction(() => (window as unknown as { services: any }).services.measurementService.getMeasurements().length === 2, null, { timeout: 10000 });
    expect(await asksBeforeLeaving()).toBe(true);

    // Left for the study list, where OHIF clears the measurements with no question: the one in no SR is kept in this
    // browser, and offered back when the study is opened again, on the image and with the points it had.
    const pointsOf = () => page.evaluate(() => JSON.stringify((window as unknown as { services: any }).services.measurementService.getMeasurements().map((m: { points: unknown }) => m.points)));
    const unstoredPoints = JSON.stringify([JSON.parse(await pointsOf())[1]]);
    await page.locator('[data-cy="return-to-work-list"]').click();
    await page.waitForURL((u) => new URL(u).pathname === '/', { timeout: 30000 });
    // As the mode exits (OHIF unmounts it after the URL changes): opened before that, the page would ask and reload.
    await page.waitForFunction(() => Object.keys(localStorage).some((k) => k.startsWith('spine-mri:reader-measurements:')), null, { timeout: 10000 });
    await open();
    const offer = page.getByTestId('spine-kept-measurements');
    expect(await offer.textContent({ timeout: 30000 })).toMatch(/^⚠ 1 measurement you drew on this study was not stored in an SR when you left it \(.+\): this browser kept it\./);
    expect(await measurementCount()).toBe(0);
    await page.getByTestId('spine-kept-measurements-restore').click();
    await page.waitForFunction(() => (window as unknown as { services: any }).services.measurementService.getMeasurements().length === 1, null, { timeout: 10000 });
    expect(await pointsOf()).toBe(unstoredPoints);
    expect(await offer.count()).toBe(0);
    expect(await asksBeforeLeaving()).toBe(true); // back, and still in no SR
    await page.screenshot({ path: join(artifactsDir, 'viewer-measurements-restored.png') });

    // Opened again and analysed: the SR is listed, and opened in the T2's place it shows the stored length on its image,
    // with the analysis outlines (the SR shows the T2's images, where OHIF draws no segmentation of this page), and a
    // level click moves it to the level. The Series table lists no SR or KO.
    await open();
    expect(await measurementCount()).toBe(0);
    expect(await page.getByTestId('spine-kept-measurements').count()).toBe(0); // restored: no longer kept
    await page.getByTestId('spine-analyze').click();
    await page.getByTestId('spine-results').waitFor({ timeout: 300000 });
    await page.getByText('Reader measurements', { exact: true }).first().dblclick();
    await page.waitForFunction(() => (window as unknown as { cornerstoneTools: any }).cornerstoneTools.annotation.state.getAllAnnotations()
      .some((a: { metadata: { toolName: string } }) => a.metadata.toolName === 'DICOMSRDisplay'), null, { timeout: 30000 });
    await page.waitForFunction(() => {
      const { viewportGridService, displaySetService, segmentationService } = (window as unknown as { services: any }).services;
      return [...viewportGridService.getState().viewports.values()].some((v: any) => displaySetService.getDisplaySetByUID(v.displaySetInstanceUIDs?.[0])?.Modality === 'SR'
        && segmentationService.getSegmentationRepresentations(v.viewportId).some((r: { segmentationId: string }) => r.segmentationId.startsWith('spine-mri-')));
    }, null, { timeout: 10000 });
    const { waitForJump } = await scrollAwayThenWaitForJump(page);
    await page.locator('[data-level-row="L3/L4"]').click();
    expect(Math.abs((await waitForJump()) - 38)).toBeLessThanOrEqual(6); // to the spine near the mid-sagittal slice
    await page.screenshot({ path: join(artifactsDir, 'viewer-measurements-reopened.png') });
    expect(await page.getByTestId('spine-series-table').textContent()).not.toMatch(/Reader measurements|\bKO\b/);
    expect(await asksBeforeLeaving()).toBe(false); // shown from the PACS, nothing of this page's
    await page.close();
  }, 240000);

  it('hangs sagittal T2 and sagittal T1 side by side (1×2) and warns about single slices', async () => {
    const { page, baseUrl } = env;
    await page.goto(`${baseUrl}/spine-mri?StudyInstanceUIDs=${spiderStudy}`);
    await page.waitForFunction(() => document.querySelector('[data-testid="spine-series-message"]')?.textContent?.includes('Analysis will use'), null, {
      timeout: 60000,
    });
    const panel = (await page.getByTestId('spine-mri-panel').textContent()) ?? '';
    expect(panel).toMatch(/Analysis will use the sagittal T2 .*t2_tse_sag_384.*\(1 slice\); also shown: sagittal T1 .*t1_tse_sag_320/);
    expect(panel).toMatch(/only 1 slice: 2D analysis/);
    await dismissBanner(page);
    const canvases = page.locator('canvas.cornerstone-canvas');
    await page.waitForFunction(() => document.querySelectorAll('canvas.cornerstone-canvas').length === 2, null, { timeout: 60000 });
    for (let i = 0; i < 2; i++) {
      const st = await waitForImage(canvases.nth(i), 0.05);
      expect(st.std).toBeGreaterThan(15);
    }
    // Left viewport = T2 (CSF bright), right = T1: the viewport overlays name the series.
    const boxes = await Promise.all([0, 1].map((i) => canvases.nth(i).boundingBox()));
    expect(boxes[0]!.x).toBeLessThan(boxes[1]!.x);
    await page.screenshot({ path: join(artifactsDir, 'viewer-spider.png') });
    // The viewport overlays (not the study browser thumbnails) name the series: T2 left, T1 right.
    const overlayX = async (re: RegExp): Promise<number> => {
      const xs: number[] = [];
      for (const el of await page.getByText(re).all()) {
        const bb = await el.boundingBox();
        if (bb && bb.x >= boxes[0]!.x - 5) xs.push(bb.x);
      }
      expect(xs.length).toBeGreaterThan(0);
      return Math.min(...xs);
    };
    const t2x = await overlayX(/SAG T2 — SPIDER 3/);
    const t1x = await overlayX(/SAG T1 — SPIDER 3/);
    expect(t2x).toBeLessThan(boxes[1]!.x);
    expect(t1x).toBeGreaterThanOrEqual(boxes[1]!.x - 5);
  }, 180000);
});
