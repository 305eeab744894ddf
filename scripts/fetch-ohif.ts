/**
 * Unpacks the prebuilt OHIF viewer (@ohif/app dist) into .data/ohif/.
 * Why not a normal dependency: @ohif/app@3.13.2 declares @ohif/i18n@3.13.2, which the registry does
 * not have, so `npm install @ohif/app` fails; its dist/ is complete on its own. `npm pack` fetches
 * the tarball from the same npm registry without resolving its dependencies.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const OHIF_VERSION = '3.13.2';
const root = resolve(__dirname, '..');
export const ohifDir = join(root, '.data', 'ohif');

function main(): void {
  const marker = join(ohifDir, `VERSION-${OHIF_VERSION}`);
  if (existsSync(marker)) return;
  const tmp = join(root, '.data', 'ohif-pack');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  console.log(`Fetching @ohif/app@${OHIF_VERSION} (prebuilt viewer) from the npm registry…`);
  execFileSync('npm', ['pack', `@ohif/app@${OHIF_VERSION}`, '--silent', '--pack-destination', tmp], { stdio: 'inherit' });
  const tgz = readdirSync(tmp).find((f) => f.endsWith('.tgz'));
  if (!tgz) throw new Error('npm pack produced no tarball for @ohif/app');
  execFileSync('tar', ['xzf', join(tmp, tgz), '-C', tmp]);
  rmSync(ohifDir, { recursive: true, force: true });
  mkdirSync(join(root, '.data'), { recursive: true });
  execFileSync('mv', [join(tmp, 'package', 'dist'), ohifDir]);
  rmSync(tmp, { recursive: true, force: true });
  execFileSync('touch', [marker]);
  console.log(`OHIF viewer unpacked into ${ohifDir}`);
}

main();
