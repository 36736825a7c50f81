import { createHash, createPrivateKey, createPublicKey, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { formatDateFr, parisDate } from '../../core/dates';
import type { Db } from '../db/pool';
import { isUuid } from '../db/tx';
import { canonicalJson } from './audit';

/**
 * Anchors of the audit chains outside PostgreSQL (see docs/ARCHITECTURE.md, "Audit trail").
 *
 * The chain alone proves that events were not edited one by one, but whoever can write to the
 * database as a superuser can cut its end, rewind its head, or rewrite it and recompute every
 * hash. A checkpoint records a dossier's head (sequence number and hash) at a moment, signed with
 * an Ed25519 key that PostgreSQL never sees, in a file of the app's DATA_DIR that the database
 * cannot reach: the verifier then knows how far the chain went, and what it held at that point.
 */

/** The signing key (its private half only where checkpoints are written). */
export interface AnchorKey {
  /** First 16 hex digits of the SHA-256 of the public key: names the key in each checkpoint. */
  id: string;
  publicKey: KeyObject;
  /** The public key as base64 of its 32 raw bytes: what a verifier needs (AUDIT_ANCHOR_PUBLIC_KEY). */
  publicBase64: string;
  privateKey: KeyObject | null;
}

export const ANCHOR_KEY_FILE = 'audit-anchor.key';
export const ANCHOR_DIR = 'audit-anchors';

// DER prefixes that turn 32 raw bytes into an Ed25519 private (PKCS#8) or public (SPKI) key.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

function raw32(base64: string, source: string): Buffer {
  const bytes = Buffer.from(base64.trim(), 'base64');
  if (bytes.length !== 32 || bytes.toString('base64') !== base64.trim()) throw new Error(`${source} must be the base64 of 32 bytes (e.g. the output of \`openssl rand -base64 32\`).`);
  return bytes;
}

function keyOf(publicKey: KeyObject, privateKey: KeyObject | null): AnchorKey {
  const spki = publicKey.export({ format: 'der', type: 'spki' });
  return { id: createHash('sha256').update(spki).digest('hex').slice(0, 16), publicKey, publicBase64: spki.subarray(SPKI_PREFIX.length).toString('base64'), privateKey };
}

export function anchorKeyFromSeed(seed: string, source: string): AnchorKey {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, raw32(seed, source)]), format: 'der', type: 'pkcs8' });
  return keyOf(createPublicKey(privateKey), privateKey);
}

export interface AnchorKeySource {
  dataDir: string;
  /** AUDIT_ANCHOR_KEY: the private key's 32 bytes in base64. */
  auditAnchorKey: string | null;
  /** AUDIT_ANCHOR_PUBLIC_KEY: enough to verify, not to sign. */
  auditAnchorPublicKey: string | null;
}

/**
 * The key from AUDIT_ANCHOR_KEY, else from DATA_DIR/audit-anchor.key. With `create`, a missing
 * key file is generated (mode 0600): the server, which signs, does it at its first start. Without
 * `create`, a verifier given only AUDIT_ANCHOR_PUBLIC_KEY gets a key that checks checkpoints and
 * cannot sign any.
 */
export function loadAnchorKey(source: AnchorKeySource, opts: { create: boolean }): AnchorKey | null {
  if (source.auditAnchorKey) return anchorKeyFromSeed(source.auditAnchorKey, 'AUDIT_ANCHOR_KEY');
  const file = path.join(source.dataDir, ANCHOR_KEY_FILE);
  if (fs.existsSync(file)) return anchorKeyFromSeed(fs.readFileSync(file, 'utf8'), file);
  if (source.auditAnchorPublicKey && !opts.create) {
    return keyOf(createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw32(source.auditAnchorPublicKey, 'AUDIT_ANCHOR_PUBLIC_KEY')]), format: 'der', type: 'spki' }), null);
  }
  if (!opts.create) return null;
  fs.mkdirSync(source.dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another node sharing DATA_DIR wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return anchorKeyFromSeed(fs.readFileSync(file, 'utf8'), file);
}

