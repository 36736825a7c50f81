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
    const { client: admin, dossierId } = await signUp(server.app, { name: 'Camille Durand', dossierName: 'Boulangerie Élodie' });
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
    const { client: admin, dossierId } = await signUp(server.app);
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

describe('with an SMTP server that does not answer', () => {
  it('answers mail_failed and keeps no invitation', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const down = await startTestServer({ SMTP_URL: `smtp://127.0.0.1:${port}` });
    try {
      const { client: admin, dossierId } = await signUp(down.app);
      const res = await admin.post(`/api/d/${dossierId}/members`, { email: uniqueEmail('nowhere'), profileId: 'adv' });
      expect(res.status).toBe(502);
      expect(res.body.error).toEqual({ code: 'mail_failed', message: MAIL_FAILED });
      expect(await down.ctx.db.selectFrom('invitations').select('id').execute()).toEqual([]);
    } finally {
      await down.close();
    }
  });
});
