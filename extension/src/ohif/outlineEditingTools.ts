/**
 * The segmentation panel's labelmap tools (brush, eraser, scissors, fill, threshold: OHIF 3.13's segmentation packs,
 * turned on by the mode) stay the primary mouse tool after the reader leaves that panel, with no toolbar button
 * showing it: a drag meant to window the image or pan would then paint into the outlines. Showing the Spine MRI panel
 * therefore puts the basic mode's default tool, window/level, back where such a tool is active.
 */
import { getOhifContext } from './context';

/** Tool names that paint into a labelmap (cornerstone3D: CircularBrush, SphereEraser, RectangleScissor, PaintFill, …). */
export const LABELMAP_EDITING_TOOL = /brush|eraser|scissor|paintfill|labelmap|segment/i;

/** The basic mode's primary mouse tool, and its toolbar button. */
const DEFAULT_TOOL = 'WindowLevel';

/**
 * Makes window/level the primary mouse tool in every tool group whose primary tool edits a labelmap.
 * @returns the names of the tool groups changed (none when no labelmap tool was active)
 */
export function leaveOutlineEditing(): string[] {
  const { servicesManager, commandsManager } = getOhifContext();
  const { toolGroupService, toolbarService, viewportGridService } = servicesManager.services;
  const changed = ((toolGroupService?.getToolGroupIds?.() ?? []) as string[]).filter((id) => {
    const active: string | undefined = toolGroupService.getToolGroup(id)?.getActivePrimaryMouseButtonTool?.();
    return !!active && LABELMAP_EDITING_TOOL.test(active);
  });
  if (!changed.length) return [];
  commandsManager.runCommand('setToolActiveToolbar', { toolName: DEFAULT_TOOL, itemId: DEFAULT_TOOL, toolGroupIds: changed });
  // The toolbar highlights the tool now active (its buttons are evaluated for a viewport's tool group).
  toolbarService?.refreshToolbarState?.({ viewportId: viewportGridService.getState().activeViewportId });
  return changed;
}
