/**
 * The software's identity, written into every report, SEG and SR (Manufacturer, SoftwareVersions) and the findings
 * text: package.json's name and version, the one source for the viewer, its worker and the command-line tools. A
 * change to what the analysis finds gets a new version, so that SRs of different versions can be told apart and a
 * reader's stored changes are carried only into an analysis that would find the same (panel/storedReaderChanges.ts).
 */
import { name, version } from '../../package.json';

export const SOFTWARE = { name, version };
