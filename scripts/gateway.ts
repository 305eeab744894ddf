/**
 * Same-origin gateway (express 5 + http-proxy-middleware 3): serves the prebuilt OHIF 3.13.2 viewer
 * with our extension and mode loaded at runtime, and proxies DICOMweb to Orthanc/the PACS with the
 * credentials injected server-side (they never reach the browser).
 *
 * Routes:
 *   /dicom-web/*   → `<dicomwebUpstream>/*` (Authorization replaced by ours; WWW-Authenticate dropped)
 *   /app-config.js → generated `window.config` (one DICOMweb data source + `spineMri` block)
 *   /health        → JSON of the checks in scripts/lib/health.ts; 200 when all pass, else 503
 *   /, /index.html → OHIF index.html with an import map for our two bundles
 *   /plugins/*     → pluginsDir (extension.mjs, mode.mjs, workers)
 *   /models/*      → modelDir (only when modelBaseUrl is a same-origin path)
 *   /ort/*         → node_modules/onnxruntime-web/dist, then OHIF's own /ort files as a fallback
 *   anything else  → OHIF static files; unknown paths without a file extension → index.html (SPA)
 * Every response carries COOP same-origin / COEP require-corp / CORP same-origin so the page is
 * cross-origin isolated (onnxruntime-web wasm threads need SharedArrayBuffer).
 */
