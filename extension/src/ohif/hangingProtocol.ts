/**
 * Spine MRI hanging protocol: sagittal T2 | sagittal T1 | axial T2 side by side (1×3), or the
 * pairs that exist (1×2), or the analysis series alone (1×1). Series are matched with the same
 * rules as the panel and the analysis (pipeline/series.ts `chooseSeries`), through custom HP
 * attributes, so the viewer always shows the series the analysis will use.
 *
 * OHIF picks the first stage whose `enabled.minViewportsMatched` is met when the mode lists the
 * protocol id in an array (mode `hangingProtocol: [id, 'default']`); studies without a usable
 * sagittal series to analyse automatically fail `protocolMatchingRules` and get the fallback protocol below, and
 * studies that match neither (none here) OHIF's 'default' protocol.
 */
import type { DisplaySet, HangingProtocolService } from '../../../types/ohif';
import { chooseForStudy } from './headers';

export const SPINE_HP_ID = 'ohif-spine-mri-hp';
export const SPINE_FALLBACK_HP_ID = 'ohif-spine-mri-fallback-hp';
/**
 * Custom attribute on a display set: 'sagittal_t2' | 'sagittal_t1' | 'axial_t2' | 'analysis' roles it was chosen for,
 * and 'sagittal_image' for any sagittal image series (what the fallback protocol opens first).
 */
export const ATTR_CHOSEN_AS = 'spineMriChosenAs';
/** Custom attribute on a study: true when chooseSeries finds something to analyse. */
export const ATTR_SUITABLE = 'spineMriSuitable';

/** Roles a display set was chosen for within its study (empty when none). */
export function chosenRoles(ds: DisplaySet, studyDisplaySets: DisplaySet[]): string[] {
  const c = chooseForStudy(studyDisplaySets, ds.StudyInstanceUID);
  const roles: string[] = [];
  const is = (h: unknown) => h !== undefined && c.displaySetOf(h as never) === ds;
  if (is(c.analysisSeries)) roles.push('analysis');
  if (is(c.sagittalT2)) roles.push('sagittal_t2');
  if (is(c.sagittalT1)) roles.push('sagittal_t1');
  if (is(c.axialT2)) roles.push('axial_t2');
  const own = c.classified.find((x) => c.displaySetOf(x.headers) === ds)?.classification;
  if (own?.plane === 'sagittal' && !own.isLocalizer) roles.push('sagittal_image');
  return roles;
}

export function registerSpineAttributes(hp: HangingProtocolService): void {
  hp.addCustomAttribute(ATTR_CHOSEN_AS, 'Spine MRI: roles this series was chosen for', (ds: DisplaySet, options: { displaySets?: DisplaySet[] }) =>
    chosenRoles(ds, options?.displaySets ?? []),
  );
  hp.addCustomAttribute(ATTR_SUITABLE, 'Spine MRI: study has a sagittal series to analyse', (study: { StudyInstanceUID?: string }, options: { displaySets?: DisplaySet[] }) => {
    const uid = study?.StudyInstanceUID ?? options?.displaySets?.[0]?.StudyInstanceUID;
    return !!uid && chooseForStudy(options?.displaySets ?? [], uid).suitable;
  });
}

function selector(role: string) {
  return {
    seriesMatchingRules: [{ attribute: ATTR_CHOSEN_AS, required: true, weight: 10, constraint: { contains: role } }],
  };
}

/** Sagittal viewports scroll together (same position in mm), as radiologists read sag T2 and sag T1 side by side. */
const SAGITTAL_SLICE_SYNC = { type: 'imageslice', id: 'spineMriSagittalSlices', source: true, target: true };

function viewport(selectorId: string, label: string, sagittal = true) {
  return {
    viewportOptions: {
      ...(sagittal ? { syncGroups: [SAGITTAL_SLICE_SYNC] } : {}),
      viewportType: 'stack',
      toolGroupId: 'default',
      allowUnmatchedView: true,
      viewportLabel: label,
      // Open sagittal stacks at the mid-sagittal slice (the one a radiologist reads first), not the far-lateral first slice.
      initialImageOptions: { preset: 'middle' },
    },
    displaySets: [{ id: selectorId }],
  };
}

