/**
 * Preprocessing geometry: sagittal slices → canonical model grid (rows S→I, columns A→P) and back.
 * A fake backend returns logits = one-hot of the (resampled, normalised) input, so the labelmap that
 * comes back must reproduce the source image's labels: exactly when the source spacing equals the
 * model spacing, and up to one-voxel boundary effects when resampling.
 */
import { segmentClasses } from '../../extension/src/pipeline/segment';
import { canonicalSlice, intensityMap, logitSampler, sagittalGeometry, sliceValues } from '../../extension/src/pipeline/preprocess';
import type { InferenceBackend, ModelManifest } from '../../extension/src/pipeline/model';
import type { SpineVolume, Vec3 } from '../../extension/src/pipeline/volume';

function manifest(pixelSpacingMm: [number, number], sizeMultipleOf = 16): ModelManifest {
  return {
    name: 'test', version: '0', file: 'x.onnx', sha256: '0'.repeat(64),
    input: { name: 'image', layout: 'NCHW', channels: 1, pixelSpacingMm, sizeMultipleOf, normalisation: { method: 'minmax', scope: 'volume' } },
    output: { name: 'logits', classes: [{ index: 0, name: 'background', label: 'bg' }, { index: 1, name: 'vertebral_body', label: 'VB' }, { index: 2, name: 'disc', label: 'disc' }] },
  };
}

/** Logits = −(2·input − c)²: argmax is the class nearest to 2·input (minmax maps labels 0,1,2 → 0,0.5,1). */
const oneHotBackend: InferenceBackend = {
  name: 'fake one-hot',
  async run(input, h, w) {
    const out = new Float32Array(3 * h * w);
    for (let c = 0; c < 3; c++) for (let p = 0; p < h * w; p++) out[c * h * w + p] = -((2 * input[p] - c) ** 2);
    return out;
  },
  async release() {},
};

/**
 * Anatomical label at a physical point: (sMm = mm below the top, aMm = mm posterior of the front).
 * Asymmetric blobs so that any flip or transpose is detected.
 */
function anatomyAt(sMm: number, aMm: number, slice: number): number {
  if (sMm > 10 && sMm < 40 && aMm > 8 && aMm < 30) return 1; // superior-anterior "body"
  if (sMm > 45 && sMm < 52 && aMm > 8 && aMm < 38) return 2; // "disc"
  if (sMm > 60 && sMm < 90 && aMm > 20 + slice && aMm < 45) return 1; // inferior-posterior body, shifts per slice
  return 0;
}

type Layout = 'rowsSI' | 'rowsIS' | 'colsSI' | 'colsSI_flipAP';

/**
 * A sagittal volume of `anatomyAt` sampled at voxel centres, in one of several DICOM layouts.
 * height/width in mm along S-I and A-P; spacing [S-I, A-P] mm.
 */
function makeVolume(layout: Layout, heightMm: number, widthMm: number, siMm: number, apMm: number, slices = 3): SpineVolume {
  const nS = Math.round(heightMm / siMm);
  const nA = Math.round(widthMm / apMm);
  const siAxisIsColumns = layout === 'colsSI' || layout === 'colsSI_flipAP';
  const nI = siAxisIsColumns ? nS : nA;
  const nJ = siAxisIsColumns ? nA : nS;
  const voxels = new Float32Array(nI * nJ * slices);
  const top = 100;
  let rowDirection: Vec3, columnDirection: Vec3, originLps: Vec3;
  const sI = (s: number) => (layout === 'rowsIS' ? nS - 1 - s : s); // source index of canonical s
  const aI = (a: number) => (layout === 'colsSI_flipAP' ? nA - 1 - a : a);
  for (let k = 0; k < slices; k++)
    for (let s = 0; s < nS; s++)
      for (let a = 0; a < nA; a++) {
        const v = anatomyAt((s + 0.5) * siMm, (a + 0.5) * apMm, k);
        const i = siAxisIsColumns ? sI(s) : aI(a);
        const j = siAxisIsColumns ? aI(a) : sI(s);
        voxels[i + j * nI + k * nI * nJ] = v;
      }
  if (layout === 'rowsSI') { rowDirection = [0, 1, 0]; columnDirection = [0, 0, -1]; originLps = [0, 0, top]; }
  else if (layout === 'rowsIS') { rowDirection = [0, 1, 0]; columnDirection = [0, 0, 1]; originLps = [0, 0, top - (nS - 1) * siMm]; }
  else if (layout === 'colsSI') { rowDirection = [0, 0, -1]; columnDirection = [0, 1, 0]; originLps = [0, 0, top]; }
  else { rowDirection = [0, 0, -1]; columnDirection = [0, -1, 0]; originLps = [0, (nA - 1) * apMm, top]; }
  const spacingMm: Vec3 = siAxisIsColumns ? [siMm, apMm, 4] : [apMm, siMm, 4];
  return {
    voxels, dims: [nI, nJ, slices], spacingMm, originLps, rowDirection, columnDirection, sliceDirection: [-1, 0, 0],
    studyInstanceUid: '', seriesInstanceUid: '', frameOfReferenceUid: '', sopInstanceUids: [],
  };
}

