/**
 * OHIF extension `ohif-spine-mri-extension`: registration only. Served as /plugins/extension.mjs
 * and loaded by OHIF 3.13 at runtime through the import map (see README, "Deploying").
 *
 * Module entries (OHIF names them `<id>.<moduleType>.<name>`):
 *   ohif-spine-mri-extension.panelModule.spineMri
 *   ohif-spine-mri-extension.hangingProtocolModule.ohif-spine-mri-hp
 *   ohif-spine-mri-extension.hangingProtocolModule.ohif-spine-mri-fallback-hp (a study whose series the reader chooses)
 *   ohif-spine-mri-extension.sopClassHandlerModule.spine-mri-report (our stored SR; others go to OHIF's)
 *   ohif-spine-mri-extension.viewportModule.spine-mri-report (shows it as text)
 */
import type { DisplaySet, ExtensionParams, OhifExtension } from '../../types/ohif';
import { setOhifContext } from './ohif/context';
import { discardPreparedAnalysis } from './ohif/analysisClient';
import { rememberImagesShown } from './ohif/imagesShown';
import { followAnalysedImages } from './ohif/showSegmentation';
import { watchStoredReaderMeasurements } from './ohif/readerMeasurements';
import { keepUnstoredMeasurements } from './ohif/keptReaderMeasurements';
import { registerSpineAttributes, spineFallbackHangingProtocol, spineHangingProtocol, SPINE_FALLBACK_HP_ID, SPINE_HP_ID } from './ohif/hangingProtocol';
import { hostInOwnRoot, hostInOwnRootWithProps } from './ohif/reactBridge';
import { STORED_REPORT_HANDLER, STORED_REPORT_VIEWPORT, storedReportDisplaySets } from './ohif/storedReportDisplaySet';
import { COMPREHENSIVE_3D_SR_SOP_CLASS_UID } from './dicom/uids';
import { StoredReportViewport } from './panel/StoredReportViewport';
import { SpinePanel } from './panel/SpinePanel';
import { askBeforeLeavingUnsavedWork } from './panel/unsavedWork';
import { SOFTWARE } from './software';

export const EXTENSION_ID = 'ohif-spine-mri-extension';
export const PANEL_NAME = 'spineMri';

const extension: OhifExtension = {
  id: EXTENSION_ID,
  version: SOFTWARE.version,
  preRegistration(params: ExtensionParams) {
    setOhifContext(params);
    registerSpineAttributes(params.servicesManager.services.hangingProtocolService);
    rememberImagesShown(params.servicesManager.services);
    followAnalysedImages(params.servicesManager.services);
    watchStoredReaderMeasurements(params.servicesManager.services);
    askBeforeLeavingUnsavedWork();
  },
  onModeExit() {
    // Before OHIF's measurement service clears them (services exit after extensions).
    keepUnstoredMeasurements();
    discardPreparedAnalysis();
  },
  getPanelModule() {
    return [
      {
        name: PANEL_NAME,
        iconName: 'tab-linear',
        iconLabel: 'Spine',
        label: 'Spine MRI',
        component: hostInOwnRoot(SpinePanel, 'spine-mri-panel-host'),
      },
    ];
  },
  getSopClassHandlerModule() {
    const id = `${EXTENSION_ID}.sopClassHandlerModule.${STORED_REPORT_HANDLER}`;
    return [{ name: STORED_REPORT_HANDLER, sopClassUids: [COMPREHENSIVE_3D_SR_SOP_CLASS_UID], getDisplaySetsFromSeries: (instances) => storedReportDisplaySets(instances, id) }];
  },
  getViewportModule() {
    const component = hostInOwnRootWithProps(StoredReportViewport, 'spine-mri-report-host', (p) => ({ displaySets: p.displaySets as DisplaySet[] | undefined }));
    return [{ name: STORED_REPORT_VIEWPORT, component }];
  },
  getHangingProtocolModule() {
    return [
      { name: SPINE_HP_ID, protocol: spineHangingProtocol() },
      { name: SPINE_FALLBACK_HP_ID, protocol: spineFallbackHangingProtocol() },
    ];
  },
};

export default extension;
