/**
 * Anatomy: class labelmap → instances (vertebral bodies, discs) ordered superior→inferior, level
 * names (level-naming.ts), SegmentInfo[] and a labelmap of segment numbers. Framework-free.
 * Coordinates: DICOM LPS (+z superior).
 *
 * Before naming, labels well in front of the spinal column (pelvic bowel loops) are dropped
 * (column.ts); when the count makes "L5" a body that steps back like S1 above a lowest disc lying in
 * front of it, that disc and the bodies below are presacral tissue: dropped, and the count restarts with
 * that body as S1 (column.ts dropPresacral); after naming, a disc the network missed between two adjacent named bodies is painted
 * in the disc space by rule and marked inferred (infer-discs.ts).
 */
import type { Labelmap, SpineVolume } from './volume';
import type { SegmentInfo } from './report';
import { connectedComponents, defaultMinComponentMm3, type ComponentResult } from './components';
import { bodiesBetweenDiscs, discPlanes } from './split-by-discs';
import { discSpaceBetween, INFERRED_DISC_MIN_FRACTION_OF_COMPONENT_FLOOR, INFERRED_DISC_MIN_SPACING_FRACTION } from './infer-discs';
import { dropPresacral, keepOnColumn, lowerLumbarForwardStep, lumbosacralDiscInFront, OFF_COLUMN_MAX_POSTERIOR_MM, OFF_COLUMN_MIN_ANTERIOR_MM } from './column';
import { trimToOutline } from './outline-trim';
import type { ClassLabelmap } from './segment';
import { median } from './measure';
import { componentOf, distance, dropSpurious, merge, mergeBodyPieces, mergeFragments, recomputed, splitFused, toInstance, verticalAxis, type Instance } from './instances';
import { MIN_BODY_DEPTH_MM, MIN_NAMED_DISCS_FOR_CERTAIN_NAMES, medianBodyDepthMm, nameDiscs, nameVertebrae, S1, VERTEBRA_NAMES, type LevelNaming } from './level-naming';
import { counted, wasWere } from './words';

export { VERTEBRA_NAMES, type LevelNaming };

export interface AnatomyClassIndices {
  /** Class value of vertebral bodies in the class labelmap (manifest class 'vertebral_body'). */
  vertebralBody: number;
  /** Class value of discs (manifest class 'disc'); -1 when the model has none. */
  disc: number;
}

export interface AnatomyOptions {
  /** Components below this volume are dropped (default defaultMinComponentMm3 of the volume). */
  minComponentMm3?: number;
}

export interface AnatomyResult {
  /** Same geometry as the input; values are segment numbers (0 = background). */
  labelmap: Labelmap;
  /** Ordered superior→inferior; segmentNumber = 1..N in that order. */
  segments: SegmentInfo[];
  levelNaming: LevelNaming;
}

/**
 * Discs the network missed between two named, adjacent bodies (consecutive names, the lower one at
 * most S1: sacral segments are fused; centroids at least INFERRED_DISC_MIN_SPACING_FRACTION of the
 * median body spacing apart) with no disc of that level: the disc space between them
 * (infer-discs.ts), when at least INFERRED_DISC_MIN_FRACTION_OF_COMPONENT_FLOOR × `minMm3`. The
 * disc's voxels get a new disc component id after dc's (written into dc.ids) and leave the body id
 * map; voxels moved between the two bodies are rewritten there and the two body instances
 * recomputed in place. Returns the new disc instances, named and marked inferred.
 */
