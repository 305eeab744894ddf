/** @jest-environment ./tests/helpers/ort-node-environment.cjs */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DISC_CROP, discCrop } from '../../extension/src/pipeline/disc-crop';
import { calibrationFor, parsePfirrmannManifest } from '../../extension/src/pipeline/disc-classifier';
import { measureSpine } from '../../extension/src/pipeline/measure-spine';
import { sagittalFrame } from '../../extension/src/pipeline/measure';
import { openClassifier } from '../../scripts/lib/node-models';
import { synthSpine } from './measure-synthetic';

// Synthetic spine: discs 10 mm tall, columns anterior→posterior (disc i = 20..59, nucleus 30..49, CSF from i = 62).
const s = synthSpine({ canalApMm: 12, discHeightsMm: [10, 10], nucleus: [240, 30] });
const ms = measureSpine(s.volume, s.labelmap, s.segments);
const frame = sagittalFrame(s.volume, ms.sliceIndex);
const { widthPx: W, heightPx: H, uStartMm } = DISC_CROP;
const at = (p: Float32Array, uMm: number, vMm: number) => p[Math.round(H / 2 - 0.5 - vMm) * W + Math.round(uMm - uStartMm - 0.5)];

describe('disc patch (disc-crop.ts)', () => {
  it('is centred on the disc, anterior left, posterior (CSF) right, superior up, normalised to the patch p1..p99', () => {
    const p = ms.discs[0].patch;
    expect(p).toHaveLength(2 * W * H);
    expect(at(p, 0, 0)).toBeGreaterThan(0.8); // bright nucleus at the centre
    expect(at(p, 15, 0)).toBeLessThan(at(p, 0, 0)); // annulus (80) darker than nucleus (240)
    expect(at(p, 12 + 12, 0)).toBeGreaterThan(0.9); // CSF (250) behind the posterior wall (disc centre i=40, CSF i=62..73)
    expect(at(p, 0, 12)).toBeCloseTo(at(p, 0, -12), 5); // vertebral bodies above and below: same marrow value
    expect(Math.min(...p)).toBeGreaterThanOrEqual(-0.01);
  });
  it('a dark (degenerate) nucleus gives a dark patch centre', () => {
    expect(at(ms.discs[1].patch, 0, 0)).toBeLessThan(0.2);
  });
  it('channel 1 is the signal over the image\'s CSF level: nucleus 240 and annulus 80 against CSF 250', () => {
    expect(ms.csfMedian).toBeCloseTo(250, 0);
    const ch1 = ms.discs[0].patch.subarray(W * H);
    expect(at(ch1, 0, 0)).toBeCloseTo(240 / 250, 2);
    expect(at(ch1, 15, 0)).toBeCloseTo(80 / 250, 2);
    expect(at(ch1, 24, 0)).toBeCloseTo(1, 2);
    expect(at(ms.discs[1].patch.subarray(W * H), 0, 0)).toBeCloseTo(30 / 250, 2); // the degenerate nucleus, on the same scale
  });
  it('without a CSF level, channel 1 is a copy of channel 0', () => {
    const p = discCrop(s.volume, frame, ms.discs[0].measures.shape, null);
    expect(Array.from(p.subarray(W * H))).toEqual(Array.from(p.subarray(0, W * H)));
  });
  it('the same patch from discCrop directly, and a jitter moves the sampling grid', () => {
    const d = ms.discs[0].measures.shape;
    expect(Array.from(discCrop(s.volume, frame, d, ms.discs[0].csfLevel))).toEqual(Array.from(ms.discs[0].patch));
    const shifted = discCrop(s.volume, frame, d, ms.discs[0].csfLevel, { shiftUMm: 5, shiftVMm: 0, angleRad: 0, scale: 1 });
    expect(at(shifted, 19, 0)).toBeCloseTo(at(ms.discs[0].patch, 24, 0), 5);
  });
});

describe('disc classifier manifest', () => {
  const ok = { file: 'x.onnx', sha256: 'a'.repeat(64), version: '1', input: { name: 'patch', ...DISC_CROP }, output: { name: 'probabilities' } };
  it('accepts the patch geometry this software samples and rejects any other', () => {
    expect(parsePfirrmannManifest(ok).file).toBe('x.onnx');
    expect(() => parsePfirrmannManifest({ ...ok, input: { ...ok.input, widthPx: 48 } })).toThrow(/input.widthPx is 48, this software samples patches with widthPx = 64/);
    // A classifier before v1.6.0 read one channel (its manifest names none).
    const { channels: _, ...oneChannel } = ok.input;
    expect(() => parsePfirrmannManifest({ ...ok, input: oneChannel })).toThrow(/input.channels is 1, this software samples patches with channels = 2/);
    expect(() => parsePfirrmannManifest({ ...ok, sha256: 'nope' })).toThrow(/sha256/);
    expect(() => parsePfirrmannManifest({ ...ok, output: { name: 'p', columns: ['a'] } })).toThrow(/5 Pfirrmann grades/);
  });
  it('accepts a calibration with finite weights and feature means; applies it only to the classifier file it was fitted for', () => {
    const calibration = { intercept: 0.1, weights: { meanGrade: 1.2, heightIndex: -0.5 }, featureMeans: { heightIndex: 1 }, classifierSha256: ok.sha256 };
    expect(calibrationFor(parsePfirrmannManifest({ ...ok, calibration }))).toEqual({ calibration });
    const other = calibrationFor(parsePfirrmannManifest({ ...ok, calibration: { ...calibration, classifierSha256: 'b'.repeat(64) } }));
    expect(other.calibration).toBeUndefined();
    expect(other.calibrationRefused).toMatch(/fitted for another classifier file .* not applied and the grade's agreement with readers is unknown/);
    // The manifest's kappa was measured with the calibration applied: withdrawn with it.
    const info = { cvLinearKappa: 0.48, ...other };
    expect(info.cvLinearKappa).toBeUndefined();
    expect(calibrationFor(parsePfirrmannManifest(ok))).toEqual({});
    expect(() => parsePfirrmannManifest({ ...ok, calibration: { ...calibration, featureMeans: {} } })).toThrow(/featureMeans.heightIndex/);
    expect(() => parsePfirrmannManifest({ ...ok, calibration: { ...calibration, intercept: 'x' } })).toThrow(/finite intercept/);
  });
});

const manifestPath = resolve(__dirname, '../../models/manifest.json');
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
const shipped = manifest.pfirrmann && existsSync(resolve(__dirname, '../../models', manifest.pfirrmann.file));
(shipped ? describe : describe.skip)('the shipped classifier (onnxruntime-node)', () => {
  it('returns 5 grade probabilities summing to 1 and finding probabilities in 0..1 per patch', async () => {
    const c = await openClassifier(resolve(__dirname, '../../models', manifest.pfirrmann.file), parsePfirrmannManifest(manifest.pfirrmann));
    const out = await c.classify(ms.discs.map((d) => d.patch));
    await c.release();
    expect(out).toHaveLength(2);
    for (const o of out) {
      expect(o.pfirrmann.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      for (const v of Object.values(o.findings)) expect(v).toBeGreaterThanOrEqual(0), expect(v).toBeLessThanOrEqual(1);
    }
  });
});
