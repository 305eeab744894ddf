import { storedReportDisplaySets } from '../../extension/src/ohif/storedReportDisplaySet';
import { COMPREHENSIVE_3D_SR_SOP_CLASS_UID } from '../../extension/src/dicom/uids';

const sr = (SeriesDescription: string, SOPInstanceUID = '1.2.3.4', SOPClassUID = COMPREHENSIVE_3D_SR_SOP_CLASS_UID) => ({
  SOPClassUID, SOPInstanceUID, SeriesDescription, StudyInstanceUID: '1.2', SeriesInstanceUID: '1.2.3', SeriesNumber: 9101,
});

describe('stored report display sets (our SR opens as text, other SRs stay OHIF\'s)', () => {
  it('makes one SR display set of ours for a Spine MRI Report series', () => {
    const [ds, ...rest] = storedReportDisplaySets([sr('Spine MRI Report v2')], 'ext.sopClassHandlerModule.spine-mri-report');
    expect(rest).toEqual([]);
    expect(ds).toMatchObject({ Modality: 'SR', SOPClassHandlerId: 'ext.sopClassHandlerModule.spine-mri-report', SeriesInstanceUID: '1.2.3', SOPInstanceUID: '1.2.3.4', label: 'Spine MRI Report v2', isDerivedDisplaySet: true });
  });

  it('takes the series\' last instance', () => {
    expect(storedReportDisplaySets([sr('Spine MRI Report v1', 'a'), sr('Spine MRI Report v1', 'b')], 'h')[0].SOPInstanceUID).toBe('b');
  });

  it('leaves other SRs (other description, other SOP class) to OHIF\'s handler', () => {
    expect(storedReportDisplaySets([sr('Imaging Measurement Report')], 'h')).toEqual([]);
    expect(storedReportDisplaySets([sr('Spine MRI Report v1 (copy)')], 'h')).toEqual([]);
    expect(storedReportDisplaySets([sr('Spine MRI Report v1', '1', '1.2.840.10008.5.1.4.1.1.88.22')], 'h')).toEqual([]);
  });
});
