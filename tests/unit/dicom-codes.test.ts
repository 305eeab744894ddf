import { ALL_CODES, ANATOMY, DISC, DISC_LEVEL, MEASUREMENT, PRIVATE_SCHEME, STANDARD_MEASUREMENT, STENOSIS_GRADE, VERTEBRA, measurementCode, measurementCoding, measurementName, measurementNameOf } from '../../extension/src/dicom/codes';

describe('codes.ts table', () => {
  it('never gives one concept two different codes (same scheme + meaning → same value)', () => {
    const byMeaning = new Map<string, string>();
    for (const c of ALL_CODES) {
      const key = `${c.CodingSchemeDesignator}|${c.CodeMeaning.toLowerCase()}`;
      const prev = byMeaning.get(key);
      if (prev !== undefined) expect(`${key} → ${c.CodeValue}`).toBe(`${key} → ${prev}`);
      byMeaning.set(key, c.CodeValue);
    }
  });

  it('never gives one code two different meanings', () => {
    const byCode = new Map<string, string>();
    for (const c of ALL_CODES) {
      const key = `${c.CodingSchemeDesignator}|${c.CodeValue}`;
      const prev = byCode.get(key);
      if (prev !== undefined) expect(`${key}: ${c.CodeMeaning}`).toBe(`${key}: ${prev}`);
      byCode.set(key, c.CodeMeaning);
    }
  });

  it('has the PS3.16 codes for lumbar vertebrae and discs (L4 is 11994002, not 73071006 = T4)', () => {
    expect(VERTEBRA.L1.CodeValue).toBe('66794005');
    expect(VERTEBRA.L2.CodeValue).toBe('14293000');
    expect(VERTEBRA.L3.CodeValue).toBe('36470004');
    expect(VERTEBRA.L4.CodeValue).toBe('11994002');
    expect(VERTEBRA.L4.CodeValue).not.toBe('73071006');
    expect(VERTEBRA.T4.CodeValue).toBe('73071006');
    expect(VERTEBRA.L5.CodeValue).toBe('49668003');
    expect(VERTEBRA.C2.CodeValue).toBe('39976000');
    expect(DISC['L3/L4'].CodeValue).toBe('62551000');
    expect(DISC['L4/L5'].CodeValue).toBe('84020006');
    expect(DISC['L5/S1'].CodeValue).toBe('715056000');
    expect(DISC_LEVEL['L4/L5'].CodeValue).toBe('243923001');
    expect(STENOSIS_GRADE.mild.CodeValue).toBe('255604002');
    expect(STENOSIS_GRADE.moderate.CodeValue).toBe('6736007');
    expect(STENOSIS_GRADE.severe.CodeValue).toBe('24484000');
  });

  it('names each level in its meaning and source', () => {
    for (const [level, c] of Object.entries(VERTEBRA)) {
      expect(c.CodeMeaning).toBe(`${level} vertebra`);
      expect(c.source).toMatch(/CID 7603/);
    }
    for (const [level, c] of Object.entries(DISC)) {
      expect(c.CodeMeaning).toBe(`${level} disc`);
      expect(c.source).toMatch(/CID 7604/);
    }
    for (const [level, c] of Object.entries(DISC_LEVEL)) expect(c.CodeMeaning).toBe(`Level of ${level} intervertebral disc`);
  });

  it('keeps DICOM limits: code value ≤ 16 chars (SH), meaning ≤ 64 (LO), private codes use the 99 scheme', () => {
    for (const c of ALL_CODES) {
      expect(c.CodeValue.length).toBeLessThanOrEqual(16);
      expect(c.CodeMeaning.length).toBeLessThanOrEqual(64);
      expect(c.source.length).toBeGreaterThan(0);
      if (c.CodingSchemeDesignator.startsWith('99')) expect(c.CodingSchemeDesignator).toBe(PRIVATE_SCHEME.CodingSchemeDesignator);
    }
  });

  it('codes each measurement for the SR and reads the coding back to the same name, at any level', () => {
    for (const level of ['L4/L5', 'T9/T10']) {
      for (const name of [...Object.keys(MEASUREMENT), 'cordCompressionRatio']) expect(measurementNameOf(measurementCoding(name, level))).toBe(name);
    }
    const mean = measurementCoding('nucleusSignalMean', 'L4/L5');
    expect(mean).toMatchObject({ concept: STANDARD_MEASUREMENT.mrSignalIntensity, derivation: STANDARD_MEASUREMENT.mean, site: ANATOMY.nucleusPulposus });
    expect(measurementCoding('discHeightMm', 'L4/L5').site).toBe(DISC['L4/L5']);
    expect(measurementCoding('discHeightMm', 'T9/T10').site).toBe(ANATOMY.intervertebralDisc); // no CID 7604 code for that disc
    expect(measurementCoding('discHeightIndex', 'L4/L5')).toEqual({ concept: MEASUREMENT.discHeightIndex });
    // Side and structure are what tell two areas apart.
    const left = measurementCoding('foramenAreaLeftMm2', 'L4/L5');
    expect(measurementNameOf({ ...left, laterality: undefined })).not.toBe('foramenAreaLeftMm2');
    expect(measurementNameOf({ ...left, site: ANATOMY.duraMater, laterality: undefined })).toBe('duralSacAreaMm2');
  });

  it('maps measurement names to codes and back, also for names not in the table', () => {
    for (const name of Object.keys(MEASUREMENT)) expect(measurementName(measurementCode(name))).toBe(name);
    const odd = measurementCode('cordCompressionRatio');
    expect(odd.CodeValue).toMatch(/^M-[0-9A-F]+$/);
    expect(odd.CodeValue.length).toBeLessThanOrEqual(16);
    expect(measurementName(odd)).toBe('cordCompressionRatio');
    expect(measurementCode('cordCompressionRatio').CodeValue).toBe(odd.CodeValue);
  });
});
