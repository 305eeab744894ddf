/** Every measured outline and line of a report on the images it was measured on: the axial dural sac, the foramina, the slips, the stenotic canal APs. */
import type { SpineReport } from '../pipeline/report';
import { showAxialOutlines } from './axialOverlay';
import { showForamenOutlines } from './foramenOverlay';
import { showSlipLines } from './slipOverlay';
import { showCanalLines } from './canalOverlay';

/** Replace the drawn evidence with `report`'s (a fresh analysis, a reader's edit, or a stored SR); a failure is logged, never thrown: the drawings are a help, not the result. */
export function showEvidenceOverlays(report: SpineReport): void {
  for (const show of [showAxialOutlines, showForamenOutlines, showSlipLines, showCanalLines]) {
    try { show(report); } catch (e) { console.error(e); }
  }
}
