import type { FastifyInstance, FastifyRequest, onRequestHookHandler, onSendHookHandler } from 'fastify';
import { unacceptableText } from '../../core/text';
import { invalid } from './errors';

/**
 * The first string (or object key) of a request's input that no field may hold — a lone
 * surrogate, NUL or another control character — as `{ path: message }`, or null. Iterative: a
 * body nested thousands of levels deep must not overflow the stack.
 */
export function findUnacceptableText(input: unknown, root = ''): Record<string, string> | null {
  const pending: [unknown, string][] = [[input, root]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === 'string') {
      const problem = unacceptableText(value);
      if (problem) return { [path || '_']: problem };
    } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
      for (const [key, child] of Object.entries(value)) {
        const childPath = path ? `${path}.${key}` : key;
        const problem = unacceptableText(key);
        if (problem) return { [childPath]: problem };
        pending.push([child, childPath]);
      }
    }
  }
  return null;
}

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Checks attached to every API route as it is registered, by its declared method and path: they
 * hold however the request spells the URL (`/%61pi/…` reaches the same route as `/api/…`).
 * - A mutation must carry the CSRF token (`@fastify/csrf-protection`, registered in app.ts).
 * - Text that no field may hold is refused before validation, whatever the route's schema says,
 *   so a field declared without the text helpers (core/text.ts) is still safe.
 * - The answer is not stored by any cache (`no-store`) unless the route says otherwise (cached
 *   reads: `private, no-cache` with an ETag; frozen PDFs and logos: immutable).
 */
export function installRequestChecks(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api')) return;
    const methods = [route.method].flat();
    if (methods.some((m) => MUTATIONS.has(m))) {
      const requireCsrfToken: onRequestHookHandler = (request, reply, done) => app.csrfProtection(request, reply, done);
      route.onRequest = [requireCsrfToken, ...(route.onRequest ? [route.onRequest].flat() : [])];
    }
    const refuseUnacceptableText = async (request: FastifyRequest) => {
      const found = findUnacceptableText(request.params) ?? findUnacceptableText(request.query) ?? findUnacceptableText(request.body);
      if (found) throw invalid(found);
    };
    route.preValidation = [refuseUnacceptableText, ...(route.preValidation ? [route.preValidation].flat() : [])];
    const noStore: onSendHookHandler = (_request, reply, payload, done) => {
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      done(null, payload);
    };
    route.onSend = [noStore, ...(route.onSend ? [route.onSend].flat() : [])];
  });
}
