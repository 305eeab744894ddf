/**
 * seriesHeadersFrom (dicom/series-headers.ts): the one header reader of the viewer and the CLI. Enhanced
 * (multi-frame) MR keeps orientation and timing in functional groups (PS3.3 C.8.13); a classic series reads
 * its top-level attributes; the CLI now also passes MRAcquisitionType and BodyPartExamined to chooseSeries.
 */
import { seriesHeadersFrom } from '../../extension/src/dicom/series-headers';
import { chooseSeries, classifySeries } from '../../extension/src/pipeline/series';

const SAG = [0, 1, 0, 0, 0, -1];
const AX = [1, 0, 0, 0, 1, 0];

/** An Enhanced MR sagittal T2 as dcmjs naturalizes it: nothing of the classifier's at the top level. */
function enhancedMr(frames: number, perFrameOrientation?: (k: number) => number[]) {
  return {
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.4.1',
    Modality: 'MR',
    SeriesDescription: 'Series 601',
    MRAcquisitionType: '2D',
    NumberOfFrames: frames,
    SharedFunctionalGroupsSequence: [{
      ...(perFrameOrientation ? {} : { PlaneOrientationSequence: [{ ImageOrientationPatient: SAG }] }),
      MRTimingAndRelatedParametersSequence: [{ RepetitionTime: 3500 }],
      PixelMeasuresSequence: [{ PixelSpacing: [0.6, 0.6], SliceThickness: 4 }],
    }],
    PerFrameFunctionalGroupsSequence: Array.from({ length: frames }, (_, k) => ({
      MREchoSequence: [{ EffectiveEchoTime: 100 }],
      PlanePositionSequence: [{ ImagePositionPatient: [k * 4, 0, 0] }],
      ...(perFrameOrientation ? { PlaneOrientationSequence: [{ ImageOrientationPatient: perFrameOrientation(k) }] } : {}),
    })),
  };
}

describe('seriesHeadersFrom', () => {
  it('reads an Enhanced MR series from its functional groups, so it is analysed as the sagittal T2', () => {
    const h = seriesHeadersFrom('2.25.7', [enhancedMr(15)], 15);
    expect(h).toMatchObject({ ImageOrientationPatient: SAG, EchoTime: 100, RepetitionTime: 3500, MRAcquisitionType: '2D', numberOfSlices: 15, orientationsDiffer: false });
    const choice = chooseSeries([h]);
    expect(choice.analysisSeries?.SeriesInstanceUID).toBe('2.25.7');
    expect(choice.analysisRole).toBe('sagittal_t2');
  });

  it('takes a top-level value before the functional groups', () => {
    expect(seriesHeadersFrom('2.25.8', [{ ...enhancedMr(3), EchoTime: 12, RepetitionTime: 500 }], 3)).toMatchObject({ EchoTime: 12, RepetitionTime: 500 });
  });

  it('flags a multi-frame instance whose frames lie in different planes (a 3-plane localizer)', () => {
    const h = seriesHeadersFrom('2.25.9', [enhancedMr(3, (k) => (k === 1 ? AX : SAG))], 3);
    expect(h.ImageOrientationPatient).toEqual(SAG);
    expect(h.orientationsDiffer).toBe(true);
    expect(chooseSeries([h]).suitable).toBe(false);
  });

  it('reads classic instances as before, with numeric orientation tolerance and the series-level fields first', () => {
    const inst = (iop: number[] | string) => ({ Modality: 'MR', SeriesDescription: 'from instance', ImageOrientationPatient: iop, EchoTime: 96, RepetitionTime: 3500, InversionTime: undefined });
    const h = seriesHeadersFrom('2.25.10', [inst(SAG), inst('0\\1.0000001\\0\\0\\0\\-1')], 2, { SeriesDescription: 't2_tse_sag' });
    expect(h).toMatchObject({ SeriesDescription: 't2_tse_sag', EchoTime: 96, orientationsDiffer: false });
    expect(seriesHeadersFrom('2.25.11', [inst(SAG), inst(AX)], 2).orientationsDiffer).toBe(true);
  });

  it('uses an axial T2 acquired in blocks angled through each disc (not a localizer); refuses sagittal blocks at two angles', () => {
    const tilted = (deg: number) => [1, 0, 0, 0, Math.cos((deg * Math.PI) / 180), -Math.sin((deg * Math.PI) / 180)];
    const ax = (iop: number[]) => ({ Modality: 'MR', SeriesDescription: 't2_tse_tra 3 blocks', ImageOrientationPatient: iop, EchoTime: 104, RepetitionTime: 4800 });
    const blocks = seriesHeadersFrom('2.25.12', [ax(tilted(-12)), ax(tilted(-12)), ax(tilted(3)), ax(tilted(18))], 4);
    expect(blocks).toMatchObject({ orientationsDiffer: true, planesDiffer: false });
    expect(classifySeries(blocks)).toMatchObject({ role: 'axial_t2', isLocalizer: false });
    // A 3-plane localizer is still one, whatever its description.
    expect(seriesHeadersFrom('2.25.13', [ax(AX), ax(SAG)], 2).planesDiffer).toBe(true);
    expect(classifySeries(seriesHeadersFrom('2.25.13', [ax(AX), ax(SAG)], 2)).isLocalizer).toBe(true);
    // Sagittal images at two angles are no one volume to segment: as before, not offered for the analysis.
    const sag = (iop: number[]) => ({ Modality: 'MR', SeriesDescription: 't2_tse_sag', ImageOrientationPatient: iop, EchoTime: 100, RepetitionTime: 3500 });
    const twoAngles = seriesHeadersFrom('2.25.14', [sag(SAG), sag([0, Math.cos(0.2), Math.sin(0.2), 0, Math.sin(0.2), -Math.cos(0.2)])], 2);
    expect(twoAngles).toMatchObject({ planesDiffer: false, orientationsDiffer: true });
    expect(classifySeries(twoAngles).role).toBe('other');
  });

  it('says where the first instance holds no PixelSpacing, top level or Enhanced MR pixel measures', () => {
    const classic = { Modality: 'MR', SeriesDescription: 'T2 TSE SAG', ImageOrientationPatient: SAG, EchoTime: 100, RepetitionTime: 3500 };
    expect(seriesHeadersFrom('2.25.15', [classic], 15).pixelSpacingMissing).toBe(true);
    expect(seriesHeadersFrom('2.25.15', [{ ...classic, PixelSpacing: [0.6, 0.6] }], 15).pixelSpacingMissing).toBeUndefined();
    expect(seriesHeadersFrom('2.25.7', [enhancedMr(15)], 15).pixelSpacingMissing).toBeUndefined();
    expect(seriesHeadersFrom('2.25.15', [], 15).pixelSpacingMissing).toBeUndefined(); // no instance metadata yet: not claimed
  });

  it('passes BodyPartExamined on, so a cervical series is refused in the CLI as in the viewer', () => {
    const cervical = { Modality: 'MR', SeriesDescription: 'T2 TSE SAG', ImageOrientationPatient: SAG, EchoTime: 100, RepetitionTime: 3500, BodyPartExamined: 'CSPINE' };
    const choice = chooseSeries([seriesHeadersFrom('2.25.12', [cervical], 15)]);
    expect(choice.suitable).toBe(false);
    expect(choice.message).toMatch(/cervical spine series \(BodyPartExamined CSPINE\)/);
  });
});
