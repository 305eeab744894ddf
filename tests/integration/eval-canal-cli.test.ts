/**
 * `npm run eval:canal` end to end on real SPIDER slices (skips when ../shared/data is absent): the real network,
 * level names and the dural sac AP at each graded disc; with --sequence t2_SPACE the 3D images and the paired
 * difference against the same patients' 2D T2; a T1 sequence is refused (the sac is found by bright CSF).
 */
import { realDataSuite } from '../helpers/eval-cli';

const suite = realDataSuite('spider_midsagittal', 'gradings.csv', 'eval:canal CLI test');

suite.describe('eval:canal CLI', () => {
  const cache = suite.tempDir('eval-canal-');
  const run = (args: string[]) => suite.run('eval-canal', ['--seg-cache', cache, ...args]);

  it('--sequence t2_SPACE measures the 3D images and pairs their lumbar discs with the same patients\' 2D T2', () => {
    const r = JSON.parse(run(['--sequence', 't2_SPACE', '--patients', '5,81', '--json']));
    expect(r.lumbarIvd1to5.withAp).toBeGreaterThanOrEqual(6);
    const p = r.lumbarApMinus2dT2ApMm;
    expect(p.n).toBeGreaterThanOrEqual(6);
    expect(p.n).toBeLessThanOrEqual(10); // lumbar discs of two patients
    expect(p.q1).toBeLessThanOrEqual(p.median);
    expect(p.median).toBeLessThanOrEqual(p.q3);
    expect(Math.abs(p.median)).toBeLessThan(20);
  }, 240_000);

  it('2D T2 prints no pairing; T1 is refused', () => {
    const out = run(['--patients', '5']);
    expect(out).toMatch(/^SPIDER mid-sagittal T2, lumbar discs \(IVD 1–5\): \d+ graded discs matched by level name/m);
    expect(out).not.toMatch(/same patient's 2D T2/);
    // SPIDER 5's cord shows on its mid-sagittal T2 and ends at L1, where the conus ends in most adults.
    expect(out).toMatch(/^spinal cord drawn on 1 of 1 images; its lowest point at L1 1 \(/m);
    expect(() => run(['--sequence', 't1', '--patients', '5'])).toThrow(/--sequence must be one of t2, t2_SPACE, not 't1'/);
  }, 120_000);

  it('counts the discs whose centre profiles disagree (the grade\'s caution): SPIDER 4 L3/L4, whose AP reads 16–23 mm across its centre', () => {
    const r = JSON.parse(run(['--patients', '4', '--json']));
    expect(r.lumbarIvd1to5.apSpreadOverCaution.discs).toBeGreaterThanOrEqual(1);
    expect(r.lumbarIvd1to5.apSpreadOverCaution.discs).toBeLessThanOrEqual(2);
    expect(r.lumbarIvd1to5.apSpreadOverCaution.withSpread).toBeGreaterThanOrEqual(4);
  }, 120_000);

  it('counts the readers\' herniations where the CSF is effaced (the herniation pointer): SPIDER 32, herniated at L4/L5 with its CSF effaced there', () => {
    const r = JSON.parse(run(['--patients', '32', '--json']));
    expect(r.lumbarIvd1to5.herniation.whereCsfEffaced).toEqual({ herniated: 1, discs: 1 });
    expect(r.lumbarIvd1to5.herniation.all.discs).toBe(r.lumbarIvd1to5.matchedDiscs);
  }, 120_000);
});
