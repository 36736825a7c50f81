import { createHash } from 'node:crypto';

/**
 * Answers of dossier reads that depend only on the dossier's data, the caller's profile and
 * language (routes opt in with `config.cache: 'dossier'`), kept against the dossier's revision.
 *
 * The revision is the dossier's audit sequence: every committed change to a dossier's data writes
 * an audit event in its transaction, so a stored answer is served only while no change has been
 * committed since it was read. The revision itself is read from PostgreSQL on every request, in
 * the same statement that checks the session and the membership (`ardoise_authorize`), so a
 * change made through any app node is seen at once by all of them, and a removed member is
 * refused at once: nothing about *who* may read is ever cached.
 *
 * An answer read after a concurrent change may be stored under the older revision: it is then
 * never served, since the revision only grows and every later request sees the newer one.
 * Answers that change with time alone (an invitation expires) carry an expiry.
 */
export interface CachedAnswer {
  revision: string;
  body: string;
  etag: string;
  /** Epoch ms after which the answer is stale even without a change, or null. */
  expiresAt: number | null;
}

export interface ReadCache {
  get(key: string, revision: string): CachedAnswer | undefined;
  /** Stores a serialised answer and returns it with its ETag. */
  put(key: string, revision: string, body: string, expiresAt: number | null): CachedAnswer;
  readonly size: number;
  clear(): void;
}

/** The key of one answer: which dossier, as which profile, in which languages, for which URL. */
export function readCacheKey(parts: { dossierId: string; profileId: string; locales: string; url: string }): string {
  return `${parts.dossierId}\n${parts.profileId}\n${parts.locales}\n${parts.url}`;
}

/** A least-recently-used cache bounded by the total size of the answers it holds. */
export function createReadCache(maxBytes: number): ReadCache {
  const entries = new Map<string, CachedAnswer>();
  let bytes = 0;
  const cost = (key: string, answer: CachedAnswer) => key.length + answer.body.length;

  const remove = (key: string) => {
    const answer = entries.get(key);
    if (!answer) return;
    entries.delete(key);
    bytes -= cost(key, answer);
  };

  return {
    get(key, revision) {
      const answer = entries.get(key);
      if (!answer) return undefined;
      if (answer.revision !== revision || (answer.expiresAt !== null && Date.now() >= answer.expiresAt)) {
        remove(key);
        return undefined;
      }
      // Most recently used last: Map keeps insertion order.
      entries.delete(key);
      entries.set(key, answer);
      return answer;
    },
    put(key, revision, body, expiresAt) {
      const answer: CachedAnswer = { revision, body, etag: `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`, expiresAt };
      remove(key);
      const size = cost(key, answer);
      if (size > maxBytes) return answer; // too large to keep, or caching disabled (0)
      entries.set(key, answer);
      bytes += size;
      for (const oldest of entries.keys()) {
        if (bytes <= maxBytes) break;
        remove(oldest);
      }
      return answer;
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
      bytes = 0;
    },
  };
}
