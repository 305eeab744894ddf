/**
 * Our stored reports ('Spine MRI Report v<n>', Comprehensive 3D SR) as display sets of their own, shown by
 * StoredReportViewport as the report's findings. OHIF's SR viewport draws only planar measurements and stays
 * black on our volumetric, coded report. Any other SR returns no display set here, so OHIF's SR handler
 * (listed after this one in the mode) takes it as before.
 */
import type { DisplaySet, InstanceMetadata } from '../../../types/ohif';
import { SR_SERIES_DESCRIPTION } from '../dicom/sr';
import { COMPREHENSIVE_3D_SR_SOP_CLASS_UID } from '../dicom/uids';

export const STORED_REPORT_HANDLER = 'spine-mri-report';
export const STORED_REPORT_VIEWPORT = 'spine-mri-report';

export interface StoredReportDisplaySet extends DisplaySet {
  SOPClassHandlerId: string;
  SOPInstanceUID: string;
  /** As OHIF's SR and SEG display sets: a derived object, not hung by a protocol as an image series. */
  isDerivedDisplaySet: true;
  label: string;
}

/**
 * @param instances naturalised instances of one series and SOP class (OHIF's getDisplaySetsFromSeries)
 * @param handlerId this handler's full OHIF id ('<extension>.sopClassHandlerModule.spine-mri-report')
 * @returns one display set for the series' last instance when it is our SR, else [] (OHIF's SR handler then takes it)
 */
export function storedReportDisplaySets(instances: InstanceMetadata[], handlerId: string): StoredReportDisplaySet[] {
  const ours = instances.filter((i) => i.SOPClassUID === COMPREHENSIVE_3D_SR_SOP_CLASS_UID && SR_SERIES_DESCRIPTION.test(i.SeriesDescription ?? ''));
  const instance = ours[ours.length - 1];
  if (!instance) return [];
  return [{
    displaySetInstanceUID: `spine-mri-report-${instance.SOPInstanceUID}`,
    SOPClassHandlerId: handlerId,
    StudyInstanceUID: instance.StudyInstanceUID,
    SeriesInstanceUID: instance.SeriesInstanceUID,
    SOPInstanceUID: instance.SOPInstanceUID,
    SeriesDescription: instance.SeriesDescription,
    SeriesNumber: instance.SeriesNumber,
    Modality: 'SR',
    instances: ours,
    instance,
    numImageFrames: 0,
    isDerivedDisplaySet: true,
    label: instance.SeriesDescription,
  }];
}
