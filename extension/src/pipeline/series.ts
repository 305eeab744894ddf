/**
 * Series classification for spine MRI: which series of a study is the sagittal T2 (the one the
 * segmentation runs on), the sagittal T1, the sagittal STIR and the axial T2.
 *
 * Framework-free: the OHIF panel, the hanging protocol and the headless CLI all call these two
 * functions, so the viewer shows the same series the analysis uses.
 *
 * Rules, in order of trust:
 * 1. Plane from ImageOrientationPatient (DICOM LPS): the slice normal is row × column direction;
 *    its largest absolute component names the plane (L/R → sagittal, A/P → coronal,
 *    S/I → axial). A normal whose largest component is below cos(45°) ≈ 0.707 is 'oblique'.
 * 2. Weighting from the timing attributes (ms), using the typical spin-echo / TSE ranges taught in
 *    MR physics texts (e.g. McRobbie D.W. et al., "MRI from Picture to Proton", 3rd ed. 2017,
 *    ch. 3/8; Westbrook C., "MRI in Practice", 5th ed. 2018, ch. 2):
 *      - STIR: InversionTime 100–250 ms (fat null ≈ 150 ms at 1.5 T, ≈ 200–230 ms at 3 T);
 *      - T1 inversion recovery (GE's "T1 FLAIR", Siemens' "T1 TIRM", a common sagittal T1 of lumbar protocols):
 *        InversionTime 500–1200 ms with EchoTime ≤ 30 ms (project range around the TI ≈ 862 ms at TR 2000 ms of T1 FLAIR of the spine,
 *        Melhem E.R. et al., AJNR Am J Neuroradiol 1997;18:447–54); its TR of 2000 ms or more would otherwise read as PD,
 *        and a 'tirm' in its description does not make it a STIR;
 *      - T2:   EchoTime ≥ 60 ms and RepetitionTime ≥ 2000 ms;
 *      - T1:   EchoTime ≤ 30 ms and RepetitionTime ≤ 1000 ms;
 *      - PD:   EchoTime ≤ 30 ms and RepetitionTime ≥ 2000 ms;
 *      - 3D variable-flip-angle TSE (SPACE/CUBE/VISTA) uses TR ≈ 1000–2000 ms with TE ≥ 80 ms and
 *        is T2-weighted: EchoTime ≥ 80 ms alone counts as T2.
 *    Anything else is 'unknown' from timing.
 * 3. SeriesDescription keywords ('t2', 't1', 'stir'/'tirm', 'flair', 'pd', 'sag'/'ax'/'tra'/'cor'; 'T1 FLAIR' and 'T1 TIRM' are T1)
 *    break ties: they decide when timing is missing or ambiguous, and a 'stir'/'tirm' keyword
 *    wins over other timing (STIR is often stored without InversionTime, e.g. SPIDER's "SAG T2 TSE STIR") unless
 *    the timing is a T1 inversion recovery's or ScanningSequence lists no inversion recovery.
 * Localizers (ImageType LOCALIZER, "localizer"/"scout"/"survey" descriptions, or instances with
 * differing orientations) and non-MR series are 'other'.
 */
import type { SeriesRole } from './volume';

export type { SeriesRole };
export type Plane = 'sagittal' | 'coronal' | 'axial' | 'oblique' | 'unknown';
export type Weighting = 't1' | 't2' | 'stir' | 'pd' | 'flair' | 'unknown';

/** The DICOM attributes of one series that the classifier reads (from its first instance). */
export interface SeriesHeaders {
  SeriesInstanceUID: string;
  Modality?: string;
  SeriesDescription?: string;
  SeriesNumber?: number | string;
  /** Six direction cosines (row then column direction), LPS. */
  ImageOrientationPatient?: ArrayLike<number | string> | string;
  /** ms */
  EchoTime?: number | string;
  /** ms */
  RepetitionTime?: number | string;
  /** ms */
  InversionTime?: number | string;
  ImageType?: ArrayLike<string> | string;
  ScanningSequence?: ArrayLike<string> | string;
  /** DICOM MRAcquisitionType (0018,0023): '2D' (slice-by-slice, e.g. TSE) or '3D' (volume, e.g. SPACE/CUBE/VISTA). */
  MRAcquisitionType?: string;
  /** DICOM BodyPartExamined (e.g. 'LSPINE', 'CSPINE', 'TSPINE'). */
  BodyPartExamined?: string;
  /** DICOM StudyDescription (e.g. 'MRI C-SPINE W/O'): names the region where the series does not. */
  StudyDescription?: string;
  /** DICOM ScanOptions (0018,0022), e.g. 'FS' (fat saturation), 'PFP'. */
  ScanOptions?: string | string[];
  /** DICOM ContrastBolusAgent (0018,0010): present and not empty on images taken after a contrast agent. */
  ContrastBolusAgent?: string;
  /** Number of slices/frames in the series. */
  numberOfSlices: number;
  /** True when the series' instances do not all share one ImageOrientationPatient (a localizer, or blocks at different angles). */
  orientationsDiffer?: boolean;
  /** True when they lie in more than one plane (planeFromOrientation: sagittal, coronal, axial): a 3-plane localizer. */
  planesDiffer?: boolean;
  /** True when the first instance holds no PixelSpacing (0028,0030), nor an Enhanced MR pixel measures one: nothing can be measured in mm. */
  pixelSpacingMissing?: boolean;
}

