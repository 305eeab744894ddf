import { auc, confusion, weightedKappa } from '../../scripts/lib/grading-metrics';

describe('grading metrics', () => {
  it('linear-weighted kappa: 1 when identical, below 0 for reversed, hand-computed mid case', () => {
    expect(weightedKappa([1, 2, 3, 4, 5], [1, 2, 3, 4, 5])).toBeCloseTo(1);
    expect(weightedKappa([1, 2, 4, 5], [5, 4, 2, 1])).toBeLessThan(0);
    // truth [1,1,2,2] pred [1,2,2,2], k=5: obs=0.25*0.25=0.0625, exp = sum w*r*c/16 = (0.5*0.25*... ) → 0.0625/0.125
    expect(weightedKappa([1, 1, 2, 2], [1, 2, 2, 2])).toBeCloseTo(1 - 0.0625 / 0.125, 6);
  });
  it('confusion counts truth rows × prediction columns', () => {
    expect(confusion([1, 2, 2], [1, 3, 2], 3)).toEqual([[1, 0, 0], [0, 1, 1], [0, 0, 0]]);
  });
  it('AUC: 1 for perfect separation, 0.5 for ties', () => {
    expect(auc([3, 4, 1, 2], [true, true, false, false])).toBe(1);
    expect(auc([1, 1], [true, false])).toBe(0.5);
  });
});
