/**
 * A loopback HTTP server for cross-origin-isolated pages (COOP same-origin + COEP require-corp, so
 * `crossOriginIsolated` is true and onnxruntime-web wasm may use threads). Serves
 * node_modules/onnxruntime-web/dist/ at /ort/ (.mjs as text/javascript, .wasm as application/wasm)
 * plus the routes given. Used by `npm run bench` and the browser pipeline test. Listens on a free port.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { resolve } from 'node:path';
import express from 'express';

export interface CoiServer {
  url: string;
  close(): Promise<void>;
}

/** Route table: path → [content type, body] or a file path (string). */
export type Routes = Record<string, { type: string; body: string | Buffer } | { file: string }>;

export async function startCoiServer(routes: Routes, projectRoot = process.cwd()): Promise<CoiServer> {
  const app = express();
  app.use((_req, res, next) => {
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use(
    '/ort',
    express.static(resolve(projectRoot, 'node_modules/onnxruntime-web/dist'), {
      setHeaders: (res, p) => {
        if (p.endsWith('.mjs')) res.setHeader('Content-Type', 'text/javascript');
        if (p.endsWith('.wasm')) res.setHeader('Content-Type', 'application/wasm');
      },
    }),
  );
  for (const [path, r] of Object.entries(routes)) {
    app.get(path, (_req, res) => {
      if ('file' in r) res.sendFile(r.file);
      else res.type(r.type).send(r.body);
    });
  }
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise<void>((ok, fail) => {
    server.once('listening', () => ok());
    server.once('error', fail);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** Chromium flags that work headless on these machines (ARCHITECTURE.md). */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
