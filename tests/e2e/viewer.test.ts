/**
 * Browser test of the viewer part: real Orthanc, real gateway, real Debian Chromium, one real
 * lumbar case. Opens the study list, then the study in the Spine MRI mode, and checks that the
 * sagittal T2 is rendered (non-blank canvas) and the Spine MRI panel explains the series choice.
 * Screenshot: tests/artifacts/viewer.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { artifactsDir, dismissBanner, e2eSkipReason, importCase, pngStats, startViewerEnv, type ImportedStudy, type ViewerEnv } from './env';

const skip = e2eSkipReason();
if (skip) console.warn(`Skipping viewer e2e: ${skip}`);
const d = skip ? describe.skip : describe;

d('Spine MRI mode in OHIF (Chromium)', () => {
  let env: ViewerEnv;
  let study: ImportedStudy;

  beforeAll(async () => {
    env = await startViewerEnv();
    // vb2_02: T2 TSE, 1.5 T Siemens (Zukić 2014) — a sagittal T2 volume.
    study = await importCase(env.orthanc, 'vb2_02', 't2Tse', 't2_tse_sag (vb2_02, Zukic 2014)');
  }, 180000);

  afterAll(async () => {
    await env?.close();
  });

  it('lists the study and offers the Spine MRI mode', async () => {
    const { page, baseUrl } = env;
    await page.goto(`${baseUrl}/`);
    const row = page.getByText('E2E^vb2_02').or(page.getByText('E2E, vb2_02')).first();
    await row.waitFor({ timeout: 60000 });
    await row.click();
    await page.getByRole('button', { name: /Spine MRI/ }).first().waitFor({ timeout: 30000 });
  }, 120000);

  it('opens the study in the Spine MRI mode: image rendered, panel names the sagittal T2', async () => {
    const { page, baseUrl } = env;
    await page.goto(`${baseUrl}/spine-mri?StudyInstanceUIDs=${study.studyInstanceUid}`);
    const message = page.getByTestId('spine-series-message');
    await message.waitFor({ timeout: 60000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="spine-series-message"]')?.textContent?.includes('Analysis will use'), null, {
      timeout: 60000,
    });
    expect(await message.textContent()).toMatch(/Analysis will use the sagittal T2 #2 "t2_tse_sag \(vb2_02, Zukic 2014\)" \(75 slices\)/);
    const table = await page.getByTestId('spine-series-table').textContent();
    expect(table).toContain('SAG T2');
    expect(table).toMatch(/EchoTime 100 ms ≥ 60 and RepetitionTime 3500 ms ≥ 2000 → T2/);

    await dismissBanner(page);
    const canvas = page.locator('canvas.cornerstone-canvas').first();
    await canvas.waitFor({ timeout: 60000 });
    // Wait until the viewport shows an image (not a black canvas): ≥ 10 % bright pixels with contrast.
    let stats = { brightFraction: 0, std: 0 };
    for (let i = 0; i < 60 && !(stats.brightFraction > 0.1 && stats.std > 15); i++) {
      await page.waitForTimeout(1000);
      stats = pngStats(await canvas.screenshot());
    }
    expect(stats.brightFraction).toBeGreaterThan(0.1);
    expect(stats.std).toBeGreaterThan(15);
    // The stack opens at the middle (mid-sagittal) slice, e.g. "38/75" in the viewport overlay.
    await page.waitForTimeout(1000);
    mkdirSync(artifactsDir, { recursive: true });
    await page.screenshot({ path: join(artifactsDir, 'viewer.png') });
    expect(env.errors.filter((e) => /spine|ohif-spine/i.test(e))).toEqual([]);
  }, 180000);
});