function inferDiscs(bodies: Instance[], discs: Instance[], bodyIds: Int32Array, dc: ComponentResult, classes: Uint8Array, bodyClass: number, volume: SpineVolume, axis: 0 | 1, up: boolean, minMm3: number): Instance[] {
  const out: Instance[] = [];
  const voxelMm3 = volume.spacingMm[0] * volume.spacingMm[1] * volume.spacingMm[2];
  const grid = { dims: volume.dims, spacingMm: volume.spacingMm, vAxis: axis, vUp: up };
  const spacing = median(bodies.slice(1).map((b, i) => distance(b.centroidLps, bodies[i].centroidLps)));
  for (let n = 1; n < bodies.length; n++) {
    const [upper, lower] = [bodies[n - 1], bodies[n]];
    if (!upper.level || !lower.level) continue;
    const u = VERTEBRA_NAMES.indexOf(upper.level);
    const l = VERTEBRA_NAMES.indexOf(lower.level);
    const level = `${upper.level}/${lower.level}`;
    if (l !== u + 1 || l > S1 || discs.some((d) => d.level === level)) continue;
    if (distance(upper.centroidLps, lower.centroidLps) < INFERRED_DISC_MIN_SPACING_FRACTION * spacing) continue;
    const inU = new Set(upper.parts);
    const inL = new Set(lower.parts);
    const space = discSpaceBetween(grid, (p) => inU.has(bodyIds[p]), (p) => inL.has(bodyIds[p]), (p) => classes[p] === bodyClass, volume.voxels);
    if (!space || space.disc.length * voxelMm3 < INFERRED_DISC_MIN_FRACTION_OF_COMPONENT_FLOOR * minMm3) continue;
    const id = dc.components.length + 1 + out.length;
    for (const p of space.disc) { dc.ids[p] = id; bodyIds[p] = 0; }
    for (const p of space.toUpper) bodyIds[p] = upper.parts[0];
    for (const p of space.toLower) bodyIds[p] = lower.parts[0];
    if (space.rule === 'dark band') {
      bodies[n - 1] = recomputed(upper, bodyIds, volume, axis, up);
      bodies[n] = recomputed(lower, bodyIds, volume, axis, up);
    }
    out.push({ ...toInstance('disc', componentOf(space.disc, id, volume), volume, axis, up), level, inferred: true });
  }
  return out;
}

/**
 * Instances and level names from a class labelmap (values = model class indices, geometry of `volume`).
 * Segment numbers 1..N are assigned superior→inferior; discs with the same level are merged into one segment.
 * With the network's calibrated outline (classes.outline), each segment is then trimmed to it and body–disc borders
 * follow its classes (outline-trim.ts).
 * @throws Error when the labelmap does not match the volume's dims, or there are more than 255 segments.
 */
