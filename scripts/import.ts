/**
 * `npm run import -- <path>…`: converts research data to DICOM and stores it in the PACS over
 * STOW-RS (dicomweb-client). Accepted paths:
 *   - `*.nii` / `*.nii.gz` MR volumes (e.g. ../shared/data/segmentation/vb2_02_image.nii.gz)
 *   - SPIDER `<patient>_<sequence>.png` (series.csv must be beside it) or the whole SPIDER folder
 *   - a folder of NIfTI images (`*_label.nii.gz` are skipped, and so is any other label volume: nifti.ts
 *     labelVolumeReason) or of DICOM Part 10 files (recursive)
 *   - single DICOM Part 10 files
 * UIDs are deterministic (scripts/lib/uids.ts): importing the same source twice stores nothing new.
 * Target: the Orthanc that `npm start` runs (credentials from .data/orthanc/credentials.json), or
 * --url/--user/--password, or the SPINE_* environment (scripts/config.ts). `--out <dir>` writes the
 * Part 10 files to a folder instead of storing them. `--axial-reformat` also stores, for each NIfTI volume,
 * an axial T2 series resampled from it (4 mm slabs, labelled as a reformat), so the axial dural sac area
 * can be tried on research data that has no real axial acquisition.
 */
import { Command, Option } from 'commander';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { loadConfig, type SpineConfig } from './config';
import { dicomwebClient, explainDicomwebError, type DicomwebTarget } from './lib/dicomweb';
import { findDicomFiles, isPart10, niftiAxialReformatSeries, niftiToSeries, readPart10, readSpiderSeriesCsv, spiderPngToSeries, type DicomSeries } from './lib/sources';
import { LabelVolumeError } from './lib/nifti';
import { basicAuth, loadOrCreateCredentials } from './orthanc';
import { part10Header } from '../extension/src/dicom/uids';
import { counted } from '../extension/src/pipeline/words';

/** A unit of work: converts lazily so a folder of 70 volumes is never all in memory. */
export interface ImportItem {
  source: string;
  load(): DicomSeries | { source: string; instances: ArrayBuffer[] };
  /** Found in a folder: skipped, with a line saying why, when it turns out to be a label volume (LabelVolumeError). */
  fromFolder?: true;
}

const isNifti = (p: string): boolean => /\.nii(\.gz)?$/i.test(p);
const isLabel = (p: string): boolean => /_label\.nii(\.gz)?$/i.test(p);

/**
 * Expands the CLI paths into import items (see module docstring).
 * @throws Error for a missing path, a label volume given directly, an unknown file type or a folder with nothing importable.
 */
export function planImport(paths: string[], opts: { axialReformat?: boolean } = {}): ImportItem[] {
  const items: ImportItem[] = [];
  const nifti = (path: string, name: string, fromFolder?: true) => {
    const found = fromFolder ? { fromFolder } : {};
    items.push({ source: name, load: () => niftiToSeries(path), ...found });
    if (opts.axialReformat) items.push({ source: `${name} (axial reformat)`, load: () => niftiAxialReformatSeries(path), ...found });
  };
  for (const raw of paths) {
    const p = resolve(raw);
    if (!existsSync(p)) throw new Error(`${raw}: no such file or folder`);
    if (statSync(p).isDirectory()) {
      const names = readdirSync(p).sort();
      if (names.includes('series.csv') && names.some((n) => n.toLowerCase().endsWith('.png'))) {
        const rows = readSpiderSeriesCsv(join(p, 'series.csv'));
        for (const n of names.filter((x) => x.toLowerCase().endsWith('.png'))) {
          items.push({ source: n, load: () => spiderPngToSeries(join(p, n), rows) });
        }
        continue;
      }
      const niftis = names.filter((n) => isNifti(n) && !isLabel(n));
      if (niftis.length) {
        for (const n of niftis) nifti(join(p, n), n, true);
        continue;
      }
      const files = findDicomFiles(p);
      if (!files.length) throw new Error(`${raw}: folder has no NIfTI images, SPIDER PNGs (with series.csv) or DICOM Part 10 files`);
      for (let i = 0; i < files.length; i += 50) {
        const chunk = files.slice(i, i + 50);
        items.push({ source: `${basename(p)}/ (${i + 1}–${i + chunk.length} of ${files.length} DICOM files)`, load: () => ({ source: basename(p), instances: chunk.map(readPart10) }) });
      }
    } else if (isLabel(p)) {
      throw new Error(`${raw} is a label volume; import the matching *_image.nii.gz instead`);
    } else if (isNifti(p)) {
      nifti(p, basename(p));
    } else if (p.toLowerCase().endsWith('.png')) {
      items.push({ source: basename(p), load: () => spiderPngToSeries(p) });
    } else if (isPart10(p)) {
      items.push({ source: basename(p), load: () => ({ source: basename(p), instances: [readPart10(p)] }) });
    } else {
      throw new Error(`${raw}: unknown file type (expected .nii/.nii.gz, SPIDER .png, a DICOM Part 10 file or a folder of them)`);
    }
  }
  return items;
}

