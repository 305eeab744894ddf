/** Pure helpers of the viewer flow: progress-bar arithmetic and segment colours. */
import { overallProgress } from '../../extension/src/panel/progress';
import { segmentColors } from '../../extension/src/segment-colors';
import type { SegmentInfo } from '../../extension/src/pipeline/report';

describe('overallProgress', () => {
  it('starts at 0, ends at 1 and never goes backwards across stages', () => {
    const steps: [Parameters<typeof overallProgress>[0], number, number][] = [
      ['read', 0, 75],
      ['read', 75, 75],
      ['model', 1, 1],
      ['preprocess', 10, 75],
      ['inference', 0, 75],
      ['inference', 40, 75],
      ['inference', 75, 75],
      ['postprocess', 1, 1],
      ['report', 1, 1],
    ];
    const values = steps.map(([s, d, t]) => overallProgress(s, d, t));
    expect(values[0]).toBe(0);
    expect(values[values.length - 1]).toBeCloseTo(1, 10);
    for (let i = 1; i < values.length; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1]);
  });
  it('clamps done > total and handles total 0', () => {
    expect(overallProgress('inference', 90, 75)).toBeCloseTo(overallProgress('postprocess', 0, 1), 10);
    expect(overallProgress('model', 0, 0)).toBe(overallProgress('model', 0, 1));
  });
});

describe('segmentColors', () => {
  const seg = (kind: SegmentInfo['kind'], segmentNumber: number) => ({ segmentNumber, kind });
  it('gives neighbouring instances of one kind different colours, and bodies and discs different hues', () => {
    // Interleaved as the pipeline numbers them (body, disc, body, …), given out of order: colours follow segmentNumber.
    const colors = segmentColors([seg('vertebral_body', 5), seg('disc', 2), seg('vertebral_body', 1), seg('disc', 4), seg('vertebral_body', 3)]);
    const [b1, d2, b3, d4, b5] = [1, 2, 3, 4, 5].map((n) => colors.get(n)!);
    expect(b1).not.toEqual(b3);
    expect(b3).not.toEqual(b5);
    expect(d2).not.toEqual(d4);
    // Vertebral bodies are orange (red > blue), discs are blue (blue > red).
    for (const c of [b1, b3, b5]) expect(c[0]).toBeGreaterThan(c[2]);
    for (const c of [d2, d4]) expect(c[2]).toBeGreaterThan(c[0]);
    for (const c of [b1, d2, b3, d4, b5]) {
      expect(c).toHaveLength(4);
      expect(c[3]).toBe(255);
      c.slice(0, 3).forEach((v) => expect(v >= 0 && v <= 255 && Number.isInteger(v)).toBe(true));
    }
    // The first body and the first disc take their kind's first colour whatever their numbers.
    expect(segmentColors([seg('vertebral_body', 9)]).get(9)).toEqual(b1);
    expect(segmentColors([seg('disc', 7)]).get(7)).toEqual(d2);
  });
});