/** A dossier's chain head at a moment. */
export interface Checkpoint {
  dossierId: string;
  seq: number;
  hash: string;
  at: string;
}

/** The SHA-256 of a document's frozen PDF, as it was stored (the PDF is made after the commit). */
export interface PdfRecord {
  dossierId: string;
  documentId: string;
  sha256: string;
  at: string;
}

/** One line of a dossier's anchor file: a checkpoint, or a frozen PDF's record (`kind: 'pdf'`). */
type SignedLine = { v: 1; key: string; sig: string } & ((Checkpoint & { kind?: undefined }) | (PdfRecord & { kind: 'pdf' }));

// Each kind of line is signed under its own prefix: one can never pass for the other.
const signedBytes = (line: Checkpoint | (PdfRecord & { kind: 'pdf' })) =>
  'kind' in line
    ? Buffer.from(`ardoise-audit-pdf-v1\n${canonicalJson({ dossierId: line.dossierId, documentId: line.documentId, sha256: line.sha256, at: line.at })}`)
    : Buffer.from(`ardoise-audit-checkpoint-v1\n${canonicalJson({ dossierId: line.dossierId, seq: line.seq, hash: line.hash, at: line.at })}`);

function signLine(key: AnchorKey, content: Checkpoint | (PdfRecord & { kind: 'pdf' })): string {
  if (!key.privateKey) throw new Error('This audit anchor key can verify checkpoints but not sign them');
  return JSON.stringify({ v: 1, ...content, key: key.id, sig: sign(null, signedBytes(content), key.privateKey).toString('base64') });
}

export function signCheckpoint(key: AnchorKey, checkpoint: Checkpoint): string {
  return signLine(key, checkpoint);
}

export const anchorFile = (dir: string, dossierId: string) => path.join(dir, `${dossierId}.jsonl`);

/** "le 02/12/2026 à 14:45" (Paris time): when a checkpoint was written, as messages say it. */
export function checkpointMoment(at: string): string {
  const instant = new Date(at);
  const time = new Intl.DateTimeFormat('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' }).format(instant);
  return `du ${formatDateFr(parisDate(instant))} à ${time}`;
}

/** What a dossier's anchor file says: its newest valid checkpoint and its frozen PDFs' hashes (by document), or why it cannot be trusted. */
export type AnchorReading = { newest: Checkpoint | null; pdfs: Map<string, PdfRecord>; problem: null } | { newest: null; pdfs: null; problem: string };

/**
 * Reads and checks every line of a dossier's anchor file: each one must be signed by `key` for
 * this dossier. The newest checkpoint is the one with the highest sequence number (two writers may
 * append out of order). A last line without its newline (a write cut short) is ignored.
 */