/** Tag (0008,1198) FailedSOPSequence of a STOW-RS response, as "uid: reason" strings. */
function stowFailures(response: unknown): string[] {
  if (typeof response !== 'string' || !response.trim().startsWith('{')) return [];
  try {
    const json = JSON.parse(response) as Record<string, { Value?: Record<string, { Value?: unknown[] }>[] }>;
    return (json['00081198']?.Value ?? []).map((f) => `${String(f['00081155']?.Value?.[0] ?? '?')}: failure reason ${String(f['00081197']?.Value?.[0] ?? '?')}`);
  } catch {
    return [];
  }
}

/**
 * Stores Part 10 instances with STOW-RS in batches of at most ~32 MB.
 * @throws Error (unreachable server, refused credentials, HTTP status, or failed SOP instances listed by the server).
 */
export async function storeInstances(target: DicomwebTarget, instances: ArrayBuffer[], what: string): Promise<void> {
  const client = dicomwebClient(target);
  let batch: ArrayBuffer[] = [];
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (!batch.length) return;
    let response: unknown;
    try {
      response = await client.storeInstances({ datasets: batch });
    } catch (e) {
      throw explainDicomwebError(e, target, `Storing ${what}`);
    }
    const failed = stowFailures(response);
    if (failed.length) throw new Error(`Storing ${what}: ${target.url} refused ${counted(failed.length, 'instance')}: ${failed.slice(0, 3).join('; ')}`);
    batch = [];
    bytes = 0;
  };
  for (const inst of instances) {
    if (bytes + inst.byteLength > 32 * 1024 * 1024) await flush();
    batch.push(inst);
    bytes += inst.byteLength;
  }
  await flush();
}

export interface ImportSummary {
  series: number;
  instances: number;
  studyInstanceUids: string[];
}

/**
 * Imports `paths` into `target` (or writes Part 10 files into `outDir` when given).
 * @param log progress lines (default console.log).
 */
