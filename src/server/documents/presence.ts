import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import type { FastifyRequest } from 'fastify';
import type { DossierContext } from '../platform/auth';
import type { AppContext } from '../platform/context';
import type { LiveEvent } from '../platform/live';

const HEARTBEAT_MS = 20_000;

export const documentTopic = (documentId: string) => `document:${documentId}`;

async function viewers(ctx: AppContext, dossierId: string, documentId: string) {
  return ctx.tx({ dossierId }, (t) =>
    t
      .selectFrom('document_viewers')
      .select(['user_id as userId', 'user_name as name'])
      .distinct()
      .where('dossier_id', '=', dossierId)
      .where('document_id', '=', documentId)
      .where('seen_at', '>', sql<Date>`now() - interval '60 seconds'`)
      .orderBy('user_name')
      .execute(),
  );
}

/** Tells every open page of the document that it changed (delivered when `d`'s transaction commits). */
export function publishDocumentChange(ctx: AppContext, d: DossierContext, documentId: string, version: number | null, what: string): Promise<void> {
  return ctx.live.publish(d.t, { dossierId: d.id, topic: documentTopic(documentId), kind: 'changed', data: { version, what, byUserId: d.user.id, byName: d.user.name } });
}

/**
 * A server-sent event stream for a document page: who else has it open (`presence`), and when it
 * changes (`changed`). The viewer is registered in the request's transaction; the stream lives on
 * after it, and its end removes the viewer.
 */
export async function openDocumentStream(ctx: AppContext, d: DossierContext, documentId: string, request: FastifyRequest): Promise<PassThrough> {
  const connectionId = randomUUID();
  const dossierId = d.id;
  const topic = documentTopic(documentId);
  await d.t.insertInto('document_viewers').values({ dossier_id: dossierId, connection_id: connectionId, document_id: documentId, user_id: d.user.id, user_name: d.user.name }).execute();
  await ctx.live.publish(d.t, { dossierId, topic, kind: 'presence' });

  const stream = new PassThrough();
  const send = (event: string, data: unknown) => stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  stream.write('retry: 3000\n\n');
  const onEvent = (event: LiveEvent) => {
    if (event.kind === 'presence') void viewers(ctx, dossierId, documentId).then((list) => send('presence', list), () => undefined);
    else send(event.kind, event.data ?? {});
  };
  const unsubscribe = await ctx.live.subscribe(dossierId, topic, onEvent);
  d.afterCommit(async () => {
    send('presence', await viewers(ctx, dossierId, documentId));
  });
  const heartbeat = setInterval(() => {
    stream.write(': ping\n\n');
    void ctx.tx({ dossierId }, (t) => t.updateTable('document_viewers').set({ seen_at: sql<Date>`now()` }).where('dossier_id', '=', dossierId).where('connection_id', '=', connectionId).execute()).catch(() => undefined);
  }, HEARTBEAT_MS);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
    stream.end();
    void ctx
      .tx({ dossierId }, async (t) => {
        await t.deleteFrom('document_viewers').where('dossier_id', '=', dossierId).where('connection_id', '=', connectionId).execute();
        await ctx.live.publish(t, { dossierId, topic, kind: 'presence' });
      })
      .catch(() => undefined);
  };
  request.raw.on('close', close);
  stream.on('error', close);
  return stream;
}
