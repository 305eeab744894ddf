/**
 * Shared set-up of the eval CLI integration tests: the real-data folder under ../shared/data (the suite is
 * skipped, with a message, when it is absent) and a runner for `tsx scripts/<script>.ts --data <folder> …`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '../..');

/**
 * @param folder under ../shared/data, e.g. 'segmentation'
 * @param marker a file the folder must hold, e.g. 'cases.csv'
 * @param what the suite's name for the skip message, e.g. 'eval:axial CLI test'
 */
export function realDataSuite(folder: string, marker: string, what: string) {
  const data = resolve(repoRoot, '../shared/data', folder);
  const have = existsSync(resolve(data, marker));
  if (!have) console.warn(`skipping ${what}: ${data} is absent (real data lives outside the repository)`);
  return {
    data,
    describe: have ? describe : describe.skip,
    /** A new temporary folder (call inside the describe), removed after the suite: e.g. a --seg-cache shared by its tests. */
    tempDir: (prefix: string) => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      afterAll(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
    /** stdout of `tsx scripts/<script>.ts --data <dataDir> ...args` (throws on a non-zero exit); dataDir defaults to the real-data folder. */
    run: (script: string, args: string[], dataDir = data) =>
      execFileSync(resolve(repoRoot, 'node_modules/.bin/tsx'), [`scripts/${script}.ts`, '--data', dataDir, ...args], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
  };
}
