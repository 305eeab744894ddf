/**
 * OHIF mode `ohif-spine-mri-mode` ("Spine MRI"), served as /plugins/mode.mjs.
 *
 * Extends OHIF's own basic mode (as OHIF's longitudinal mode does): the same tool groups,
 * cornerstone toolbar and lifecycle, with our route: study browser left, the Spine MRI panel and
 * OHIF's segmentation panel right, and the Spine MRI hanging protocol (sagittal T2 | sagittal T1 |
 * axial T2). Valid for studies that contain MR.
 *
 * URL: /spine-mri?StudyInstanceUIDs=<uid>
 */
import type { ModeFactoryParams } from '../../types/ohif';

export const MODE_ID = 'ohif-spine-mri-mode';
export const ROUTE_NAME = 'spine-mri';
const EXT = 'ohif-spine-mri-extension';
const HP_ID = 'ohif-spine-mri-hp';

const ids = {
  layout: '@ohif/extension-default.layoutTemplateModule.viewerLayout',
  seriesList: '@ohif/extension-default.panelModule.seriesList',
  stack: '@ohif/extension-default.sopClassHandlerModule.stack',
  viewport: '@ohif/extension-cornerstone.viewportModule.cornerstone',
  segPanel: '@ohif/extension-cornerstone.panelModule.panelSegmentation',
  spinePanel: `${EXT}.panelModule.spineMri`,
  segSop: '@ohif/extension-cornerstone-dicom-seg.sopClassHandlerModule.dicom-seg',
  segViewport: '@ohif/extension-cornerstone-dicom-seg.viewportModule.dicom-seg',
  srSop: '@ohif/extension-cornerstone-dicom-sr.sopClassHandlerModule.dicom-sr',
  srViewport: '@ohif/extension-cornerstone-dicom-sr.viewportModule.dicom-sr',
  /** Our stored report (extension/src/ohif/storedReportDisplaySet.ts): before OHIF's SR handler, which takes every other SR. */
  reportSop: `${EXT}.sopClassHandlerModule.spine-mri-report`,
  reportViewport: `${EXT}.viewportModule.spine-mri-report`,
};

export const extensionDependencies = {
  '@ohif/extension-default': '^3.0.0',
  '@ohif/extension-cornerstone': '^3.0.0',
  '@ohif/extension-cornerstone-dicom-seg': '^3.0.0',
  '@ohif/extension-cornerstone-dicom-sr': '^3.0.0',
  [EXT]: '^0.1.0',
};

/** Studies with at least one MR series. */
export function isValidMode({ modalities }: { modalities?: string }) {
  const list = (modalities ?? '').split('\\').map((m) => m.trim().toUpperCase());
  const valid = list.includes('MR');
  return { valid, description: valid ? 'MR study' : 'The Spine MRI mode needs an MR study' };
}

export function spineLayout() {
  return {
    id: ids.layout,
    props: {
      leftPanels: [ids.seriesList],
      leftPanelResizable: true,
      rightPanels: [ids.spinePanel, ids.segPanel],
      rightPanelClosed: false,
      rightPanelResizable: true,
      rightPanelInitialExpandedWidth: 420,
      viewports: [
        { namespace: ids.viewport, displaySetsToDisplay: [ids.stack] },
        { namespace: ids.segViewport, displaySetsToDisplay: [ids.segSop] },
        { namespace: ids.srViewport, displaySetsToDisplay: [ids.srSop] },
        { namespace: ids.reportViewport, displaySetsToDisplay: [ids.reportSop] },
      ],
    },
  };
}

/** The parts of the mode that do not depend on OHIF's basic mode. */
function ownParts() {
  return {
    id: MODE_ID,
    routeName: ROUTE_NAME,
    displayName: 'Spine MRI',
    hide: false,
    isValidMode,
    validationTags: { study: [], series: [] },
    routes: [{ path: ROUTE_NAME, layoutTemplate: spineLayout }],
    extensions: extensionDependencies,
    hangingProtocol: [HP_ID, 'default'],
    sopClassHandlers: [ids.reportSop, ids.segSop, ids.srSop, ids.stack],
  };
}

async function modeFactory({ loadModules }: ModeFactoryParams) {
  let base: Record<string, unknown> = {};
  if (loadModules) {
    try {
      const [basic] = await loadModules(['@ohif/mode-basic']);
      base = basic?.modeInstance ?? {};
    } catch (e) {
      console.warn('Spine MRI mode: could not load @ohif/mode-basic; running without its toolbar', e);
    }
  }
  const mode: Record<string, unknown> = { ...base, ...ownParts() };
  if (typeof mode.onModeEnter !== 'function') {
    mode.onModeEnter = () => undefined;
  }
  return mode;
}

export default { id: MODE_ID, modeFactory, extensionDependencies };
