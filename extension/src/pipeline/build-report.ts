/**
 * The report builder: the ONE place grades are computed (the name-dependent ones through grade/level-rules.ts, which
 * grades them again when the reader renames the levels). From a sagittal T2 SpineVolume, its
 * labelmap and segments (pipeline/analyze.ts segmentSpine), it measures the discs, the dural sac and the slips on the
 * sagittal slices (measure-spine.ts measureSpine), the dural sac area on the study's axial T2 images when given
 * (axial-levels.ts), grades each level (grade/), and returns the SpineReport.
 */
import { sourceImageOf, type LevelReport, type Measurement, type SegmentInfo, type SpineReport } from './report';
import type { Labelmap, SeriesRole, SpineVolume } from './volume';
import { gradePfirrmann, threeDAcquisitionCaution, type PfirrmannClassifierInfo } from './grade/pfirrmann';
import { calibrationFor, type DiscClassifier, type DiscPrediction, type PfirrmannClassifierManifest } from './disc-classifier';
import { gradeDiscFinding, type ReportedDiscFinding } from './grade/disc-findings';
import { gradeNarrowing } from './grade/narrowing';
import { measureForamina, type DiscForamina } from './foramen';
import { gradeFacet } from './grade/facet';
import { gradeLevelRules, type LevelRuleInputs } from './grade/level-rules';
import type { AxialSacResult, AxialSlice } from './axial-canal';
import { axialSacByDisc } from './axial-levels';
import { isThreeDAcquisition, ROLE_WORDS } from './series';
import { measureSpine, type DiscAnalysis, type SpineMeasurements } from './measure-spine';

/** Beside each classifier grade on a series the reader called T2 in the panel (SeriesChoice statedWeighting). */
export const READER_STATED_T2_CAUTION = 'Caution: the reader stated that this series is T2-weighted (its DICOM headers do not say); the classifier was trained on T2 and its grade means nothing on other weightings';

/** The caution beside each classifier grade read on a fat-suppressed T2 (why: series.ts fatSuppression). */
export const fatSuppressedCaution = (why: string) =>
  `Caution: this T2 suppresses fat (${why}); the classifier learned T2 without fat suppression (SPIDER's TSE T2) and was not checked on such images`;

/** How a not-assessable reason names the analysed series, by its role. */
const analysedSeriesWords = (role: SeriesRole) =>
  role === 'other' ? 'a sagittal series the reader chose whose weighting is not T2, T1 or STIR' : `the ${ROLE_WORDS[role]}`;

export interface BuildReportOptions {
  model: SpineReport['model'];
  software: SpineReport['software'];
  levelNaming: SpineReport['levelNaming'];
  run?: SpineReport['run'];
  /** Other series of the study, by role (their presence decides "not assessable" reasons). */
  otherSeries?: SpineReport['sourceSeries'];
  /** Disc classifier output (classifyDiscs); absent = its grades are not assessable. */
  discPredictions?: DiscPredictionsInput;
  /** Images of the study's axial T2 series (any stacks and angles): the dural sac area at each disc; only images in the analysed series' frame of reference are used. */
  axialT2?: AxialSlice[];
  /** Why the axial T2 images of a study that has them are missing (e.g. could not be read). */
  axialT2Unavailable?: string;
  /**
   * The study's sagittal T1 (role 'sagittal_t1'), when the analysis ran on another series: the foramina are
   * measured on it (Lee graded on T1) when it shares the analysed series' frame of reference.
   */
  sagittalT1?: SpineVolume;
  createdAt?: string;
}

/** Disc classifier predictions per disc segment number, or why there are none. */
export type DiscPredictionsInput = { predictions: Map<number, DiscPrediction>; classifier: PfirrmannClassifierInfo } | { unavailableReason: string };

/**
 * Run the disc classifier on every measured disc's patch. A classifier failure becomes the
 * not-assessable reason of every Pfirrmann grade; the rest of the report is unaffected.
 * @param series the analysed series: on MRAcquisitionType '3D' the evidence shows the agreement measured on 3D T2
 *   (manifest cvLinearKappa3d) and says it is lower than on 2D; where the reader stated that it is T2 (its headers do
 *   not say) or its images suppress fat (fatSuppression), the evidence says so.
 */
