import net from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_REMINDER_TEMPLATES, DEFAULT_TEMPLATES, fillTemplate, MAX_BODY_LENGTH, TEMPLATE_KINDS, type TemplateKind } from '../../core/outgoing-mail';
import { formatEuros } from '../../core/money';
import { startTestServer, type TestServer } from '../../../test/helpers/server';
import { signUp, type ApiClient } from '../../../test/helpers/client';
import { createCustomer, createDraft, issue, LINE, SELLER, setUpSeller } from '../../../test/helpers/invoicing';
import { templateFor } from './templates';

/**
 * A dossier's e-mail templates: saved in Paramètres, read by the send dialog (GET), used by
 * whoever calls `templateFor` (payment reminders); refused input changes nothing; every change
 * is in the audit trail with what it changed; another dossier sees none of it.
 */

const received: ParsedMail[] = [];
let smtp: SMTPServer;
let server: TestServer;
let admin: ApiClient;
let dossierId: string;
let base: string;

const CUSTOM = {
  subject: 'Votre facture {numero} ({montant_ttc})',
  body: 'Bonjour {client},\n\nVoici notre facture {numero}. Reste à payer : {reste_du}.\nIBAN {iban} — BIC {bic}\n\n{entreprise}',
};

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      void simpleParser(stream).then((parsed) => {
        received.push(parsed);
        callback();
      }, callback);
    },
  });
  const port = await new Promise<number>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve((smtp.server.address() as net.AddressInfo).port)));
  server = await startTestServer({ SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_QUEUE_POLL_SECONDS: '1' });
  const owner = await signUp(server.app, { dossierName: 'Menuiserie Lambert', confirmationLink });
  admin = owner.client;
  dossierId = owner.dossierId;
  base = `/api/d/${dossierId}/mail-templates`;
  await setUpSeller(admin, dossierId);
}, 60_000);

/** The sign-up link, as it arrived over SMTP. */
async function confirmationLink(email: string): Promise<string | null> {
  await server.ctx.tasks.idle();
  const mail = received.find((m) => JSON.stringify(m.to).includes(email));
  return /\S+\/signup\/confirm\?token=[\w-]+/.exec(mail?.text ?? '')?.[0] ?? null;
}

afterAll(async () => {
  await server?.close();
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
});

async function events() {
  const rows = await server.ctx.db.selectFrom('audit_events').select(['seq', 'action', 'summary', 'changes', 'entity_id']).where('dossier_id', '=', dossierId).orderBy('seq').execute();
  return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
}

const storedRows = () => server.ctx.db.selectFrom('mail_templates').selectAll().where('dossier_id', '=', dossierId).orderBy('kind').execute();
/** What payment reminders (and any other caller) get for a kind. */
const templateOf = (kind: TemplateKind) => server.ctx.tx({ dossierId }, (t) => templateFor(t, dossierId, kind));

describe('reading the templates', () => {
  it('lists every kind with its default text, none customised, for any member', async () => {
    const res = await admin.get(base);
    expect(res.status).toBe(200);
    expect(res.body.templates.map((x: { kind: string }) => x.kind)).toEqual([...TEMPLATE_KINDS]);
    const invoice = res.body.templates.find((x: { kind: string }) => x.kind === 'invoice');
    expect(invoice).toMatchObject({ custom: false, subject: DEFAULT_TEMPLATES.invoice.subject, body: DEFAULT_TEMPLATES.invoice.body, default: DEFAULT_TEMPLATES.invoice, updatedAt: null });
    const reminder = res.body.templates.find((x: { kind: string }) => x.kind === 'reminder_3');
    expect(reminder).toMatchObject({ custom: false, subject: DEFAULT_REMINDER_TEMPLATES[3].subject, default: DEFAULT_REMINDER_TEMPLATES[3] });

    // A read-only member (the send dialog of an ADV or a Commercial reads them too) reads them, and cannot change them.
    const reader = await signUp(server.app, { confirmationLink });
    expect((await admin.post(`/api/d/${dossierId}/members`, { email: reader.email, profileId: 'readonly' })).status).toBe(201);
    expect((await reader.client.get(base)).status).toBe(200);
    const refused = await reader.client.put(`${base}/invoice`, CUSTOM);
    expect(refused.status).toBe(403);
    expect((await reader.client.delete(`${base}/invoice`)).status).toBe(403);
    expect(await storedRows()).toEqual([]);
  });
});

