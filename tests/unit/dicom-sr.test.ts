import { writeSeg } from '../../extension/src/dicom/seg';
import { writeSr } from '../../extension/src/dicom/sr';
import { readSr, srSegmentReferences } from '../../extension/src/dicom/sr-read';
import { applyReaderEdit } from '../../extension/src/pipeline/reader-edit';
import { COMPREHENSIVE_3D_SR_SOP_CLASS_UID, SEG_SOP_CLASS_UID, fromPart10, toPart10 } from '../../extension/src/dicom/uids';
import { ANATOMY, DISC, LATERALITY, MEASUREMENT, MEYERDING_VALUE, PRESENCE, PRIVATE, STANDARD_MEASUREMENT, STENOSIS_GRADE, SR } from '../../extension/src/dicom/codes';
import type { LevelReport, Measurement, SpineReport } from '../../extension/src/pipeline/report';
import { AXIAL_SERIES_UID, PATIENT, dciodvfy, dsrdump, hasDciodvfy, hasDsrdump, makeLabelmap, makeReport, makeVolume } from './dicom-fixtures';

const v = makeVolume();
const lm = makeLabelmap(v);
const report = makeReport(v, lm);
const seg = writeSeg(report, lm, v, { patientStudy: PATIENT });
const segDs = fromPart10(seg);
const bytes = writeSr(report, { seg, sourceVolume: v, patientStudy: PATIENT, version: 2 });
const ds = fromPart10(bytes);

/** The NUM of a measurement group whose Equivalent Meaning of Concept Name, else whose concept meaning, is `meaning`. */
function numNamed(group: any, meaning: string): any {
  const said = (i: any) => i.ContentSequence?.find((k: any) => k.ConceptNameCodeSequence[0].CodeValue === SR.equivalentMeaning.CodeValue)?.TextValue ?? i.ConceptNameCodeSequence[0].CodeMeaning;
  return group.ContentSequence.find((i: any) => i.ValueType === 'NUM' && said(i) === meaning);
}

/** DS values are written rounded to 1e-6. */
function rounded(l: LevelReport): LevelReport {
  const r = (m: Measurement) => ({ ...m, value: Math.round(m.value * 1e6) / 1e6 });
  const out: any = { ...l, measurements: l.measurements.map(r) };
  for (const k of Object.keys(l) as (keyof LevelReport)[]) {
    const f: any = l[k];
    if (f && typeof f === 'object' && 'evidence' in f) out[k] = { ...f, evidence: { ...f.evidence, measurements: f.evidence.measurements.map(r) } };
  }
  return out;
}