export async function classifyDiscs(ms: SpineMeasurements, classifier: DiscClassifier | undefined, info?: PfirrmannClassifierManifest, unavailableReason = 'no disc classifier was loaded', series: Pick<SpineVolume, 'mrAcquisitionType' | 'weightingStatedByReader' | 'fatSuppression'> = {}): Promise<DiscPredictionsInput> {
  const { mrAcquisitionType, weightingStatedByReader, fatSuppression } = series;
  if (!classifier) return { unavailableReason: `not assessable: ${unavailableReason}` };
  try {
    const probs = await classifier.classify(ms.discs.map((d) => d.patch));
    const is3d = isThreeDAcquisition(mrAcquisitionType);
    const calibration = info ? calibrationFor(info) : {};
    // A refused calibration withdraws the kappas measured with it, the 3D one included.
    const kappas = calibration.calibrationRefused ? undefined : info;
    const cautions = [
      is3d ? threeDAcquisitionCaution(kappas?.cvLinearKappa3d, kappas?.cvLinearKappa) : '',
      weightingStatedByReader ? READER_STATED_T2_CAUTION : '',
      fatSuppression ? fatSuppressedCaution(fatSuppression) : '',
    ].filter(Boolean);
    const agreement = { cvLinearKappa: is3d ? kappas?.cvLinearKappa3d : kappas?.cvLinearKappa, ...(cautions.length ? { acquisitionCaution: cautions.join('. ') } : {}) };
    return { predictions: new Map(ms.discs.map((d, n) => [d.segment.segmentNumber, probs[n]])), classifier: { name: classifier.name, ...agreement, cvAuc: info?.cvAuc, ...calibration } };
  } catch (e) {
    return { unavailableReason: `not assessable: the disc classifier failed (${(e as Error).message})` };
  }
}

function m(name: string, value: number, unit: Measurement['unit'], method: string, segmentNumber?: number): Measurement {
  return { name, value, unit, method, segmentNumber };
}

/** Where a disc was measured, for a measurement's method: the mid-sagittal slice, or (a curved or oblique spine) its own. */
const onSlice = (d: DiscAnalysis, midSagittal: string) =>
  d.offMidlineMm === undefined ? midSagittal : `sagittal slice through the disc's centre, ${d.offMidlineMm.toFixed(0)} mm off the mid-sagittal slice`;

/** Measurements of one disc for the evidence view. */
export function discMeasurements(d: DiscAnalysis, duralSacSegment?: number): Measurement[] {
  const s = d.segment.segmentNumber;
  const out: Measurement[] = [
    m('discHeightMm', d.measures.discHeightMm, 'mm', `mask extent ⟂ endplates, median over central third, ${onSlice(d, 'mid-sagittal T2')}`, s),
    m('nucleusSignalMean', d.measures.nucleusMean, '1', 'mean T2 intensity of the central disc (nucleus) region', s),
    m('annulusSignalMean', d.measures.annulusMean, '1', 'mean T2 intensity of the anterior+posterior disc ends', s),
  ];
  if (d.marrowMedian > 0) out.push(m('nucleusVertebralBodySignalRatio', d.measures.nucleusMean / d.marrowMedian, '{ratio}', 'nucleus mean / median of adjacent vertebral bodies', s));
  if (Number.isFinite(d.heightIndex)) out.push(m('discHeightIndex', d.heightIndex, '{ratio}', 'disc height / mean height of adjacent discs', s));
  out.push(m('discOutlineFraction', d.outlineFraction, '{ratio}', 'area of the disc outline on the mid-sagittal slice / that of the median disc of this spine', s));
  if (d.features) {
    out.push(m('nucleusCsfSignalRatio', d.features.nucleusCsfSignalRatio, '{ratio}', 'nucleus mean / median CSF intensity of the dural sac', s));
    out.push(m('nucleusAnnulusContrast', d.features.nucleusAnnulusContrast, '{ratio}', '(nucleus − annulus) / annulus mean intensity', s));
    if (Number.isFinite(d.features.nucleusBrightestDiscRatio)) out.push(m('nucleusBrightestDiscRatio', d.features.nucleusBrightestDiscRatio, '{ratio}', 'nucleus mean / that of the brightest disc of this spine', s));
  }
  if (d.canalApMm !== null) out.push({ ...m('canalApDiameterMm', d.canalApMm, 'mm', `AP length of the dural sac (dura to dura, across its CSF and any cord or roots in it) behind the disc centre, ${onSlice(d, 'mid-sagittal T2')}`, duralSacSegment), ...d.canalApImage });
  if ('slipMm' in d.listhesis) {
    out.push(
      { ...m('vertebralSlipMm', d.listhesis.slipMm, 'mm', `between the posterior vertebral body lines above and below the disc, along its AP axis, ${onSlice(d, 'mid-sagittal slice')}; + = anterolisthesis`, s), ...d.listhesisImage },
      m('vertebralSlipPercent', d.listhesis.slipPercent, '%', `the slip as % of the lower body's superior endplate depth (${d.listhesis.lowerEndplateDepthMm.toFixed(1)} mm)`, s),
    );
  }
  if (d.midVertebralCanalApMm !== null) out.push(m('canalApDiameterMidVertebralMm', d.midVertebralCanalApMm, 'mm', 'AP length of the dural sac (dura to dura) behind the vertebral body above, mid-sagittal T2', duralSacSegment));
  return out;
}

