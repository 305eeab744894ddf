/**
 * Display colours of the analysis segments, one per segment: the viewer paints them (ohif/showSegmentation.ts) and the
 * stored SEG recommends them (dicom/seg.ts RecommendedDisplayCIELabValue), so reopened findings look as they did when
 * saved. Hue by structure kind; consecutive instances of one kind (in segmentNumber order) step ±18° in hue and
 * alternate lightness, so neighbouring bodies and discs stay apart.
 */
import type { SegmentInfo, StructureKind } from './pipeline/report';

/** Base hue per structure kind (degrees). */
const HUE: Record<StructureKind, number> = {
  vertebral_body: 30,
  disc: 200,
  dural_sac: 280,
  spinal_cord: 120,
  posterior_elements: 60,
  sacrum: 0,
};

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [Math.round(255 * f(0)), Math.round(255 * f(8)), Math.round(255 * f(4))];
}

/** RGBA (0–255) of a segment, the `indexInKind`-th of its kind. */
function segmentColor(seg: Pick<SegmentInfo, 'kind'>, indexInKind: number): [number, number, number, number] {
  const hue = (HUE[seg.kind] ?? 0) + (indexInKind % 3) * 18 - 18;
  const light = indexInKind % 2 === 0 ? 0.55 : 0.42;
  return [...hslToRgb((hue + 360) % 360, 0.85, light), 255];
}

/** RGBA (0–255) of each segment by segmentNumber, counting each kind's instances in segmentNumber order. */
export function segmentColors(segments: Pick<SegmentInfo, 'kind' | 'segmentNumber'>[]): Map<number, [number, number, number, number]> {
  const byKind = new Map<string, number>();
  const colors = new Map<number, [number, number, number, number]>();
  for (const s of [...segments].sort((a, b) => a.segmentNumber - b.segmentNumber)) {
    const i = byKind.get(s.kind) ?? 0;
    byKind.set(s.kind, i + 1);
    colors.set(s.segmentNumber, segmentColor(s, i));
  }
  return colors;
}