import express, { type Request, type Response, type NextFunction } from 'express';
import { createProxyMiddleware } from 'http-proxy-middleware';
import { existsSync, readFileSync } from 'node:fs';
import type { ClientRequest, IncomingMessage, ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { repoRoot } from './config';
import { healthChecks } from './lib/health';

/** Extension id and mode id registered with OHIF; bundles served from /plugins/. */
export const EXTENSION_ID = 'ohif-spine-mri-extension';
export const MODE_ID = 'ohif-spine-mri-mode';
export const IMPORT_MAP = { imports: { [EXTENSION_ID]: '/plugins/extension.mjs', [MODE_ID]: '/plugins/mode.mjs' } };
/** Name of the OHIF data source that points at the gateway's /dicom-web. */
export const DATA_SOURCE_NAME = 'orthanc';

export const ISOLATION_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface GatewayOptions {
  /** Prebuilt OHIF dist folder (contains index.html). */
  ohifDir: string;
  /** Folder with extension.mjs / mode.mjs (may not exist yet: then /plugins answers 404). */
  pluginsDir: string;
  /** Folder served at /models/ (omit to not serve models). */
  modelDir?: string;
  /** Browser URL of the models (default '/models/'). */
  modelBaseUrl?: string;
  /** Browser URL of onnxruntime-web files (default '/ort/'). */
  ortBaseUrl?: string;
  /** onnxruntime-web dist folder (default node_modules/onnxruntime-web/dist). */
  ortDir?: string;
  /** Full upstream DICOMweb URL, e.g. http://127.0.0.1:8043/dicom-web. */
  dicomwebUpstream: string;
  /** Authorization header value sent upstream (e.g. from basicAuth()); omit for none. */
  authorization?: string;
}

const MIME: Record<string, string> = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm' };

function setStaticHeaders(res: ServerResponse, path: string): void {
  const type = MIME[extname(path)];
  if (type) res.setHeader('Content-Type', type);
}

/** OHIF's index.html with our import map as the first element of <head> (before any module script). */
export function injectImportMap(html: string): string {
  const tag = `<script type="importmap">${JSON.stringify(IMPORT_MAP)}</script>`;
  if (html.includes('type="importmap"')) throw new Error('OHIF index.html already has an import map; merge ours by hand');
  const i = html.indexOf('<head>');
  if (i < 0) throw new Error('OHIF index.html has no <head>');
  return html.slice(0, i + 6) + tag + html.slice(i + 6);
}

/** The OHIF `window.config` (app-config.js) for our viewer: DICOMweb at the same origin's /dicom-web. */
export function ohifAppConfig(o: Pick<GatewayOptions, 'modelBaseUrl' | 'ortBaseUrl'>): Record<string, unknown> {
  const root = '/dicom-web';
  return {
    routerBasename: null,
    extensions: [EXTENSION_ID],
    modes: [MODE_ID],
    customizationService: {},
    showStudyList: true,
    maxNumberOfWebWorkers: 3,
    showWarningMessageForCrossOrigin: false,
    showCPUFallbackMessage: true,
    showLoadingIndicator: true,
    strictZSpacingForVolumeViewport: true,
    groupEnabledModesFirst: true,
    defaultDataSourceName: DATA_SOURCE_NAME,
    dataSources: [
      {
        namespace: '@ohif/extension-default.dataSourcesModule.dicomweb',
        sourceName: DATA_SOURCE_NAME,
        configuration: {
          friendlyName: 'Orthanc (via gateway)',
          name: DATA_SOURCE_NAME,
          wadoUriRoot: root,
          qidoRoot: root,
          wadoRoot: root,
          qidoSupportsIncludeField: true, // Orthanc honours includefield (StudyDescription in the study list)
          imageRendering: 'wadors',
          thumbnailRendering: 'wadors',
          enableStudyLazyLoad: true,
          supportsFuzzyMatching: false,
          supportsWildcard: true,
          staticWado: false,
          dicomUploadEnabled: true,
          singlepart: 'bulkdata,video',
          bulkDataURI: { enabled: true, relativeResolution: 'studies' },
          omitQuotationForMultipartRequest: true,
        },
      },
    ],
    spineMri: { modelBaseUrl: o.modelBaseUrl ?? '/models/', ortBaseUrl: o.ortBaseUrl ?? '/ort/' },
  };
}

/**
 * Builds the gateway app; call `.listen(port, '127.0.0.1')` on it (port 0 in tests).
 * @throws Error when `ohifDir/index.html` is missing (run `npm install`, whose postinstall unpacks OHIF).
 */
export function createGateway(o: GatewayOptions): express.Express {
  const indexFile = join(o.ohifDir, 'index.html');
  if (!existsSync(indexFile)) throw new Error(`OHIF viewer not found at ${indexFile}: run \`npm install\` (postinstall unpacks @ohif/app)`);
  const indexHtml = injectImportMap(readFileSync(indexFile, 'utf8'));
  const appConfigJs = `/** Generated by scripts/gateway.ts from spine-mri.config.json + environment. */\nwindow.config = ${JSON.stringify(ohifAppConfig(o), null, 2)};\n`;
  const ortDir = o.ortDir ?? join(repoRoot, 'node_modules', 'onnxruntime-web', 'dist');
  /** The models are served here only when modelBaseUrl is a same-origin path. */
  const servedModelDir = o.modelDir && (o.modelBaseUrl ?? '/models/').startsWith('/') ? o.modelDir : undefined;

  const app = express();
  app.disable('x-powered-by');
  app.use((_req: Request, res: Response, next: NextFunction) => {
    res.set(ISOLATION_HEADERS);
    next();
  });

  const upstream = o.dicomwebUpstream.replace(/\/+$/, '');
  app.use(
    '/dicom-web',
    createProxyMiddleware<IncomingMessage, ServerResponse>({
      target: upstream,
      changeOrigin: true,
      // orthanc-dicomweb 1.7 ignores a comma-separated includefield when the comma is percent-encoded
      // (OHIF sends includefield=00081030%2C00080060), so the study list lacked StudyDescription
      // (verified here). A literal comma is valid in a query string and Orthanc splits on it.
      pathRewrite: (path: string) => {
        const q = path.indexOf('?');
        return q < 0 ? path : path.slice(0, q) + path.slice(q).replace(/%2C/gi, ',');
      },
      on: {
        proxyReq: (proxyReq: ClientRequest, req: IncomingMessage) => {
          proxyReq.removeHeader('authorization');
          proxyReq.removeHeader('cookie');
          if (o.authorization) proxyReq.setHeader('authorization', o.authorization);
          // Orthanc's DICOMweb plugin builds RetrieveURL/BulkDataURI from the Forwarded header (RFC 7239),
          // so URLs in responses point back at this gateway, not at the private Orthanc port.
          const host = req.headers.host;
          if (host) proxyReq.setHeader('forwarded', `host=${host};proto=http`);
        },
        proxyRes: (proxyRes: IncomingMessage) => {
          delete proxyRes.headers['www-authenticate']; // no browser login prompt for the PACS
        },
        error: (err: Error, _req: IncomingMessage, res: ServerResponse | import('node:net').Socket) => {
          if ('writeHead' in res && !res.headersSent) {
            res.writeHead(502, { 'Content-Type': 'application/json', ...ISOLATION_HEADERS });
            res.end(JSON.stringify({ error: `DICOMweb server unreachable at ${upstream}: ${err.message}` }));
          }
        },
      },
    }),
  );

  const noCache = (res: Response): void => {
    res.set('Cache-Control', 'no-cache');
  };
  app.get('/app-config.js', (_req, res) => {
    noCache(res);
    res.type('text/javascript').send(appConfigJs);
  });
  const sendIndex = (_req: Request, res: Response): void => {
    noCache(res);
    res.type('text/html').send(indexHtml);
  };
  app.get(['/', '/index.html'], sendIndex);
  app.get('/health', async (_req, res) => {
    const checks = await healthChecks({ dicomwebUpstream: upstream, authorization: o.authorization, pluginsDir: o.pluginsDir, modelDir: servedModelDir, ortDir });
    const ok = checks.every((c) => c.ok);
    noCache(res);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'failing', checks });
  });

  const staticOpts = { index: false as const, fallthrough: true, setHeaders: setStaticHeaders };
  app.use('/plugins', express.static(o.pluginsDir, { ...staticOpts, fallthrough: false }));
  if (servedModelDir) app.use((o.modelBaseUrl ?? '/models/').replace(/\/+$/, ''), express.static(servedModelDir, { ...staticOpts, fallthrough: false }));
  app.use((o.ortBaseUrl ?? '/ort/').replace(/\/+$/, ''), express.static(ortDir, staticOpts));
  app.use(express.static(o.ohifDir, staticOpts));

  // SPA fallback: OHIF routes such as /viewer?StudyInstanceUIDs=… or /ohif-spine-mri-mode?… .
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && !extname(req.path)) return sendIndex(req, res);
    next();
  });
  return app;
}
