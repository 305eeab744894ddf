/** The evaluation caches' code digest (scripts/lib/source-digest.ts): stable for the same code, new for changed code. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { sourceDigest } from '../../scripts/lib/source-digest';

describe('sourceDigest', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'digest-'));
    mkdirSync(join(dir, 'pipeline', 'grade'), { recursive: true });
    writeFileSync(join(dir, 'pipeline', 'a.ts'), 'export const a = 1;');
    writeFileSync(join(dir, 'pipeline', 'grade', 'b.ts'), 'export const b = 2;');
    writeFileSync(join(dir, 'pipeline', 'notes.md'), 'not code');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const digest = () => sourceDigest([relative(process.cwd(), join(dir, 'pipeline'))]);

  it('is the same for the same code and changes with any .ts file below the folder, not with other files', () => {
    const before = digest();
    expect(digest()).toBe(before);
    writeFileSync(join(dir, 'pipeline', 'notes.md'), 'other notes');
    expect(digest()).toBe(before);
    writeFileSync(join(dir, 'pipeline', 'grade', 'b.ts'), 'export const b = 3;');
    const edited = digest();
    expect(edited).not.toBe(before);
    writeFileSync(join(dir, 'pipeline', 'grade', 'c.ts'), '');
    expect(digest()).not.toBe(edited);
  });
});
