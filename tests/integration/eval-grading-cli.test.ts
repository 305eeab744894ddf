/**
 * `npm run eval:grading` end to end on the first 6 SPIDER T2 images with the shipped models (skips when
 * ../shared/data is absent): the real segmentation, naming, patches and the cross-validation fold
 * classifiers run, and the JSON carries detection, Pfirrmann agreement and the disc findings' AUCs.
 */
import { patientFolds, spiderT2Images } from '../../scripts/lib/spider';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realDataSuite } from '../helpers/eval-cli';

const suite = realDataSuite('spider_midsagittal', 'gradings.csv', 'eval:grading CLI test');
const { data } = suite;

suite.describe('eval:grading CLI', () => {
  it('grades the first images with the fold classifiers and reports detection, kappa and finding AUCs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-grading-'));
    try {
      const out = suite.run('eval-grading', ['--limit', '6', '--cache', join(dir, 'cache.json'), '--json']);
      const r = JSON.parse(out);
      expect(r.images).toBe(6);
      expect(r.gradedDiscs).toBeGreaterThan(30);
      expect(r.detectionRate).toBeGreaterThan(0.8);
      expect(r.namesUncertain.images).toBeGreaterThanOrEqual(0);
      expect(r.namesUncertain.images).toBeLessThanOrEqual(6);
      expect(r.namesUncertain.detectionRateOnCertainImages).toBeGreaterThan(0.8);
      expect(r.outsideImage.gradedDiscs).toBeLessThan(r.gradedDiscs);
      expect(r.outsideImage.detectionRateInsideImage).toBeGreaterThanOrEqual(r.detectionRate);
      expect(r.pfirrmannAssessed).toBeGreaterThan(25);
      expect(r.pfirrmannCv5ByPatient.withinOne).toBeGreaterThan(0.6);
      expect(r.pfirrmannCv5ByPatientUncalibrated.withinOne).toBeGreaterThan(0.6); // each fold's calibration applied, and the plain rounded mean beside it
      expect(r.pfirrmannCv5ByPatient.confusionTruthRowsPredCols.flat().reduce((a: number, b: number) => a + b, 0)).toBe(r.pfirrmannAssessed);
      for (const f of ['narrowing', 'bulging', 'modic']) expect(r.classifierFindingsCv5ByPatient[f].assessed).toBe(r.pfirrmannAssessed);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180000);

  it('--folds evaluates only those patients (held out from a fine-tuning), without the cache', () => {
    const out = suite.run('eval-grading', ['--folds', '1', '--json']);
    const r = JSON.parse(out);
    const fold = patientFolds(spiderT2Images(data).map((s) => s.patient));
    expect(r.images).toBe([...fold.values()].filter((k) => k === 1).length);
    expect(r.images).toBeLessThan(40); // a fifth of the 172 patients, not all
  }, 180000);
});
