/**
 * Series classification on header sets modelled on the real data: SeriesDescriptions, scanners and
 * field strengths from SPIDER's series.csv (van der Graaf et al., Sci Data 2024), with
 * ImageOrientationPatient and TE/TR/TI typical of those scanners' lumbar protocols.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { chooseSeries, classifySeries, fatSuppression, planeFromOrientation, postContrast, readerMayChoose, spineRegion, type SeriesHeaders } from '../../extension/src/pipeline/series';

/** Rows along +P (anterior→posterior), columns along -S (head→feet): a sagittal slice, LPS. */
const SAG = [0, 1, 0, 0, 0, -1];
/** A sagittal slice tilted 12° about the L/R axis (common for a lordotic lumbar spine). */
const SAG_TILTED = [0, Math.cos(0.21), Math.sin(0.21), 0, Math.sin(0.21), -Math.cos(0.21)];
/** Axial slice angled 15° along a disc: rows along +L, columns tilted from +P towards -S. */
const AX_ANGLED = [1, 0, 0, 0, Math.cos(0.26), -Math.sin(0.26)];
const COR = [1, 0, 0, 0, 0, -1];

let n = 0;
function series(p: Partial<SeriesHeaders>): SeriesHeaders {
  n += 1;
  return { SeriesInstanceUID: `2.25.${n}`, Modality: 'MR', numberOfSlices: 15, SeriesNumber: n, ...p };
}

// Siemens Avanto_fit 1.5 T (SPIDER): t2_tse_sag_384, t1_tse_sag_320, T2_space_sag_c4.
const avantoT2 = series({ SeriesDescription: 't2_tse_sag_384', ImageOrientationPatient: SAG, EchoTime: 96, RepetitionTime: 3500 });
const avantoT1 = series({ SeriesDescription: 't1_tse_sag_320', ImageOrientationPatient: SAG, EchoTime: 11, RepetitionTime: 550 });
const avantoSpace = series({ SeriesDescription: 'T2_space_sag_c4', ImageOrientationPatient: SAG, EchoTime: 125, RepetitionTime: 1500, numberOfSlices: 160, MRAcquisitionType: '3D' });
// Philips Ingenia 3 T (SPIDER rows without a description): timing only.
const ingeniaT2 = series({ SeriesDescription: '', ImageOrientationPatient: SAG_TILTED, EchoTime: '100', RepetitionTime: '3200' });
const ingeniaT1 = series({ SeriesDescription: '', ImageOrientationPatient: SAG_TILTED, EchoTime: 8, RepetitionTime: 600 });
// Siemens Skyra_fit 3 T: "SAG T2 TSE STIR" (SPIDER labels it t2; it is a STIR).
const skyraStirWithTi = series({ SeriesDescription: 'SAG T2 TSE STIR', ImageOrientationPatient: SAG, EchoTime: 70, RepetitionTime: 3800, InversionTime: 220 });
const skyraStirNoTi = series({ SeriesDescription: 'SAG T2 TSE STIR', ImageOrientationPatient: SAG, EchoTime: 70, RepetitionTime: 3800 });
const axialT2 = series({ SeriesDescription: 't2_tse_tra_384', ImageOrientationPatient: AX_ANGLED, EchoTime: 104, RepetitionTime: 4800, numberOfSlices: 30 });
const localizer = series({
  SeriesDescription: 'localizer',
  ImageOrientationPatient: SAG,
  ImageType: ['ORIGINAL', 'PRIMARY', 'M', 'NORM', 'DIS2D'].concat('LOCALIZER'),
  EchoTime: 4,
  RepetitionTime: 8.6,
  numberOfSlices: 3,
  orientationsDiffer: true,
});

describe('planeFromOrientation', () => {
  it('names sagittal, axial and coronal from the slice normal, including tilted slices', () => {
    expect(planeFromOrientation(SAG)).toBe('sagittal');
    expect(planeFromOrientation(SAG_TILTED)).toBe('sagittal');
    expect(planeFromOrientation(AX_ANGLED)).toBe('axial');
    expect(planeFromOrientation(COR)).toBe('coronal');
    expect(planeFromOrientation('0\\1\\0\\0\\0\\-1')).toBe('sagittal');
  });
  it('calls a 45°-between-planes slice oblique and a missing one unknown', () => {
    const c = Math.SQRT1_2;
    expect(planeFromOrientation([0, c, c, 1, 0, 0])).toBe('oblique');
    expect(planeFromOrientation(undefined)).toBe('unknown');
    expect(planeFromOrientation([0, 0, 0, 0, 0, 0])).toBe('unknown');
  });
});

