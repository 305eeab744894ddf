/** Pure helpers of the viewer flow: progress-bar arithmetic and segment colours. */
import { overallProgress } from '../../extension/src/panel/progress';
import { segmentColor } from '../../extension/src/segment-colors';
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

describe('segmentColor', () => {
  const seg = (kind: SegmentInfo['kind'], n: number): SegmentInfo => ({ segmentNumber: n, kind, label: `${kind} ${n}`, voxelCount: 1, centroidLps: [0, 0, 0] });
  it('gives neighbouring instances of one kind different colours, and bodies and discs different hues', () => {
    const bodies = [0, 1, 2].map((i) => segmentColor(seg('vertebral_body', i + 1), i));
    const discs = [0, 1].map((i) => segmentColor(seg('disc', i + 10), i));
    expect(bodies[0]).not.toEqual(bodies[1]);
    expect(bodies[1]).not.toEqual(bodies[2]);
    expect(discs[0]).not.toEqual(discs[1]);
    // Vertebral bodies are orange (red > blue), discs are blue (blue > red).
    for (const c of bodies) expect(c[0]).toBeGreaterThan(c[2]);
    for (const c of discs) expect(c[2]).toBeGreaterThan(c[0]);
    for (const c of [...bodies, ...discs]) {
      expect(c).toHaveLength(4);
      expect(c[3]).toBe(255);
      c.slice(0, 3).forEach((v) => expect(v >= 0 && v <= 255 && Number.isInteger(v)).toBe(true));
    }
  });
});
