/**
 * A small typed SR content tree and its encoding into naturalized dcmjs content items
 * (PS3.3 C.17.3 SR Document Content Module). By-reference relationships (PS3.3 C.17.3.2.5) are
 * written as ReferencedContentItemIdentifier = the target's position path from the root (1-based).
 */
import type { NaturalDataset } from 'dcmjs';
import { code, type CodedConcept } from './codes';
import { ds } from './seg';

export type Relationship = 'CONTAINS' | 'HAS OBS CONTEXT' | 'HAS CONCEPT MOD' | 'HAS PROPERTIES' | 'INFERRED FROM' | 'HAS ACQ CONTEXT' | 'SELECTED FROM';

interface Base {
  rel?: Relationship;
  /** Concept name; omitted only for IMAGE entries of an Image Library (TID 1601). */
  name?: CodedConcept;
  children?: Node[];
  /** Local id, so that by-reference nodes can point here. */
  id?: string;
}
export type Node =
  | (Base & { type: 'CONTAINER' })
  | (Base & { type: 'CODE'; value: CodedConcept })
  | (Base & { type: 'TEXT'; value: string })
  | (Base & { type: 'UIDREF'; value: string })
  | (Base & { type: 'PNAME'; value: string })
  | (Base & { type: 'NUM'; value: number; unit: CodedConcept })
  | (Base & { type: 'IMAGE'; sopClassUid: string; sopInstanceUid: string; segmentNumber?: number; /** of a multi-frame image */ frameNumber?: number })
  /** A closed POLYGON (points without the closing repeat), an open POLYLINE or a single POINT, in patient coordinates (LPS mm) of a frame of reference. */
  | (Base & { type: 'SCOORD3D'; graphicType: 'POLYGON' | 'POLYLINE' | 'POINT'; pointsLps: [number, number, number][]; frameOfReferenceUid: string })
  | { type: 'REF'; rel: Relationship; target: string };

/** Encodes children of a node whose position path is `path`; `paths` maps ids → position paths. */
function encodeChildren(nodes: Node[], path: number[], paths: Map<string, number[]>): NaturalDataset[] {
  return nodes.map((n, i) => encodeNode(n, [...path, i + 1], paths));
}

function encodeNode(n: Node, path: number[], paths: Map<string, number[]>): NaturalDataset {
  if (n.type === 'REF') {
    const target = paths.get(n.target);
    if (!target) throw new Error(`SR tree: by-reference target '${n.target}' not found`);
    return { RelationshipType: n.rel, ReferencedContentItemIdentifier: target };
  }
  const item: NaturalDataset = {};
  if (n.rel) item.RelationshipType = n.rel;
  item.ValueType = n.type;
  if (n.name) item.ConceptNameCodeSequence = [code(n.name)];
  else if (n.type !== 'IMAGE') throw new Error(`SR tree: a ${n.type} item needs a concept name`);
  switch (n.type) {
    case 'CONTAINER':
      item.ContinuityOfContent = 'SEPARATE';
      break;
    case 'CODE':
      item.ConceptCodeSequence = [code(n.value)];
      break;
    case 'TEXT':
      item.TextValue = n.value;
      break;
    case 'UIDREF':
      item.UID = n.value;
      break;
    case 'PNAME':
      item.PersonName = [{ Alphabetic: n.value }];
      break;
    case 'NUM':
      item.MeasuredValueSequence = [{ NumericValue: ds(n.value), MeasurementUnitsCodeSequence: [code(n.unit)] }];
      break;
    case 'SCOORD3D':
      // PS3.3 C.18.9.1.2: a POLYGON's first and last points are the same; a POINT is one point; a POLYLINE as given.
      item.GraphicType = n.graphicType;
      item.GraphicData = (n.graphicType === 'POLYGON' ? [...n.pointsLps, n.pointsLps[0]] : n.graphicType === 'POLYLINE' ? n.pointsLps : n.pointsLps.slice(0, 1)).flat().map((x) => Math.round(x * 100) / 100);
      item.ReferencedFrameOfReferenceUID = n.frameOfReferenceUid;
      break;
    case 'IMAGE': {
      const ref: NaturalDataset = { ReferencedSOPClassUID: n.sopClassUid, ReferencedSOPInstanceUID: n.sopInstanceUid };
      if (n.segmentNumber !== undefined) ref.ReferencedSegmentNumber = n.segmentNumber;
      if (n.frameNumber !== undefined) ref.ReferencedFrameNumber = n.frameNumber;
      item.ReferencedSOPSequence = [ref];
      break;
    }
  }
  if (n.children && n.children.length) item.ContentSequence = encodeChildren(n.children, path, paths);
  return item;
}

function collectPaths(nodes: Node[], path: number[], out: Map<string, number[]>): void {
  nodes.forEach((n, i) => {
    const p = [...path, i + 1];
    if (n.type === 'REF') return;
    if (n.id) out.set(n.id, p);
    if (n.children) collectPaths(n.children, p, out);
  });
}

/** Root container attributes + ContentSequence for a tree whose root is `root` (a CONTAINER). */
export function encodeTree(root: Node & { type: 'CONTAINER'; name: CodedConcept }): NaturalDataset {
  const paths = new Map<string, number[]>();
  collectPaths(root.children ?? [], [1], paths);
  return {
    ValueType: 'CONTAINER',
    ConceptNameCodeSequence: [code(root.name)],
    ContinuityOfContent: 'SEPARATE',
    ContentSequence: encodeChildren(root.children ?? [], [1], paths),
  };
}