/** The axial dural sac area as a measurement, where one was measured. */
function axialAreaMeasurement(r: AxialSacResult | undefined): Measurement[] {
  if (!r || r.areaMm2 === null) return [];
  const image = r.instanceNumber !== undefined ? `image ${r.instanceNumber}` : 'image';
  const how = [
    r.crescentsJoined ? `${r.crescentsJoined + 1} CSF crescents split by the cord or roots joined` : '',
    r.seedFromAnteriorEdge ? 'started behind the sac\'s anterior edge (no sagittal AP to check it against)' : '',
    r.grownFromAnteriorSeed ? 'grown from just behind the sac\'s anterior edge, which gave a larger sac than the sagittal AP\'s midpoint' : '',
  ].filter(Boolean).map((x) => `; ${x}`).join('');
  const area = m('duralSacAreaMm2', r.areaMm2, 'mm2', `area of the CSF-bright dural sac on axial T2 ${image}, ${(r.distanceMm ?? 0).toFixed(1)} mm from the disc centre (roots inside counted${how})`);
  return [{ ...area, sourceImage: sourceImageOf(r), outlineLps: r.outlineLps }];
}

/**
 * Build the SpineReport (grades computed here, and again by grade/level-rules.ts on a rename) plus the labelmap/segments including the dural sac.
 * Pass `ms` when measureSpine already ran (to classify the disc patches first: classifyDiscs).
 */