export async function readAnchors(dir: string, dossierId: string, key: AnchorKey | null): Promise<AnchorReading> {
  const pdfs = new Map<string, PdfRecord>();
  let text: string;
  try {
    text = await fs.promises.readFile(anchorFile(dir, dossierId), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { newest: null, pdfs, problem: null };
    throw error;
  }
  const lines = text.split('\n');
  lines.pop(); // after the last newline: empty, or a line cut short
  if (lines.length === 0) return { newest: null, pdfs, problem: null };
  const refused = (problem: string): AnchorReading => ({ newest: null, pdfs: null, problem });
  if (!key) return refused(`Ce dossier a des points d'ancrage mais la clé qui les vérifie est introuvable (AUDIT_ANCHOR_KEY, AUDIT_ANCHOR_PUBLIC_KEY ou ${ANCHOR_KEY_FILE} dans DATA_DIR).`);
  let newest: Checkpoint | null = null;
  for (const [i, text] of lines.entries()) {
    const where = `La ligne ${i + 1} du fichier d'ancrage`;
    let line: SignedLine;
    try {
      line = JSON.parse(text) as SignedLine;
    } catch {
      return refused(`${where} est illisible : le fichier a été modifié.`);
    }
    const wellFormed =
      typeof line === 'object' && line !== null && line.v === 1 && typeof line.sig === 'string' && typeof line.at === 'string' &&
      (line.kind === 'pdf' ? typeof line.documentId === 'string' && typeof line.sha256 === 'string' : line.kind === undefined && typeof line.seq === 'number' && typeof line.hash === 'string');
    if (!wellFormed) return refused(`${where} est illisible : le fichier a été modifié.`);
    if (line.key !== key.id) return refused(`${where} est signée par une autre clé (${String(line.key)}) que celle de cette instance (${key.id}).`);
    if (line.dossierId !== dossierId || !verify(null, signedBytes(line), key.publicKey, Buffer.from(line.sig, 'base64'))) {
      return refused(`${where} porte une signature invalide : le point d'ancrage a été modifié.`);
    }
    if (line.kind === 'pdf') pdfs.set(line.documentId, { dossierId, documentId: line.documentId, sha256: line.sha256, at: line.at });
    else if (!newest || line.seq > newest.seq) newest = { dossierId, seq: line.seq, hash: line.hash, at: line.at };
  }
  return { newest, pdfs, problem: null };
}

/** The dossiers that have an anchor file (the verifier looks for the ones missing from the database). */
export async function anchoredDossiers(dir: string): Promise<string[]> {
  try {
    return (await fs.promises.readdir(dir)).filter((f) => f.endsWith('.jsonl') && isUuid(f.slice(0, -6))).map((f) => f.slice(0, -6));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The highest sequence number checkpointed in a dossier's file (not checked: for the writer's bookkeeping). */
async function lastAnchoredSeq(dir: string, dossierId: string): Promise<number> {
  let text: string;
  try {
    text = await fs.promises.readFile(anchorFile(dir, dossierId), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
  let last = 0;
  for (const line of text.split('\n')) {
    try {
      last = Math.max(last, Number((JSON.parse(line) as { seq?: unknown }).seq) || 0); // a PDF's line has no seq
    } catch {
      // A line cut short, or a damaged one: the verifier reports the latter.
    }
  }
  return last;
}

interface WaitingLines {
  lines: string[];
  written: Promise<void>;
  release(error?: unknown): void;
}

/**
 * Lines waiting for their file's write in progress, by file: they are written together, with one
 * flush, once it ends (each caller still returns only once its line is on disk).
 */
const waitingLines = new Map<string, WaitingLines>();
const writing = new Set<string>();

/** Appends one line and flushes it to disk; a previous line cut short is ended first. */
function appendLine(file: string, line: string): Promise<void> {
  let batch = waitingLines.get(file);
  if (!batch) {
    let release!: WaitingLines['release'];
    const written = new Promise<void>((resolve, reject) => (release = (error) => (error === undefined ? resolve() : reject(error))));
    batch = { lines: [], written, release };
    waitingLines.set(file, batch);
  }
  batch.lines.push(line);
  if (!writing.has(file)) writeWaiting(file);
  return batch.written;
}

/** Writes the lines waiting for `file` as one append and one flush, then those that came meanwhile. */
function writeWaiting(file: string): void {
  const batch = waitingLines.get(file);
  if (!batch) return;
  waitingLines.delete(file);
  writing.add(file);
  appendLines(file, batch.lines)
    .then(
      () => batch.release(),
      (error: unknown) => batch.release(error ?? new Error('audit anchor write failed')),
    )
    .finally(() => {
      writing.delete(file);
      writeWaiting(file);
    });
}

async function appendLines(file: string, lines: string[]): Promise<void> {
  const line = lines.join('\n');
  const handle = await fs.promises.open(file, 'a+', 0o600);
  try {
    const { size } = await handle.stat();
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await handle.appendFile(`${prefix}${line}\n`);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

export interface AuditAnchors {
  key: AnchorKey;
  dir: string;
  /**
   * Signs and appends a checkpoint of the dossier's chain head as `t` reads it. `t` must hold no
   * uncommitted change of the dossier's (call it before a transaction writes, or after its
   * commit), so that the checkpoint never names an event a rollback could take back. Every
   * verification and every export of a dossier's data calls it. Returns null for a dossier with
   * no event yet.
   */
  checkpoint(t: Db, dossierId: string): Promise<Checkpoint | null>;
  /**
   * Signs and appends the SHA-256 of a document's frozen PDF, as it is stored: a rewrite of the
   * PDF's bytes in the database (and of the hash beside them) no longer matches it.
   */
  recordPdf(dossierId: string, documentId: string, sha256: string): Promise<void>;
  /** Checkpoints every dossier whose head moved since its last checkpoint (`owner` sees all dossiers). */
  sweep(owner: Db): Promise<number>;
  /** A sweep now, then every hour, until `close`. */
  start(owner: Db): void;
  /** Stops the timer and makes a last sweep, so that a stop leaves every head anchored. */
  close(): Promise<void>;
}

export const SWEEP_EVERY_MS = 60 * 60 * 1000;

export function createAuditAnchors(deps: { key: AnchorKey; dir: string; onError(error: unknown): void }): AuditAnchors {
  const { key, dir } = deps;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  /** The highest sequence number anchored per dossier by this process (read from the file the first time). */
  const anchored = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;
  let owner: Db | null = null;
  let sweeping: Promise<unknown> | null = null;

  const write = async (head: { dossier_id: string; seq: string; hash: string }): Promise<Checkpoint> => {
    const checkpoint: Checkpoint = { dossierId: head.dossier_id, seq: Number(head.seq), hash: head.hash, at: new Date().toISOString() };
    await appendLine(anchorFile(dir, checkpoint.dossierId), signCheckpoint(key, checkpoint));
    anchored.set(checkpoint.dossierId, Math.max(anchored.get(checkpoint.dossierId) ?? 0, checkpoint.seq));
    return checkpoint;
  };

  // The head as its last event holds it: the checkpoint names a hash that an event really has.
  const heads = (t: Db) =>
    t
      .selectFrom('audit_heads as h')
      .innerJoin('audit_events as e', (j) => j.onRef('e.dossier_id', '=', 'h.dossier_id').onRef('e.seq', '=', 'h.last_seq'))
      .select(['h.dossier_id', 'e.seq', 'e.hash']);

  const sweep = async (db: Db) => {
    let written = 0;
    for (const head of await heads(db).execute()) {
      if (!anchored.has(head.dossier_id)) anchored.set(head.dossier_id, await lastAnchoredSeq(dir, head.dossier_id));
      if (Number(head.seq) > anchored.get(head.dossier_id)!) {
        await write(head);
        written++;
      }
    }
    return written;
  };

  const background = () => {
    if (!owner || sweeping) return;
    sweeping = sweep(owner)
      .catch(deps.onError)
      .finally(() => (sweeping = null));
  };

  return {
    key,
    dir,
    async checkpoint(t, dossierId) {
      const head = await heads(t).where('h.dossier_id', '=', dossierId).executeTakeFirst();
      return head ? write(head) : null;
    },
    async recordPdf(dossierId, documentId, sha256) {
      await appendLine(anchorFile(dir, dossierId), signLine(key, { kind: 'pdf', dossierId, documentId, sha256, at: new Date().toISOString() }));
    },
    sweep,
    start(db) {
      owner = db;
      background();
      timer = setInterval(background, SWEEP_EVERY_MS);
      timer.unref();
    },
    async close() {
      if (timer) clearInterval(timer);
      timer = null;
      await sweeping;
      if (owner) await sweep(owner).catch(deps.onError);
      owner = null;
    },
  };
}