export interface SeriesClassification {
  role: SeriesRole;
  plane: Plane;
  weighting: Weighting;
  isLocalizer: boolean;
  /** Human-readable reasons, in the order the rules applied. */
  reasons: string[];
}

export interface ClassifiedSeries {
  headers: SeriesHeaders;
  classification: SeriesClassification;
}

export interface SeriesChoice {
  /** The series the segmentation runs on (sagittal T2, else sagittal T1, else sagittal STIR; or the one the reader chose). */
  analysisSeries?: SeriesHeaders;
  /** Its role for the analysis: what its weighting lets the pipeline grade ('other': shape only, no grade that reads T2 signal). */
  analysisRole?: SeriesRole;
  /** The reader chose analysisSeries (chooseSeries' readerChoice) in place of the automatic choice. */
  readerChosen?: boolean;
  /** The weighting the reader stated for it (its headers give none): analysisRole follows it. */
  statedWeighting?: 't2' | 't1';
  sagittalT2?: SeriesHeaders;
  sagittalT1?: SeriesHeaders;
  sagittalStir?: SeriesHeaders;
  axialT2?: SeriesHeaders;
  /** Every series with its classification, in input order. */
  classified: ClassifiedSeries[];
  /** False when nothing in the study can be analysed; `message` says why. */
  suitable: boolean;
  /** One or two sentences for the radiologist: what will be used and why, or why nothing can be. */
  message: string;
  /** Caveats that do not stop the analysis (single slice, no T2, …). */
  warnings: string[];
}

/** cos(45°): below this the slice normal is not dominated by one patient axis. */
const PLANE_COSINE_MIN = Math.SQRT1_2;
/** Series with fewer slices than this are treated as single-slice (2D analysis only). */
const MIN_VOLUME_SLICES = 3;

function toNumber(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const first = Array.isArray(v) ? v[0] : typeof v === 'string' ? v.split('\\')[0] : v;
  const n = typeof first === 'number' ? first : Number(first);
  return Number.isFinite(n) ? n : undefined;
}

function toStrings(v: ArrayLike<string> | string | undefined): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return v.split('\\').map((s) => s.trim().toUpperCase());
  return Array.from(v, (s) => String(s).trim().toUpperCase());
}

function toOrientation(v: SeriesHeaders['ImageOrientationPatient']): number[] | undefined {
  if (v === undefined || v === null) return undefined;
  const parts = typeof v === 'string' ? v.split('\\') : Array.from(v as ArrayLike<number | string>);
  const nums = parts.map((p) => Number(p));
  return nums.length === 6 && nums.every(Number.isFinite) ? nums : undefined;
}