describe('saving a template', () => {
  it('saves, answers and lists the custom text, and templateFor() returns it (the default for the other kinds)', async () => {
    expect(await templateOf('invoice')).toEqual(DEFAULT_TEMPLATES.invoice);
    const before = (await events()).length;
    const res = await admin.put(`${base}/invoice`, { subject: `  ${CUSTOM.subject} `, body: CUSTOM.body.replaceAll('\n', '\r\n') });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.template).toMatchObject({ kind: 'invoice', custom: true, ...CUSTOM, default: DEFAULT_TEMPLATES.invoice });
    expect(typeof res.body.template.updatedAt).toBe('string');

    const listed = (await admin.get(base)).body.templates;
    expect(listed.find((x: { kind: string }) => x.kind === 'invoice')).toMatchObject({ custom: true, ...CUSTOM });
    expect(listed.filter((x: { custom: boolean }) => x.custom).map((x: { kind: string }) => x.kind)).toEqual(['invoice']);

    expect(await templateOf('invoice')).toEqual(CUSTOM);
    expect(await templateOf('quote')).toEqual(DEFAULT_TEMPLATES.quote);
    expect(await templateOf('reminder_1')).toEqual(DEFAULT_REMINDER_TEMPLATES[1]);

    const trail = await events();
    expect(trail.length).toBe(before + 1);
    expect(trail.at(-1)).toMatchObject({
      action: 'mail_template.updated',
      entity_id: 'invoice',
      summary: "Modification du modèle d'e-mail « Facture » (objet, message)",
      changes: { subject: { before: DEFAULT_TEMPLATES.invoice.subject, after: CUSTOM.subject }, body: { before: DEFAULT_TEMPLATES.invoice.body, after: CUSTOM.body } },
    });
  });

  it('records only what changed, and saving the same text again writes nothing', async () => {
    const before = (await events()).length;
    const same = await admin.put(`${base}/invoice`, CUSTOM);
    expect(same.status).toBe(200);
    expect((await events()).length).toBe(before);

    const body = `${CUSTOM.body}\nÀ bientôt !`;
    expect((await admin.put(`${base}/invoice`, { subject: CUSTOM.subject, body })).status).toBe(200);
    const last = (await events()).at(-1)!;
    expect(last.summary).toBe("Modification du modèle d'e-mail « Facture » (message)");
    expect(last.changes).toEqual({ body: { before: CUSTOM.body, after: body } });
    expect((await admin.put(`${base}/invoice`, CUSTOM)).status).toBe(200);
  });

  it('the send route sends what the dialog filled from the custom template, as it was given', async () => {
    const customerId = await createCustomer(admin, dossierId);
    const draft = await createDraft(admin, dossierId, { type: 'invoice', customerId, lines: [LINE] });
    const issued = await issue(admin, dossierId, draft);
    expect(issued.status).toBe(200);
    const doc = issued.body.document;
    // What the dialog does: the template from the GET, filled with the document's values and the dossier's IBAN/BIC.
    const template = (await admin.get(base)).body.templates.find((x: { kind: string }) => x.kind === 'invoice');
    const values = { type: 'invoice' as const, number: doc.number, grossCents: doc.grossCents, dueDate: doc.dueDate, validityDate: null, customer: 'Boulangerie Renard', company: SELLER.legalName, iban: SELLER.iban, bic: SELLER.bic };
    const subject = fillTemplate(template.subject, values);
    const body = fillTemplate(template.body, values);
    expect(subject).toBe(`Votre facture ${doc.number} (${formatEuros(doc.grossCents)})`);
    expect(body).toContain(`Bonjour Boulangerie Renard,`);
    expect(body).toContain(`IBAN ${SELLER.iban} — BIC ${SELLER.bic}`);

    const sent = await admin.post(`/api/d/${dossierId}/invoices/${doc.id}/send`, { to: ['compta@renard.example'], subject, body, idempotencyKey: 'templates-send-1' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    for (let waited = 0; !received.some((m) => m.subject === subject); waited += 100) {
      if (waited > 20_000) throw new Error('the message did not arrive');
      await new Promise((r) => setTimeout(r, 100));
    }
    const mail = received.find((m) => m.subject === subject)!;
    expect(mail.text?.trim()).toBe(body);
    // Its outcome recorded (an audit event) before the next tests compare the trail around a refusal.
    for (let waited = 0; (await admin.get(`/api/d/${dossierId}/invoices/${doc.id}/messages`)).body.messages[0]?.state !== 'sent'; waited += 100) {
      if (waited > 20_000) throw new Error('the message was not marked sent');
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);
});

describe('refused input changes nothing', () => {
  async function refused(kind: string, payload: unknown, field: string, message: RegExp) {
    const rows = await storedRows();
    const trail = await events();
    const res = await admin.put(`${base}/${kind}`, payload);
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toBe('Certaines informations sont invalides.');
    expect(res.body.error.details.fields[field]).toMatch(message);
    expect(await storedRows()).toEqual(rows);
    expect(await events()).toEqual(trail);
  }

  it('an unknown placeholder, named with the valid ones', async () => {
    await refused('quote', { subject: 'Devis {numero}', body: 'Montant : {montant} pour {clients}' }, 'body', /^Variables inconnues : \{montant\}, \{clients\}\. Variables possibles : \{type\}, \{numero\}, \{montant_ttc\}.*\{jours_retard\}\.$/);
    await refused('quote', { subject: 'Devis {ref}', body: 'Bonjour' }, 'subject', /^Variable inconnue : \{ref\}\./);
  });

  it('a body over 20,000 characters, a newline in the subject, an empty subject, an unknown field', async () => {
    await refused('invoice', { subject: 'Facture', body: 'a'.repeat(MAX_BODY_LENGTH + 1) }, 'body', /ne peut dépasser 20\s000 caractères/);
    await refused('invoice', { subject: 'Facture\nBcc: tous@exemple.fr', body: 'Bonjour' }, 'subject', /Caractère de contrôle interdit/);
    await refused('invoice', { subject: 'Facture\r\nBcc: tous@exemple.fr', body: 'Bonjour' }, 'subject', /Caractère de contrôle interdit/);
    await refused('invoice', { subject: '   ', body: 'Bonjour' }, 'subject', /Indiquez l'objet/);
    await refused('invoice', { subject: 'x'.repeat(251), body: 'Bonjour' }, 'subject', /250 caractères/);
    await refused('invoice', { subject: 'Facture', body: 'Bonjour', cc: 'x' }, 'cc', /Champ inconnu/);
  });

  it('NUL and lone surrogates', async () => {
    await refused('invoice', { subject: 'Facture', body: 'Bonjour\u0000' }, 'body', /Caractère de contrôle interdit/);
    await refused('invoice', { subject: 'Facture \ud800', body: 'Bonjour' }, 'subject', /mal encodé/);
  });

  it('an unknown kind', async () => {
    const rows = await storedRows();
    const trail = await events();
    for (const res of [await admin.put(`${base}/relance`, CUSTOM), await admin.delete(`${base}/reminder_4`)]) {
      expect(res.status).toBe(400);
      expect(res.body.error.details.fields.kind).toMatch(/^Modèle inconnu\. Modèles possibles : quote, invoice, .*reminder_3\.$/);
    }
    expect(await storedRows()).toEqual(rows);
    expect(await events()).toEqual(trail);
  });
});

describe('back to the default', () => {
  it('resets a customised kind (audited with what it changed back), and resetting a default kind changes nothing', async () => {
    const before = (await events()).length;
    const res = await admin.delete(`${base}/invoice`);
    expect(res.status).toBe(200);
    expect(res.body.template).toMatchObject({ kind: 'invoice', custom: false, ...DEFAULT_TEMPLATES.invoice, updatedAt: null });
    expect(await storedRows()).toEqual([]);
    expect(await templateOf('invoice')).toEqual(DEFAULT_TEMPLATES.invoice);
    const trail = await events();
    expect(trail.length).toBe(before + 1);
    expect(trail.at(-1)).toMatchObject({
      action: 'mail_template.reset',
      summary: "Retour au modèle d'e-mail par défaut « Facture »",
      changes: { subject: { before: CUSTOM.subject, after: DEFAULT_TEMPLATES.invoice.subject }, body: { before: CUSTOM.body, after: DEFAULT_TEMPLATES.invoice.body } },
    });

    expect((await admin.delete(`${base}/invoice`)).status).toBe(200);
    expect((await admin.delete(`${base}/reminder_2`)).status).toBe(200);
    expect((await events()).length).toBe(before + 1);
  });

  it('saving the default text again is the default: nothing stored, the kind no longer customised', async () => {
    expect((await admin.put(`${base}/credit_note`, { subject: 'Avoir {numero}', body: DEFAULT_TEMPLATES.credit_note.body })).status).toBe(200);
    expect((await storedRows()).map((r) => r.kind)).toEqual(['credit_note']);
    const res = await admin.put(`${base}/credit_note`, DEFAULT_TEMPLATES.credit_note);
    expect(res.body.template.custom).toBe(false);
    expect(await storedRows()).toEqual([]);
    expect((await events()).at(-1)).toMatchObject({ action: 'mail_template.updated', changes: { subject: { before: 'Avoir {numero}', after: DEFAULT_TEMPLATES.credit_note.subject } } });
  });
});

describe('another dossier', () => {
  it('its members neither read nor change these templates (404), and see their own defaults', async () => {
    expect((await admin.put(`${base}/quote`, { subject: 'Devis {numero} — merci', body: 'Bonjour {client}' })).status).toBe(200);
    const outsider = await signUp(server.app, { dossierName: 'Autre Société', confirmationLink });
    const rows = await storedRows();
    const trail = await events();
    for (const res of [await outsider.client.get(base), await outsider.client.put(`${base}/quote`, CUSTOM), await outsider.client.delete(`${base}/quote`)]) {
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('not_found');
      expect(JSON.stringify(res.body)).not.toContain('merci');
    }
    expect(await storedRows()).toEqual(rows);
    expect(await events()).toEqual(trail);
    const own = await outsider.client.get(`/api/d/${outsider.dossierId}/mail-templates`);
    expect(own.body.templates.every((x: { custom: boolean }) => !x.custom)).toBe(true);
    expect(await server.ctx.tx({ dossierId: outsider.dossierId }, (t) => templateFor(t, outsider.dossierId, 'quote'))).toEqual(DEFAULT_TEMPLATES.quote);
  });
});
