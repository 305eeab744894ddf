import { noteSrAdded, unstoredOf, type OhifMeasurement } from '../../extension/src/ohif/readerMeasurements';

describe('reader measurements stored as an SR (ohif/readerMeasurements.ts)', () => {
  const length = (uid: string, study: string, x: number): OhifMeasurement => ({ uid, referenceStudyUID: study, label: '', points: [[x, 0, 0], [x + 10, 0, 0]] });

  it('counts a measurement stored once an SR is added to its study, and unstored again once moved or relabelled', () => {
    const a = length('a', '1.2.3', 0);
    const other = length('b', '9.9.9', 0);
    expect(unstoredOf([a, other])).toEqual([a, other]);
    noteSrAdded(['1.2.3'], [a, other]);
    expect(unstoredOf([a, other])).toEqual([other]); // the SR was added to study 1.2.3 only
    const moved = length('a', '1.2.3', 5);
    expect(unstoredOf([moved])).toEqual([moved]);
    const relabelled = { ...a, label: 'L4/L5 canal AP' };
    expect(unstoredOf([relabelled])).toEqual([relabelled]);
    noteSrAdded(['1.2.3'], [relabelled]);
    expect(unstoredOf([relabelled])).toEqual([]);
  });
});