export function labelAnatomy(classes: ClassLabelmap, volume: SpineVolume, idx: AnatomyClassIndices, opts: AnatomyOptions = {}): AnatomyResult {
  const dims = volume.dims;
  if (classes.dims.some((d, i) => d !== dims[i])) throw new Error(`labelmap dims [${classes.dims.join(',')}] != volume dims [${dims.join(',')}]`);
  const minMm3 = opts.minComponentMm3 ?? defaultMinComponentMm3(dims, volume.spacingMm);
  const { axis, up } = verticalAxis(volume);
  const dc = idx.disc >= 0 ? connectedComponents(classes.values, dims, idx.disc, volume.spacingMm, minMm3) : { ids: new Int32Array(0), components: [] };
  const bySuperior = (a: Instance, b: Instance) => b.zMm - a.zMm;
  let discs = dropSpurious(mergeFragments(dc.components.map((c) => toInstance('disc', c, volume, axis, up)).sort(bySuperior), volume));
  // Bodies: cut at the disc mid-planes when discs were found, then 3D components per interval.
  const vb = discs.length
    ? bodiesBetweenDiscs(classes.values, idx.vertebralBody, discPlanes(dc.ids, discs.map((d) => d.parts), volume), volume, minMm3)
    : connectedComponents(classes.values, dims, idx.vertebralBody, volume.spacingMm, minMm3);
  const fused = splitFused(vb, volume, axis);
  const column = keepOnColumn(dropSpurious(mergeFragments(fused.components.map((c) => toInstance('vertebral_body', c, volume, axis, up)).sort(bySuperior), volume)), discs);
  const pieces = mergeBodyPieces(column.bodies, column.discs, volume);
  let bodies = pieces.bodies;
  discs = column.discs;
  let levelNaming = nameVertebrae(bodies, discs);
  // Counted so, the body the presacral rule takes for S1 was named L5: the lowest disc and the bodies below it
  // were taken for L5/S1 and the sacrum. (Named S1 already, they are a sacral remnant and S2: kept.)
  const presacral = dropPresacral(bodies, discs);
  if (presacral.dropped && presacral.bodies[presacral.bodies.length - 1].level === 'L5') {
    bodies = presacral.bodies;
    discs = presacral.discs;
    levelNaming = nameVertebrae(bodies, discs, {
      index: bodies.length - 1,
      note: `Counted upward from the sacrum: the lowest segmented body steps back from the one above it as S1 does; it is named S1. Below it, a disc label in front of it${presacral.dropped > 1 ? ` and ${counted(presacral.dropped - 1, 'vertebral-body label')} were` : ' was'} taken as tissue in front of the sacrum (presacral fat or bowel) and dropped. Check L5/S1 on the image.`,
    });
  }
  if (column.dropped) levelNaming.note += ` ${counted(column.dropped, 'vertebral-body or disc label')} more than ${OFF_COLUMN_MIN_ANTERIOR_MM} mm in front of the spinal column (e.g. bowel loops in the pelvis) or ${OFF_COLUMN_MAX_POSTERIOR_MM} mm behind it (the back's soft tissue) ${wasWere(column.dropped)} dropped.`;
  if (fused.note) levelNaming.note += ' ' + fused.note;
  if (pieces.merged) levelNaming.note += ` ${counted(pieces.merged, 'vertebral-body label')} lying within one body of the label above, with no disc between, ${wasWere(pieces.merged)} taken as pieces of that body.`;
  nameDiscs(discs, bodies);
  // One segment per disc level: merge same-level disc components.
  const mergedDiscs: Instance[] = [];
  for (const d of discs) {
    const same = d.level ? mergedDiscs.findIndex((m) => m.level === d.level) : -1;
    if (same >= 0) mergedDiscs[same] = { ...merge(mergedDiscs[same], d, volume), level: d.level };
    else mergedDiscs.push(d);
  }
  discs = mergedDiscs;
  if (dc.ids.length) {
    const inferred = inferDiscs(bodies, discs, vb.ids, dc, classes.values, idx.vertebralBody, volume, axis, up, minMm3);
    if (inferred.length) {
      discs.push(...inferred);
      levelNaming.note += ` No disc was segmented at ${inferred.map((d) => d.level).join(', ')}: the space between the two vertebral bodies is taken as the disc (inferred, painted by rule).`;
    }
  }
  const all = [...bodies, ...discs].sort(bySuperior);
  if (all.length > 255) throw new Error(`${all.length} segments found; a labelmap holds at most 255`);
  const bodyMap = new Uint8Array(fused.components.reduce((m, c) => Math.max(m, c.id), 0) + 1);
  const discMap = new Uint8Array(dc.components.length + 1 + discs.filter((d) => d.inferred).length);
  const segments: SegmentInfo[] = all.map((inst, n) => {
    const segmentNumber = n + 1;
    for (const p of inst.parts) (inst.kind === 'vertebral_body' ? bodyMap : discMap)[p] = segmentNumber;
    const what = inst.kind === 'vertebral_body' ? 'vertebral body' : 'disc';
    return {
      segmentNumber,
      kind: inst.kind,
      ...(inst.level ? { level: inst.level } : {}),
      label: inst.level ? `${inst.level} ${what}` : what[0].toUpperCase() + what.slice(1),
      voxelCount: inst.voxelCount,
      centroidLps: inst.centroidLps,
      ...(inst.inferred ? { inferred: true as const } : {}),
    };
  });
  const values = new Uint8Array(classes.values.length);
  for (let p = 0; p < values.length; p++) {
    const b = vb.ids[p];
    if (b) values[p] = bodyMap[b];
    else if (dc.ids.length && dc.ids[p]) values[p] = discMap[dc.ids[p]];
  }
  const namedDiscs = segments.filter((x) => x.kind === 'disc' && x.level).length;
  if (bodies.length && namedDiscs < MIN_NAMED_DISCS_FOR_CERTAIN_NAMES) {
    levelNaming.certain = false;
    levelNaming.note += ` Only ${namedDiscs} disc${namedDiscs === 1 ? ' was' : 's were'} segmented, where a lumbar sagittal series shows at least the five lumbar discs: the network has missed part of the spine, so the count may be off.`;
  }
  const depthMm = medianBodyDepthMm(bodies, volume, axis);
  if (depthMm < MIN_BODY_DEPTH_MM) {
    levelNaming.certain = false;
    levelNaming.note += ` The vertebral bodies measure about ${Math.round(depthMm)} mm from front to back, where adult lumbar bodies measure about 30–35 mm: this may be a cervical series, or the series' PixelSpacing may not fit the image; level names and every mm value are then wrong.`;
  }
  const labelmap: Labelmap = { dims: [...dims], values };
  const forwardStep = lowerLumbarForwardStep({ values }, volume, segments);
  // Found and named above on the plain argmax; only their outline is drawn tighter.
  const drawn = classes.outline ? trimToOutline(labelmap, segments, classes.outline, volume, { vertebral_body: idx.vertebralBody, disc: idx.disc }) : segments;
  // On the outlines as drawn: the disc's back edge against the body's posterior wall is the point.
  for (const caution of [forwardStep, lumbosacralDiscInFront(labelmap, volume, drawn)]) {
    if (!caution) continue;
    levelNaming.certain = false;
    levelNaming.note += ' ' + caution;
  }
  return { labelmap, segments: drawn, levelNaming };
}