function stage(name: string, viewports: ReturnType<typeof viewport>[]) {
  return {
    name,
    id: name,
    stageActivation: { enabled: { minViewportsMatched: viewports.length } },
    viewportStructure: { layoutType: 'grid', properties: { rows: 1, columns: viewports.length } },
    viewports,
  };
}

export function spineHangingProtocol() {
  const sagT2 = viewport('sagittalT2', 'SAG T2');
  const sagT1 = viewport('sagittalT1', 'SAG T1');
  const axT2 = viewport('axialT2', 'AX T2', false);
  return {
    id: SPINE_HP_ID,
    name: 'Spine MRI',
    description: 'Sagittal T2, sagittal T1 and axial T2 side by side',
    locked: true,
    numberOfPriorsReferenced: 0,
    protocolMatchingRules: [{ attribute: ATTR_SUITABLE, required: true, weight: 100, constraint: { equals: { value: true } } }],
    toolGroupIds: ['default'],
    displaySetSelectors: {
      analysis: selector('analysis'),
      sagittalT2: selector('sagittal_t2'),
      sagittalT1: selector('sagittal_t1'),
      axialT2: selector('axial_t2'),
    },
    defaultViewport: {
      viewportOptions: { viewportType: 'stack', toolGroupId: 'default', allowUnmatchedView: true },
      displaySets: [{ id: 'analysis', matchedDisplaySetsIndex: -1 }],
    },
    stages: [
      stage('sagT2-sagT1-axT2', [sagT2, sagT1, axT2]),
      stage('sagT2-sagT1', [sagT2, sagT1]),
      stage('sagT2-axT2', [sagT2, axT2]),
      stage('analysis', [viewport('analysis', 'SAG')]),
    ],
  };
}

/**
 * For a study with nothing the panel chooses by itself (weighting unknown: the reader chooses the series): one
 * viewport with its sagittal series (else its first image series, or the one the URL names) at the middle image,
 * as the Spine MRI protocol opens its stacks, not at OHIF's far-lateral first image, where an analysis of it would
 * show no outline. The weight 1 rule matches only studies the Spine MRI protocol does not.
 */
export function spineFallbackHangingProtocol() {
  return {
    id: SPINE_FALLBACK_HP_ID,
    name: 'Spine MRI (series to choose)',
    description: 'The sagittal series at its middle image',
    locked: true,
    numberOfPriorsReferenced: 0,
    protocolMatchingRules: [{ attribute: ATTR_SUITABLE, required: true, weight: 1, constraint: { equals: { value: false } } }],
    toolGroupIds: ['default'],
    displaySetSelectors: {
      sagittalOrFirst: {
        seriesMatchingRules: [
          { attribute: 'numImageFrames', weight: 10, constraint: { greaterThan: { value: 0 } } },
          { attribute: ATTR_CHOSEN_AS, weight: 5, constraint: { contains: 'sagittal_image' } },
          { attribute: 'isDisplaySetFromUrl', weight: 20, constraint: { equals: true } },
        ],
      },
    },
    defaultViewport: {
      viewportOptions: { viewportType: 'stack', toolGroupId: 'default', allowUnmatchedView: true },
      displaySets: [{ id: 'sagittalOrFirst', matchedDisplaySetsIndex: -1 }],
    },
    stages: [
      {
        name: 'series',
        id: 'series',
        viewportStructure: { layoutType: 'grid', properties: { rows: 1, columns: 1 } },
        viewports: [{
          viewportOptions: { viewportType: 'stack', toolGroupId: 'default', allowUnmatchedView: true, initialImageOptions: { preset: 'middle' } },
          displaySets: [{ id: 'sagittalOrFirst' }],
        }],
      },
    ],
  };
}
