/**
 * Coded description of one SEG segment from its SegmentInfo (kind + level), using codes.ts only.
 */
import type { SegmentInfo } from '../pipeline/report';
import { ANATOMY, DISC, VERTEBRA, code, type CodedConcept } from './codes';

export interface SegmentCoding {
  category: CodedConcept;
  type: CodedConcept;
  /** Anatomic region (the vertebra a vertebral body belongs to), where apt. */
  anatomicRegion?: CodedConcept;
}

/**
 * Category/type codes for a segment:
 * vertebral body → type Vertebral body (SCT 3572006), anatomic region = the vertebra (CID 7603), for S1 the
 * sacrum (SCT 54735007, CID 4031); disc → the level's disc (CID 7604); dural sac → Dura mater; spinal cord →
 * Spinal cord; sacrum → Sacrum (CID 4031); posterior elements → a private code (none confirmed in PS3.16).
 */
export function segmentCoding(s: SegmentInfo): SegmentCoding {
  const category = code(ANATOMY.anatomicalStructure);
  switch (s.kind) {
    case 'vertebral_body': {
      // CID 7603 lists no sacral vertebra: S1's body lies in the sacrum (CID 4031).
      const v = s.level === 'S1' ? ANATOMY.sacrum : s.level ? VERTEBRA[s.level] : undefined;
      return { category, type: code(ANATOMY.vertebralBody), anatomicRegion: v ? code(v) : undefined };
    }
    case 'disc': {
      const d = s.level ? DISC[s.level] : undefined;
      return { category, type: d ? code(d) : code(ANATOMY.intervertebralDisc) };
    }
    case 'dural_sac':
      return { category, type: code(ANATOMY.duraMater) };
    case 'spinal_cord':
      return { category, type: code(ANATOMY.spinalCord) };
    case 'sacrum':
      return { category, type: code(ANATOMY.sacrum) };
    case 'posterior_elements':
      return { category, type: code(ANATOMY.posteriorElements) };
    default: {
      const k: never = s.kind;
      throw new Error(`segmentCoding: unknown structure kind '${String(k)}'`);
    }
  }
}