describe('sagittal geometry', () => {
  it.each<Layout>(['rowsSI', 'rowsIS', 'colsSI', 'colsSI_flipAP'])('%s: canonical slice has superior at the top and anterior at the left', (layout) => {
    const vol = makeVolume(layout, 100, 50, 1, 1);
    const m = manifest([1, 1]);
    const g = sagittalGeometry(vol, m);
    expect([g.contentHeight, g.contentWidth]).toEqual([100, 50]);
    expect([g.height, g.width]).toEqual([112, 64]);
    const img = canonicalSlice(vol, g, 0, intensityMap(vol.voxels, m.input.normalisation));
    // Canonical pixel (r, c) is (r + 0.5) mm below the top, (c + 0.5) mm behind the front.
    for (const [r, c] of [[20, 10], [48, 30], [70, 40], [5, 5], [70, 12]]) expect(img[r * g.width + c] * 2).toBeCloseTo(anatomyAt(r + 0.5, c + 0.5, 0), 5);
    // Padding is zero.
    expect(img[105 * g.width + 60]).toBe(0);
  });

  it('refuses an axial series with a clear message', () => {
    const vol = makeVolume('rowsSI', 20, 20, 1, 1);
    vol.rowDirection = [1, 0, 0];
    vol.columnDirection = [0, 1, 0];
    expect(() => sagittalGeometry(vol, manifest([1, 1]))).toThrow(/not sagittal.*axial/);
  });

  it('refuses a coronal series', () => {
    const vol = makeVolume('rowsSI', 20, 20, 1, 1);
    vol.rowDirection = [1, 0, 0];
    vol.columnDirection = [0, 0, -1];
    expect(() => sagittalGeometry(vol, manifest([1, 1]))).toThrow(/not sagittal.*coronal/);
  });

  it('refuses a series without PixelSpacing by name, never assuming a spacing', () => {
    const vol = { ...makeVolume('rowsSI', 20, 20, 1, 1), seriesDescription: 'SAG T2' };
    for (const spacingMm of [[NaN, NaN, 4], [0.5, 0, 4]] as [number, number, number][]) {
      expect(() => sagittalGeometry({ ...vol, spacingMm }, manifest([1, 1]))).toThrow(/^Series "SAG T2" has no usable PixelSpacing \(0028,0030\): distances in mm cannot be measured/);
    }
    expect(() => sagittalGeometry({ ...vol, spacingMm: [0.5, 0.5, 0] }, manifest([1, 1]))).toThrow(/spacing between its slices/);
  });

  it('accepts a one-slice sagittal image (e.g. a SPIDER mid-sagittal PNG)', async () => {
    const vol = makeVolume('rowsSI', 100, 50, 1, 1, 1);
    const lm = await segmentClasses(vol, oneHotBackend, manifest([1, 1]));
    expect(Array.from(lm.values)).toEqual(Array.from(vol.voxels));
  });
});

