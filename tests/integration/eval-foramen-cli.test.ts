/**
 * `npm run eval:foramen` end to end on real volumes (skips when ../shared/data is absent): the real network
 * and level names, then both foramina at every disc on the parasagittal slices. On two T2 cases of healthy
 * adults most lumbar foramina must be found with a height in the plausible 12–28 mm range (normal about
 * 18–23 mm, Hasegawa 1995), and most graded foramina must be Lee 0.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { realDataSuite } from '../helpers/eval-cli';

const suite = realDataSuite('segmentation', 'cases.csv', 'eval:foramen CLI test');

suite.describe('eval:foramen CLI', () => {
  const tmp = suite.tempDir('eval-foramen-');
  const run = (args: string[]) => suite.run('eval-foramen', ['--seg-cache', join(tmp, 'seg'), ...args]);

  it('finds and grades the lumbar foramina of two T2 cases, and writes overlays', () => {
    const r = JSON.parse(run(['--cases', 'vb2_02,ivd_11', '--json', '--overlays', join(tmp, 'ov')]));
    const lumbar = r.rows.filter((x: any) => /^L\d\/(L\d|S1)$/.test(x.level));
    expect(lumbar.length).toBeGreaterThanOrEqual(16); // 2 cases × ≥ 4 discs × 2 sides
    const plausible = lumbar.filter((x: any) => x.heightMm !== null && x.heightMm >= 12 && x.heightMm <= 28);
    expect(plausible.length).toBeGreaterThanOrEqual(0.75 * lumbar.length);
    expect(lumbar.every((x: any) => x.grade !== null || /^not assessable: (left|right) foramen: /.test(x.reason))).toBe(true);
    expect(r.summary.grades[0]).toBeGreaterThanOrEqual(0.6 * lumbar.length);
    expect(r.summary.leftRight.medianHeightDifferenceMm).toBeLessThan(4); // the two foramina of a healthy disc are alike
    expect(readdirSync(join(tmp, 'ov')).some((f) => /^ivd_11_L4-L5_(left|right)\.png$/.test(f))).toBe(true);
  }, 240_000);

  it('prints the table and the summary', () => {
    const out = run(['--cases', 'ivd_11']);
    expect(out).toMatch(/^case\tlevel\tside\toffset mm\theight mm\tarea mm²\tfat mm²\tobliterated\tLee\treason$/m);
    expect(out).toMatch(/^ivd_11\tL4\/L5\tleft\t\d+\t[\d.]+\t\d+\t\d+\t/m);
    expect(out).toMatch(/median height [\d.]+ mm, median area \d+ mm²; height in 12–28 mm: \d+ \/ \d+/);
    expect(out).toMatch(/left vs right at the same disc: median \|height difference\| [\d.]+ mm \(\d+ discs\); same Lee grade \d+ \/ \d+/);
  }, 120_000);
});
