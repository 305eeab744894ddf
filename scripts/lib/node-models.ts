/** Node-only: load models/manifest.json's segmentation model and disc classifier on onnxruntime-node, checksums verified. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { createNodeBackend, parseModelManifest, verifyModelBytes, type InferenceBackend, type ModelManifest, type OrtModule } from '../../extension/src/pipeline/model';
import { createDiscClassifier, type DiscClassifier, type PfirrmannClassifierManifest } from '../../extension/src/pipeline/disc-classifier';

export interface NodeModels {
  manifest: ModelManifest;
  backend: InferenceBackend;
  /** Absent when the manifest lists no disc classifier. */
  classifier?: DiscClassifier;
  release(): Promise<void>;
}

async function readVerified(dir: string, entry: { file: string; sha256: string; bytes?: number }): Promise<Uint8Array> {
  const bytes = new Uint8Array(readFileSync(resolve(dir, entry.file)));
  await verifyModelBytes(bytes, entry);
  return bytes;
}

/** Open a disc classifier ONNX file (e.g. a cross-validation fold model) with the manifest block's I/O names. */
export async function openClassifier(path: string, info: PfirrmannClassifierManifest, threads = 1): Promise<DiscClassifier> {
  return createDiscClassifier(ort as unknown as OrtModule, new Uint8Array(readFileSync(path)), info, { executionProviders: ['cpu'], intraOpNumThreads: threads });
}

/**
 * @throws Error when the manifest is missing or invalid, a model file is missing, or a checksum fails.
 */
export async function loadNodeModels(manifestPath: string, threads = 2): Promise<NodeModels> {
  const path = resolve(manifestPath);
  if (!existsSync(path)) throw new Error(`model manifest ${path} not found (train/export a model into models/, or pass --model <manifest.json>)`);
  const manifest = parseModelManifest(readFileSync(path, 'utf8'));
  const dir = dirname(path);
  const backend = await createNodeBackend(ort as unknown as OrtModule, await readVerified(dir, manifest), manifest, threads);
  const classifier = manifest.pfirrmann
    ? await createDiscClassifier(ort as unknown as OrtModule, await readVerified(dir, manifest.pfirrmann), manifest.pfirrmann, { executionProviders: ['cpu'], intraOpNumThreads: threads })
    : undefined;
  return { manifest, backend, classifier, async release() { await backend.release(); await classifier?.release(); } };
}
