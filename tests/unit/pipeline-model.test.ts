/** @jest-environment ./tests/helpers/ort-node-environment.cjs */
/**
 * Model manifest parsing, checksum verification, and the onnxruntime-node backend end to end with
 * the tiny RANDOM-weights fixture model (tests/fixtures/tiny-random-model: same I/O contract as the
 * real model; its output is meaningless, so only shapes and plumbing are asserted).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as ort from 'onnxruntime-node';
import { createNodeBackend, hasHardwareWebGpu, ORT_BROWSER_BUNDLE, outlineOffsets, willUseWebGpu, parseModelManifest, sha256Hex, verifyModelBytes, type OrtModule } from '../../extension/src/pipeline/model';
import { segmentSpine } from '../../extension/src/pipeline/analyze';
import type { SpineVolume } from '../../extension/src/pipeline/volume';

const fixture = resolve(__dirname, '../fixtures/tiny-random-model');
const manifestJson = readFileSync(resolve(fixture, 'manifest.json'), 'utf8');
const modelBytes = new Uint8Array(readFileSync(resolve(fixture, 'tiny-random-unet.onnx')));

describe('model manifest', () => {
  it('parses the fixture manifest', () => {
    const m = parseModelManifest(manifestJson);
    expect(m.input.pixelSpacingMm).toEqual([2, 2]);
    expect(m.output.classes.map((c) => c.name)).toEqual(['background', 'vertebral_body', 'disc']);
  });

  it('names the bad field', () => {
    const bad = JSON.parse(manifestJson);
    bad.input.pixelSpacingMm = [1];
    expect(() => parseModelManifest(bad)).toThrow(/Invalid model manifest: "input.pixelSpacingMm"/);
    const bad2 = JSON.parse(manifestJson);
    bad2.input.normalisation.method = 'magic';
    expect(() => parseModelManifest(bad2)).toThrow(/unknown input.normalisation.method "magic"/);
    expect(() => parseModelManifest('{not json')).toThrow(/not JSON/);
  });

  it('sets an invalid disc classifier block aside with the reason, keeping the segmentation model', () => {
    const old = JSON.parse(manifestJson);
    // A classifier of the one-channel patch format (before v1.6.0) beside this software's two-channel patches.
    old.pfirrmann = { file: 'c.onnx', sha256: 'a'.repeat(64), version: '1.5.0', input: { name: 'patch', heightPx: 40, widthPx: 64, mmPerPx: 1, uStartMm: -26 }, output: { name: 'probabilities' } };
    const m = parseModelManifest(old);
    expect(m.file).toBe(JSON.parse(manifestJson).file);
    expect(m.pfirrmann).toBeUndefined();
    expect(m.pfirrmannRefused).toBe('Invalid disc classifier manifest: input.channels is 1, this software samples patches with channels = 2');
    expect(old.pfirrmann.version).toBe('1.5.0'); // the caller's object is not changed
  });

  it('accepts logit offsets one per class, and applies them only to the model file they were fitted for', () => {
    const m = JSON.parse(manifestJson);
    m.output.logitOffsets = [0, -2, -3];
    m.output.logitOffsetsModelSha256 = m.sha256;
    expect(outlineOffsets(parseModelManifest(m))).toEqual([0, -2, -3]);
    expect(() => parseModelManifest({ ...m, output: { ...m.output, logitOffsets: [0, -2] } })).toThrow(/"output.logitOffsets" must hold 3 finite numbers/);
    // A network swapped without refitting: segments left untrimmed, the analysis still runs.
    expect(outlineOffsets(parseModelManifest({ ...m, output: { ...m.output, logitOffsetsModelSha256: 'f'.repeat(64) } }))).toBeUndefined();
    expect(outlineOffsets(parseModelManifest(manifestJson))).toBeUndefined();
  });
});

describe('model checksum', () => {
  it('sha256 of known bytes', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('accepts the fixture model', async () => {
    await expect(verifyModelBytes(modelBytes, parseModelManifest(manifestJson))).resolves.toBeUndefined();
  });

  it('a corrupted model fails with a clear message', async () => {
    const m = parseModelManifest(manifestJson);
    const corrupt = modelBytes.slice();
    corrupt[100] ^= 0xff;
    const got = await sha256Hex(corrupt);
    await expect(verifyModelBytes(corrupt, m)).rejects.toThrow(
      `Model file tiny-random-unet.onnx failed its checksum: expected ${m.sha256}, got ${got} — the download is corrupt or the file was replaced; re-deploy models/`,
    );
  });
});

describe('WebGPU adapter choice', () => {
  it('treats a fallback (software) adapter as no WebGPU', async () => {
    expect(await hasHardwareWebGpu(undefined)).toBe(false);
    expect(await hasHardwareWebGpu({ requestAdapter: async () => ({ info: { isFallbackAdapter: true } }) })).toBe(false);
    expect(await hasHardwareWebGpu({ requestAdapter: async () => ({ info: { isFallbackAdapter: false } }) })).toBe(true);
    expect(await hasHardwareWebGpu({ requestAdapter: async () => ({ requestAdapterInfo: async () => ({ isFallbackAdapter: false }) }) })).toBe(true);
    expect(await hasHardwareWebGpu({ requestAdapter: async () => null })).toBe(false);
  });

  it('imports the WebGPU bundle only when WebGPU will run (its wasm build is the slower one)', async () => {
    const hardware = { requestAdapter: async () => ({ info: { isFallbackAdapter: false } }) };
    const software = { requestAdapter: async () => ({ info: { isFallbackAdapter: true } }) };
    expect(await willUseWebGpu(hardware)).toBe(true);
    expect(await willUseWebGpu(software)).toBe(false);
    expect(await willUseWebGpu(undefined)).toBe(false);
    expect(await willUseWebGpu(hardware, 'wasm')).toBe(false);
    expect(await willUseWebGpu(software, 'webgpu')).toBe(true);
    expect(ORT_BROWSER_BUNDLE).toEqual({ webgpu: 'ort.webgpu.min.mjs', wasm: 'ort.wasm.min.mjs' });
  });
});

describe('onnxruntime-node backend with the random fixture model', () => {
  it('segments a small sagittal volume into a labelmap of the source geometry', async () => {
    const m = parseModelManifest(manifestJson);
    const backend = await createNodeBackend(ort as unknown as OrtModule, modelBytes, m, 1);
    expect(backend.name).toBe('onnxruntime-node cpu (1 thread)');
    const dims: [number, number, number] = [37, 53, 3]; // odd sizes: padding must be undone
    const voxels = Float32Array.from({ length: 37 * 53 * 3 }, (_, i) => (i * 7919) % 255);
    const vol: SpineVolume = {
      voxels, dims, spacingMm: [1.1, 0.9, 4], originLps: [0, 0, 0], rowDirection: [0, 1, 0], columnDirection: [0, 0, -1],
      sliceDirection: [1, 0, 0], studyInstanceUid: '', seriesInstanceUid: '', frameOfReferenceUid: '', sopInstanceUids: [],
    };
    const logits = await backend.run(new Float32Array(32 * 16), 32, 16);
    expect(logits.length).toBe(3 * 32 * 16);
    await expect(backend.run(new Float32Array(10), 32, 16)).rejects.toThrow(/input length 10/);
    const r = await segmentSpine(vol, backend, m, { minComponentMm3: 0 });
    expect(r.labelmap.dims).toEqual(dims);
    expect(r.classLabelmap.values.length).toBe(voxels.length);
    expect(Math.max(...r.classLabelmap.values)).toBeLessThanOrEqual(2);
    expect(Math.max(...r.labelmap.values)).toBe(r.segments.length);
    expect(r.run.backend).toBe(backend.name);
    await backend.release();
  });
});