/** Plane from ImageOrientationPatient (slice normal = row × column, LPS). */
export function planeFromOrientation(iop: ArrayLike<number | string> | string | undefined): Plane {
  const o = toOrientation(iop);
  if (!o) return 'unknown';
  const [rx, ry, rz, cx, cy, cz] = o;
  const n = [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
  const len = Math.hypot(n[0], n[1], n[2]);
  if (len < 1e-6) return 'unknown';
  const a = n.map((x) => Math.abs(x) / len);
  const max = Math.max(a[0], a[1], a[2]);
  if (max < PLANE_COSINE_MIN) return 'oblique';
  return a[0] === max ? 'sagittal' : a[1] === max ? 'coronal' : 'axial';
}

function planeFromDescription(d: string): Plane {
  if (/(^|[^a-z])sag/.test(d)) return 'sagittal';
  if (/(^|[^a-z])(ax|tra)/.test(d)) return 'axial';
  if (/(^|[^a-z])cor/.test(d)) return 'coronal';
  return 'unknown';
}

/** One image of a Dixon (fat/water separation) acquisition: the vendor stores each as a series or image type of its own. */
export type DixonImage = 'fat' | 'water' | 'in_phase' | 'opposed_phase';

/**
 * Which Dixon image a series holds, from ImageType values (Siemens: DIXON with WATER, FAT, IN_PHASE, OPP_PHASE;
 * single letters W/F/IP/OP as Philips mDIXON writes them) or, where ImageType says nothing, the SeriesDescription
 * (Siemens' suffixes _W/_F/_in/_opp; GE FLEX/IDEAL's 'WATER:'/'FAT:'/'InPhase:'/'OutPhase:' prefixes). Undefined for an
 * ordinary series. 'fat sat' / 'FS' (fat-saturated) is not a Dixon fat image.
 */
export function dixonImage(h: Pick<SeriesHeaders, 'ImageType' | 'SeriesDescription'>): DixonImage | undefined {
  const t = new Set(toStrings(h.ImageType));
  if (t.has('FAT') || t.has('F')) return 'fat';
  if (t.has('WATER') || t.has('W')) return 'water';
  if (['IN_PHASE', 'IN PHASE', 'INPHASE', 'IP'].some((x) => t.has(x))) return 'in_phase';
  if (['OPP_PHASE', 'OPPOSED_PHASE', 'OUT_PHASE', 'OUT PHASE', 'OUTPHASE', 'OP'].some((x) => t.has(x))) return 'opposed_phase';
  const d = (h.SeriesDescription ?? '').trim().toLowerCase();
  if (/^fat:|[_ ]f$/.test(d)) return 'fat';
  if (/^water:|[_ ]w$/.test(d)) return 'water';
  if (/^in ?phase:|[_ ]in$/.test(d)) return 'in_phase';
  if (/^(out|opp) ?phase:|[_ ]opp$/.test(d)) return 'opposed_phase';
  return undefined;
}

const DIXON_WORDS: Record<DixonImage, string> = { fat: 'fat', water: 'water (fat-suppressed)', in_phase: 'in-phase', opposed_phase: 'opposed-phase' };
/** Preference among series of one role: an ordinary or in-phase image (a plain T2), then water, then opposed phase. */
const DIXON_RANK: Record<DixonImage | 'none', number> = { none: 0, in_phase: 0, water: 1, opposed_phase: 2, fat: 3 };

/**
 * A case-insensitive RegExp for any of `alternatives` (RegExp source) as a word of a description: not inside a longer
 * word, but between spaces, '_', '-', digits or punctuation, as sites write protocol names ('t2_tse_sag_hws').
 */
const wordIn = (alternatives: string) => new RegExp(`(^|[^a-z])(${alternatives})([^a-z]|$)`, 'i');

/**
 * Why a series' images suppress fat, or undefined: a Dixon water image, ScanOptions (0018,0022) FS (fat saturation,
 * a PS3.3 C.8.3.1 defined term), or a SeriesDescription naming it as sites do ('FS', 'FSAT', 'fat sat', 'FatSat', 'fat sup',
 * 'SPAIR', 'SPIR', 'CHESS'; not 'FSE', a fast spin echo). STIR is a weighting of its own (role sagittal_stir). The perineural fat
 * Lee grades is dark on such images, and the disc classifier learned T2 without fat suppression.
 */
export function fatSuppression(h: Pick<SeriesHeaders, 'ImageType' | 'SeriesDescription' | 'ScanOptions'>): string | undefined {
  if (dixonImage(h) === 'water') return 'a Dixon water image';
  if (toStrings(h.ScanOptions).includes('FS')) return 'ScanOptions FS, fat saturation';
  const d = h.SeriesDescription ?? '';
  if (wordIn('fs|fsat|fat[ _-]?sat\\w*|fat[ _-]?sup\\w*|spair|spir|chess').test(d)) return `"${d}" names fat suppression`;
  return undefined;
}

/** A SpineVolume's `fatSuppression` and `postContrast` (each only when it applies) from its series' headers. */
export function fatAndContrastOf(h: Pick<SeriesHeaders, 'ImageType' | 'SeriesDescription' | 'ScanOptions' | 'ContrastBolusAgent'>): { fatSuppression?: string; postContrast?: string } {
  const fat = fatSuppression(h), contrast = postContrast(h);
  return { ...(fat ? { fatSuppression: fat } : {}), ...(contrast ? { postContrast: contrast } : {}) };
}

/**
 * Why a series was taken after a contrast agent, or undefined: ContrastBolusAgent (0018,0010) given, or a
 * SeriesDescription saying so as sites do ('+C', 'C+', 'post', 'Gd', 'gad…', 'contrast', German 'KM'). On a T1 after
 * contrast the epidural veins around the root enhance like the fat Lee grades, so the T1 before it is preferred.
 */
export function postContrast(h: Pick<SeriesHeaders, 'SeriesDescription' | 'ContrastBolusAgent'>): string | undefined {
  const agent = String(h.ContrastBolusAgent ?? '').trim();
  if (agent) return `ContrastBolusAgent "${agent}"`;
  const d = h.SeriesDescription ?? '';
  if (/\+ ?c|c ?\+|\+ ?gd/i.test(d) || wordIn('post|gd|gad\\w*|contrast|km').test(d)) return `"${d}" names a contrast agent`;
  return undefined;
}

/**
 * Where the foramina of an analysis that cannot read them itself are measured: on the study's sagittal T1; undefined
 * without one that keeps the fat bright (none, or a fat-suppressed one: build-report.ts does not use it).
 */
const foraminaOnT1 = (t1: SeriesHeaders | undefined) => t1 && !fatSuppression(t1)
  ? `the foramina are measured on the sagittal T1${postContrast(t1) ? ', which is after contrast (enhancing veins look like the fat Lee grades), so each foraminal grade carries a caution' : ''}`
  : undefined;

/** Why a series is diffusion-weighted (DWI, trace, ADC), or undefined: ImageType or SeriesDescription ('DWI', 'diff', 'ADC', 'trace'). */
function diffusion(h: SeriesHeaders): string | undefined {
  const type = toStrings(h.ImageType).map((t) => t.toUpperCase()).find((t) => ['DIFFUSION', 'ADC', 'TRACEW', 'EADC', 'TRACE'].includes(t));
  if (type) return `ImageType ${type}`;
  const d = h.SeriesDescription ?? '';
  return wordIn('dwi|diff\\w*|adc|trace\\w*').test(d) ? `"${d}"` : undefined;
}

/** DIXON_RANK of a series; a fat-suppressed one (T2 FS, SPAIR) ranks as a Dixon water image. */
const fatRank = (h: SeriesHeaders) => DIXON_RANK[dixonImage(h) ?? (fatSuppression(h) ? 'water' : 'none')];

function weightingFromDescription(d: string): Weighting {
  // 'T1 TIRM' and 'T1 FLAIR' are T1-weighted inversion recovery (dark fluid), not a STIR or a brain FLAIR.
  const t1 = /(^|[^a-z0-9])t1/.test(d);
  if (/stir/.test(d) || (/tirm/.test(d) && !t1)) return 'stir';
  if (/flair|tirm/.test(d)) return t1 ? 't1' : 'flair';
  if (/(^|[^a-z0-9])t2|t2(w|_|[^a-z0-9]|$)|space|cube|vista/.test(d)) return 't2';
  if (/(^|[^a-z0-9])t1|t1(w|_|[^a-z0-9]|$)/.test(d)) return 't1';
  if (/(^|[^a-z])pd(w|_|[^a-z]|$)|proton/.test(d)) return 'pd';
  return 'unknown';
}

/** T1-weighted inversion recovery (T1 FLAIR, T1 TIRM) by its timing, ms: see the module docstring. */
const isT1InversionRecovery = (te?: number, ti?: number) => te !== undefined && te <= 30 && ti !== undefined && ti >= 500 && ti <= 1200;

function weightingFromTiming(te?: number, tr?: number, ti?: number): { w: Weighting; why: string } {
  if (ti !== undefined && ti >= 100 && ti <= 250) return { w: 'stir', why: `InversionTime ${ti} ms in 100–250 ms → STIR` };
  if (ti !== undefined && ti >= 1500) return { w: 'flair', why: `InversionTime ${ti} ms ≥ 1500 ms → FLAIR` };
  if (te === undefined) return { w: 'unknown', why: 'no EchoTime' };
  if (isT1InversionRecovery(te, ti)) return { w: 't1', why: `InversionTime ${ti} ms in 500–1200 ms and EchoTime ${te} ms ≤ 30 → T1 inversion recovery (T1 FLAIR / T1 TIRM)` };
  if (tr !== undefined && te >= 60 && tr >= 2000) return { w: 't2', why: `EchoTime ${te} ms ≥ 60 and RepetitionTime ${tr} ms ≥ 2000 → T2` };
  if (te >= 80) return { w: 't2', why: `EchoTime ${te} ms ≥ 80 (long TE, e.g. 3D TSE) → T2` };
  if (tr !== undefined && te <= 30 && tr <= 1000) return { w: 't1', why: `EchoTime ${te} ms ≤ 30 and RepetitionTime ${tr} ms ≤ 1000 → T1` };
  if (tr !== undefined && te <= 30 && tr >= 2000) return { w: 'pd', why: `EchoTime ${te} ms ≤ 30 and RepetitionTime ${tr} ms ≥ 2000 → PD` };
  return { w: 'unknown', why: `EchoTime ${te} ms / RepetitionTime ${tr ?? '?'} ms fit no typical range` };
}

/** Classifies one series from its DICOM attributes. Never throws; missing attributes give 'unknown'. */
export function classifySeries(h: SeriesHeaders): SeriesClassification {
  const reasons: string[] = [];
  const desc = (h.SeriesDescription ?? '').toLowerCase();
  const modality = (h.Modality ?? '').toUpperCase();
  const imageType = toStrings(h.ImageType);
  let plane = planeFromOrientation(h.ImageOrientationPatient);
  // Images in several planes are a localizer. Images at several angles within one plane are too, except axial blocks
  // angled through each disc (a common lumbar axial T2): each axial image is measured on its own plane (axial-canal.ts).
  const anglesDiffer = !!h.planesDiffer || (!!h.orientationsDiffer && plane !== 'axial');
  const isLocalizer =
    imageType.includes('LOCALIZER') || /locali[sz]er|scout|survey|(^|[^a-z])loc([^a-z]|$)|3.?plane|tri.?pilot/.test(desc) || anglesDiffer;

  if (plane === 'unknown') {
    plane = planeFromDescription(desc);
    reasons.push(plane === 'unknown' ? 'plane unknown: no ImageOrientationPatient or plane keyword' : `plane ${plane} from SeriesDescription (no ImageOrientationPatient)`);
  } else {
    reasons.push(`plane ${plane} from ImageOrientationPatient`);
  }

  const te = toNumber(h.EchoTime);
  const tr = toNumber(h.RepetitionTime);
  const ti = toNumber(h.InversionTime);
  const timing = weightingFromTiming(te, tr, ti);
  const fromDesc = weightingFromDescription(desc);
  let weighting: Weighting = timing.w;
  // A description naming STIR ("T2 STIR", "T2/STIR") is believed over T2-like timing (a STIR's headers may lack
  // InversionTime) — but not where ScanningSequence (0018,0020) lists the sequence without IR (inversion recovery,
  // which a STIR is) and the timing gives a weighting: the acquisition itself then says it is no STIR.
  const scanning = toStrings(h.ScanningSequence).filter(Boolean);
  const noInversion = scanning.length > 0 && !scanning.includes('IR') && !scanning.includes('RM') && timing.w !== 'unknown';
  if (fromDesc === 'stir' && timing.w !== 'stir' && noInversion) {
    reasons.push(`"${h.SeriesDescription}" names STIR, but ScanningSequence ${scanning.join('\\')} has no inversion recovery (IR): ${timing.why}`);
  } else if (fromDesc === 'stir' && timing.w !== 'stir' && !isT1InversionRecovery(te, ti)) {
    weighting = 'stir';
    reasons.push(`"${h.SeriesDescription}" names STIR/TIRM (${timing.why})`);
  } else if (timing.w === 'unknown' && fromDesc !== 'unknown') {
    weighting = fromDesc;
    reasons.push(`${fromDesc.toUpperCase()} from SeriesDescription "${h.SeriesDescription}" (${timing.why})`);
  } else {
    reasons.push(timing.why);
    if (fromDesc !== 'unknown' && fromDesc !== timing.w && timing.w !== 'unknown') {
      reasons.push(`SeriesDescription suggests ${fromDesc.toUpperCase()}; timing wins`);
    }
  }

  const dixon = dixonImage(h);
  if (dixon) reasons.push(`Dixon ${DIXON_WORDS[dixon]} image (ImageType ${toStrings(h.ImageType).join('\\') || 'none'}, "${h.SeriesDescription ?? ''}")`);
  const fatSuppressed = fatSuppression(h);
  if (fatSuppressed && dixon !== 'water') reasons.push(`fat-suppressed (${fatSuppressed})`);
  const contrast = postContrast(h);
  if (contrast) reasons.push(`after contrast (${contrast})`);
  const dwi = diffusion(h);
  let role: SeriesRole = 'other';
  if (modality && modality !== 'MR') {
    reasons.push(`Modality ${modality} is not MR`);
  } else if (isLocalizer) {
    reasons.push('localizer/scout');
  } else if (dixon === 'fat') {
    reasons.push('a fat-only image shows neither disc nor CSF signal: not analysed');
  } else if (dwi) {
    reasons.push(`diffusion-weighted (${dwi}): its timing reads as T2, but an EPI image at one or more b-values (or its ADC map) is not what the analysis reads`);
  } else if (plane === 'sagittal' && weighting === 't2') role = 'sagittal_t2';
  else if (plane === 'sagittal' && weighting === 't1') role = 'sagittal_t1';
  else if (plane === 'sagittal' && weighting === 'stir') role = 'sagittal_stir';
  else if (plane === 'axial' && weighting === 't2') role = 'axial_t2';
  return { role, plane, weighting, isLocalizer, reasons };
}

function describe(h: SeriesHeaders): string {
  const n = h.SeriesNumber !== undefined && h.SeriesNumber !== '' ? `#${h.SeriesNumber} ` : '';
  return `${n}"${h.SeriesDescription || 'no description'}" (${h.numberOfSlices} slice${h.numberOfSlices === 1 ? '' : 's'})`;
}

/** Whether a DICOM MRAcquisitionType value says 3D (a volume acquisition, e.g. SPACE/CUBE/VISTA); false when absent. */
export function isThreeDAcquisition(mrAcquisitionType: unknown): boolean {
  return String(mrAcquisitionType ?? '').trim().toUpperCase() === '3D';
}

/**
 * Best of several series of one role: one with a PixelSpacing before one without (which cannot be measured), then a
 * lumbar (or unnamed) series before a cervical or thoracic one (a whole-spine
 * study's other stations, which the lumbar-only analysis refuses: spineRegion), then multi-slice, then an ordinary or
 * Dixon in-phase image before a fat-suppressed one (Dixon water, T2 FS: fatSuppression) before an opposed-phase one
 * (the disc classifier learned T2 without fat suppression, and the foramina are graded on fat), then one before
 * contrast before one after (postContrast), then a 2D acquisition
 * before a 3D one (MRAcquisitionType), then most slices, then lowest SeriesNumber. Why 2D first: the disc classifier
 * agrees with readers better on 2D TSE T2 than on 3D T2 SPACE (models/PFIRRMANN_MODEL_CARD.md), and a 3D series'
 * 100+ thin slices take ten times as long to segment as a 2D series' 15.
 */
function best(list: ClassifiedSeries[], role: SeriesRole): SeriesHeaders | undefined {
  const c = list.filter((s) => s.classification.role === role).map((s) => s.headers);
  const otherRegion = (h: SeriesHeaders) => (['cervical', 'thoracic'].includes(spineRegion(h)) ? 1 : 0);
  c.sort((a, b) => {
    if (!a.pixelSpacingMissing !== !b.pixelSpacingMissing) return a.pixelSpacingMissing ? 1 : -1;
    if (otherRegion(a) !== otherRegion(b)) return otherRegion(a) - otherRegion(b);
    const va = a.numberOfSlices >= MIN_VOLUME_SLICES ? 1 : 0;
    const vb = b.numberOfSlices >= MIN_VOLUME_SLICES ? 1 : 0;
    if (va !== vb) return vb - va;
    const da = fatRank(a), db = fatRank(b);
    if (da !== db) return da - db;
    const ca = postContrast(a) ? 1 : 0, cb = postContrast(b) ? 1 : 0;
    if (ca !== cb) return ca - cb;
    const a3d = isThreeDAcquisition(a.MRAcquisitionType), b3d = isThreeDAcquisition(b.MRAcquisitionType);
    if (a3d !== b3d) return a3d ? 1 : -1;
    if (a.numberOfSlices !== b.numberOfSlices) return b.numberOfSlices - a.numberOfSlices;
    return (toNumber(a.SeriesNumber) ?? 1e9) - (toNumber(b.SeriesNumber) ?? 1e9);
  });
  return c[0];
}

type SpineRegion = 'cervical' | 'thoracic' | 'lumbar';
/** Words naming a spine region in a description, as sites write them (German HWS/BWS/LWS; 'c-spine', 'c_spine'). */
const REGION_WORDS: [SpineRegion, RegExp][] = [
  ['cervical', wordIn('cervical|c[- _]?spine|hws')],
  ['thoracic', wordIn('thoracic|t[- _]?spine|bws')],
  ['lumbar', wordIn('lumbar|lumbosacral|l[- _]?spine|lws')],
];
const regionsNamed = (text: string | undefined) => REGION_WORDS.filter(([, re]) => re.test(text ?? '')).map(([r]) => r);

/**
 * Spine region of a series and what says so: BodyPartExamined (DICOM PS3.16 Annex L defined terms CSPINE, TSPINE,
 * LSPINE, NECK, also spelt out, e.g. 'CERVICAL SPINE'), else the SeriesDescription's words ('cervical', 'c-spine',
 * German 'HWS'; 'thoracic', 't-spine', 'BWS'; 'lumbar', 'l-spine', 'LWS'; the first named), else the
 * StudyDescription's when it names one region only (a study named for two holds stations of both: its series decide).
 * 'unknown' when nothing says.
 */
export function spineRegionOf(h: SeriesHeaders): { region: SpineRegion | 'unknown'; source?: string } {
  const part = (h.BodyPartExamined ?? '').toUpperCase().replace(/[^A-Z]/g, '');
  const byPart: SpineRegion | undefined = /^(CSPINE|NECK)$|CERVIC/.test(part) ? 'cervical' : /^TSPINE$|THORAC/.test(part) ? 'thoracic'
    : /^(LSPINE|SSPINE|SACRUM)$|LUMB/.test(part) ? 'lumbar' : undefined;
  if (byPart) return { region: byPart, source: `BodyPartExamined ${h.BodyPartExamined}` };
  const bySeries = regionsNamed(h.SeriesDescription);
  if (bySeries.length) return { region: bySeries[0], source: `"${h.SeriesDescription}"` };
  const byStudy = regionsNamed(h.StudyDescription);
  if (byStudy.length === 1) return { region: byStudy[0], source: `study "${h.StudyDescription}"` };
  return { region: 'unknown' };
}

/** The spine region alone (spineRegionOf). */
export const spineRegion = (h: SeriesHeaders) => spineRegionOf(h).region;

/** A series the reader chose for the analysis; `statedWeighting` only for a series whose headers give no T2/T1/STIR weighting. */
export interface ReaderSeriesChoice { seriesInstanceUid: string; statedWeighting?: 't2' | 't1' }

/**
 * Whether the reader may choose a series for the analysis (chooseSeries' readerChoice): an MR series whose
 * plane is sagittal and that is not a localizer or a diffusion series, whatever its weighting.
 */
export function readerMayChoose(c: ClassifiedSeries): boolean {
  const modality = (c.headers.Modality ?? '').toUpperCase();
  return (!modality || modality === 'MR') && c.classification.plane === 'sagittal' && !c.classification.isLocalizer && !diffusion(c.headers);
}

/**
 * Whether the reader may state the weighting of a series they may choose: its headers give none the analysis knows
 * (T2, T1, STIR), e.g. no EchoTime and no keyword, or PD.
 */
export function readerMayStateWeighting(c: ClassifiedSeries): boolean {
  return readerMayChoose(c) && !['t2', 't1', 'stir'].includes(c.classification.weighting);
}

/** A role in words ('sagittal T2'); 'other' is a sagittal series of another or unknown weighting. */
export const ROLE_WORDS: Record<SeriesRole, string> = { sagittal_t2: 'sagittal T2', sagittal_t1: 'sagittal T1', sagittal_stir: 'sagittal STIR', axial_t2: 'axial T2', other: 'sagittal series' };

/**
 * Chooses the series of one study for the analysis and the hanging protocol.
 * The analysis runs on the sagittal T2 (Pfirrmann grading needs T2); without one it falls back to
 * the sagittal T1, then sagittal STIR, and says so. Not suitable: empty study, no MR, no sagittal
 * series, a cervical or thoracic series (spineRegion), a series without PixelSpacing (pixelSpacingMissing: said before
 * Analyze is pressed; of several series of one role, one with a PixelSpacing is taken). A single-slice sagittal series is accepted with a
 * warning (2D analysis of that slice).
 * @param readerChoice the series the reader chose in the panel: it is analysed in place of the automatic choice when
 *   readerMayChoose allows it (otherwise ignored). Its role follows its weighting; a weighting other than T2, T1 or
 *   STIR (e.g. unknown: no EchoTime and no keyword) takes the weighting the reader stated (statedWeighting, said in a
 *   warning and, for T2, beside each classifier grade), else analyses as 'other' — segmentation, level names and shape
 *   measurements, no grade that reads T2 signal — and a warning says so. A stated weighting is ignored where the
 *   headers give one.
 */
export function chooseSeries(all: SeriesHeaders[], readerChoice?: ReaderSeriesChoice): SeriesChoice {
  const classified = all.map((headers) => ({ headers, classification: classifySeries(headers) }));
  const warnings: string[] = [];
  const sagittalT2 = best(classified, 'sagittal_t2');
  const sagittalT1 = best(classified, 'sagittal_t1');
  const sagittalStir = best(classified, 'sagittal_stir');
  const axialT2 = best(classified, 'axial_t2');
  const base = { sagittalT2, sagittalT1, sagittalStir, axialT2, classified, warnings };

  if (all.length === 0) return { ...base, suitable: false, message: 'This study has no series loaded yet.' };
  const modalities = [...new Set(all.map((s) => (s.Modality ?? '').toUpperCase()).filter(Boolean))];
  if (modalities.length > 0 && !modalities.includes('MR')) {
    return { ...base, suitable: false, message: `Not an MR study (modalities: ${modalities.join(', ')}). Spine MRI analysis needs a sagittal MR series.` };
  }
  const picked = classified.find((c) => c.headers.SeriesInstanceUID === readerChoice?.seriesInstanceUid && readerMayChoose(c));
  const analysisSeries = picked?.headers ?? sagittalT2 ?? sagittalT1 ?? sagittalStir;
  if (!analysisSeries) {
    const sagittalOther = classified.find((s) => s.classification.plane === 'sagittal' && !s.classification.isLocalizer);
    const msg = sagittalOther
      ? `No sagittal T2, T1 or STIR series: the only sagittal series ${describe(sagittalOther.headers)} has weighting "${sagittalOther.classification.weighting}" (${sagittalOther.classification.reasons.join('; ')}). If you know it can be analysed, choose it under Series below.`
      : 'No sagittal series in this study (spine analysis needs a sagittal T2 or T1 series; axial-only or localizer-only studies cannot be analysed).';
    return { ...base, suitable: false, message: msg };
  }
  const stated = picked && readerMayStateWeighting(picked) ? readerChoice?.statedWeighting : undefined;
  const analysisRole: SeriesRole = picked
    ? (!readerMayStateWeighting(picked) ? picked.classification.role : stated ? `sagittal_${stated}` : 'other')
    : analysisSeries === sagittalT2 ? 'sagittal_t2' : analysisSeries === sagittalT1 ? 'sagittal_t1' : 'sagittal_stir';
  if (stated) {
    warnings.push(`You stated that the series you chose is ${stated.toUpperCase()}-weighted; its headers say "${picked!.classification.weighting}" (${picked!.classification.reasons.join('; ')}). It is analysed as ${stated.toUpperCase()}${stated === 't2' ? ', and each disc classifier grade says the weighting was stated by you' : ''}.`);
  }
  if (analysisRole === 'other') {
    const foramina = foraminaOnT1(sagittalT1) ?? 'the foramina (graded on the fat of T1 or T2 images) are not assessable';
    warnings.push(`The series you chose has weighting "${picked!.classification.weighting}" (${picked!.classification.reasons.join('; ')}): it is segmented and its levels named and measured, but the Pfirrmann grade and the disc findings are graded on T2 only, so they are not assessable; ${foramina}; the central canal is not assessable either (its dural sac is found by bright CSF).`);
  } else if (analysisRole !== 'sagittal_t2') {
    warnings.push(`No sagittal T2${picked ? ' chosen' : ''}: segmentation runs on the ${ROLE_WORDS[analysisRole]}; the disc classifier (Pfirrmann grade, bulging, Modic change, endplate defects) reads T2 only, so those are not assessable${analysisRole === 'sagittal_t1' ? '; so is the central canal (its dural sac is found by its bright CSF, dark on T1)' : ''}.`);
  }
  if (analysisRole === 'sagittal_t2' && isThreeDAcquisition(analysisSeries.MRAcquisitionType)) {
    warnings.push(`The sagittal T2 is a 3D acquisition (MRAcquisitionType 3D, e.g. SPACE): the Pfirrmann grades agree less with readers on 3D T2 than on 2D TSE T2 (each grade's evidence gives the figures), the central canal is not graded from its sagittal slice (the dural sac outline on 3D T2 is not checked against readers), and its many thin slices take longer to analyse. A 2D sagittal T2, where one exists, is the better series.`);
  }
  const dixon = dixonImage(analysisSeries);
  const fatSuppressed = fatSuppression(analysisSeries);
  if (fatSuppressed && analysisRole === 'sagittal_t2') {
    const foramina = foraminaOnT1(sagittalT1) ?? 'the foramina (Lee grades the fat around the root) are not assessable without a sagittal T1 that keeps the fat bright';
    const better = dixon === 'water' ? 'the in-phase image, where the study has one, is the better series' : 'a sagittal T2 without fat suppression, where the study has one, is the better series';
    warnings.push(`The analysed sagittal T2 suppresses fat (${fatSuppressed}): the disc classifier learned T2 images without fat suppression, so each of its grades carries a caution; ${foramina}; ${better}.`);
  } else if (dixon === 'opposed_phase') {
    warnings.push(`The analysed series is the ${DIXON_WORDS[dixon]} image of a Dixon acquisition: the disc classifier learned T2 images without fat suppression, so treat its grades with care; the in-phase image, where the study has one, is the better series.`);
  }
  if (analysisSeries.numberOfSlices < MIN_VOLUME_SLICES) {
    warnings.push(`The analysis series has only ${analysisSeries.numberOfSlices} slice${analysisSeries.numberOfSlices === 1 ? '' : 's'}: 2D analysis of that slice only (no left/right foramina).`);
  }
  // The model and the level naming (counted from the sacrum) know lumbar spines only: a cervical or
  // thoracic series would get lumbar level names and lumbar grades, so it is refused, saying why.
  const { region, source } = spineRegionOf(analysisSeries);
  if (region === 'cervical' || region === 'thoracic') {
    return { ...base, suitable: false, message: `This looks like a ${region} spine series (${source}). Only lumbar spine MRI can be analysed: the segmentation model was trained on lumbar spines and levels are counted from the sacrum, so names and grades would be wrong.` };
  }
  if (analysisSeries.pixelSpacingMissing) {
    const other = classified.some((c) => c.headers !== analysisSeries && readerMayChoose(c) && !c.headers.pixelSpacingMissing);
    // Refused before Analyze is pressed, the series' other warnings (3D, one slice) left out as moot.
    return {
      ...base, warnings: [], ...(picked ? { readerChosen: true } : {}), suitable: false,
      message: `Series ${describe(analysisSeries)} has no PixelSpacing (0028,0030): distances in mm cannot be measured on it, so it is not analysed. Check the series' headers at the scanner or PACS${other ? ', or choose another sagittal series under Series below' : ''}.`,
    };
  }
  const extras = [sagittalT1 && analysisSeries !== sagittalT1 ? `sagittal T1 ${describe(sagittalT1)}` : '', axialT2 ? `axial T2 ${describe(axialT2)}` : '']
    .filter(Boolean)
    .join(' and ');
  const what = picked ? `${ROLE_WORDS[analysisRole]} you chose` : ROLE_WORDS[analysisRole];
  const message = `Analysis will use the ${what} ${describe(analysisSeries)}${extras ? `; also shown: ${extras}` : ''}.`;
  return { ...base, analysisSeries, analysisRole, ...(picked ? { readerChosen: true } : {}), ...(stated ? { statedWeighting: stated } : {}), suitable: true, message };
}
