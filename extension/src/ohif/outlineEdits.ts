/**
 * The reader's brush and eraser strokes on a segmentation, as cornerstone reports them (SEGMENTATION_DATA_MODIFIED),
 * for keeping the outlines they leave: one call a second after the last stroke of a burst, not one per mouse move.
 * Showing a segmentation fires the same event: callers tell an edit from a load by comparing the outlines.
 */
import { getCornerstone } from './cornerstone';

/** Calls `onEdited(segmentationId)` a second after the last change to a segmentation's pixels. */
export function onOutlinesChanged(onEdited: (segmentationId: string) => void): void {
  const { core, tools } = getCornerstone();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  core.eventTarget.addEventListener(tools.Enums.Events.SEGMENTATION_DATA_MODIFIED, (e: CustomEvent<{ segmentationId?: string }>) => {
    const id = e.detail?.segmentationId;
    if (!id) return;
    clearTimeout(timers.get(id));
    timers.set(id, setTimeout(() => onEdited(id), 1000));
  });
}
