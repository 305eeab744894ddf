import { data as dcmData, utilities as dcmjsUtilities } from 'dcmjs';
import { writeSeg, segSeriesDescription, storedSegNotShowable, MAX_FRACTIONAL_VALUE } from '../../extension/src/dicom/seg';
import { fromPart10, RLE_LOSSLESS, SEG_SOP_CLASS_UID, toPart10 } from '../../extension/src/dicom/uids';
import { reviseSeg } from '../../extension/src/dicom/seg-revision';
import { ANATOMY, DISC, VERTEBRA } from '../../extension/src/dicom/codes';
import { voxelToLps } from '../../extension/src/pipeline/volume';
import { PATIENT, dciodvfy, dcmdrle, earlierBuildsBinarySeg, hasDciodvfy, hasDcmdrle, makeLabelmap, makeReport, makeVolume } from './dicom-fixtures';
import { segmentsFromStoredSeg } from '../../extension/src/ohif/storedSegments';
import { segmentColors } from '../../extension/src/segment-colors';

const v = makeVolume();
const lm = makeLabelmap(v);
const report = makeReport(v, lm);

describe('writeSeg', () => {
  const bytes = writeSeg(report, lm, v, { patientStudy: PATIENT, version: 2 });
  const ds = fromPart10(bytes);

  (hasDciodvfy ? it : it.skip)('passes dciodvfy with no Error lines', () => {
    const r = dciodvfy(bytes);
    if (r.warnings.length) console.log(`dciodvfy SEG warnings (${r.warnings.length}):\n${[...new Set(r.warnings)].slice(0, 5).join('\n')}`);
    expect(r.errors).toEqual([]);
    expect(r.output).toMatch(/Segmentation/);
  });
  if (!hasDciodvfy) console.log('dciodvfy not installed (apt install dicom3tools): validation test skipped');

  it('is a binary SEG in the source study with versioned series description', () => {
    expect(ds.SOPClassUID).toBe(SEG_SOP_CLASS_UID);
    expect(ds.SegmentationType).toBe('BINARY');
    expect(ds.Modality).toBe('SEG');
    expect(ds.StudyInstanceUID).toBe(v.studyInstanceUid);
    expect(ds.FrameOfReferenceUID).toBe(v.frameOfReferenceUid);
    expect(ds.PatientID).toBe(PATIENT.PatientID);
    expect(ds.SeriesDescription).toBe('Spine MRI SEG v2');
    expect(segSeriesDescription(3)).toBe('Spine MRI SEG v3');
  });

  it('has one segment per SegmentInfo with codes, labels and algorithm type', () => {
    const segs = ds.SegmentSequence as any[];
    expect(segs).toHaveLength(report.segments.length);
    const l4 = segs.find((s) => s.SegmentNumber === 4);
    expect(l4.SegmentLabel).toBe('L4 vertebral body');
    expect(l4.SegmentedPropertyCategoryCodeSequence[0].CodeValue).toBe(ANATOMY.anatomicalStructure.CodeValue);
    expect(l4.SegmentedPropertyTypeCodeSequence[0].CodeValue).toBe(ANATOMY.vertebralBody.CodeValue);
    expect(l4.AnatomicRegionSequence[0].CodeValue).toBe(VERTEBRA.L4.CodeValue);
    const disc = segs.find((s) => s.SegmentNumber === 9);
    expect(disc.SegmentedPropertyTypeCodeSequence[0].CodeValue).toBe(DISC['L4/L5'].CodeValue);
    expect(disc.SegmentAlgorithmType).toBe('SEMIAUTOMATIC'); // reader modified
    expect(segs.find((s) => s.SegmentNumber === 1).SegmentAlgorithmType).toBe('AUTOMATIC');
    expect(disc.SegmentAlgorithmName).toBe('spine-unet2d 0.3.1');
    expect(segs.find((s) => s.SegmentNumber === 11).SegmentedPropertyTypeCodeSequence[0].CodeValue).toBe(ANATOMY.duraMater.CodeValue);
  });

  it('gives the S1 vertebral body the sacrum as its anatomic region (SCT 54735007, CID 4031; CID 7603 lists no sacral vertebra)', () => {
    const s1 = { ...report, segments: report.segments.map((x) => (x.segmentNumber === 5 ? { ...x, level: 'S1', label: 'S1 vertebral body' } : x)) };
    const b = writeSeg(s1, lm, v, { patientStudy: PATIENT });
    const item = (fromPart10(b).SegmentSequence as any[]).find((x) => x.SegmentNumber === 5);
    expect(item.SegmentedPropertyTypeCodeSequence[0].CodeValue).toBe(ANATOMY.vertebralBody.CodeValue);
    expect(item.AnatomicRegionSequence[0]).toMatchObject({ CodeValue: '54735007', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Sacrum' });
    if (hasDciodvfy) expect(dciodvfy(b).errors).toEqual([]);
  });

  it('recommends each segment\'s colour as the viewer paints it, so neighbouring bodies differ when reopened', () => {
    const segs = ds.SegmentSequence as any[];
    const painted = segmentColors(report.segments);
    const rgbOf = (n: number) => (dcmData as any).Colors.dicomlab2RGB(segs.find((s) => s.SegmentNumber === n).RecommendedDisplayCIELabValue).map((x: number) => Math.round(255 * x));
    for (const s of report.segments) rgbOf(s.segmentNumber).forEach((c: number, i: number) => expect(Math.abs(c - painted.get(s.segmentNumber)![i])).toBeLessThanOrEqual(2));
    expect(rgbOf(4)).not.toEqual(rgbOf(5)); // L4 and L5 vertebral bodies
  });

  it('describes a disc inferred by rule (not segmented by the network) in SegmentDescription, still valid DICOM', () => {
    const discNo = report.segments.find((x) => x.kind === 'disc' && !x.readerModified)!.segmentNumber;
    const withInferred = { ...report, segments: report.segments.map((x) => (x.segmentNumber === discNo ? { ...x, inferred: true as const } : x)) };
    const b = writeSeg(withInferred, lm, v, { patientStudy: PATIENT });
    const segs = fromPart10(b).SegmentSequence as any[];
    expect(segs.find((x) => x.SegmentNumber === discNo).SegmentDescription).toBe('disc space inferred by rule; not segmented by the network');
    expect(segs.filter((x) => x.SegmentDescription)).toHaveLength(1);
    if (hasDciodvfy) expect(dciodvfy(b).errors).toEqual([]);
  });

  it('stores an outline the reader corrected as SEMIAUTOMATIC and says so, and says "renamed" beside it; read back as such', () => {
    const body = report.segments.find((x) => x.kind === 'vertebral_body' && !x.readerModified)!;
    const renamed = report.segments.find((x) => x.readerModified)!;
    const corrected = { ...report, segments: report.segments.map((x) => (x === body || x === renamed ? { ...x, outlineCorrected: true as const } : x)) };
    const b = writeSeg(corrected, lm, v, { patientStudy: PATIENT });
    const segs = fromPart10(b).SegmentSequence as any[];
    const item = (n: number) => segs.find((x) => x.SegmentNumber === n);
    expect(item(body.segmentNumber)).toMatchObject({ SegmentAlgorithmType: 'SEMIAUTOMATIC', SegmentDescription: 'outline corrected by the reader' });
    expect(item(renamed.segmentNumber)).toMatchObject({ SegmentAlgorithmType: 'SEMIAUTOMATIC', SegmentDescription: 'outline corrected by the reader; renamed by the reader' });
    if (hasDciodvfy) expect(dciodvfy(b).errors).toEqual([]);
    // Read back (storedSegments.ts): the corrected body was not renamed; the other one was both.
    const back = segmentsFromStoredSeg(
      Object.fromEntries(segs.map((x) => [x.SegmentNumber, { label: x.SegmentLabel, cachedStats: { algorithmType: x.SegmentAlgorithmType } }])),
      new Map(segs.map((x) => [x.SegmentNumber, { centroidLps: [0, 0, 0] as [number, number, number], voxelCount: 1 }])),
      new Map(segs.filter((x) => x.SegmentDescription).map((x) => [x.SegmentNumber, x.SegmentDescription])),
    );
    expect(back.find((x) => x.segmentNumber === body.segmentNumber)).toMatchObject({ outlineCorrected: true });
    expect(back.find((x) => x.segmentNumber === body.segmentNumber)?.readerModified).toBeUndefined();
    expect(back.find((x) => x.segmentNumber === renamed.segmentNumber)).toMatchObject({ outlineCorrected: true, readerModified: true });
  });

  it('writes frames only where a segment is present, with the source geometry and source UIDs', () => {
    // 10 segments on all 5 slices + dural sac on slices 1..3
    expect(ds.NumberOfFrames).toBe(10 * 5 + 3);
    const frames = ds.PerFrameFunctionalGroupsSequence as any[];
    expect(frames).toHaveLength(53);
    const sacFrames = frames.filter((f) => f.SegmentIdentificationSequence[0].ReferencedSegmentNumber === 11);
    expect(sacFrames.map((f) => f.FrameContentSequence[0].DimensionIndexValues[1])).toEqual([2, 3, 4]);
    for (const f of frames) {
      const k = f.FrameContentSequence[0].DimensionIndexValues[1] - 1;
      const src = f.DerivationImageSequence[0].SourceImageSequence[0];
      expect(src.ReferencedSOPInstanceUID).toBe(v.sopInstanceUids[k]);
      const ipp = f.PlanePositionSequence[0].ImagePositionPatient.map(Number);
      voxelToLps(v, 0, 0, k).forEach((x, a) => expect(ipp[a]).toBeCloseTo(x, 5));
    }
    const shared = ds.SharedFunctionalGroupsSequence[0];
    expect(shared.PlaneOrientationSequence[0].ImageOrientationPatient.map(Number)).toEqual([...v.rowDirection, ...v.columnDirection]);
    expect(shared.PixelMeasuresSequence[0].PixelSpacing.map(Number)).toEqual([v.spacingMm[1], v.spacingMm[0]]);
    expect(ds.Rows).toBe(v.dims[1]);
    expect(ds.Columns).toBe(v.dims[0]);
    const refs = ds.ReferencedSeriesSequence[0];
    expect(refs.SeriesInstanceUID).toBe(v.seriesInstanceUid);
    expect(refs.ReferencedInstanceSequence.map((r: any) => r.ReferencedSOPInstanceUID)).toEqual(v.sopInstanceUids);
  });

  it('packs pixels so that each frame reproduces the labelmap slice', () => {
    const bits = new Uint8Array(ds.PixelData[0]);
    const frames = ds.PerFrameFunctionalGroupsSequence as any[];
    const n = v.dims[0] * v.dims[1];
    frames.forEach((f, fi) => {
      const seg = f.SegmentIdentificationSequence[0].ReferencedSegmentNumber;
      const k = f.FrameContentSequence[0].DimensionIndexValues[1] - 1;
      let mismatches = 0;
      for (let p = 0; p < n; p++) {
        const bit = (bits[(fi * n + p) >> 3] >> ((fi * n + p) & 7)) & 1;
        if (bit !== (lm.values[k * n + p] === seg ? 1 : 0)) mismatches++;
      }
      expect(mismatches).toBe(0);
    });
  });

  it('adds one empty frame when whole-byte frames would make the pixel data odd (dcmjs, as in OHIF, refuses the pad byte)', () => {
    // 24 × 41 pixels = 123 bytes per frame, 53 frames: 6,519 bytes, odd.
    const base = makeVolume();
    const odd = { ...base, dims: [24, 41, 5] as [number, number, number], voxels: new Float32Array(24 * 41 * 5) };
    const oddLm = makeLabelmap(odd);
    const d = fromPart10(writeSeg(makeReport(odd, oddLm), oddLm, odd));
    const frames = d.PerFrameFunctionalGroupsSequence as any[];
    expect(d.NumberOfFrames).toBe(54);
    expect(new Uint8Array(d.PixelData[0]).length).toBe(54 * 123);
    // The extra frame: the dural sac (segment 11, on slices 2..4) on slice 1, with no pixel set; order kept.
    const keys = frames.map((f) => [f.SegmentIdentificationSequence[0].ReferencedSegmentNumber, f.FrameContentSequence[0].DimensionIndexValues[1]]);
    expect(keys.filter(([s]) => s === 11)).toEqual([[11, 1], [11, 2], [11, 3], [11, 4]]);
    const at = keys.findIndex(([s, k]) => s === 11 && k === 1);
    const bits = new Uint8Array(d.PixelData[0]).subarray(at * 123, (at + 1) * 123);
    expect(bits.every((b) => b === 0)).toBe(true);
    // Even frames stay as they were: 24 × 40 pixels = 120 bytes per frame.
    expect(ds.NumberOfFrames).toBe(53);
  });

  it('writes FRACTIONAL (one byte per pixel, 0 or 255) in RLE Lossless where frames would end mid-byte, which OHIF 3.13 paints sheared (ivd_11, 221 × 165 pixels); valid DICOM, and a revision keeps it so, also when the PACS sent it decompressed', () => {
    // 21 × 41 = 861 pixels per frame: as bits 107.6 bytes, so frames would start mid-byte.
    const base = makeVolume();
    const offByte = { ...base, dims: [21, 41, 5] as [number, number, number], voxels: new Float32Array(21 * 41 * 5) };
    const offLm = makeLabelmap(offByte);
    const bytes = writeSeg(makeReport(offByte, offLm), offLm, offByte);
    const d = fromPart10(bytes);
    expect([d.SegmentationType, d.SegmentationFractionalType, d.MaximumFractionalValue, d.BitsAllocated, d.BitsStored, d.HighBit]).toEqual(['FRACTIONAL', 'OCCUPANCY', MAX_FRACTIONAL_VALUE, 8, 8, 7]);
    expect(d._meta.TransferSyntaxUID).toBe(RLE_LOSSLESS);
    // One fragment per frame (PS3.5 A.4.2). 53 frames of 861 bytes would be odd once decompressed (by a PACS, for a
    // viewer): one empty frame (the dural sac, on slices 2..4, on slice 1) makes it even.
    expect(d.NumberOfFrames).toBe(54);
    expect(d.PixelData).toHaveLength(54);
    const pixels = dcmjsUtilities.compression.decode(d.PixelData, 41, 21);
    expect(pixels.length).toBe(54 * 861);
    // Each frame reproduces its segment on its slice, 255 inside, 0 outside.
    const keys = (d.PerFrameFunctionalGroupsSequence as any[]).map((f) => [f.SegmentIdentificationSequence[0].ReferencedSegmentNumber, f.FrameContentSequence[0].DimensionIndexValues[1] - 1]);
    expect(keys.filter(([seg]) => seg === 11).map(([, k]) => k)).toEqual([0, 1, 2, 3]);
    keys.forEach(([seg, k], fi) => {
      const frame = pixels.subarray(fi * 861, (fi + 1) * 861);
      const slice = offLm.values.subarray(k * 861, (k + 1) * 861);
      expect(Array.from(frame)).toEqual(Array.from(slice, (x) => (x === seg ? MAX_FRACTIONAL_VALUE : 0)));
    });
    if (hasDciodvfy) expect(dciodvfy(bytes).errors).toEqual([]);
    // DCMTK decodes the same frames (dcmjs wrote the RLE; a second decoder checks it).
    if (hasDcmdrle) expect(Array.from(new Uint8Array(fromPart10(dcmdrle(bytes)).PixelData[0]))).toEqual(Array.from(pixels));
    else console.log('dcmdrle not installed (apt install dcmtk): the RLE frames are checked by dcmjs alone');
    // Carried into a new result version (a reader's changed grades): still RLE, the same frames.
    const revised = reviseSeg(bytes, { version: 2 });
    const r = fromPart10(revised);
    expect([r._meta.TransferSyntaxUID, r.SeriesDescription, r.NumberOfFrames]).toEqual([RLE_LOSSLESS, 'Spine MRI SEG v2', 54]);
    expect(Array.from(dcmjsUtilities.compression.decode(r.PixelData, 41, 21))).toEqual(Array.from(pixels));
    if (hasDciodvfy) expect(dciodvfy(revised).errors).toEqual([]);
    // As a PACS sends it decompressed (Orthanc's WADO-RS does unless asked otherwise): carried back into RLE, not
    // stored at 8 times the size.
    const { _meta: _m, ...plain } = d;
    const again = fromPart10(reviseSeg(toPart10({ ...plain, PixelData: pixels.slice().buffer }), { version: 3 }));
    expect([again._meta.TransferSyntaxUID, again.SegmentationType, again.NumberOfFrames]).toEqual([RLE_LOSSLESS, 'FRACTIONAL', 54]);
    expect(Array.from(dcmjsUtilities.compression.decode(again.PixelData, 41, 21))).toEqual(Array.from(pixels));
  });

  it('carries an earlier build\'s binary SEG whose frames start mid-byte into a new version as FRACTIONAL RLE, the same frames, so the viewer shows it', () => {
    const base = makeVolume();
    const offByte = { ...base, dims: [21, 41, 5] as [number, number, number], voxels: new Float32Array(21 * 41 * 5) };
    const offLm = makeLabelmap(offByte);
    const now = fromPart10(writeSeg(makeReport(offByte, offLm), offLm, offByte));
    // As builds before 2026-12-06 stored it: BINARY, 53 frames (no empty frame) packed bit to bit.
    const key = (f: any) => `${f.SegmentIdentificationSequence[0].ReferencedSegmentNumber} ${f.FrameContentSequence[0].DimensionIndexValues[1] - 1}`;
    const old = toPart10(earlierBuildsBinarySeg(now, (i) => key(now.PerFrameFunctionalGroupsSequence[i]) !== '11 0'));
    expect(fromPart10(old).NumberOfFrames).toBe(53);
    expect(storedSegNotShowable(fromPart10(old))).toMatch(/^it is a binary SEG of 41 × 21-pixel images/);

    const revised = reviseSeg(old, { version: 3 });
    const r = fromPart10(revised);
    expect(storedSegNotShowable(r)).toBeUndefined();
    expect([r._meta.TransferSyntaxUID, r.SegmentationType, r.SegmentationFractionalType, r.BitsAllocated, r.SeriesDescription]).toEqual([RLE_LOSSLESS, 'FRACTIONAL', 'OCCUPANCY', 8, 'Spine MRI SEG v3']);
    // 53 frames of 861 bytes would be odd decompressed: one empty frame added, on a slice its segment does not reach.
    const frames = r.PerFrameFunctionalGroupsSequence as any[];
    expect(r.NumberOfFrames).toBe(54);
    expect(frames.map(key).sort()).toEqual((now.PerFrameFunctionalGroupsSequence as any[]).map(key).sort());
    const revisedPixels = dcmjsUtilities.compression.decode(r.PixelData, 41, 21);
    frames.forEach((f, fi) => {
      const [seg, k] = key(f).split(' ').map(Number);
      const slice = offLm.values.subarray(k * 861, (k + 1) * 861);
      expect(Array.from(revisedPixels.subarray(fi * 861, (fi + 1) * 861))).toEqual(Array.from(slice, (x) => (x === seg ? MAX_FRACTIONAL_VALUE : 0)));
      expect(f.PlanePositionSequence[0].ImagePositionPatient).toEqual(voxelToLps(offByte, 0, 0, k).map((x) => Math.round(x * 1e6) / 1e6));
    });
    if (hasDciodvfy) expect(dciodvfy(revised).errors).toEqual([]);
    if (hasDcmdrle) expect(Array.from(new Uint8Array(fromPart10(dcmdrle(revised)).PixelData[0]))).toEqual(Array.from(revisedPixels));
  });

  it('tells a stored binary SEG whose frames start mid-byte (earlier builds) from the ones the viewer shows', () => {
    expect(storedSegNotShowable({ SegmentationType: 'BINARY', Rows: 221, Columns: 165 })).toMatch(/^it is a binary SEG of 221 × 165-pixel images, whose frames start mid-byte .*a change to these findings saved as a new version stores the same outlines .*press Analyze, then Save to PACS/);
    expect(storedSegNotShowable({ SegmentationType: 'BINARY', Rows: 512, Columns: 512 })).toBeUndefined();
    expect(storedSegNotShowable({ SegmentationType: 'FRACTIONAL', Rows: 221, Columns: 165 })).toBeUndefined();
    expect(storedSegNotShowable({})).toBeUndefined(); // no metadata: OHIF is left to try
    // What this writer stores now passes, whatever the size.
    for (const dims of [[21, 41, 5], [24, 40, 5]] as [number, number, number][]) {
      const vol = { ...makeVolume(), dims, voxels: new Float32Array(dims[0] * dims[1] * dims[2]) };
      const m = makeLabelmap(vol);
      expect(storedSegNotShowable(fromPart10(writeSeg(makeReport(vol, m), m, vol)))).toBeUndefined();
    }
  });

  it('gives each save new UIDs, and dcmjs reads it back', () => {
    const again = fromPart10(writeSeg(report, lm, v));
    expect(again.SeriesInstanceUID).not.toBe(ds.SeriesInstanceUID);
    expect(again.SOPInstanceUID).not.toBe(ds.SOPInstanceUID);
    expect(dcmData.DicomMessage.readFile(bytes).meta['00020010'].Value?.[0]).toBe('1.2.840.10008.1.2.1');
  });

  it('rejects a labelmap of the wrong size and a volume without SOP Instance UIDs', () => {
    expect(() => writeSeg(report, { dims: [2, 2, 2], values: new Uint8Array(8) }, v)).toThrow(/labelmap dims/);
    expect(() => writeSeg(report, lm, { ...v, sopInstanceUids: [] })).toThrow(/SOP Instance UID/);
    // Frames of one multi-frame instance share its UID: without a frame number each, a SEG would reference one frame for every slice.
    expect(() => writeSeg(report, lm, { ...v, sopInstanceUids: v.sopInstanceUids.map(() => v.sopInstanceUids[0]) })).toThrow(/share a SOP Instance UID .* without a frame number each/);
  });

  it('segments a multi-frame (Enhanced MR) source frame by frame: ReferencedFrameNumber per SEG frame, the instance listed once; valid DICOM', () => {
    const enhanced = { ...v, sopInstanceUids: v.sopInstanceUids.map(() => '2.25.777'), frameNumbers: v.sopInstanceUids.map((_, k) => k + 1), sopClassUid: '1.2.840.10008.5.1.4.1.1.4.1' };
    const b = writeSeg(report, lm, enhanced, { patientStudy: PATIENT });
    const mf = fromPart10(b);
    const refs = (mf.PerFrameFunctionalGroupsSequence as any[]).map((f) => f.DerivationImageSequence[0].SourceImageSequence[0]);
    const slices = (mf.PerFrameFunctionalGroupsSequence as any[]).map((f) => f.FrameContentSequence[0].DimensionIndexValues[1]);
    // Each SEG frame names the source frame of its own slice (the dimension index is the slice, 1-based).
    expect(refs.every((r, n) => r.ReferencedSOPInstanceUID === '2.25.777' && r.ReferencedFrameNumber === slices[n])).toBe(true);
    expect(new Set(refs.map((r) => r.ReferencedFrameNumber)).size).toBeGreaterThan(1);
    expect(mf.ReferencedSeriesSequence[0].ReferencedInstanceSequence).toEqual([expect.objectContaining({ ReferencedSOPInstanceUID: '2.25.777', ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.4.1' })]);
    if (hasDciodvfy) expect(dciodvfy(b).errors).toEqual([]);
  });
});