describe('classifySeries', () => {
  it.each([
    ['Avanto t2_tse_sag_384', avantoT2, 'sagittal_t2'],
    ['Avanto t1_tse_sag_320', avantoT1, 'sagittal_t1'],
    ['Avanto T2_space_sag_c4 (TR 1500, TE 125)', avantoSpace, 'sagittal_t2'],
    ['Ingenia T2, no description, tilted', ingeniaT2, 'sagittal_t2'],
    ['Ingenia T1, no description, tilted', ingeniaT1, 'sagittal_t1'],
    ['Skyra STIR with InversionTime', skyraStirWithTi, 'sagittal_stir'],
    ['Skyra STIR without InversionTime', skyraStirNoTi, 'sagittal_stir'],
    ['axial T2', axialT2, 'axial_t2'],
    ['localizer', localizer, 'other'],
  ])('%s → %s', (_name, h, role) => {
    const c = classifySeries(h);
    expect(c.role).toBe(role);
    expect(c.reasons.length).toBeGreaterThan(0);
  });

  it('believes ScanningSequence without inversion recovery (IR) over a description naming STIR, when the timing gives a weighting', () => {
    // "T2/STIR" names both: a T2 TSE (ScanningSequence SE, long TE/TR) is analysed as T2; with IR in the sequence it is a STIR.
    const t2 = classifySeries(series({ SeriesDescription: 'Sagittal T2/STIR', ImageOrientationPatient: SAG, EchoTime: 100, RepetitionTime: 3500, ScanningSequence: 'SE' }));
    expect(t2.role).toBe('sagittal_t2');
    expect(t2.reasons.join(' ')).toMatch(/names STIR, but ScanningSequence SE has no inversion recovery/);
    expect(classifySeries(series({ SeriesDescription: 'Sagittal T2/STIR', ImageOrientationPatient: SAG, EchoTime: 70, RepetitionTime: 3800, ScanningSequence: ['SE', 'IR'] })).role).toBe('sagittal_stir');
    // Research mode (RM) says nothing about inversion, and without timing the description still decides.
    expect(classifySeries(series({ SeriesDescription: 'SAG STIR', ImageOrientationPatient: SAG, EchoTime: 70, RepetitionTime: 3800, ScanningSequence: 'RM' })).role).toBe('sagittal_stir');
    expect(classifySeries(series({ SeriesDescription: 'SAG STIR', ImageOrientationPatient: SAG, ScanningSequence: 'SE' })).role).toBe('sagittal_stir');
  });

  it('falls back to SeriesDescription keywords when timing is missing, and says so', () => {
    const c = classifySeries(series({ SeriesDescription: 'SAG T1 TSE', ImageOrientationPatient: SAG }));
    expect(c.role).toBe('sagittal_t1');
    expect(c.reasons.join(' ')).toMatch(/from SeriesDescription/);
    const noIop = classifySeries(series({ SeriesDescription: 'CS T2 TSE SAG', EchoTime: 110, RepetitionTime: 3000 }));
    expect(noIop.plane).toBe('sagittal');
    expect(noIop.role).toBe('sagittal_t2');
  });

  it('lets timing win over a misleading description', () => {
    const c = classifySeries(series({ SeriesDescription: 't2_sag_wrong', ImageOrientationPatient: SAG, EchoTime: 10, RepetitionTime: 500 }));
    expect(c.weighting).toBe('t1');
    expect(c.reasons.join(' ')).toMatch(/timing wins/);
  });

  it('rejects non-MR series and PD weighting', () => {
    expect(classifySeries(series({ Modality: 'CT', ImageOrientationPatient: SAG })).role).toBe('other');
    const pd = classifySeries(series({ SeriesDescription: 'pd_tse_sag', ImageOrientationPatient: SAG, EchoTime: 20, RepetitionTime: 3000 }));
    expect(pd.weighting).toBe('pd');
    expect(pd.role).toBe('other');
  });
});

