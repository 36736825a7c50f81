import fs from 'node:fs/promises';
import net from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { ApiClient, signUp, STRONG_PASSWORD, uniqueEmail } from '../../../test/helpers/client';

/** What the SMTP server accepted: the envelope recipients and the raw message. */
interface Received {
  rcptTo: string[];
  raw: Buffer;
}

const received: Received[] = [];
let smtp: SMTPServer;
let server: TestServer;

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address.startsWith('refused.')) return callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({ rcptTo: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const { port } = smtp.server.address() as net.AddressInfo;
  server = await startTestServer({ SMTP_URL: `smtp://127.0.0.1:${port}` });
});
afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => smtp.close(resolve));
});

/** The sign-up confirmation link the SMTP server received for `email`. */
async function receivedLink(email: string): Promise<string | null> {
  await server.ctx.tasks.idle();
  for (const message of received.filter((m) => m.rcptTo.includes(email)).reverse()) {
    const link = /\S+\/signup\/confirm\?token=[\w-]+/.exec((await simpleParser(message.raw)).text ?? '');
    if (link) return link[0];
  }
  return null;
}

const MAIL_FAILED = "L'e-mail n'a pas pu être envoyé : réessayez plus tard.";

async function auditHead(dossierId: string): Promise<string> {
  return (await server.ctx.db.selectFrom('audit_heads').select('last_seq').where('dossier_id', '=', dossierId).executeTakeFirstOrThrow()).last_seq;
}

describe('with an SMTP server configured', () => {
  it('says so, and keeps no local outbox', async () => {
    const anon = new ApiClient(server.app);
    expect((await anon.get('/api/config')).body).toEqual({ smtpConfigured: true, outboxAvailable: false });
    const outbox = await anon.get('/api/outbox');
    expect(outbox.status).toBe(404);
    expect(outbox.body.error.code).toBe('not_found');
    expect((await anon.get('/api/outbox/20260101-abcdef01')).status).toBe(404);
  });

  it('delivers the invitation in French over SMTP, with a link that accepts it', async () => {
    const { client: admin, dossierId } = await signUp(server.app, { name: 'Camille Durand', dossierName: 'Boulangerie Élodie', confirmationLink: receivedLink });
    const email = uniqueEmail('smtp-invitee');
    const res = await admin.post(`/api/d/${dossierId}/members`, { email, profileId: 'adv' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ outcome: 'invited' });

    const delivered = received.filter((m) => m.rcptTo.includes(email));
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.rcptTo).toEqual([email]);
    const mail = await simpleParser(delivered[0]!.raw);
    expect((mail.to as AddressObject).value.map((a) => a.address)).toEqual([email]);
    expect(mail.from?.value).toEqual([{ address: 'no-reply@localhost', name: 'Ardoise' }]);
    expect(mail.subject).toBe('Camille Durand vous invite sur Ardoise (Boulangerie Élodie)');
    expect(mail.text).toContain('Camille Durand vous invite à rejoindre le dossier « Boulangerie Élodie » sur Ardoise avec le profil ADV.');
    const link = /(\S+)\/invitation\/([\w-]+)/.exec(mail.text ?? '');
    expect(link?.[1]).toBe(server.ctx.config.publicUrl);

    const anon = new ApiClient(server.app);
    const accepted = await anon.post(`/api/invitations/${link![2]}/accept`, { name: 'Élodie Invitée', password: STRONG_PASSWORD });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ dossierId });
    expect((await anon.get('/api/me')).body.dossiers).toEqual([{ id: dossierId, legalName: 'Boulangerie Élodie', profileName: 'ADV' }]);
    // Nothing was written to the local outbox.
    await expect(fs.readdir(server.outboxDir)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('answers mail_failed and keeps no invitation nor audit event when the recipient is refused', async () => {
    const { client: admin, dossierId } = await signUp(server.app, { confirmationLink: receivedLink });
    const headBefore = await auditHead(dossierId);
    const email = uniqueEmail('refused');
    const res = await admin.post(`/api/d/${dossierId}/members`, { email, profileId: 'adv' });
    expect(res.status).toBe(502);
    expect(res.body.error).toEqual({ code: 'mail_failed', message: MAIL_FAILED });
    expect(await server.ctx.db.selectFrom('invitations').select('id').where('dossier_id', '=', dossierId).execute()).toEqual([]);
    expect(await server.ctx.db.selectFrom('audit_events').select('action').where('dossier_id', '=', dossierId).where('action', '=', 'invitation.sent').execute()).toEqual([]);
    expect(await auditHead(dossierId)).toBe(headBefore);
    // The seat was not taken and nothing stays locked: another invitation goes through.
    expect((await admin.post(`/api/d/${dossierId}/members`, { email: uniqueEmail('accepted'), profileId: 'adv' })).status).toBe(201);
    expect((await admin.get(`/api/d/${dossierId}/audit/verify`)).body).toMatchObject({ ok: true, checked: Number(headBefore) + 1 });
  });
});

describe('with an SMTP server that stops answering', () => {
  it('answers mail_failed and keeps no invitation; a sign-up or reset still answers as usual, its failure only logged', async () => {
    const first: Buffer[] = [];
    const going = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          first.push(Buffer.concat(chunks));
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => going.listen(0, '127.0.0.1', resolve));
    const { port } = going.server.address() as net.AddressInfo;
    const down = await startTestServer({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    try {
      const { client: admin, dossierId, email } = await signUp(down.app, {
        confirmationLink: async () => {
          await down.ctx.tasks.idle();
          return /\S+\/signup\/confirm\?token=[\w-]+/.exec((await simpleParser(first.at(-1)!)).text ?? '')?.[0] ?? null;
        },
      });
      await new Promise<void>((resolve) => going.close(resolve));

      const res = await admin.post(`/api/d/${dossierId}/members`, { email: uniqueEmail('nowhere'), profileId: 'adv' });
      expect(res.status).toBe(502);
      expect(res.body.error).toEqual({ code: 'mail_failed', message: MAIL_FAILED });
      expect(await down.ctx.db.selectFrom('invitations').select('id').execute()).toEqual([]);

      const anon = new ApiClient(down.app);
      expect((await anon.post('/api/auth/password-reset', { email })).status).toBe(202);
      expect((await anon.post('/api/auth/signup', { name: 'Léon Vidal', email: uniqueEmail('unsent'), password: STRONG_PASSWORD, dossierName: 'Vidal' })).status).toBe(202);
      await down.ctx.tasks.idle();
      expect(down.ctx.tasks.pending).toBe(0);
    } finally {
      await down.close();
    }
  });
});