describe('labels map back onto the source grid', () => {
  it.each<Layout>(['rowsSI', 'rowsIS', 'colsSI', 'colsSI_flipAP'])('%s, spacing = model spacing: exact round trip', async (layout) => {
    const vol = makeVolume(layout, 100, 50, 1.25, 1.25);
    const lm = await segmentClasses(vol, oneHotBackend, manifest([1.25, 1.25]));
    expect(lm.dims).toEqual(vol.dims);
    expect(Array.from(lm.values)).toEqual(Array.from(vol.voxels));
  });

  it.each<Layout>(['rowsSI', 'rowsIS', 'colsSI', 'colsSI_flipAP'])('%s, resampled 0.8×1.1 mm → 1.25 mm: equal away from boundaries', async (layout) => {
    const vol = makeVolume(layout, 100, 50, 0.8, 1.1);
    const lm = await segmentClasses(vol, oneHotBackend, manifest([1.25, 1.25]));
    const [nI, nJ, nK] = vol.dims;
    let interior = 0, interiorWrong = 0, wrong = 0;
    for (let k = 0; k < nK; k++)
      for (let j = 1; j < nJ - 1; j++)
        for (let i = 1; i < nI - 1; i++) {
          const p = i + j * nI + k * nI * nJ;
          if (lm.values[p] !== vol.voxels[p]) wrong++;
          // "Interior": the 5×5 neighbourhood has one label (a 1.25 mm pixel never reaches 2 voxels away).
          let uniform = true;
          for (let dj = -2; dj <= 2 && uniform; dj++)
            for (let di = -2; di <= 2; di++) {
              const ii = i + di, jj = j + dj;
              if (ii >= 0 && jj >= 0 && ii < nI && jj < nJ && vol.voxels[ii + jj * nI + k * nI * nJ] !== vol.voxels[p]) { uniform = false; break; }
            }
          if (uniform) { interior++; if (lm.values[p] !== vol.voxels[p]) interiorWrong++; }
        }
    expect(interior).toBeGreaterThan(0.6 * nI * nJ * nK);
    expect(interiorWrong).toBe(0);
    expect(wrong / (nI * nJ * nK)).toBeLessThan(0.03);
  });
});

describe('the calibrated outline', () => {
  it('marks the voxels whose structure class still wins with the manifest\'s logit offsets added, with that class', async () => {
    const vol = makeVolume('rowsSI', 100, 50, 1.25, 1.25);
    const plain = await segmentClasses(vol, oneHotBackend, manifest([1.25, 1.25]));
    expect(plain.outline).toBeUndefined();
    const withOffsets = (offsets: number[]) => {
      const m = manifest([1.25, 1.25]);
      return segmentClasses(vol, oneHotBackend, { ...m, output: { ...m.output, logitOffsets: offsets, logitOffsetsModelSha256: m.sha256 } });
    };
    const same = await withOffsets([0, 0, 0]);
    expect(Array.from(same.values)).toEqual(Array.from(plain.values));
    // Inside the outline, its value is the structure class the sampled logits favour: here the network's own class.
    expect(Array.from(same.outline!)).toEqual(Array.from(plain.values));
    // One-hot logits differ by at most 4: an offset of −5 leaves no structure inside the outline.
    const none = await withOffsets([0, -5, -5]);
    expect(Array.from(none.values)).toEqual(Array.from(plain.values));
    expect(none.outline!.some((x) => x)).toBe(false);
  });
});

/** Source voxel (i, j) of a makeVolume slice at canonical index s (S→I) and a (A→P), as makeVolume lays it out. */
function sourceVoxel(layout: Layout, vol: SpineVolume, s: number, a: number): [number, number] {
  const siAxisIsColumns = layout === 'colsSI' || layout === 'colsSI_flipAP';
  const [nS, nA] = siAxisIsColumns ? [vol.dims[0], vol.dims[1]] : [vol.dims[1], vol.dims[0]];
  const sIdx = layout === 'rowsIS' ? nS - 1 - s : s;
  const aIdx = layout === 'colsSI_flipAP' ? nA - 1 - a : a;
  return siAxisIsColumns ? [sIdx, aIdx] : [aIdx, sIdx];
}

