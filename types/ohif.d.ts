/**
 * The small part of the OHIF 3.13 runtime API this project uses. OHIF's packages ship no usable
 * types (the prebuilt @ohif/app dist is loaded at runtime), so these are written from the 3.13.2
 * dist and the OHIF/Viewers sources. Only what we call is declared; everything is structural.
 */

export interface PubSub {
  EVENTS: Record<string, string>;
  subscribe(event: string, cb: (data: any) => void): { unsubscribe: () => void };
}

/** One instance's naturalized DICOM metadata (keywords as keys; numbers may arrive as strings). */
export type InstanceMetadata = Record<string, any> & {
  SOPInstanceUID: string;
  ImageOrientationPatient?: number[];
  ImagePositionPatient?: number[];
};

export interface DisplaySet {
  displaySetInstanceUID: string;
  StudyInstanceUID: string;
  SeriesInstanceUID: string;
  SeriesDescription?: string;
  SeriesNumber?: number | string;
  Modality?: string;
  numImageFrames?: number;
  isReconstructable?: boolean;
  unsupported?: boolean;
  instances?: InstanceMetadata[];
  instance?: InstanceMetadata;
  imageIds?: string[];
  FrameOfReferenceUID?: string;
}

export interface DisplaySetService extends PubSub {
  getActiveDisplaySets(): DisplaySet[];
  getDisplaySetByUID(uid: string): DisplaySet | undefined;
  /** Display sets of naturalised instances through the mode's SOP class handlers (DISPLAY_SETS_ADDED). */
  makeDisplaySets(instances: Record<string, unknown>[], options?: { madeInClient?: boolean }): DisplaySet[] | undefined;
}

export interface HangingProtocolService extends PubSub {
  addCustomAttribute(id: string, name: string, callback: (metadataInstance: any, options: any) => unknown): void;
}

export interface ViewportGridService extends PubSub {
  getState(): { activeViewportId: string; viewports: Map<string, { viewportId: string; displaySetInstanceUIDs: string[] }> };
  getDisplaySetsUIDsForViewport(viewportId: string): string[] | undefined;
  setDisplaySetsForViewport(args: { viewportId: string; displaySetInstanceUIDs: string[] }): void;
}

export interface UINotificationService {
  show(o: { title: string; message: string; type?: 'info' | 'success' | 'warning' | 'error'; duration?: number }): void;
}

/** OHIF 3.13 segmentationService (cornerstone extension); only the calls used here. */
export interface SegmentationService extends PubSub {
  createLabelmapForDisplaySet(
    displaySet: DisplaySet,
    options?: { segmentationId?: string; label?: string; segments?: Record<number, { label: string; color?: number[]; active?: boolean }> },
  ): Promise<string>;
  addSegmentationRepresentation(viewportId: string, o: { segmentationId: string; type?: unknown }): Promise<void> | void;
  getSegmentation(segmentationId: string): any;
  getSegmentations(): any[];
  remove(segmentationId: string): void;
  setSegmentColor?(viewportId: string, segmentationId: string, segmentIndex: number, color: number[]): void;
  jumpToSegmentCenter?(segmentationId: string, segmentIndex: number, viewportId?: string): void;
  setActiveSegment?(segmentationId: string, segmentIndex: number): void;
  setSegmentLabel?(segmentationId: string, segmentIndex: number, label: string): void;
  getLabelmapVolume?(segmentationId: string): any;
  getViewportIdsWithSegmentation?(segmentationId: string): string[];
  removeRepresentationsFromViewport?(viewportId: string, specifier: { segmentationId: string }): void;
}

export interface Services {
  displaySetService: DisplaySetService;
  hangingProtocolService: HangingProtocolService;
  viewportGridService: ViewportGridService;
  uiNotificationService: UINotificationService;
  segmentationService?: SegmentationService;
  cornerstoneViewportService?: any;
  [name: string]: any;
}

export interface ServicesManager {
  services: Services;
}

export interface ExtensionManager {
  getModuleEntry(id: string): { exports?: any } | undefined;
  getActiveDataSource(): any[];
}

export interface CommandsManager {
  runCommand(name: string, options?: Record<string, unknown>, context?: string): unknown;
}

export interface ExtensionParams {
  servicesManager: ServicesManager;
  commandsManager: CommandsManager;
  extensionManager: ExtensionManager;
  configuration?: Record<string, unknown>;
}

export interface PanelModuleEntry {
  name: string;
  iconName: string;
  iconLabel: string;
  label: string;
  /** Rendered by OHIF's own React as createElement(component, props). */
  component: (props: Record<string, unknown>) => unknown;
}

export interface HangingProtocolModuleEntry {
  name: string;
  protocol: Record<string, unknown>;
}

export interface OhifExtension {
  id: string;
  version?: string;
  preRegistration?(p: ExtensionParams): void | Promise<void>;
  onModeEnter?(p: ExtensionParams): void;
  onModeExit?(p: ExtensionParams): void;
  getPanelModule?(p: ExtensionParams): PanelModuleEntry[];
  getHangingProtocolModule?(p: ExtensionParams): HangingProtocolModuleEntry[];
  getSopClassHandlerModule?(p: ExtensionParams): { name: string; sopClassUids: string[]; getDisplaySetsFromSeries(instances: InstanceMetadata[]): DisplaySet[] }[];
  getViewportModule?(p: ExtensionParams): { name: string; component: (props: Record<string, unknown>) => unknown }[];
  getCommandsModule?(p: ExtensionParams): { definitions: Record<string, { commandFn: (o: any) => unknown }>; defaultContext?: string };
}

/** What `modeFactory` receives from OHIF 3.13's appInit. */
export interface ModeFactoryParams {
  modeConfiguration?: Record<string, unknown>;
  /** OHIF's own module loader: resolves built-in names such as '@ohif/mode-basic'. */
  loadModules?: (names: string[]) => Promise<any[]>;
}
