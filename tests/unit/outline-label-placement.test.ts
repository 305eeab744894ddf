/**
 * Where an image label goes (ohif/outlineOverlay.ts): beside a line when it fits whole in the viewport, otherwise
 * centred above, moved inside the viewport. A canal label on SPIDER 3 (L1/L2, 34 characters) was cut off at the
 * viewport's left edge: its width had been estimated, not measured, so "fits before the line" was wrong by a few px.
 * In a narrow viewport (SPIDER 50, 1 × 2 layout) the canal labels, put before their lines, and the slip labels, centred
 * above theirs, covered the vertebral bodies and the level names: a short label behind the canal, and slip labels in
 * front of the spine at the disc's height, among the names, keep them clear. A slip label wider than a 1366 px screen's
 * 1 × 2 viewport (SPIDER 1) ran off both its edges: centred above, the short label is drawn there.
 */
import { besideLine, clampCentre, placeLabel } from '../../extension/src/ohif/outlineOverlay';
import { inNameColumn, LABEL_OFFSET_MM } from '../../extension/src/ohif/levelLabels';
import type { SegmentInfo } from '../../extension/src/pipeline/report';

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

  describe('placeLabel', () => {
    const width = (t: string) => t.length * 7;
    const canal = { label: 'L1/L2 canal AP 5.0 mm · severe', shortLabel: 'L1/L2 canal severe', labelAfterEnd: true, labelEnd: { lps: [0, 0, 0] as [number, number, number], line: 'below' as const } };
    const front = [150, 300]; // where the label may end, in front of the spine
    it('puts a canal label whole behind its line where it fits, else short', () => {
      expect(placeLabel(canal, line, front, width, 480)).toEqual({ text: canal.label, attrs: { x: '266', y: '306', 'text-anchor': 'start' } });
      expect(placeLabel(canal, line, front, width, 400)).toEqual({ text: canal.shortLabel, attrs: { x: '266', y: '306', 'text-anchor': 'start' } });
    });
    it('puts it in front of the spine, a line below the disc, when even the short one does not fit behind the line', () => {
      expect(placeLabel(canal, line, [250, 300], width, 300)).toEqual({ text: canal.label, attrs: { x: '250.0', y: '318.0', 'text-anchor': 'end' } });
      expect(placeLabel(canal, line, front, width, 300)).toEqual({ text: canal.shortLabel, attrs: { x: '150.0', y: '318.0', 'text-anchor': 'end' } });
    });
    it('never before the line, over the disc, where it has a place in front of the spine; centred above when nothing fits', () => {
      expect(placeLabel(canal, line, [100, 300], width, 300)).toEqual({ text: canal.label, attrs: { x: '193', y: '292', 'text-anchor': 'middle' } }); // moved inside the viewport
      expect(placeLabel({ ...canal, labelEnd: undefined }, line, undefined, width, 300)).toEqual({ text: canal.label, attrs: { x: '214', y: '304', 'text-anchor': 'end' } });
    });
    it('puts a slip label in front of the spine centred on the disc, whole or short', () => {
      const slip = { label: 'L4/L5 anterolisthesis 7.9 mm, 26.1 % · Meyerding II', shortLabel: 'L4/L5 anterolisthesis II', labelEnd: { lps: [0, 0, 0] as [number, number, number], line: 'at' as const } };
      expect(placeLabel(slip, line, [400, 300], width, 480)).toEqual({ text: slip.label, attrs: { x: '400.0', y: '304.0', 'text-anchor': 'end' } });
      expect(placeLabel(slip, line, [180, 300], width, 480)).toEqual({ text: slip.shortLabel, attrs: { x: '180.0', y: '304.0', 'text-anchor': 'end' } });
    });
    it('centres the short label above where the whole one is wider than the viewport (a 1366 px screen\'s 1 × 2 layout)', () => {
      const slip = { label: 'L4/L5 retrolisthesis 6.0 mm, 25.5 % · Meyerding I', shortLabel: 'L4/L5 retrolisthesis I', labelEnd: { lps: [0, 0, 0] as [number, number, number], line: 'at' as const } };
      // 50 × 7 = 350 px in a 325 px viewport; the name column 112 px from its left edge holds neither label.
      expect(placeLabel(slip, [[160, 300], [170, 330]], [112, 315], width, 325)).toEqual({ text: slip.shortLabel, attrs: { x: '160', y: '292', 'text-anchor': 'middle' } });
      expect(placeLabel({ label: slip.label }, [[160, 300]], undefined, width, 325).text).toBe(slip.label); // no short one: the whole, centred
    });
    it('keeps other outlines\' labels centred above them', () => {
      expect(placeLabel({ label: 'L4/L5 left foramen 14 mm · Lee 1' }, [[100, 200], [140, 180], [180, 210]], undefined, width, 480).attrs).toEqual({ x: '140', y: '172', 'text-anchor': 'middle' });
    });
  });

  describe('inNameColumn (where a disc finding\'s label ends)', () => {
    const disc: SegmentInfo = { segmentNumber: 9, kind: 'disc', level: 'L5/S1', label: 'L5/S1 disc', voxelCount: 500, centroidLps: [1, 40, -120] };
    const body = (level: string, centroidLps: [number, number, number]): SegmentInfo => ({ segmentNumber: 1, kind: 'vertebral_body', level, label: `${level} vertebral body`, voxelCount: 900, centroidLps });
    it('lies midway between the names of the disc\'s two bodies (LPS: anterior = −y)', () => {
      expect(inNameColumn([disc, body('L5', [1, 35, -100]), body('S1', [3, 55, -150])], 'L5/S1', [[0, 60, -126]])).toEqual([2, 45 - LABEL_OFFSET_MM, -125]);
    });
    it('without one of them, as far in front of the disc\'s centroid as a name is in front of its body', () => {
      expect(inNameColumn([disc, body('L5', [1, 35, -100])], 'L5/S1', [[0, 60, -126]])).toEqual([1, 40 - LABEL_OFFSET_MM, -120]);
    });
    it('without the disc\'s segment (a stored SR), is estimated from its posterior margin: 18 mm further forward, at its height', () => {
      expect(inNameColumn([disc], 'L4/L5', [[0, 60, -126], [2, 64, -128]])).toEqual([1, 60 - 18 - LABEL_OFFSET_MM, -127]);
    });
  });
});
