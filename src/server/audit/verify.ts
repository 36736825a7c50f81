import type { Db } from '../db/pool';
import { verifyFrozenPdfs, verifyIssuedDocuments } from '../documents/fingerprint';
import { verifyAuditChain, type ChainVerdict } from '../platform/audit';
import { checkpointMoment, readAnchors, type AnchorKey } from '../platform/audit-anchors';

export interface DossierVerdict extends ChainVerdict {
  /** Numbered documents found as their issue event recorded them. */
  documents: number;
  /** The newest checkpoint the chain matched (the verification proves nothing was lost before it), or null if none yet. */
  anchor: { seq: number; at: string } | null;
}

/** Where the checkpoints are, and the key that checks their signatures. */
export interface AnchorSource {
  dir: string;
  key: AnchorKey | null;
}

/**
 * The whole integrity check of a dossier, first failure named: its chain (every link, and the
 * head), its anchors outside the database (the chain still reaches the newest checkpoint, with the
 * hash it had then, so nothing was cut off its end nor rewritten and re-hashed), and its numbered
 * documents (each as its issue event recorded it, its frozen PDF as signed when it was made).
 */
export async function verifyDossier(t: Db, dossierId: string, anchors: AnchorSource): Promise<DossierVerdict> {
  const chain = await verifyAuditChain(t, dossierId);
  const broken = (firstBrokenSeq: number | null, reason: string, documents = 0, anchor: DossierVerdict['anchor'] = null): DossierVerdict => ({
    ok: false,
    checked: chain.checked,
    firstBrokenSeq,
    reason,
    documents,
    anchor,
  });
  if (!chain.ok) return { ...chain, documents: 0, anchor: null };
  const reading = await readAnchors(anchors.dir, dossierId, anchors.key);
  if (reading.problem !== null) return broken(null, reading.problem);
  const newest = reading.newest;
  if (newest) {
    const when = checkpointMoment(newest.at);
    if (chain.checked === 0) return broken(1, `Le journal a été effacé : le point d'ancrage ${when} attestait ${newest.seq} événement(s).`);
    if (newest.seq > chain.checked) return broken(chain.checked + 1, `Des événements postérieurs au n° ${chain.checked} ont disparu : le point d'ancrage ${when} en attestait ${newest.seq}.`);
    const event = await t.selectFrom('audit_events').select('hash').where('dossier_id', '=', dossierId).where('seq', '=', String(newest.seq) as never).executeTakeFirstOrThrow();
    // The chain holds from its start, so a different hash here means it was rewritten and re-hashed up to this point.
    if (event.hash !== newest.hash) return broken(null, `Le journal a été réécrit : l'événement n° ${newest.seq} ne correspond plus au point d'ancrage ${when}.`);
  }
  const anchor = newest ? { seq: newest.seq, at: newest.at } : null;
  const documents = await verifyIssuedDocuments(t, dossierId);
  if (documents.problem) return broken(null, documents.problem, documents.checked, anchor);
  const pdfProblem = await verifyFrozenPdfs(t, dossierId, reading.pdfs, checkpointMoment);
  if (pdfProblem) return broken(null, pdfProblem, documents.checked, anchor);
  return { ...chain, documents: documents.checked, anchor };
}
