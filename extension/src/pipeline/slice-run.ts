/**
 * evenlySpacedRun: which slices of a series form the volume to analyse when their spacing is not uniform — most
 * often one image missing from a stack (it never reached the PACS), which used to refuse the whole series.
 * Used by the viewer (ohif/readVolume.ts) and `npm run analyze` (scripts/analyze-input.ts) alike. Framework-free.
 */
import { counted } from './words';

/** Largest departure of a gap from the series' usual spacing still taken as even (10 %). */
const GAP_TOLERANCE = 0.1;

export interface SliceRun {
  /** First slice of the run (index into the sorted positions) and one past its last. */
  start: number;
  end: number;
  /** Distance between neighbouring slices of the run, mm (undefined for a single slice). */
  spacingMm?: number;
  /** Set when only part of the series is analysed: which slices, and why. */
  note?: string;
}

const mm = (x: number) => `${Number(x.toFixed(2))} mm`;

/**
 * @param positionsMm each image's position along the slice normal (ImagePositionPatient · normal), mm, ascending.
 * @param series how messages name the series ('"SAG T2 TSE"').
 * @returns the longest run of slices whose gaps lie within 10 % of the series' usual spacing (the lower median gap); being
 *   at least half the series, it holds or borders the series' centre, where the mid-sagittal slice lies.
 * @throws Error when two images share a position (two echoes or a repeated acquisition in one series: not one
 *   volume), or when the run holds under half the slices (the spacing is irregular throughout, not one gap).
 */
export function evenlySpacedRun(positionsMm: number[], series: string): SliceRun {
  const n = positionsMm.length;
  if (n < 2) return { start: 0, end: n };
  const gaps = positionsMm.slice(1).map((d, k) => d - positionsMm[k]);
  // The lower median: of gaps 4 and 8 mm, 4 mm is the spacing and 8 mm a missing slice.
  const usual = [...gaps].sort((a, b) => a - b)[Math.floor((n - 2) / 2)];
  const same = gaps.filter((g) => g < 0.01 * Math.max(usual, 0.1)).length;
  if (same > 0 || !(usual > 0)) {
    throw new Error(`Series ${series} has ${counted(same || n - 1, 'image')} at the position of another (two echoes or a repeated acquisition in one series?): it is not one volume. Choose a series with one image per slice position.`);
  }
  const even = (g: number) => Math.abs(g - usual) <= GAP_TOLERANCE * usual;
  let run: SliceRun = { start: 0, end: 0 };
  for (let start = 0; start < n; ) {
    let end = start + 1;
    while (end < n && even(gaps[end - 1])) end++;
    if (end - start > run.end - run.start) run = { start, end };
    start = end;
  }
  const length = run.end - run.start;
  const uneven = gaps.map((g, k) => ({ g, k })).filter((x) => !even(x.g));
  if (uneven.length === 0) return { start: 0, end: n, spacingMm: (positionsMm[n - 1] - positionsMm[0]) / (n - 1) };
  const where = uneven.slice(0, 3).map((x) => `${mm(x.g)} between slices ${x.k + 1} and ${x.k + 2}`).join(', ') + (uneven.length > 3 ? `, and ${uneven.length - 3} more` : '');
  if (length * 2 < n) {
    throw new Error(`Series ${series}: its slices are not evenly spaced (usually ${mm(usual)} apart, but ${where}), so it is not one volume and is not analysed.`);
  }
  const spacingMm = length > 1 ? (positionsMm[run.end - 1] - positionsMm[run.start]) / (length - 1) : usual;
  const note = `Slices ${run.start + 1}–${run.end} of ${n} analysed: the series' slices are ${mm(usual)} apart, but ${where} (an image missing from the series?). Structures beyond the analysed slices are not measured.`;
  return { ...run, spacingMm, note };
}