describe('the outline is sampled between model pixels (bilinear), not copied from the nearest one', () => {
  // Source 0.8 × 1.1 mm, model 1.25 mm: nearest neighbour would place every boundary up to 0.6 mm off.
  const siMm = 0.8, apMm = 1.1;
  /** Logits that are linear in position: vertebral body = mm below the top − 50.3, disc = mm behind the front − 30.3. */
  const rampBackend = (effRowMm: number, effColMm: number): InferenceBackend => ({
    name: 'fake ramp',
    async run(_input, h, w) {
      const out = new Float32Array(3 * h * w);
      for (let r = 0; r < h; r++)
        for (let c = 0; c < w; c++) {
          out[h * w + r * w + c] = (r + 0.5) * effRowMm - 50.3;
          out[2 * h * w + r * w + c] = (c + 0.5) * effColMm - 30.3;
        }
      return out;
    },
    async release() {},
  });

  it.each<Layout>(['rowsSI', 'rowsIS', 'colsSI', 'colsSI_flipAP'])('%s: logits at each voxel centre are the ramps at its position', async (layout) => {
    const vol = makeVolume(layout, 100, 50, siMm, apMm, 1);
    const g = sagittalGeometry(vol, manifest([1.25, 1.25]));
    const logits = await rampBackend(...g.effectiveSpacingMm).run(new Float32Array(0), g.height, g.width);
    const sample = logitSampler(g, logits, 3);
    const l = new Float32Array(3);
    // Away from the edges (where the first and last model pixel centres clamp the ramp).
    for (const [s, a] of [[5, 5], [62, 20], [63, 21], [100, 40], [119, 39]]) {
      sample(...sourceVoxel(layout, vol, s, a), l);
      expect(l[1]).toBeCloseTo((s + 0.5) * siMm - 50.3, 4);
      expect(l[2]).toBeCloseTo((a + 0.5) * apMm - 30.3, 4);
    }
  });

  it.each<Layout>(['rowsSI', 'colsSI_flipAP'])('%s: the calibrated outline ends at the position where the offset logits cross, to the voxel', async (layout) => {
    const vol = makeVolume(layout, 100, 50, siMm, apMm, 1);
    const m = manifest([1.25, 1.25]);
    const g = sagittalGeometry(vol, m);
    // Disc pushed out of play; the vertebral body wins where it lies more than 50.3 + 2 mm below the top.
    const lm = await segmentClasses(vol, rampBackend(...g.effectiveSpacingMm), { ...m, output: { ...m.output, logitOffsets: [0, -2, -100], logitOffsetsModelSha256: m.sha256 } });
    let wrong = 0;
    for (let s = 0; s < 125; s++)
      for (let a = 0; a < 45; a++) {
        const [i, j] = sourceVoxel(layout, vol, s, a);
        if ((lm.outline![i + j * vol.dims[0]] ? 1 : 0) !== ((s + 0.5) * siMm > 52.3 ? 1 : 0)) wrong++;
      }
    expect(wrong).toBe(0);
  });

  it('draws the border between two structures inside the outline where their plain logits cross, to the voxel', async () => {
    const vol = makeVolume('rowsSI', 100, 50, siMm, apMm, 1);
    const m = manifest([1.25, 1.25]);
    const g = sagittalGeometry(vol, m);
    // Offsets that leave everything below 50.3 − 20 mm inside; the disc's −100 must not move the body–disc border.
    const lm = await segmentClasses(vol, rampBackend(...g.effectiveSpacingMm), { ...m, output: { ...m.output, logitOffsets: [0, 20, -100], logitOffsetsModelSha256: m.sha256 } });
    let wrong = 0, discs = 0;
    for (let s = 40; s < 125; s++)
      for (let a = 2; a < 45; a++) {
        const [i, j] = sourceVoxel('rowsSI', vol, s, a);
        const disc = (a + 0.5) * apMm - 30.3 > (s + 0.5) * siMm - 50.3;
        discs += disc ? 1 : 0;
        if (lm.outline![i + j * vol.dims[0]] !== (disc ? 2 : 1)) wrong++;
      }
    expect(discs).toBeGreaterThan(100);
    expect(wrong).toBe(0);
  });
});

describe('segmentClasses progress and cancel', () => {
  it('reports progress per slice and stops on abort', async () => {
    const vol = makeVolume('rowsSI', 40, 40, 1, 1, 5);
    const ctrl = new AbortController();
    const seen: string[] = [];
    const p = segmentClasses(vol, oneHotBackend, manifest([1, 1]), {
      signal: ctrl.signal,
      onProgress: (stage, done, total) => {
        seen.push(`${stage} ${done}/${total}`);
        if (stage === 'inference' && done === 2) ctrl.abort();
      },
    });
    await expect(p).rejects.toThrow(/abort/i);
    expect(seen).toEqual(['preprocess 1/1', 'inference 1/5', 'inference 2/5']);
  });
});

describe('percentile normalisation', () => {
  it('maps p1..p99 of the slice to 0..1 (numpy linear percentiles)', () => {
    const vals = Float32Array.from({ length: 101 }, (_, i) => i * 10); // 0..1000
    const m = intensityMap(vals, { method: 'percentile_clip', lowPercentile: 1, highPercentile: 99, scope: 'slice' });
    expect(m.offset).toBeCloseTo(10, 5);
    expect(1 / m.scale).toBeCloseTo(980, 3);
    const vol = makeVolume('rowsSI', 10, 10, 1, 1, 1);
    expect(sliceValues(vol, 0).length).toBe(100);
  });
});
