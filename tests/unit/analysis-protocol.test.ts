import { reportModel, type ReaderOutlines } from '../../extension/src/ohif/analysisProtocol';

describe('reportModel (the segmentation model a report names)', () => {
  const loaded = { name: 'spine-sag-unet', version: '1.2.0', sha256: 'ab'.repeat(32), file: 'spine-sag-unet.onnx' };
  const outlines = (model?: ReaderOutlines['model']): ReaderOutlines => ({
    labelmap: { dims: [1, 1, 1], values: new Uint8Array(1) }, segments: [], levelNaming: { anchor: 'sacrum', certain: true, note: '' },
    run: { backend: 'stored SEG', seconds: 0 }, ...(model ? { model } : {}),
  } as unknown as ReaderOutlines);

  it('names the model loaded for a new analysis, without the manifest\'s other fields', () => {
    expect(reportModel(loaded)).toEqual({ name: 'spine-sag-unet', version: '1.2.0', sha256: 'ab'.repeat(32) });
    expect(reportModel(loaded, outlines())).toEqual({ name: 'spine-sag-unet', version: '1.2.0', sha256: 'ab'.repeat(32) });
  });

  it('names the model that made a stored SEG\'s outlines when they are measured again, not the one loaded now', () => {
    const stored = { name: 'spine-sag-unet', version: '1.1.0', sha256: 'cd'.repeat(16) };
    expect(reportModel(loaded, outlines(stored))).toEqual(stored);
  });
});
