import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, repoRoot } from '../../scripts/config';
import { orthancConfig, loadOrCreateCredentials } from '../../scripts/orthanc';
import { statSync } from 'node:fs';

describe('loadConfig: spine-mri.config.json < environment', () => {
  const dir = mkdtempSync(join(tmpdir(), 'h1-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'c.json');

  it('uses defaults without a file and resolves paths against the repository root', () => {
    const c = loadConfig({}, join(dir, 'missing.json'));
    expect(c).toMatchObject({ gatewayPort: 3000, orthancPort: 8043, dicomwebRoot: '/dicom-web', importSamples: true, modelBaseUrl: '/models/' });
    expect(c.orthancUrl).toBeUndefined();
    expect(c.dataDir).toBe(join(repoRoot, '.data'));
  });

  it('lets the environment override the file, and the file the defaults', () => {
    writeFileSync(file, JSON.stringify({ gatewayPort: 4000, orthancUser: 'admin', dicomwebRoot: 'dicom-web/', importSamples: false }));
    const c = loadConfig({ SPINE_GATEWAY_PORT: '5000', SPINE_ORTHANC_URL: 'http://pacs:8042/', SPINE_IMPORT_SAMPLES: '' }, file);
    expect(c.gatewayPort).toBe(5000);
    expect(c.orthancUser).toBe('admin');
    expect(c.orthancUrl).toBe('http://pacs:8042');
    expect(c.dicomwebRoot).toBe('/dicom-web');
    expect(c.importSamples).toBe(false);
  });

  it('rejects bad values and unknown keys with a message naming them', () => {
    expect(() => loadConfig({ SPINE_GATEWAY_PORT: 'http' }, join(dir, 'none.json'))).toThrow(/gatewayPort from environment SPINE_GATEWAY_PORT: "http" is not a TCP port/);
    expect(() => loadConfig({ SPINE_ORTHANC_URL: 'pacs:8042' }, join(dir, 'none.json'))).toThrow(/orthancUrl.*not an http\(s\) URL/);
    writeFileSync(file, JSON.stringify({ gatewayPrt: 1 }));
    expect(() => loadConfig({}, file)).toThrow(/unknown key "gatewayPrt"/);
  });

  it('the committed spine-mri.config.json loads', () => {
    expect(loadConfig({}).gatewayHost).toBe('127.0.0.1');
  });
});

describe('Orthanc configuration and credentials', () => {
  it('keeps Orthanc private: localhost only, no DICOM port, authentication on, DICOMweb plugin', () => {
    const c = orthancConfig({ dataDir: '/x', httpPort: 1234, user: 'u', password: 'p' });
    expect(c).toMatchObject({ HttpPort: 1234, RemoteAccessAllowed: false, DicomServerEnabled: false, AuthenticationEnabled: true, RegisteredUsers: { u: 'p' }, StorageDirectory: '/x/storage' });
    expect(c.Plugins).toEqual(['/usr/share/orthanc/plugins/libOrthancDicomWeb.so']);
    expect(c.DicomWeb).toMatchObject({ Enable: true, Root: '/dicom-web/' });
  });

  it('generates a random password once, stores it with mode 0600, and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'h1-cred-'));
    try {
      const a = loadOrCreateCredentials(dir, 'spine');
      expect(a.password.length).toBeGreaterThanOrEqual(24);
      expect(statSync(a.file).mode & 0o777).toBe(0o600);
      expect(loadOrCreateCredentials(dir, 'spine').password).toBe(a.password);
      expect(loadOrCreateCredentials(dir, 'spine', 'given').password).toBe('given');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
