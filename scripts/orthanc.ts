/**
 * Runs a private Orthanc (Debian package `orthanc` + `orthanc-dicomweb`) for `npm start` and tests:
 * writes its JSON config into a data folder, starts `/usr/sbin/Orthanc <config>`, waits until
 * `GET /system` answers, and stops it again. Orthanc listens on localhost only
 * (RemoteAccessAllowed false), has no DICOM (DIMSE) port, and requires HTTP Basic authentication.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const ORTHANC_BINARY = '/usr/sbin/Orthanc';
export const DICOMWEB_PLUGIN = '/usr/share/orthanc/plugins/libOrthancDicomWeb.so';

export interface OrthancOptions {
  /** Folder for config.json, storage/, index/ and orthanc.log (created if missing). */
  dataDir: string;
  /** HTTP port on 127.0.0.1; use `findFreePort()` in tests. */
  httpPort: number;
  user: string;
  password: string;
  /** DICOMweb root path, default '/dicom-web'. */
  dicomwebRoot?: string;
  /** Milliseconds to wait for `/system` (default 30000). */
  startTimeoutMs?: number;
}

export interface RunningOrthanc {
  /** Base URL, e.g. http://127.0.0.1:8043 (no trailing slash). */
  url: string;
  /** DICOMweb base URL, e.g. http://127.0.0.1:8043/dicom-web. */
  dicomwebUrl: string;
  /** `Authorization` header value for the configured user. */
  authorization: string;
  /** Path of Orthanc's log file. */
  logFile: string;
  /** Stops Orthanc (SIGTERM, then SIGKILL after 10 s); resolves when the process has exited. */
  stop(): Promise<void>;
  /** Resolves with the exit code or signal when the Orthanc process ends (for whatever reason). */
  exited: Promise<number | string | null>;
}

/** Whether the Debian packages are installed (binary and DICOMweb plugin). */
export function orthancInstalled(): { ok: boolean; missing: string[] } {
  const missing = [ORTHANC_BINARY, DICOMWEB_PLUGIN].filter((p) => !existsSync(p));
  return { ok: missing.length === 0, missing };
}

/** The Orthanc configuration object (see Orthanc Book, "Configuration"; DICOMweb plugin docs). */
export function orthancConfig(o: OrthancOptions): Record<string, unknown> {
  const root = (o.dicomwebRoot ?? '/dicom-web').replace(/\/?$/, '/');
  return {
    Name: 'SpineMRI',
    StorageDirectory: join(o.dataDir, 'storage'),
    IndexDirectory: join(o.dataDir, 'index'),
    HttpPort: o.httpPort,
    HttpServerEnabled: true,
    DicomServerEnabled: false,
    RemoteAccessAllowed: false,
    AuthenticationEnabled: true,
    RegisteredUsers: { [o.user]: o.password },
    Plugins: [DICOMWEB_PLUGIN],
    DicomWeb: { Enable: true, Root: root, EnableWado: false, StudiesMetadata: 'Full', SeriesMetadata: 'Full' },
    DefaultEncoding: 'Utf8', // QIDO answers keep non-Latin-1 characters (e.g. 'Zukić', '—')
    SaveJobs: false,
    StableAge: 5,
  };
}

/** Basic authorization header value. */
export function basicAuth(user: string, password: string): string {
  return 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');
}

/** A TCP port that was free on 127.0.0.1 a moment ago (listen on 0, read it, close). */
export function findFreePort(): Promise<number> {
  return new Promise((resolveP, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolveP(port));
    });
  });
}

/**
 * Loads `<dir>/credentials.json` ({user, password}) or creates it with a random 24-byte password
 * (file mode 0600). A `password` argument overrides the stored one and is not written.
 */
export function loadOrCreateCredentials(dir: string, user: string, password?: string): { user: string; password: string; file: string } {
  const file = join(dir, 'credentials.json');
  if (password) return { user, password, file };
  mkdirSync(dir, { recursive: true });
  if (existsSync(file)) {
    const c = JSON.parse(readFileSync(file, 'utf8')) as { user?: string; password?: string };
    if (c.user === user && c.password) return { user, password: c.password, file };
  }
  const created = { user, password: randomBytes(24).toString('base64url') };
  writeFileSync(file, JSON.stringify(created, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return { ...created, file };
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Writes `<dataDir>/orthanc.json` and starts Orthanc; resolves once `GET /system` returns 200 with
 * the given credentials. Storage survives restarts (same dataDir → same studies).
 * @throws Error if the Debian packages are missing, Orthanc exits early (e.g. port in use; the log
 *   tail is in the message) or does not answer within `startTimeoutMs`.
 */
export async function startOrthanc(o: OrthancOptions): Promise<RunningOrthanc> {
  const inst = orthancInstalled();
  if (!inst.ok) {
    throw new Error(`Orthanc is not installed (missing ${inst.missing.join(', ')}). Install it with: sudo apt-get install -y orthanc orthanc-dicomweb`);
  }
  mkdirSync(o.dataDir, { recursive: true });
  const configFile = join(o.dataDir, 'orthanc.json');
  writeFileSync(configFile, JSON.stringify(orthancConfig(o), null, 2) + '\n', { mode: 0o600 });
  chmodSync(configFile, 0o600); // it holds the password
  const logFile = join(o.dataDir, 'orthanc.log');
  const fd = openSync(logFile, 'a');
  const child: ChildProcess = spawn(ORTHANC_BINARY, [configFile], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  let exited: number | string | null | undefined;
  const exitP = new Promise<void>((r) =>
    child.once('exit', (code, signal) => {
      exited = code ?? signal;
      r();
    }),
  );
  const url = `http://127.0.0.1:${o.httpPort}`;
  const authorization = basicAuth(o.user, o.password);
  const stop = async (): Promise<void> => {
    if (exited !== undefined) return;
    child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 10000);
    await exitP;
    clearTimeout(t);
  };
  const deadline = Date.now() + (o.startTimeoutMs ?? 30000);
  for (;;) {
    if (exited !== undefined) {
      throw new Error(`Orthanc exited (${exited}) while starting on port ${o.httpPort}. Last log lines (${logFile}):\n${tail(logFile)}`);
    }
    try {
      const r = await fetch(`${url}/system`, { headers: { Authorization: authorization } });
      if (r.ok) break;
      if (r.status === 401) {
        await stop();
        throw new Error(`Orthanc on port ${o.httpPort} refused our credentials (401): is another Orthanc already using this port?`);
      }
    } catch (e) {
      if ((e as Error).message.startsWith('Orthanc on port')) throw e;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Orthanc did not answer ${url}/system within ${(o.startTimeoutMs ?? 30000) / 1000} s. Log: ${logFile}\n${tail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const root = (o.dicomwebRoot ?? '/dicom-web').replace(/\/+$/, '');
  return { url, dicomwebUrl: url + root, authorization, logFile, stop, exited: exitP.then(() => exited ?? null) };
}