export function buildSpineReport(volume: SpineVolume, labelmap: Labelmap, segments: SegmentInfo[], opts: BuildReportOptions, ms: SpineMeasurements = measureSpine(volume, labelmap, segments)): GradedSpine {
  // The classifier learned T2 patches; on a T1 or STIR series its output means nothing. A volume without a role (NIfTI CLI input) is taken as T2.
  const notT2 = volume.role !== undefined && volume.role !== 'sagittal_t2';
  const pf: DiscPredictionsInput = notT2
    ? { unavailableReason: `not assessable: the disc classifier reads sagittal T2, and this analysis ran on ${analysedSeriesWords(volume.role!)}` }
    : opts.discPredictions ?? { unavailableReason: 'not assessable: no disc classifier was loaded' };
  const source = (k: ReportedDiscFinding) => ('predictions' in pf ? { name: pf.classifier.name, cvAuc: pf.classifier.cvAuc?.[k] } : null);
  const classifierMissing = 'unavailableReason' in pf ? pf.unavailableReason : undefined;
  const others = opts.otherSeries ?? [];
  const hasAxialT2 = others.some((s) => s.role === 'axial_t2') || (opts.axialT2?.length ?? 0) > 0;
  const dural = ms.segments.find((s) => s.kind === 'dural_sac')?.segmentNumber;
  // Sacral 'discs' (S1/S2 …) are fused remnants that no grading system covers: keep their segment, grade no level.
  const graded = ms.discs.filter((d) => !d.segment.level?.startsWith('S'));
  // Positions compare only within one frame of reference (DICOM FrameOfReferenceUID): an axial T2 of another session or
  // patient position would put another place's canal at these discs.
  const sameFrame = (opts.axialT2 ?? []).filter((a) => !a.frameOfReferenceUid || !volume.frameOfReferenceUid || a.frameOfReferenceUid === volume.frameOfReferenceUid);
  const axial = sameFrame.length ? axialSacByDisc(volume, ms, sameFrame) : undefined;
  const otherFrame = opts.axialT2?.length && !sameFrame.length
    ? 'the axial T2 lies in another frame of reference (FrameOfReferenceUID) than the sagittal series — another session or patient position — so its images cannot be placed at the discs'
    : undefined;
  // Lee grades the fat around the root: bright on T1 and T2 TSE, suppressed on STIR and fat-suppressed T2 (T2 FS, SPAIR,
  // Dixon water), of unknown look on a series of unknown weighting.
  const fatHidden = volume.role === 'sagittal_stir' || volume.role === 'other' || !!volume.fatSuppression;
  // A fat-suppressed T1 (T1 FS, often after contrast) hides the perineural fat too. On a T1 after contrast the epidural
  // veins around the root enhance like that fat, so a plain T2, whose fat is bright too, is read instead where there is one.
  const sameFrameT1 = opts.sagittalT1 && opts.sagittalT1.frameOfReferenceUid === volume.frameOfReferenceUid && !opts.sagittalT1.fatSuppression ? opts.sagittalT1 : undefined;
  const t1 = sameFrameT1 && (!sameFrameT1.postContrast || fatHidden) ? sameFrameT1 : undefined;
  const measuredOn = t1 ?? (fatHidden ? undefined : volume);
  const seriesNote = measuredOn?.postContrast
    ? `Caution: read on a ${ROLE_WORDS[measuredOn.role ?? 'sagittal_t1']} after contrast (${measuredOn.postContrast}): enhancing epidural veins around the root look like the fat Lee grades, so check the grade on the images`
    : sameFrameT1?.postContrast ? `Read on the ${ROLE_WORDS[volume.role ?? 'sagittal_t2']}, not on the study's sagittal T1, which is after contrast (${sameFrameT1.postContrast}): enhancing veins there look like fat` : undefined;
  // Measured at every level, graded at lumbar ones (grade/level-rules.ts), so that renaming a level can grade it.
  const measuredForamina = ((t1 && foraminaOnOtherSeries(t1, graded)) ?? (fatHidden ? [] : measureForamina(volume, graded, ms.labelmap)))
    .map((f) => (seriesNote ? { ...f, left: { ...f.left, seriesNote }, right: { ...f.right, seriesNote } } : f));
  const foramina = new Map(measuredForamina.map((f) => [f.segmentNumber, f]));
  const noForamina = fatHidden && !measuredForamina.length
    ? `Lee grades the fat around the exiting root, and this analysis ran on ${analysedSeriesWords(volume.role!)}${volume.role === 'sagittal_stir' ? ', which suppresses fat' : volume.fatSuppression ? `, which suppresses fat (${volume.fatSuppression})` : ''} with no sagittal T1 ${opts.sagittalT1?.fatSuppression ? `that keeps the fat bright (the study's suppresses it: ${opts.sagittalT1.fatSuppression})` : 'in the study'}` : undefined;
  const threeD = isThreeDAcquisition(volume.mrAcquisitionType);
  const levels: LevelReport[] = graded.map((d) => {
    const sac = axial?.get(d.segment.segmentNumber);
    const foramen = foramina.get(d.segment.segmentNumber);
    const noArea = !hasAxialT2 ? 'no axial T2 series for the dural sac area' : sac?.reason ?? opts.axialT2Unavailable ?? otherFrame ?? (axial ? 'dural sac area not measured' : 'the axial T2 images were not read');
    const level = d.segment.level ?? `disc ${d.segment.segmentNumber}`;
    const levelRuleInputs: LevelRuleInputs = {
      canal: {
        apMm: d.canalApMm, apQuartilesMm: d.canalApQuartilesMm, areaMm2: sac?.areaMm2 ?? null, csfEffaced: !!d.canalCsfEffaced, threeD,
        notFoundReason: `not assessable: ${d.canalReason ?? 'no dural sac found'} on ${volume.role ? analysedSeriesWords(volume.role) : 'the sagittal T2'}; ${noArea}`,
        ...(hasAxialT2 && sac?.areaMm2 === undefined ? { noAreaNote: noArea } : {}),
      },
      listhesis: d.listhesis,
      foramina: { left: foramen?.left, right: foramen?.right, unmeasuredReason: noForamina },
    };
    const { measurements: meas, ...nameDependent } = gradeLevelRules(level, levelRuleInputs, [...discMeasurements(d, dural), ...axialAreaMeasurement(sac)]);
    const prediction = 'predictions' in pf ? pf.predictions.get(d.segment.segmentNumber) : undefined;
    const heightMeas = meas.filter((x) => x.name === 'discHeightMm' || x.name === 'discHeightIndex');
    return {
      level,
      discSegmentNumber: d.segment.segmentNumber,
      measurements: meas,
      pfirrmannGrade: 'predictions' in pf
        ? gradePfirrmann(pf.predictions.get(d.segment.segmentNumber)?.pfirrmann ?? null, meas.filter((x) => /nucleus|annulus|HeightIndex|discHeight|discOutline/i.test(x.name)), pf.classifier, undefined, d.features)
        : gradePfirrmann(null, [], null, pf.unavailableReason),
      // The classifier's narrowing agrees far better with readers than the height-index rule (eval:grading AUC); the rule stays as the fallback.
      discNarrowing: prediction?.findings.narrowing !== undefined
        ? gradeDiscFinding('narrowing', prediction.findings.narrowing, heightMeas, source('narrowing'))
        : gradeNarrowing(d.heightIndex, heightMeas),
      discBulging: gradeDiscFinding('bulging', prediction?.findings.bulging, meas.filter((x) => x.name === 'discHeightMm'), source('bulging'), classifierMissing),
      modicChange: gradeDiscFinding('modic', prediction?.findings.modic, meas.filter((x) => x.name === 'nucleusVertebralBodySignalRatio'), source('modic'), classifierMissing),
      upperEndplateDefect: gradeDiscFinding('upperEndplate', prediction?.findings.upperEndplate, [], source('upperEndplate'), classifierMissing),
      lowerEndplateDefect: gradeDiscFinding('lowerEndplate', prediction?.findings.lowerEndplate, [], source('lowerEndplate'), classifierMissing),
      ...nameDependent,
      facetArthropathyLeft: gradeFacet('left', hasAxialT2),
      facetArthropathyRight: gradeFacet('right', hasAxialT2),
      levelRuleInputs,
    };
  });
  const report = reportShell(volume, ms.segments, levels, opts);
  return { report, labelmap: ms.labelmap, segments: ms.segments };
}

/** The foramina on another sagittal series (the T1); undefined when it cannot be measured (e.g. not sagittal after all), so the analysed series is used. */
function foraminaOnOtherSeries(other: SpineVolume, discs: DiscAnalysis[]): DiscForamina[] | undefined {
  try {
    return measureForamina(other, discs);
  } catch (e) {
    console.warn(`foramina measured on the analysed series: the ${other.role ?? 'other'} series cannot be used (${(e as Error).message})`);
    return undefined;
  }
}

/** The report and the labelmap/segments including the dural sac. */
export interface GradedSpine {
  report: SpineReport;
  labelmap: Labelmap;
  segments: SegmentInfo[];
}

/**
 * The whole grading step as the viewer and the CLI run it: measure, classify the disc patches, grade.
 * Never throws for a grading failure: the segmentation is kept in a report without levels and
 * `gradingError` says why ("Grading failed: …").
 * @param classifierMissing why there is no classifier, when `classifier` is undefined.
 */
export async function gradeSpine(
  volume: SpineVolume, labelmap: Labelmap, segments: SegmentInfo[], opts: BuildReportOptions,
  classifier: DiscClassifier | undefined, classifierInfo: PfirrmannClassifierManifest | undefined, classifierMissing: string,
): Promise<GradedSpine & { gradingError?: string }> {
  try {
    const ms = measureSpine(volume, labelmap, segments);
    const discPredictions = await classifyDiscs(ms, classifier, classifierInfo, classifierMissing, volume);
    return buildSpineReport(volume, labelmap, segments, { ...opts, discPredictions }, ms);
  } catch (e) {
    return { report: reportShell(volume, segments, [], opts), labelmap, segments, gradingError: `Grading failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * The SpineReport around given levels: identity, source series, model, region, level naming, segments.
 * Also used alone (levels = []) when grading fails, so the segmentation is still reported and saved.
 */
export function reportShell(volume: SpineVolume, segments: SegmentInfo[], levels: LevelReport[], opts: BuildReportOptions): SpineReport {
  const hasLumbar = segments.some((s) => s.level?.startsWith('L'));
  const hasCervical = segments.some((s) => s.level?.startsWith('C'));
  return {
    schemaVersion: 1,
    studyInstanceUid: volume.studyInstanceUid,
    seriesInstanceUid: volume.seriesInstanceUid,
    frameOfReferenceUid: volume.frameOfReferenceUid,
    sourceSeries: [{ role: volume.role && volume.role !== 'other' ? volume.role : 'sagittal_t2', seriesInstanceUid: volume.seriesInstanceUid }, ...(opts.otherSeries ?? [])],
    model: opts.model,
    software: opts.software,
    region: hasLumbar ? 'lumbar' : hasCervical ? 'cervical' : 'unknown',
    levelNaming: opts.levelNaming,
    segments,
    levels,
    createdAt: opts.createdAt ?? new Date().toISOString(),
    run: opts.run,
  };
}