describe('chooseSeries', () => {
  it('picks sagittal T2 for analysis and lists T1 and axial T2, ignoring the localizer', () => {
    const c = chooseSeries([localizer, avantoT1, axialT2, avantoT2]);
    expect(c.suitable).toBe(true);
    expect(c.analysisSeries).toBe(avantoT2);
    expect(c.sagittalT2).toBe(avantoT2);
    expect(c.sagittalT1).toBe(avantoT1);
    expect(c.axialT2).toBe(axialT2);
    expect(c.message).toContain('t2_tse_sag_384');
    expect(c.message).toContain('t1_tse_sag_320');
    expect(c.warnings).toEqual([]);
  });

  it('prefers the multi-slice T2 over a single-slice one, a 2D one over a 3D one, and more slices among the rest', () => {
    const single = series({ SeriesDescription: 't2_tse_sag', ImageOrientationPatient: SAG, EchoTime: 100, RepetitionTime: 3000, numberOfSlices: 1 });
    expect(chooseSeries([single, avantoT2]).sagittalT2).toBe(avantoT2);
    expect(chooseSeries([avantoSpace, avantoT2]).sagittalT2).toBe(avantoT2); // 2D TSE over 3D SPACE, though SPACE has more slices
    expect(chooseSeries([avantoSpace, avantoT2]).warnings).toEqual([]);
    const spaceOnly = chooseSeries([single, avantoSpace]);
    expect(spaceOnly.sagittalT2).toBe(avantoSpace); // a 3D volume still beats one slice
    expect(spaceOnly.warnings.join(' ')).toMatch(/3D acquisition .*agree less with readers/);
    const moreSlices = { ...avantoT2, SeriesInstanceUID: '2.25.99', numberOfSlices: 19 };
    expect(chooseSeries([avantoT2, moreSlices]).sagittalT2).toBe(moreSlices);
    expect(chooseSeries([avantoT2, { ...avantoSpace, MRAcquisitionType: undefined }]).sagittalT2?.SeriesDescription).toBe('T2_space_sag_c4'); // unmarked: slice count decides
  });

  it('of a Dixon T2, never analyses the fat image and prefers the in-phase image, then water (with a warning)', () => {
    // Siemens T2 TSE Dixon: four series, one per image type, more slices than the plain T2 of the same study.
    const dixon = (suffix: string, type: string) =>
      series({ SeriesDescription: `t2_tse_dixon_sag_${suffix}`, ImageType: ['DERIVED', 'PRIMARY', 'DIXON', type], ImageOrientationPatient: SAG, EchoTime: 87, RepetitionTime: 3600, numberOfSlices: 19 });
    const [fat, water, inPhase, opposed] = [dixon('F', 'FAT'), dixon('W', 'WATER'), dixon('in', 'IN_PHASE'), dixon('opp', 'OPP_PHASE')];
    expect(classifySeries(fat)).toMatchObject({ role: 'other', weighting: 't2' });
    expect(classifySeries(fat).reasons.join('; ')).toMatch(/Dixon fat image .*fat-only image shows neither disc nor CSF signal/);
    expect(chooseSeries([fat, water, opposed, inPhase]).analysisSeries).toBe(inPhase);
    expect(chooseSeries([fat, water, opposed, inPhase]).warnings).toEqual([]);
    expect(chooseSeries([fat, water, opposed, avantoT2]).analysisSeries).toBe(avantoT2); // the plain T2, though it has fewer slices
    const waterOnly = chooseSeries([fat, opposed, water]);
    expect(waterOnly.analysisSeries).toBe(water);
    expect(waterOnly.warnings.join(' ')).toMatch(/suppresses fat \(a Dixon water image\).*foramina .*not assessable without a sagittal T1 that keeps the fat bright; the in-phase image/);
    expect(chooseSeries([fat]).suitable).toBe(false);
    // Named only in the description (GE FLEX prefixes, Siemens suffixes); a fat-saturated T2 is not a Dixon fat image.
    expect(classifySeries(series({ SeriesDescription: 'FAT: Sag T2 FSE FLEX', ImageOrientationPatient: SAG, EchoTime: 85, RepetitionTime: 3000 })).role).toBe('other');
    expect(classifySeries(series({ SeriesDescription: 't2_tse_dixon_sag_F', ImageOrientationPatient: SAG, EchoTime: 85, RepetitionTime: 3000 })).role).toBe('other');
    expect(classifySeries(series({ SeriesDescription: 'fat sat T2 sag', ImageOrientationPatient: SAG, EchoTime: 85, RepetitionTime: 3000 })).role).toBe('sagittal_t2');
    expect(classifySeries(series({ SeriesDescription: 'T2 SAG FS', ImageOrientationPatient: SAG, EchoTime: 85, RepetitionTime: 3000 })).role).toBe('sagittal_t2');
  });

  it('recognises a series after contrast (ContrastBolusAgent, +C, post, Gd, KM) and prefers the T1 before it', () => {
    for (const d of ['SAG T1 +C', 'sag t1 C+', 't1_tse_sag_post', 'T1 SAG Gd', 'T1 sag gado', 'SAG T1 KM', 'T1 contrast sag']) {
      expect(postContrast({ SeriesDescription: d })).toBe(`"${d}" names a contrast agent`);
    }
    expect(postContrast({ SeriesDescription: 't1_tse_sag', ContrastBolusAgent: 'Gadovist' })).toBe('ContrastBolusAgent "Gadovist"');
    for (const d of ['t1_tse_sag_320', 'T2_space_sag_c4', 'SAG T1 posterior', 'CS T1 TSE SAG']) expect(postContrast({ SeriesDescription: d })).toBeUndefined();
    const t1 = (extra: Partial<SeriesHeaders>) => series({ ImageOrientationPatient: SAG, EchoTime: 10, RepetitionTime: 550, numberOfSlices: 17, ...extra });
    const before = t1({ SeriesDescription: 't1_tse_sag', SeriesNumber: 4 });
    const after = t1({ SeriesDescription: 't1_tse_sag', SeriesNumber: 2, numberOfSlices: 19, ContrastBolusAgent: 'Dotarem' });
    expect(classifySeries(after)).toMatchObject({ role: 'sagittal_t1' });
    expect(classifySeries(after).reasons).toContain('after contrast (ContrastBolusAgent "Dotarem")');
    expect(chooseSeries([after, before, avantoT2]).sagittalT1).toBe(before);
    expect(chooseSeries([after, avantoT2]).sagittalT1).toBe(after); // alone, it is still used
  });

  it('recognises a fat-suppressed T2 (ScanOptions FS, T2 FS, SPAIR, SPIR, fat sat), prefers a plain T2 to it, and says what it costs', () => {
    const sag = (extra: Partial<SeriesHeaders>) => series({ ImageOrientationPatient: SAG, EchoTime: 90, RepetitionTime: 3500, numberOfSlices: 17, ...extra });
    for (const d of ['T2_TSE_SAG_FS', 'sag T2 fat sat', 'T2W_SPAIR sag', 'T2W_SPIR', 'Sag T2 FatSat', 'sag t2 fat-sup', 'SAG T2 FSAT', 'T2 sag CHESS']) {
      expect(fatSuppression({ SeriesDescription: d })).toBe(`"${d}" names fat suppression`);
    }
    expect(fatSuppression({ SeriesDescription: 'sag t2', ScanOptions: 'PFP\\FS' })).toBe('ScanOptions FS, fat saturation');
    expect(fatSuppression({ SeriesDescription: 'SAG T2 FRFSE', ScanOptions: ['PFP'] })).toBeUndefined(); // FSE: fast spin echo
    expect(fatSuppression({ SeriesDescription: 'T2 FSE sag' })).toBeUndefined();
    const plain = sag({ SeriesDescription: 'T2_TSE_SAG', SeriesNumber: 5 });
    const fs = sag({ SeriesDescription: 'T2_TSE_SAG_FS', SeriesNumber: 3, numberOfSlices: 19 });
    expect(classifySeries(fs)).toMatchObject({ role: 'sagittal_t2' });
    expect(classifySeries(fs).reasons).toContain('fat-suppressed ("T2_TSE_SAG_FS" names fat suppression)');
    expect(chooseSeries([fs, plain]).analysisSeries).toBe(plain);
    expect(chooseSeries([fs, plain]).warnings).toEqual([]);
    const alone = chooseSeries([fs]);
    expect(alone.analysisSeries).toBe(fs);
    expect(alone.warnings.join(' ')).toMatch(/^The analysed sagittal T2 suppresses fat .*caution; the foramina .* not assessable without a sagittal T1 that keeps the fat bright; a sagittal T2 without fat suppression/);
    expect(chooseSeries([fs, ingeniaT1]).warnings.join(' ')).toMatch(/the foramina are measured on the sagittal T1/);
    expect(chooseSeries([fs, ingeniaT1]).warnings.join(' ')).not.toMatch(/after contrast/);
    const enhancedT1 = { ...ingeniaT1, SeriesDescription: 'T1 SAG +C' };
    expect(chooseSeries([fs, enhancedT1]).warnings.join(' ')).toMatch(/the foramina are measured on the sagittal T1, which is after contrast \(enhancing veins look like the fat Lee grades\), so each foraminal grade carries a caution/);
  });

  it('takes a T1 inversion recovery (GE T1 FLAIR, Siemens T1 TIRM: TI 500–1200 ms, short TE) for the sagittal T1, not a PD or a STIR', () => {
    const sag = (extra: Partial<SeriesHeaders>) => series({ ImageOrientationPatient: SAG, numberOfSlices: 15, ...extra });
    const geT1Flair = sag({ SeriesDescription: 'Sag T1 FLAIR', EchoTime: 9, RepetitionTime: 2200, InversionTime: 860 });
    expect(classifySeries(geT1Flair)).toMatchObject({ role: 'sagittal_t1', weighting: 't1' });
    expect(classifySeries(geT1Flair).reasons.join('; ')).toMatch(/InversionTime 860 ms in 500–1200 ms and EchoTime 9 ms ≤ 30 → T1 inversion recovery/);
    const t1Tirm = sag({ SeriesDescription: 't1_tirm_sag_dark-fluid', EchoTime: 12, RepetitionTime: 2500, InversionTime: 900, ScanningSequence: ['IR', 'SE'] });
    expect(classifySeries(t1Tirm)).toMatchObject({ role: 'sagittal_t1' });
    expect(chooseSeries([t1Tirm, avantoT2]).sagittalT1).toBe(t1Tirm);
    // Without timing, the words decide: T1 FLAIR / T1 TIRM are T1; a TIRM without T1 stays a STIR, a FLAIR a FLAIR.
    expect(classifySeries(sag({ SeriesDescription: 'SAG T1 FLAIR' })).weighting).toBe('t1');
    expect(classifySeries(sag({ SeriesDescription: 't1_tirm_sag' })).weighting).toBe('t1');
    expect(classifySeries(sag({ SeriesDescription: 't2_tirm_sag' })).weighting).toBe('stir');
    expect(classifySeries(sag({ SeriesDescription: 'sag flair' })).weighting).toBe('flair');
    // A STIR (TI 150 ms) and a PD (no inversion) are unchanged.
    expect(classifySeries(sag({ SeriesDescription: 'sag stir', EchoTime: 60, RepetitionTime: 3500, InversionTime: 150 })).weighting).toBe('stir');
    expect(classifySeries(sag({ SeriesDescription: 'sag pd', EchoTime: 20, RepetitionTime: 2500 })).weighting).toBe('pd');
  });

  it('does not take a sagittal diffusion series (DWI, trace, ADC) for the T2, though its timing reads as T2', () => {
    const sag = (extra: Partial<SeriesHeaders>) => series({ ImageOrientationPatient: SAG, EchoTime: 78, RepetitionTime: 4000, numberOfSlices: 60, ...extra });
    const dwi = sag({ SeriesDescription: 'ep2d_diff_sag_b50_800', ImageType: ['ORIGINAL', 'PRIMARY', 'DIFFUSION', 'NONE'] });
    const adc = sag({ SeriesDescription: 'sag_ADC', ImageType: ['DERIVED', 'PRIMARY', 'ADC'] });
    const byName = sag({ SeriesDescription: 'SAG DWI' });
    for (const h of [dwi, adc, byName]) {
      expect(classifySeries(h).role).toBe('other');
      expect(classifySeries(h).reasons.join('; ')).toMatch(/diffusion-weighted/);
    }
    expect(chooseSeries([dwi, adc, avantoT2]).analysisSeries).toBe(avantoT2);
    // Nor offered to the reader under Series (Analyse this), nor taken when asked for.
    expect(readerMayChoose({ headers: dwi, classification: classifySeries(dwi) })).toBe(false);
    expect(chooseSeries([dwi, avantoT2], { seriesInstanceUid: dwi.SeriesInstanceUID }).analysisSeries).toBe(avantoT2);
    expect(classifySeries(sag({ SeriesDescription: 'T2 TSE SAG', numberOfSlices: 15 })).role).toBe('sagittal_t2');
  });

  it('refuses a series without PixelSpacing before Analyze is pressed, naming it; takes a sagittal T2 with one over it', () => {
    const noSpacing = { ...avantoT2, SeriesInstanceUID: '2.25.900', SeriesNumber: 1, pixelSpacingMissing: true };
    const alone = chooseSeries([noSpacing, axialT2]);
    expect(alone.suitable).toBe(false);
    expect(alone.analysisSeries).toBeUndefined();
    expect(alone.message).toBe('Series #1 "t2_tse_sag_384" (15 slices) has no PixelSpacing (0028,0030): distances in mm cannot be measured on it, so it is not analysed. Check the series\' headers at the scanner or PACS.');
    expect(alone.sagittalT2).toBe(noSpacing); // still shown in the viewer (hanging protocol)
    // A sagittal T1 with a PixelSpacing is there: the reader is pointed to it, not switched to it unasked (Pfirrmann needs T2).
    const withT1 = chooseSeries([noSpacing, avantoT1]);
    expect(withT1.suitable).toBe(false);
    expect(withT1.message).toMatch(/at the scanner or PACS, or choose another sagittal series under Series below\.$/);
    expect(chooseSeries([noSpacing, avantoT1], { seriesInstanceUid: avantoT1.SeriesInstanceUID })).toMatchObject({ suitable: true, analysisSeries: avantoT1 });
    // Chosen by the reader, it is refused the same way, with the way back to the automatic choice.
    expect(chooseSeries([avantoT1, noSpacing], { seriesInstanceUid: noSpacing.SeriesInstanceUID })).toMatchObject({ suitable: false, readerChosen: true, warnings: [] });
    // Of two sagittal T2, the one with a PixelSpacing is analysed, though the other ranks first otherwise (lower SeriesNumber).
    expect(chooseSeries([noSpacing, { ...avantoT2, SeriesNumber: 7 }]).analysisSeries?.SeriesNumber).toBe(7);
  });

  it('falls back to sagittal T1 with a warning that Pfirrmann needs T2', () => {
    const c = chooseSeries([ingeniaT1, axialT2]);
    expect(c.suitable).toBe(true);
    expect(c.analysisSeries).toBe(ingeniaT1);
    expect(c.warnings.join(' ')).toMatch(/No sagittal T2/);
    expect(c.warnings.join(' ')).toMatch(/so is the central canal \(its dural sac is found by its bright CSF, dark on T1\)/);
  });

  it('refuses cervical and thoracic series (lumbar-only model and level counting), saying why; lumbar and unknown pass', () => {
    const sagT2 = (o: Record<string, unknown>) => series({ ImageOrientationPatient: SAG, EchoTime: 100, RepetitionTime: 3500, numberOfSlices: 15, ...o });
    const cBody = chooseSeries([sagT2({ SeriesDescription: 'T2 TSE SAG', BodyPartExamined: 'CSPINE' })]);
    expect(cBody.suitable).toBe(false);
    expect(cBody.message).toMatch(/cervical spine series \(BodyPartExamined CSPINE\)\. Only lumbar spine MRI can be analysed/);
    expect(chooseSeries([sagT2({ SeriesDescription: 'HWS sag T2' })]).message).toMatch(/cervical.*"HWS sag T2"/);
    expect(chooseSeries([sagT2({ SeriesDescription: 'T-Spine SAG T2' })]).message).toMatch(/thoracic/);
    expect(chooseSeries([sagT2({ SeriesDescription: 'T2 TSE SAG', BodyPartExamined: 'LSPINE' })]).suitable).toBe(true);
    expect(chooseSeries([sagT2({ SeriesDescription: 't2_tse_sag_384' })]).suitable).toBe(true);
    // A whole-spine study: the lumbar station is analysed, though the others have more slices.
    const stations = [sagT2({ SeriesDescription: 'SAG T2 C-spine', numberOfSlices: 17 }), sagT2({ SeriesDescription: 'T2 TSE SAG', BodyPartExamined: 'TSPINE', numberOfSlices: 19 }), sagT2({ SeriesDescription: 'SAG T2 L-spine' })];
    const whole = chooseSeries(stations);
    expect(whole.suitable).toBe(true);
    expect(whole.analysisSeries).toBe(stations[2]);
    // 't2' alone is a weighting, not 'T-spine'
    expect(spineRegion(sagT2({ SeriesDescription: 'sag t2 tse' }))).toBe('unknown');
    // Siemens protocol names join words with '_'; BodyPartExamined spelt out.
    expect(spineRegion(sagT2({ SeriesDescription: 't2_tse_sag_hws' }))).toBe('cervical');
    expect(spineRegion(sagT2({ SeriesDescription: 'T2_SAG_C_SPINE' }))).toBe('cervical');
    expect(spineRegion(sagT2({ SeriesDescription: 't2_tse_sag', BodyPartExamined: 'CERVICAL SPINE' }))).toBe('cervical');
    expect(spineRegion(sagT2({ SeriesDescription: 't2_tse_sag', BodyPartExamined: 'SPINE' }))).toBe('unknown');
    // Where the series says nothing, a StudyDescription naming one region decides; one naming two does not.
    const inStudy = chooseSeries([sagT2({ SeriesDescription: 't2_tse_sag_384', StudyDescription: 'MRT HWS nativ' })]);
    expect(inStudy.suitable).toBe(false);
    expect(inStudy.message).toMatch(/This looks like a cervical spine series \(study "MRT HWS nativ"\)\. Only lumbar/);
    expect(spineRegion(sagT2({ SeriesDescription: 't2_tse_sag', StudyDescription: 'MRI LUMBAR SPINE' }))).toBe('lumbar');
    expect(spineRegion(sagT2({ SeriesDescription: 't2_tse_sag', StudyDescription: 'MRT HWS + LWS' }))).toBe('unknown');
    expect(spineRegion(sagT2({ SeriesDescription: 'SAG T2 L-spine', StudyDescription: 'MRI C-spine' }))).toBe('lumbar');
    expect(chooseSeries([sagT2({ SeriesDescription: 'T2 TSE SAG', StudyDescription: 'Spine MRI sample vb2_02' })]).suitable).toBe(true);
  });

  it('analyses the sagittal series the reader chose, with the role its weighting allows; ignores a choice it cannot analyse', () => {
    const unknown = series({ SeriesDescription: 'SAG MR, weighting not given', ImageOrientationPatient: SAG });
    const alone = chooseSeries([unknown, axialT2]);
    expect(alone.suitable).toBe(false);
    expect(alone.message).toMatch(/weighting "unknown".*choose it under Series below/);
    const chosen = chooseSeries([unknown, axialT2], { seriesInstanceUid: unknown.SeriesInstanceUID });
    expect(chosen.suitable).toBe(true);
    expect(chosen.analysisSeries).toBe(unknown);
    expect(chosen.analysisRole).toBe('other');
    expect(chosen.readerChosen).toBe(true);
    expect(chosen.message).toMatch(/^Analysis will use the sagittal series you chose #\d+ "SAG MR, weighting not given"/);
    expect(chosen.warnings.join(' ')).toMatch(/weighting "unknown".*Pfirrmann grade and the disc findings .* not assessable; the foramina \(graded on the fat of T1 or T2 images\) are not assessable/);
    expect(chosen.warnings.join(' ')).toMatch(/the central canal is not assessable either \(its dural sac is found by bright CSF\)\./);
    expect(chooseSeries([unknown, avantoT1], { seriesInstanceUid: unknown.SeriesInstanceUID }).warnings.join(' ')).toMatch(/; the foramina are measured on the sagittal T1;/);
    // With the weighting the reader states: analysed as that, and the warning says so.
    const statedT2 = chooseSeries([unknown, axialT2], { seriesInstanceUid: unknown.SeriesInstanceUID, statedWeighting: 't2' });
    expect([statedT2.analysisSeries, statedT2.analysisRole, statedT2.statedWeighting]).toEqual([unknown, 'sagittal_t2', 't2']);
    expect(statedT2.warnings.join(' ')).toMatch(/You stated that the series you chose is T2-weighted; its headers say "unknown" .*each disc classifier grade says/);
    expect(chooseSeries([unknown], { seriesInstanceUid: unknown.SeriesInstanceUID, statedWeighting: 't1' }).analysisRole).toBe('sagittal_t1');
    // The T1 over the automatic T2: analysed as T1 (a stated weighting does not override the headers), the T2 still listed.
    const t1 = chooseSeries([avantoT2, avantoT1], { seriesInstanceUid: avantoT1.SeriesInstanceUID, statedWeighting: 't2' });
    expect([t1.analysisSeries, t1.analysisRole, t1.sagittalT2, t1.statedWeighting]).toEqual([avantoT1, 'sagittal_t1', avantoT2, undefined]);
    expect(t1.warnings.join(' ')).toMatch(/No sagittal T2 chosen: segmentation runs on the sagittal T1/);
    // An axial series, a localizer or an unknown UID cannot be chosen: the automatic choice stands.
    for (const uid of [axialT2.SeriesInstanceUID, localizer.SeriesInstanceUID, '2.25.404']) {
      const c = chooseSeries([localizer, avantoT2, axialT2], { seriesInstanceUid: uid });
      expect([c.analysisSeries, c.analysisRole, c.readerChosen]).toEqual([avantoT2, 'sagittal_t2', undefined]);
    }
    // A chosen cervical series is refused like an automatic one.
    const cervical = series({ SeriesDescription: 'HWS sag T2', ImageOrientationPatient: SAG, EchoTime: 100, RepetitionTime: 3500 });
    expect(chooseSeries([avantoT2, cervical], { seriesInstanceUid: cervical.SeriesInstanceUID }).suitable).toBe(false);
  });

  it('accepts a single-slice sagittal T2 (SPIDER mid-sagittal import) with a 2D warning', () => {
    const single = series({ SeriesDescription: 't2_tse_sag_384', ImageOrientationPatient: SAG, EchoTime: 96, RepetitionTime: 3500, numberOfSlices: 1 });
    const c = chooseSeries([single]);
    expect(c.suitable).toBe(true);
    expect(c.warnings.join(' ')).toMatch(/only 1 slice/);
  });

  it.each([
    ['an empty study', [], /no series/],
    ['a CT study', [series({ Modality: 'CT', ImageOrientationPatient: SAG })], /Not an MR study \(modalities: CT\)/],
    ['an axial-only MR study', [axialT2], /No sagittal series/],
    ['a localizer-only study', [localizer], /No sagittal series/],
    [
      'a sagittal PD-only study',
      [series({ SeriesDescription: 'pd_tse_sag', ImageOrientationPatient: SAG, EchoTime: 20, RepetitionTime: 3000 })],
      /No sagittal T2, T1 or STIR.*weighting "pd"/,
    ],
  ])('says clearly why %s cannot be analysed', (_name, list, msg) => {
    const c = chooseSeries(list as SeriesHeaders[]);
    expect(c.suitable).toBe(false);
    expect(c.analysisSeries).toBeUndefined();
    expect(c.message).toMatch(msg);
  });
});

const spiderCsv = resolve(__dirname, '../../../shared/data/spider_midsagittal/series.csv');
const d = existsSync(spiderCsv) ? describe : describe.skip;
if (!existsSync(spiderCsv)) console.warn(`Skipping SPIDER description test: ${spiderCsv} is absent (../shared/data is not part of a fresh clone).`);

d('every real SPIDER SeriesDescription (without timing) gets the weighting SPIDER names', () => {
  it('classifies t1/t2/t2_SPACE descriptions from series.csv; STIR descriptions as STIR', () => {
    const rows = readFileSync(spiderCsv, 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const described = rows.filter((r) => r[10] && r[10].trim());
    expect(described.length).toBeGreaterThan(50);
    for (const r of described) {
      const [, , sequence, , , , , , , , desc] = r;
      const c = classifySeries(series({ SeriesDescription: desc, ImageOrientationPatient: SAG }));
      const expected = /stir/i.test(desc) ? 'sagittal_stir' : sequence === 't1' ? 'sagittal_t1' : 'sagittal_t2';
      expect({ desc, role: c.role }).toEqual({ desc, role: expected });
    }
  });
});
