/**
 * `npm run eval:grading` end to end on the first 6 SPIDER T2 images with the shipped models (skips when
 * ../shared/data is absent): the real segmentation, naming, patches and the cross-validation fold
 * classifiers run, and the JSON carries detection, Pfirrmann agreement, the disc findings' AUCs and the measured slip's
 * agreement with the readers' spondylolisthesis.
 * On a folder holding images the classifier was not trained on (here: training images re-encoded, so their
 * PNG bytes differ) those are graded by the shipped classifier, and the cache is not reused across folders.
 * --sequence t2_SPACE grades the 3D T2 SPACE images instead, with the fold classifiers (they train on both sequences);
 * --sequence t1 measures detection and level names on the T1 images, without Pfirrmann (the classifier reads T2).
 */
import { patientFolds, readCsv, spiderImages } from '../../scripts/lib/spider';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realDataSuite } from '../helpers/eval-cli';

const suite = realDataSuite('spider_midsagittal', 'gradings.csv', 'eval:grading CLI test');
const { data } = suite;

/** Runs fn in a fresh temporary folder, removed afterwards whatever fn does. */
function inTempDir(prefix: string, fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  try { fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

/** Rows back to CSV text (SPIDER's CSVs have no quoted commas). */
const csv = (rows: Record<string, string>[]) => [Object.keys(rows[0]).join(','), ...rows.map((x) => Object.values(x).join(','))].join('\n') + '\n';

/** eval:grading on the first 3 images of one sequence (stdout; with --json unless asked for the table), cached in dir. */
const firstThree = (sequence: string, dir: string, table = false) =>
  suite.run('eval-grading', ['--sequence', sequence, '--limit', '3', '--cache', join(dir, 'cache.json'), ...(table ? [] : ['--json'])]);

suite.describe('eval:grading CLI', () => {
  it('grades the first images with the fold classifiers and reports detection, kappa and finding AUCs', () => {
    inTempDir('eval-grading-', (dir) => {
      const out = suite.run('eval-grading', ['--limit', '6', '--cache', join(dir, 'cache.json'), '--json']);
      const r = JSON.parse(out);
      expect(r.images).toBe(6);
      expect(r.gradedDiscs).toBeGreaterThan(30);
      expect(r.detectionRate).toBeGreaterThan(0.8);
      expect(r.namesUncertain.images).toBeGreaterThanOrEqual(0);
      expect(r.namesUncertain.images).toBeLessThanOrEqual(6);
      expect(r.namesUncertain.detectionRateOnCertainImages).toBeGreaterThan(0.8);
      // The names counted again on the same patients' T1 images, as the viewer does on a study's sagittal T1; an image
      // counted differently there has its names marked uncertain.
      const t1 = r.namesUncertain.checkedOnT1;
      expect(t1.images).toBeGreaterThan(0);
      expect(t1.countedDifferently.length).toBeLessThanOrEqual(Math.min(t1.images, r.namesUncertain.images));
      // Of those, the ones whose note points to the discs where the two counts part.
      for (const p of t1.partingAtUnsharedDiscs) expect(t1.countedDifferently).toContain(p);
      expect(r.outsideImage.gradedDiscs).toBeLessThan(r.gradedDiscs);
      expect(r.outsideImage.detectionRateInsideImage).toBeGreaterThanOrEqual(r.detectionRate);
      expect(r.pfirrmannAssessed).toBeGreaterThan(25);
      expect(r.pfirrmannGradedBy).toEqual({ foldClassifiersCv5ByPatient: r.pfirrmannAssessed, shippedClassifierOtherImages: 0 }); // all training patients
      expect(r.pfirrmannOutOfSample.withinOne).toBeGreaterThan(0.6);
      expect(r.pfirrmannOutOfSampleUncalibrated.withinOne).toBeGreaterThan(0.6); // each fold's calibration applied, and the plain rounded mean beside it
      expect(r.pfirrmannOutOfSample.confusionTruthRowsPredCols.flat().reduce((a: number, b: number) => a + b, 0)).toBe(r.pfirrmannAssessed);
      expect(r.pfirrmannShippedModelInSample.discs).toBe(r.pfirrmannAssessed);
      for (const f of ['narrowing', 'bulging', 'modic', 'upperEndplate', 'lowerEndplate']) expect(r.classifierFindingsOutOfSample[f].assessed).toBe(r.pfirrmannAssessed);
      // The slip is measured where both bodies are outlined (most found discs) and scored against the readers' label.
      expect(r.spondylolisthesis.found).toBe(r.pfirrmannAssessed);
      expect(r.spondylolisthesis.measured).toBeGreaterThan(0.7 * r.spondylolisthesis.found);
      expect(r.spondylolisthesis.measured).toBeLessThanOrEqual(r.spondylolisthesis.found);
      expect(r.spondylolisthesis.specificity).toBeGreaterThan(0.8);
    });
  }, 180000);

  it('grades images outside the training data with the shipped classifier, and keeps caches of different folders apart', () => {
    inTempDir('eval-grading-heldout-', (dir) => {
      // Three T2 images: the first two re-encoded (same pixels, other bytes: not a training image to the manifest), the third copied.
      const images = spiderImages(data).slice(0, 3);
      const series = readCsv(join(data, 'series.csv')).filter((s) => images.some((i) => i.series === s.series));
      writeFileSync(join(dir, 'series.csv'), csv(series));
      writeFileSync(join(dir, 'gradings.csv'), csv(readCsv(join(data, 'gradings.csv')).filter((g) => images.some((i) => i.patient === g.Patient))));
      images.forEach((img, n) => {
        const src = join(data, `${img.series}.png`), dst = join(dir, `${img.series}.png`);
        if (n < 2) writeFileSync(dst, PNG.sync.write(PNG.sync.read(readFileSync(src)), { deflateLevel: 1 }));
        else copyFileSync(src, dst);
      });
      const reencoded = spiderImages(dir).slice(0, 2);
      expect(reencoded.map((i) => i.sha256())).not.toEqual(images.slice(0, 2).map((i) => i.sha256()));
      const cache = join(dir, 'cache.json');
      const r = JSON.parse(suite.run('eval-grading', ['--cache', cache, '--json'], dir));
      expect(r.images).toBe(3);
      expect(r.pfirrmannGradedBy.shippedClassifierOtherImages).toBeGreaterThan(5); // the two re-encoded images' discs
      expect(r.pfirrmannGradedBy.foldClassifiersCv5ByPatient).toBeGreaterThan(2); // the copied training image's discs
      expect(r.pfirrmannShippedModelInSample.discs).toBe(r.pfirrmannGradedBy.foldClassifiersCv5ByPatient);
      // The same cache file with another folder: recomputed, not the first folder's rows.
      const one = join(dir, 'one');
      mkdirSync(one);
      writeFileSync(join(one, 'series.csv'), csv(series.slice(2)));
      copyFileSync(join(dir, 'gradings.csv'), join(one, 'gradings.csv'));
      copyFileSync(join(dir, `${images[2].series}.png`), join(one, `${images[2].series}.png`));
      expect(JSON.parse(suite.run('eval-grading', ['--cache', cache, '--json'], one)).images).toBe(1);
    });
  }, 300000);

  it("splits the kappa by acquisition when the 't2' images include a 3D SPACE slice (SPIDER 7)", () => {
    inTempDir('eval-grading-3d-t2-', (dir) => {
      const images = spiderImages(data).filter((i) => i.patient === '1' || i.patient === '7');
      expect(images.map((i) => [i.patient, i.threeD])).toEqual([['1', false], ['7', true]]);
      writeFileSync(join(dir, 'series.csv'), csv(readCsv(join(data, 'series.csv')).filter((s) => images.some((i) => i.series === s.series))));
      writeFileSync(join(dir, 'gradings.csv'), csv(readCsv(join(data, 'gradings.csv')).filter((g) => images.some((i) => i.patient === g.Patient))));
      for (const i of images) copyFileSync(join(data, `${i.series}.png`), join(dir, `${i.series}.png`));
      const r = JSON.parse(suite.run('eval-grading', ['--cache', join(dir, 'cache.json'), '--json'], dir));
      const { twoD, threeD } = r.pfirrmannByAcquisition;
      expect([twoD.images, threeD.images]).toEqual([1, 1]);
      expect(twoD.discs + threeD.discs).toBe(r.pfirrmannAssessed);
      expect(threeD.discs).toBeGreaterThan(3);
    });
  }, 180000);

  it('--sequence t2_SPACE grades the 3D T2 SPACE images, each by the fold classifier that held its patient out', () => {
    inTempDir('eval-grading-space-', (dir) => {
      const r = JSON.parse(firstThree('t2_SPACE', dir));
      expect(r.sequence).toBe('t2_SPACE');
      expect(r.images).toBe(3);
      expect(r.pfirrmannAssessed).toBeGreaterThan(10);
      expect(r.pfirrmannGradedBy).toEqual({ foldClassifiersCv5ByPatient: r.pfirrmannAssessed, shippedClassifierOtherImages: 0 });
      expect(() => suite.run('eval-grading', ['--sequence', 'stir', '--cache', join(dir, 'cache.json')])).toThrow(/--sequence must be one of t2, t2_SPACE, t1, not 'stir'/);
    });
  }, 180000);

  it('--sequence t1 reports detection and level names on the T1 images, and no Pfirrmann grade', () => {
    inTempDir('eval-grading-t1-', (dir) => {
      const r = JSON.parse(firstThree('t1', dir));
      expect(r.sequence).toBe('t1');
      expect(r.images).toBe(3);
      expect(r.detectionRate).toBeGreaterThan(0.7);
      expect(r.pfirrmannAssessed).toBe(0);
      expect(firstThree('t1', dir, true)).toMatch(/SPIDER mid-sagittal T1: 3 patients[\s\S]*Pfirrmann and the disc findings: not evaluated on T1/);
    });
  }, 180000);

  it('fails clearly on a folder that is not SPIDER-style', () => {
    inTempDir('eval-grading-bad-', (dir) => {
      copyFileSync(join(data, 'gradings.csv'), join(dir, 'gradings.csv'));
      expect(() => suite.run('eval-grading', ['--cache', join(dir, 'cache.json')], dir)).toThrow(/no series\.csv \(expected a SPIDER-style folder/);
      writeFileSync(join(dir, 'series.csv'), readFileSync(join(data, 'series.csv'), 'utf8').split('\n')[0] + '\n');
      expect(() => suite.run('eval-grading', ['--cache', join(dir, 'cache.json')], dir)).toThrow(/series\.csv lists no image of sequence t2 /);
    });
  });

  it('--folds evaluates only those patients (held out from a fine-tuning), without the cache', () => {
    const out = suite.run('eval-grading', ['--folds', '1', '--json']);
    const r = JSON.parse(out);
    const fold = patientFolds(spiderImages(data).map((s) => s.patient));
    expect(r.images).toBe([...fold.values()].filter((k) => k === 1).length);
    expect(r.images).toBeLessThan(40); // a fifth of the 172 patients, not all
  }, 180000);
});
