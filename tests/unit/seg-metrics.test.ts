/** Metrics used by eval:seg: binary Dice and level-name accuracy by maximum overlap. */
import { clipToGtRange, diceBinary, instanceDice, kindMask, levelAccuracy } from '../../scripts/lib/seg-metrics';
import type { SegmentInfo } from '../../extension/src/pipeline/report';

const seg = (segmentNumber: number, kind: SegmentInfo['kind'], level: string): SegmentInfo => ({
  segmentNumber, kind, level, label: `${level} ${kind}`, voxelCount: 0, centroidLps: [0, 0, 0],
});

describe('seg metrics', () => {
  it('Dice', () => {
    expect(diceBinary([1, 1, 0, 0], [1, 0, 1, 0])).toBeCloseTo(0.5);
    expect(diceBinary([1, 1], [2, 3])).toBe(1);
    expect(diceBinary([0, 0], [0, 0])).toBeNaN();
    expect(() => diceBinary([1], [1, 0])).toThrow(/lengths differ/);
  });

  it('kind mask and level accuracy by largest overlap', () => {
    const segments = [seg(1, 'vertebral_body', 'L4'), seg(2, 'disc', 'L4/L5'), seg(3, 'vertebral_body', 'L5')];
    const lm = Uint8Array.from([1, 1, 1, 2, 3, 3, 0, 3]);
    const gt = Uint8Array.from([1, 1, 0, 0, 2, 2, 2, 1]); // GT 1 overlaps seg 1 twice, seg 3 once
    expect(Array.from(kindMask(lm, segments, 'vertebral_body'))).toEqual([1, 1, 1, 0, 1, 1, 0, 1]);
    const r = levelAccuracy(lm, segments, 'vertebral_body', gt, ['L4', 'L5']);
    expect(r.matches.map((m) => [m.expected, m.predicted, m.correct])).toEqual([['L4', 'L4', true], ['L5', 'L5', true]]);
    expect(levelAccuracy(lm, segments, 'vertebral_body', gt, ['L3', 'L5']).accuracy).toBe(0.5);
  });

  it('clips predictions to the ground truth superior-inferior range', () => {
    // Voxel p has z = -p (p = 0 is most superior); GT occupies p = 2..4.
    const mask = Uint8Array.from([1, 1, 1, 1, 1, 1]);
    const gt = Uint8Array.from([0, 0, 1, 1, 2, 0]);
    expect(Array.from(clipToGtRange(mask, gt, (p) => -p))).toEqual([0, 0, 1, 1, 1, 0]);
  });

  it('per-instance Dice against the best-overlapping segment of the kind', () => {
    const segments = [seg(1, 'vertebral_body', 'L4'), seg(2, 'disc', 'L4/L5'), seg(3, 'vertebral_body', 'L5')];
    const lm = Uint8Array.from([1, 1, 1, 2, 3, 3, 0, 0]);
    const gt = Uint8Array.from([1, 1, 0, 2, 2, 2, 2, 0]);
    // GT 1 (2 voxels) vs seg 1 (3 voxels): 2·2/5; GT 2 (4 voxels) vs seg 3 (2 voxels, disc seg 2 ignored): 2·2/6.
    expect(instanceDice(lm, segments, 'vertebral_body', gt).map((x) => x.dice)).toEqual([0.8, 4 / 6]);
  });
});