describe('writeSr (TID 1500, Comprehensive 3D SR)', () => {
  (hasDciodvfy ? it : it.skip)('passes dciodvfy with no Error lines', () => {
    const r = dciodvfy(bytes);
    const distinct = [...new Set(r.warnings.map((w) => w.replace(/^.*> - /, '')))];
    if (distinct.length) console.log(`dciodvfy SR warnings (${r.warnings.length}, distinct):\n${distinct.join('\n')}`);
    expect(r.errors).toEqual([]);
    expect(r.output).toMatch(/Comprehensive3DSR/);
  });

  (hasDsrdump ? it : it.skip)('is read whole by DCMTK\'s dsrdump, which refuses content items breaking the relationship constraints', () => {
    expect(dsrdump(bytes)).toEqual({ ok: true, problems: [] });
  });

  it('is a TID 1500 report in the source study that references the SEG and the source series as evidence', () => {
    expect(ds.SOPClassUID).toBe(COMPREHENSIVE_3D_SR_SOP_CLASS_UID);
    expect(ds.ContentTemplateSequence[0].TemplateIdentifier).toBe('1500');
    expect(ds.ConceptNameCodeSequence[0].CodeValue).toBe(SR.imagingMeasurementReport.CodeValue);
    expect(ds.StudyInstanceUID).toBe(v.studyInstanceUid);
    expect(ds.SeriesDescription).toBe('Spine MRI Report v2');
    const series = ds.CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence;
    expect(series.map((s: any) => s.SeriesInstanceUID)).toEqual([v.seriesInstanceUid, AXIAL_SERIES_UID, segDs.SeriesInstanceUID]);
    expect(series[2].ReferencedSOPSequence[0]).toMatchObject({ ReferencedSOPClassUID: SEG_SOP_CLASS_UID, ReferencedSOPInstanceUID: segDs.SOPInstanceUID });
    expect(series[0].ReferencedSOPSequence).toHaveLength(v.sopInstanceUids.length);
  });

  it('references the SEG segment of each level', () => {
    const refs = srSegmentReferences(bytes);
    expect(refs.map((r) => r.level)).toEqual(['L1/L2', 'L2/L3', 'L3/L4', 'L4/L5', 'L5/S1']);
    expect(refs.map((r) => r.segmentNumber)).toEqual([6, 7, 8, 9, 10]);
    for (const r of refs) expect(r.segSopInstanceUid).toBe(segDs.SOPInstanceUID);
    const segNumbers = (segDs.SegmentSequence as any[]).map((s) => s.SegmentNumber);
    for (const r of refs) expect(segNumbers).toContain(r.segmentNumber);
  });

  it('writes stenosis with CID 3832 codes and a not-assessable finding readably', () => {
    const groups = ds.ContentSequence.find((i: any) => i.ConceptNameCodeSequence[0].CodeValue === SR.imagingMeasurements.CodeValue).ContentSequence;
    const l5s1 = groups[4].ContentSequence;
    const canal = l5s1.find((i: any) => i.ConceptNameCodeSequence[0].CodeValue === PRIVATE.centralCanalStenosis.CodeValue);
    expect(canal.ConceptCodeSequence[0].CodeValue).toBe(STENOSIS_GRADE.severe.CodeValue);
    const foramen = l5s1.find((i: any) => i.ConceptNameCodeSequence[0].CodeValue === PRIVATE.foraminalStenosisLeft.CodeValue);
    expect(foramen.ConceptCodeSequence[0].CodeMeaning).toBe('Not assessable');
    expect(foramen.ContentSequence.find((i: any) => i.TextValue === 'no sagittal T1 series in this study')).toBeDefined();
  });

  it('round trips: SpineReport → SR → SpineReport equal on levels, grades, measurements, reader flags', () => {
    const back = readSr(bytes);
    expect(back.studyInstanceUid).toBe(report.studyInstanceUid);
    expect(back.seriesInstanceUid).toBe(report.seriesInstanceUid);
    expect(back.frameOfReferenceUid).toBe(report.frameOfReferenceUid);
    expect(back.model.name).toBe(report.model.name);
    expect(back.model.version).toBe(report.model.version);
    expect(back.model.sha256).toBe(report.model.sha256.slice(0, 32)); // from the Device Observer UID
    expect(back.software).toEqual(report.software);
    expect(back.reader).toEqual(report.reader);
    expect(back.region).toBe(report.region);
    expect(back.levelNaming).toEqual(report.levelNaming);
    expect(back.levels).toEqual(report.levels.map(rounded));
    const l45 = back.levels[3];
    expect(l45.pfirrmannGrade).toMatchObject({ value: 3, readerModified: true, automaticValue: 4 });
    expect(l45.centralCanalStenosis).toMatchObject({ value: 'severe', readerModified: true, automaticValue: 'moderate' });
    expect(back.levels[0].foraminalStenosisLeft).toMatchObject({ value: null, notAssessableReason: 'no sagittal T1 series in this study' });
  });

  it('references the image each area was measured on, with its outline as a closed SCOORD3D polygon, and lists that series as evidence', () => {
    const group = ds.ContentSequence.find((i: any) => i.ConceptNameCodeSequence[0].CodeValue === SR.imagingMeasurements.CodeValue).ContentSequence[0];
    const area = numNamed(group, 'Dural sac cross-sectional area');
    const image = area.ContentSequence.find((i: any) => i.ValueType === 'IMAGE' && i.ConceptNameCodeSequence[0].CodeValue === SR.sourceOfMeasurement.CodeValue);
    expect(image.ReferencedSOPSequence[0].ReferencedSOPInstanceUID).toBe(`${AXIAL_SERIES_UID}.1`);
    const region = area.ContentSequence.find((i: any) => i.ValueType === 'SCOORD3D');
    expect(region.GraphicType).toBe('POLYGON');
    expect(region.ReferencedFrameOfReferenceUID).toBe(report.frameOfReferenceUid);
    const xyz = ([] as number[]).concat(region.GraphicData).map(Number);
    expect(xyz.length).toBe(15); // 4 points and the first again
    expect(xyz.slice(12)).toEqual(xyz.slice(0, 3));
    const evidence = ds.CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence;
    expect(evidence.find((s: any) => s.SeriesInstanceUID === AXIAL_SERIES_UID).ReferencedSOPSequence).toHaveLength(report.levels.length);
  });

  it('stores a measured structure without an outline as a SCOORD3D POINT on its image (the nerve root centre)', () => {
    const group = ds.ContentSequence.find((i: any) => i.ConceptNameCodeSequence[0].CodeValue === SR.imagingMeasurements.CodeValue).ContentSequence[1];
    const root = numNamed(group, 'Left exiting nerve root area');
    const region = root.ContentSequence.find((i: any) => i.ValueType === 'SCOORD3D');
    expect(region.GraphicType).toBe('POINT');
    expect(([] as number[]).concat(region.GraphicData).map(Number)).toEqual([-18.5, 20.25, 8]);
    expect(readSr(bytes).levels[1].measurements.find((m) => m.name === 'nerveRootAreaLeftMm2')?.pointLps).toEqual([-18.5, 20.25, 8]);
  });

  it('writes disc bulging, Modic change and endplate defects as present/absent (DCM 121053/121054) and round trips reader edits and not assessable', () => {
    const groups = ds.ContentSequence.find((i: any) => i.ConceptNameCodeSequence[0].CodeValue === SR.imagingMeasurements.CodeValue).ContentSequence;
    const item = (g: number, concept: { CodeValue: string }) => groups[g].ContentSequence.find((i: any) => i.ConceptNameCodeSequence[0].CodeValue === concept.CodeValue);
    expect(item(4, PRIVATE.modicChange).ConceptCodeSequence[0].CodeValue).toBe(PRESENCE.present.CodeValue);
    expect(item(1, PRIVATE.modicChange).ConceptCodeSequence[0].CodeValue).toBe(PRESENCE.absent.CodeValue);
    expect(item(2, PRIVATE.discBulging).ConceptCodeSequence[0].CodeValue).toBe(PRESENCE.present.CodeValue);
    const back = readSr(bytes).levels;
    expect(back.map((l) => l.discBulging?.value)).toEqual([false, false, true, true, true]);
    expect(back.map((l) => l.modicChange?.value)).toEqual([false, false, false, true, true]);
    expect(back[0].discBulging).toMatchObject({ value: false, readerModified: true, automaticValue: null });
    expect(back[3].modicChange).toMatchObject({ value: true, readerModified: true, automaticValue: false });
    expect(item(2, PRIVATE.upperEndplateDefect).ConceptCodeSequence[0].CodeValue).toBe(PRESENCE.present.CodeValue);
    expect(item(3, PRIVATE.lowerEndplateDefect).ConceptCodeSequence[0].CodeValue).toBe(PRESENCE.present.CodeValue);
    expect(back.map((l) => l.upperEndplateDefect?.value)).toEqual([false, false, true, false, false]);
    expect(back.map((l) => l.lowerEndplateDefect?.value)).toEqual([false, false, false, true, false]);
    expect(back[4].lowerEndplateDefect).toMatchObject({ value: false, readerModified: true, automaticValue: true });
    expect(back[2].discBulging!.evidence.measurements.map((m) => m.name)).toEqual(['discHeightMm']);
    // Not assessable, unedited: the reason comes back.
    const na = structuredClone(report);
    na.levels[0].discBulging = { ...report.levels[1].discBulging!, value: null, notAssessableReason: 'no classifier' };
    expect(readSr(writeSr(na, { seg, sourceVolume: v })).levels[0].discBulging).toMatchObject({ value: null, notAssessableReason: 'no classifier', readerModified: false });
    // The reader's value over the software's "not assessable": the software's reason is stored beside it, so undoing
    // the change after reopening gives the software's finding back, reason and all.
    const graded = structuredClone(report);
    graded.levels[0].discBulging = { ...report.levels[0].discBulging!, notAssessableReason: 'no classifier' };
    const reopened = readSr(writeSr(graded, { seg, sourceVolume: v }));
    expect(reopened.levels[0].discBulging).toMatchObject({ value: false, readerModified: true, automaticValue: null, notAssessableReason: 'no classifier' });
    const undone = applyReaderEdit(reopened, reopened.levels[0].level, 'discBulging', null).levels[0].discBulging;
    expect(undone).toMatchObject({ value: null, readerModified: false, notAssessableReason: 'no classifier' });
  });

  it('writes spondylolisthesis as a Meyerding grade code with its slip in % (UCUM) and reads it back', () => {
    const groups = ds.ContentSequence.find((i: any) => i.ConceptNameCodeSequence[0].CodeValue === SR.imagingMeasurements.CodeValue).ContentSequence;
    const item = (g: number, concept: { CodeValue: string }) => groups[g].ContentSequence.find((i: any) => i.ConceptNameCodeSequence[0].CodeValue === concept.CodeValue);
    expect(item(4, PRIVATE.spondylolisthesis).ConceptCodeSequence[0].CodeValue).toBe(MEYERDING_VALUE[2].CodeValue);
    expect(item(0, PRIVATE.spondylolisthesis).ConceptCodeSequence[0].CodeValue).toBe(PRIVATE.notAssessable.CodeValue);
    const slip = groups[4].ContentSequence.find((i: any) => i.ValueType === 'NUM' && i.ConceptNameCodeSequence[0].CodeValue === 'SLIPPCT');
    expect(slip.MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0]).toMatchObject({ CodeValue: '%', CodingSchemeDesignator: 'UCUM' });
    const back = readSr(bytes).levels;
    expect(back.map((l) => l.spondylolisthesis?.value)).toEqual([null, 0, 0, 1, 2]);
    expect(back[4].spondylolisthesis!.evidence.measurements).toMatchObject([{ name: 'vertebralSlipMm', unit: 'mm' }, { name: 'vertebralSlipPercent', value: 20, unit: '%' }]);
    // The posterior vertebral body lines: an open SCOORD3D POLYLINE on the image, read back point for point.
    const mm = groups[4].ContentSequence.find((i: any) => i.ValueType === 'NUM' && i.ConceptNameCodeSequence[0].CodeValue === 'SLIPMM');
    const line = mm.ContentSequence.find((i: any) => i.ValueType === 'SCOORD3D');
    expect(line.GraphicType).toBe('POLYLINE');
    expect(([] as number[]).concat(line.GraphicData).map(Number)).toEqual(report.levels[4].measurements[6].lineLps!.flat().map((x) => Math.round(x * 100) / 100));
    expect(back[4].measurements.find((m) => m.name === 'vertebralSlipMm')!.lineLps).toEqual(report.levels[4].measurements[6].lineLps!.map((p) => p.map((x) => Math.round(x * 100) / 100)));
    expect(back[0].spondylolisthesis!.notAssessableReason).toMatch(/not segmented/);
  });

  it('names sizes and signal means with CID 7469 concepts and tells them apart by Finding Site, Laterality and Derivation (TID 1419)', () => {
    const groups = ds.ContentSequence.find((i: any) => i.ConceptNameCodeSequence[0].CodeValue === SR.imagingMeasurements.CodeValue).ContentSequence;
    const modifier = (num: any, concept: { CodeValue: string }) => num.ContentSequence.find((k: any) => k.ConceptNameCodeSequence[0].CodeValue === concept.CodeValue);
    const l45 = groups[3];
    const height = numNamed(l45, 'Disc height');
    expect(height.ConceptNameCodeSequence[0]).toMatchObject({ CodeValue: '121207', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Height' });
    expect(modifier(height, SR.findingSite).ConceptCodeSequence[0]).toMatchObject({ CodeValue: DISC['L4/L5'].CodeValue, CodingSchemeDesignator: 'SCT' });
    const area = numNamed(groups[0], 'Dural sac cross-sectional area');
    expect(area.ConceptNameCodeSequence[0].CodeValue).toBe(STANDARD_MEASUREMENT.area.CodeValue);
    expect(modifier(area, SR.findingSite).ConceptCodeSequence[0].CodeValue).toBe(ANATOMY.duraMater.CodeValue);
    expect(modifier(area, SR.findingSite).ContentSequence).toBeUndefined();
    const root = numNamed(groups[1], 'Left exiting nerve root area');
    expect(root.ConceptNameCodeSequence[0].CodeValue).toBe(STANDARD_MEASUREMENT.area.CodeValue);
    const site = modifier(root, SR.findingSite);
    expect(site.ConceptCodeSequence[0].CodeValue).toBe(ANATOMY.exitingNerveRoot.CodeValue);
    expect(modifier(site, SR.laterality).ConceptCodeSequence[0].CodeValue).toBe(LATERALITY.left.CodeValue);
    // Every NUM of the report names a standard concept, or a private one with no modifiers that would suggest otherwise.
    const nums = groups.flatMap((g: any) => g.ContentSequence.filter((i: any) => i.ValueType === 'NUM'));
    const standard = nums.filter((n: any) => n.ConceptNameCodeSequence[0].CodingSchemeDesignator !== '99SPINEMRI');
    expect(standard.length).toBeGreaterThan(0);
    for (const n of standard) expect(modifier(n, SR.findingSite)).toBeDefined();
    for (const n of nums.filter((x: any) => !standard.includes(x))) expect(modifier(n, SR.findingSite)).toBeUndefined();
  });

  it('reads the private measurement concepts of SRs written before the standard ones (2026-12-03) to the same measurements', () => {
    const old = fromPart10(bytes);
    const groups = old.ContentSequence.find((i: any) => i.ConceptNameCodeSequence[0].CodeValue === SR.imagingMeasurements.CodeValue).ContentSequence;
    const backNow = readSr(bytes).levels;
    let rewritten = 0;
    groups.forEach((g: any, gi: number) => g.ContentSequence.filter((i: any) => i.ValueType === 'NUM').forEach((num: any, ni: number) => {
      const name = backNow[gi].measurements[ni].name;
      const { source: _source, ...privateConcept } = MEASUREMENT[name];
      if (num.ConceptNameCodeSequence[0].CodingSchemeDesignator !== '99SPINEMRI') rewritten++;
      num.ConceptNameCodeSequence = [privateConcept];
      const dropped = [SR.findingSite, SR.derivation, SR.equivalentMeaning].map((c) => c.CodeValue);
      num.ContentSequence = num.ContentSequence.filter((k: any) => !dropped.includes(k.ConceptNameCodeSequence[0].CodeValue));
    }));
    expect(rewritten).toBeGreaterThan(5);
    expect(old.SOPClassUID).toBe(COMPREHENSIVE_3D_SR_SOP_CLASS_UID);
    expect(readSr(toPart10(old)).levels).toEqual(backNow);
  });

  it('reads an SR of an older version without disc bulging / Modic change: the fields stay absent', () => {
    const old: SpineReport = structuredClone(report);
    for (const l of old.levels) {
      delete l.discBulging;
      delete l.modicChange;
      delete l.upperEndplateDefect;
      delete l.lowerEndplateDefect;
      delete l.spondylolisthesis;
    }
    old.levels[2].modicChange = report.levels[2].modicChange; // one level with one of them
    const oldBytes = writeSr(old, { seg, sourceVolume: v });
    const items = JSON.stringify(fromPart10(oldBytes).ContentSequence);
    expect(items).not.toContain(`"${PRIVATE.discBulging.CodeValue}"`);
    expect(items).not.toContain(`"${PRIVATE.lowerEndplateDefect.CodeValue}"`);
    const back = readSr(oldBytes);
    expect(back.levels).toEqual(old.levels.map(rounded));
    expect(back.levels.map((l) => 'discBulging' in l)).toEqual([false, false, false, false, false]);
    expect(back.levels.map((l) => 'modicChange' in l)).toEqual([false, false, true, false, false]);
  });

  it('obeys the Comprehensive 3D SR relationship constraints (PS3.3 Table A.35.13-2; dciodvfy does not check them)', () => {
    const ANY = ['TEXT', 'CODE', 'NUM', 'DATETIME', 'DATE', 'TIME', 'UIDREF', 'PNAME', 'SCOORD', 'SCOORD3D', 'TCOORD', 'COMPOSITE', 'IMAGE', 'WAVEFORM', 'CONTAINER', 'TABLE'];
    const OBS = ['TEXT', 'CODE', 'NUM', 'DATETIME', 'DATE', 'TIME', 'UIDREF', 'PNAME', 'COMPOSITE'];
    const MOD = ['TEXT', 'CODE'];
    const ACQ = ['TEXT', 'CODE', 'DATETIME', 'DATE', 'TIME', 'UIDREF', 'PNAME', 'CONTAINER'];
    const allowed: Record<string, Record<string, string[]>> = {
      CONTAINER: { CONTAINS: ANY, 'HAS OBS CONTEXT': OBS, 'HAS ACQ CONTEXT': ACQ, 'HAS CONCEPT MOD': MOD },
      TEXT: { 'HAS OBS CONTEXT': OBS, 'HAS CONCEPT MOD': MOD, 'HAS PROPERTIES': ANY, 'INFERRED FROM': ANY },
      CODE: { 'HAS OBS CONTEXT': OBS, 'HAS CONCEPT MOD': MOD, 'HAS PROPERTIES': ANY, 'INFERRED FROM': ANY },
      NUM: { 'HAS OBS CONTEXT': OBS, 'HAS CONCEPT MOD': MOD, 'HAS PROPERTIES': ANY, 'INFERRED FROM': ANY },
    };
    const paths = new Map<string, any>();
    const index = (items: any[], path: number[]) => items.forEach((it, i) => { paths.set([...path, i + 1].join('.'), it); index(it.ContentSequence ?? [], [...path, i + 1]); });
    index(ds.ContentSequence, [1]);
    const violations: string[] = [];
    let byReference = 0;
    const walk = (parent: any) => {
      for (const child of parent.ContentSequence ?? []) {
        let target = child.ValueType;
        if (child.ReferencedContentItemIdentifier !== undefined) {
          byReference++;
          target = paths.get([].concat(child.ReferencedContentItemIdentifier).join('.'))?.ValueType;
          if (child.RelationshipType !== 'INFERRED FROM' || !target) violations.push(`bad by-reference ${child.RelationshipType} → ${target}`);
          continue;
        }
        const ok = allowed[parent.ValueType ?? 'CONTAINER']?.[child.RelationshipType]?.includes(target);
        if (!ok) violations.push(`${parent.ValueType ?? 'CONTAINER'} ${child.RelationshipType} ${target}`);
        walk(child);
      }
    };
    walk(ds);
    expect(violations).toEqual([]);
    expect(byReference).toBeGreaterThan(0);
  });

  it('rejects a non-SEG as seg and a non-SR in readSr', () => {
    expect(() => writeSr(report, { seg: bytes, sourceVolume: v })).toThrow(/not a Segmentation/);
    expect(() => readSr(seg)).toThrow(/not a Comprehensive 3D SR/);
    expect(() => readSr(new ArrayBuffer(10))).toThrow(/Not a DICOM/);
  });

  it('on a multi-frame (Enhanced MR) source, references each measured frame and the instance once; valid DICOM, and reads the frame back', () => {
    const ENHANCED_MR = '1.2.840.10008.5.1.4.1.1.4.1';
    const mf = { ...v, sopInstanceUids: v.sopInstanceUids.map(() => '2.25.778'), frameNumbers: v.sopInstanceUids.map((_, k) => k + 1), sopClassUid: ENHANCED_MR };
    // The fixture's measurements on the analysed series name slice 0; as frames of one instance they name frame 3.
    // The axial images, another series, are Enhanced MR too: the SR names each image with its own class.
    const onFrame = (m: Measurement): Measurement => (m.sourceImage?.seriesInstanceUid === v.seriesInstanceUid
      ? { ...m, sourceImage: { ...m.sourceImage, sopInstanceUid: '2.25.778', frameNumber: 3, sopClassUid: ENHANCED_MR } }
      : m.sourceImage ? { ...m, sourceImage: { ...m.sourceImage, sopClassUid: ENHANCED_MR } } : m);
    const mfReport: SpineReport = { ...report, levels: report.levels.map((l) => ({ ...l, measurements: l.measurements.map(onFrame) })) };
    const mfSeg = writeSeg(mfReport, lm, mf, { patientStudy: PATIENT });
    const mfBytes = writeSr(mfReport, { seg: mfSeg, sourceVolume: mf, patientStudy: PATIENT });
    if (hasDciodvfy) expect(dciodvfy(mfBytes).errors).toEqual([]);
    const sr = fromPart10(mfBytes);
    const source = sr.CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence.find((x: any) => x.SeriesInstanceUID === v.seriesInstanceUid);
    expect(source.ReferencedSOPSequence).toEqual([expect.objectContaining({ ReferencedSOPInstanceUID: '2.25.778', ReferencedSOPClassUID: ENHANCED_MR })]);
    const axial = sr.CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence.find((x: any) => x.SeriesInstanceUID === AXIAL_SERIES_UID);
    expect(axial.ReferencedSOPSequence.every((r: any) => r.ReferencedSOPClassUID === ENHANCED_MR)).toBe(true);
    const root = readSr(mfBytes).levels[1].measurements.find((m) => m.name === 'nerveRootAreaLeftMm2');
    expect(root?.sourceImage).toEqual({ seriesInstanceUid: v.seriesInstanceUid, sopInstanceUid: '2.25.778', frameOfReferenceUid: v.frameOfReferenceUid, frameNumber: 3, sopClassUid: ENHANCED_MR });
    // A single-frame source keeps its references without frame numbers.
    expect(readSr(bytes).levels[1].measurements.find((m) => m.name === 'nerveRootAreaLeftMm2')?.sourceImage?.frameNumber).toBeUndefined();
  });
});
