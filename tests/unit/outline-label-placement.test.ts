/**
 * Where an image label goes (ohif/outlineOverlay.ts): beside a line when it fits whole in the viewport, otherwise
 * centred above, moved inside the viewport. A canal label on SPIDER 3 (L1/L2, 34 characters) was cut off at the
 * viewport's left edge: its width had been estimated, not measured, so "fits before the line" was wrong by a few px.
 */
import { besideLine, clampCentre } from '../../extension/src/ohif/outlineOverlay';

describe('label placement', () => {
  const line = [[220, 300], [260, 302]]; // a canal AP line, front to back, in a viewport 440 px wide
  it('puts the label after the line when it fits there', () => {
    expect(besideLine(line, 150, 440)).toEqual({ x: '266', y: '306', 'text-anchor': 'start' });
  });
  it('puts it before the line when it fits only there', () => {
    expect(besideLine(line, 190, 440)).toEqual({ x: '214', y: '304', 'text-anchor': 'end' });
  });
  it('gives up when the label fits on neither side (the caller centres it above)', () => {
    expect(besideLine(line, 220, 440)).toBeUndefined();
  });
  it('keeps a centred label whole inside the viewport', () => {
    expect(clampCentre(60, 240, 440)).toBe(122); // would start at −60 px
    expect(clampCentre(420, 240, 440)).toBe(318);
    expect(clampCentre(220, 240, 440)).toBe(220);
    expect(clampCentre(100, 500, 440)).toBe(220); // wider than the viewport: centred
  });
});