export async function importPaths(paths: string[], target: DicomwebTarget | undefined, opts: { outDir?: string; log?: (s: string) => void; axialReformat?: boolean } = {}): Promise<ImportSummary> {
  const log = opts.log ?? ((s: string) => console.log(s));
  const items = planImport(paths, opts);
  const studies = new Set<string>();
  const series = new Set<string>();
  let instances = 0;
  for (const item of items) {
    let s: ReturnType<ImportItem['load']>;
    try {
      s = item.load();
    } catch (e) {
      // A mask named otherwise than *_label.nii.gz among a folder's images: not an MR series, and not a reason to stop.
      if (!(e instanceof LabelVolumeError && item.fromFolder)) throw e;
      log(`skipped ${e.message}`);
      continue;
    }
    if ('studyInstanceUid' in s) {
      studies.add(s.studyInstanceUid);
      series.add(s.seriesInstanceUid);
    } else {
      // DICOM files, read in batches of 50: count their own series and studies.
      for (const b of s.instances) {
        const h = part10Header(b);
        studies.add(String(h.StudyInstanceUID));
        series.add(String(h.SeriesInstanceUID));
      }
    }
    const desc = 'seriesDescription' in s ? ` → "${s.seriesDescription}"` : '';
    if (opts.outDir) {
      const dir = join(opts.outDir, 'seriesInstanceUid' in s ? s.seriesInstanceUid : basename(s.source));
      mkdirSync(dir, { recursive: true });
      s.instances.forEach((b, k) => writeFileSync(join(dir, `${String(k + 1).padStart(4, '0')}.dcm`), Buffer.from(b)));
      log(`wrote ${item.source}${desc}: ${counted(s.instances.length, 'instance')} in ${dir}`);
    } else {
      if (!target) throw new Error('importPaths: no DICOMweb target and no outDir');
      await storeInstances(target, s.instances, item.source);
      log(`stored ${item.source}${desc}: ${counted(s.instances.length, 'instance')}`);
    }
    instances += s.instances.length;
  }
  return { series: series.size, instances, studyInstanceUids: [...studies] };
}

/** The CLI options that override defaultTarget (`npm run import`, `npm run analyze:pacs`). */
export const TARGET_OPTIONS = {
  url: new Option('--url <url>', 'DICOMweb base URL (default: the Orthanc of `npm start`, from spine-mri.config.json / SPINE_* env)'),
  user: new Option('--user <user>', 'HTTP Basic user (default SPINE_ORTHANC_USER)'),
  password: new Option('--password <password>', 'HTTP Basic password (default SPINE_ORTHANC_PASSWORD or .data/orthanc/credentials.json)'),
};

/** The DICOMweb target `npm run import` uses by default: our Orthanc from the configuration, or the configured PACS. */
export function defaultTarget(cfg: SpineConfig, over: { url?: string; user?: string; password?: string } = {}): DicomwebTarget {
  const base = cfg.orthancUrl ?? `http://127.0.0.1:${cfg.orthancPort}`;
  const url = over.url ?? base + cfg.dicomwebRoot;
  const user = over.user ?? cfg.orthancUser;
  let password = over.password ?? cfg.orthancPassword;
  if (!password && !cfg.orthancUrl && !over.url) {
    const credDir = join(cfg.dataDir, 'orthanc');
    if (existsSync(join(credDir, 'credentials.json'))) password = loadOrCreateCredentials(credDir, user).password;
  }
  return { url, authorization: password ? basicAuth(user, password) : undefined };
}

async function main(argv: string[]): Promise<void> {
  const program = new Command()
    .name('npm run import --')
    .description('Convert NIfTI / SPIDER PNG / DICOM folders to DICOM MR and store them over STOW-RS (idempotent: deterministic UIDs).')
    .argument('<path...>', 'NIfTI files, SPIDER PNGs or folders, DICOM files or folders')
    .addOption(TARGET_OPTIONS.url).addOption(TARGET_OPTIONS.user).addOption(TARGET_OPTIONS.password)
    .option('--out <dir>', 'write Part 10 files into <dir> instead of storing them')
    .option('--axial-reformat', 'also store an axial T2 series resampled from each NIfTI volume (research data without a real axial series)')
    .parse(argv);
  const o = program.opts<{ url?: string; user?: string; password?: string; out?: string; axialReformat?: boolean }>();
  const target = o.out ? undefined : defaultTarget(loadConfig(), o);
  const t0 = Date.now();
  const r = await importPaths(program.args, target, { outDir: o.out ? resolve(o.out) : undefined, axialReformat: o.axialReformat });
  console.log(`${r.series} series, ${r.instances} instances ${o.out ? 'written' : `stored in ${target?.url}`} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

if (require.main === module) {
  main(process.argv).catch((e: Error) => {
    console.error(`import failed: ${e.message}`);
    process.exit(1);
  });
}
