/**
 * OHIF mode `ohif-spine-mri-mode` ("Spine MRI"), served as /plugins/mode.mjs.
 *
 * Extends OHIF's own basic mode (as OHIF's longitudinal mode does): the same tool groups,
 * cornerstone toolbar and lifecycle, with our route: study browser left, the Spine MRI panel and
 * OHIF's labelmap segmentation panel with its editing tools right (brush, eraser…: the reader corrects the
 * outlines, and the Spine MRI panel measures them again) and OHIF's Measurement panel (the reader's own lengths, angles…:
 * listed, and stored as OHIF's SR with Create SR), and the Spine MRI hanging protocol (sagittal T2 |
 * sagittal T1 | axial T2; a study whose series the reader chooses: its sagittal series at the middle image). Valid for studies that contain MR.
 *
 * URL: /spine-mri?StudyInstanceUIDs=<uid>
 */
import type { ModeFactoryParams } from '../../types/ohif';

export const MODE_ID = 'ohif-spine-mri-mode';
export const ROUTE_NAME = 'spine-mri';
const EXT = 'ohif-spine-mri-extension';
const HP_ID = 'ohif-spine-mri-hp';
/** For a study whose series the reader chooses in the panel: its sagittal series at the middle image. */
const FALLBACK_HP_ID = 'ohif-spine-mri-fallback-hp';

const ids = {
  layout: '@ohif/extension-default.layoutTemplateModule.viewerLayout',
  seriesList: '@ohif/extension-default.panelModule.seriesList',
  stack: '@ohif/extension-default.sopClassHandlerModule.stack',
  viewport: '@ohif/extension-cornerstone.viewportModule.cornerstone',
  segPanel: '@ohif/extension-cornerstone.panelModule.panelSegmentationWithToolsLabelMap',
  measurementPanel: '@ohif/extension-cornerstone.panelModule.panelMeasurement',
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
      rightPanels: [ids.spinePanel, ids.segPanel, ids.measurementPanel],
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
    hangingProtocol: [HP_ID, FALLBACK_HP_ID, 'default'],
    sopClassHandlers: [ids.reportSop, ids.segSop, ids.srSop, ids.stack],
  };
}

/** A `{ $reference }` marker that OHIF's customization service expands to a capability pack registered by an extension. */
const ref = (name: string) => ({ $reference: name });
const asList = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/**
 * OHIF 3.13's segmentation editing packs (cornerstone extension), added to what the basic mode composes: the
 * buttons and toolbox sections the labelmap panel shows, the brush tools in the default tool group, and editing
 * switched on (the basic mode switches it off).
 */
export function withSegmentationEditing(base: Record<string, unknown>): Record<string, unknown> {
  const groups = (base.toolGroupAdditions ?? {}) as Record<string, unknown>;
  return {
    toolbarButtons: [...asList(base.toolbarButtons), ref('cornerstone.segmentationToolbarButtons')],
    toolbarSections: [...asList(base.toolbarSections), ref('cornerstone.segmentationToolbarSections')],
    toolGroupAdditions: { ...groups, default: [...asList(groups.default), ref('cornerstone.segmentationTools')] },
    modeCustomizations: { 'panelSegmentation.disableEditing': false },
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
  const mode: Record<string, unknown> = { ...base, ...withSegmentationEditing(base), ...ownParts() };
  if (typeof mode.onModeEnter !== 'function') {
    mode.onModeEnter = () => undefined;
  }
  return mode;
}

export default { id: MODE_ID, modeFactory, extensionDependencies };
