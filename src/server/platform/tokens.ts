import { createHash, randomBytes } from 'node:crypto';

/** A random opaque token (256 bits) for cookies and e-mailed links. Only its hash is ever stored. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
