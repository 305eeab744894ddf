import { noteSrAdded, unstoredOf, type OhifMeasurement } from '../../extension/src/ohif/readerMeasurements';
import { unstoredAnnotationsByStudy } from '../../extension/src/ohif/keptReaderMeasurements';
import { keptMeasurementsText } from '../../extension/src/panel/KeptMeasurementsOffer';

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

describe('measurements kept as the mode exits (ohif/keptReaderMeasurements.ts)', () => {
  const length = (uid: string, study: string | undefined, x: number): OhifMeasurement => ({ uid, referenceStudyUID: study, label: '', points: [[x, 0, 0], [x + 10, 0, 0]] });
  const annotation = (uid: string) => ({ annotationUID: uid, metadata: { toolName: 'Length', FrameOfReferenceUID: '1.2' }, data: { handles: { points: [[0, 0, 0]] } } });

  it('keeps, per study, the annotations of the measurements in no stored SR, as plain copies', () => {
    const stored = length('s', '4.5.6', 0), drawn = length('d', '4.5.6', 1), elsewhere = length('e', '7.8.9', 2);
    noteSrAdded(['4.5.6'], [stored]);
    const annotations = new Map(['s', 'd', 'e'].map((uid) => [uid, annotation(uid)]));
    const byStudy = unstoredAnnotationsByStudy([stored, drawn, elsewhere], (uid) => annotations.get(uid));
    expect([...byStudy.keys()].sort()).toEqual(['4.5.6', '7.8.9']);
    expect(byStudy.get('4.5.6')).toEqual([annotation('d')]); // the stored one is not kept
    expect(byStudy.get('4.5.6')![0]).not.toBe(annotations.get('d')); // a copy: OHIF clears its own as the mode exits
  });

  it('keeps nothing of a measurement without a study or an annotation to draw it again from', () => {
    expect(unstoredAnnotationsByStudy([length('x', undefined, 0), length('y', '1.1', 0)], (uid) => (uid === 'x' ? annotation('x') : undefined)).size).toBe(0);
  });

  it('says how many were kept and when', () => {
    expect(keptMeasurementsText(1, '2026-12-07T17:17:13Z')).toMatch(/^1 measurement you drew on this study was not stored in an SR when you left it \(.+\): this browser kept it\.$/);
    expect(keptMeasurementsText(3, '2026-12-07T17:17:13Z')).toMatch(/^3 measurements you drew on this study were not stored in an SR when you left it \(.+\): this browser kept them\.$/);
  });
});
