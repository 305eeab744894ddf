import { auc, confusion, shiftEvidence, weightedKappa } from '../../scripts/lib/grading-metrics';

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
  it('shift evidence: an image whose predicted grades match the readers\' grades of the disc below counts as "one level lower"', () => {
    // Readers' grades by IVD label 1..7 (1 = L5/S1); a one-hot classifier output for a grade.
    const readers = [5, 4, 3, 2, 1, 2, 3];
    const onehot = (g: number) => [1, 2, 3, 4, 5].map((x) => (x === g ? 1 : 0));
    const rows = (patient: string, predictedFor: (ivd: number) => number) => readers.map((grade, n) => {
      const ivd = n + 1;
      return { patient, ivd, grade, detected: true, outOfSampleProbabilities: [...onehot(predictedFor(ivd)), 0, 0, 0, 0] };
    });
    const right = rows('a', (ivd) => readers[ivd - 1]);
    // Names one level too high: the disc named ivd k is the readers' k − 1, so its grade is theirs for k − 1.
    const tooHigh = rows('b', (ivd) => readers[Math.max(0, ivd - 2)]);
    const tooLow = rows('c', (ivd) => readers[Math.min(6, ivd)]);
    const r = shiftEvidence([...right, ...tooHigh, ...tooLow]);
    expect(r.images).toBe(3);
    expect(r.fitsNamesOneLower).toEqual(['b']);
    expect(r.fitsNamesOneHigher).toEqual(['c']);
  });
});
