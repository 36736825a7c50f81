/**
 * Journey: two people of one business on the same draft invoice. Anne is typing a new quantity
 * when Bruno saves his: Anne's page says so once (who, when, one « Recharger »), its header shows
 * Bruno's total at once, and Anne's typing stays in her form. Her save is refused without
 * overwriting Bruno's change, still with a single message; « Recharger » then shows his version.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withArtifacts, type Tab } from './driver';
import { acceptInvitation, engines, expectCleanConsole, expectShown, fieldValue, invite, journey, JOURNEY_TIMEOUT_MS, openTab, startE2E, testId, uniqueEmail, waitUntil, type E2E } from './support';

const COMPANY = 'Lambert Menuiserie';
const ANNE = 'Anne Lambert';
const BRUNO = 'Bruno Petit';
// 2 × 100,00 € at 20 % = 240,00 € TTC; Anne types 3 (360,00 €); Bruno saves 5 (600,00 €).
const LINE = { kind: 'item', designation: 'Pose de parquet', quantity: '2', unit: 'm²', unitPrice: '100', vatRate: '20', nature: 'service' };

/** What the page shows of messages and reload buttons: every visible alert box, and every « Recharger » button. */
async function messages(tab: Tab): Promise<{ alerts: string[]; reloadButtons: number }> {
  return tab.evaluate(() => {
    const shown = (el: Element) => el.getClientRects().length > 0;
    const norm = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();
    return {
      alerts: Array.from(document.querySelectorAll('main .alert')).filter(shown).map((el) => norm(el.textContent)),
      reloadButtons: Array.from(document.querySelectorAll('main button')).filter((b) => shown(b) && norm(b.textContent) === 'Recharger').length,
    };
  });
}

/** The draft as the server has it now. */
async function serverCopy(tab: Tab, path: string): Promise<{ quantity: string; grossCents: number; version: number }> {
  return tab.evaluate(async (url: string) => {
    const answer = (await (await fetch(url, { headers: { accept: 'application/json' } })).json()) as {
      document: { grossCents: number; version: number; lines: { quantity: string }[] };
    };
    return { quantity: answer.document.lines[0]?.quantity ?? '', grossCents: answer.document.grossCents, version: answer.document.version };
  }, path);
}

describe.each(engines())('two people on one draft (%s)', (engine) => {
  let e2e: E2E;
  const tabs: Tab[] = [];
  beforeAll(async () => {
    e2e = await startE2E(engine);
  });
  afterAll(async () => {
    await e2e?.close();
  });

  it('one message and one « Recharger » when someone else saves: current header, typing kept, no overwrite', async () => {
    await withArtifacts(`conflict journey ${engine}`, () => tabs, async () => {
      const { tab: anne, dossierId } = await journey(e2e, tabs, { name: ANNE, company: COMPANY });
      const { tab: bruno } = await openTab(e2e, tabs);
      const brunoEmail = uniqueEmail('bruno');
      await invite(anne, dossierId, brunoEmail, 'ADV');
      await acceptInvitation(bruno, { email: brunoEmail, name: BRUNO, company: COMPANY });

      const created = await anne.evaluate(
        async ({ id, line }: { id: string; line: typeof LINE }) => {
          const csrf = (await (await fetch('/api/csrf')).json()) as { token: string };
          const response = await fetch(`/api/d/${id}/invoices`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-csrf-token': csrf.token },
            body: JSON.stringify({ type: 'invoice', lines: [line] }),
          });
          return { status: response.status, id: ((await response.json()) as { document: { id: string } }).document.id };
        },
        { id: dossierId, line: LINE },
      );
      expect(created.status).toBe(201);
      const page = `/d/${dossierId}/invoices/${created.id}`;
      const api = `/api/d/${dossierId}/invoices/${created.id}`;

      // Anne opens the draft and types a new quantity, not saved yet.
      await anne.goto(page);
      await anne.waitForText('Lignes du document');
      await expectShown(anne, testId('document-gross'), '240,00 €');
      await anne.fill('Quantité — ligne 1', '3');
      await expectShown(anne, testId('total-ttc'), '360,00 €');

      // Bruno opens it too (each sees the other), changes the quantity and saves.
      await bruno.goto(page);
      await bruno.waitForText('Lignes du document');
      await anne.waitForText(`Également ouvert par : ${BRUNO}`);
      await bruno.waitForText(`Également ouvert par : ${ANNE}`);
      await bruno.fill('Quantité — ligne 1', '5');
      await bruno.click('Enregistrer');
      await bruno.waitForText('Enregistré.');
      expect(await serverCopy(bruno, api)).toMatchObject({ quantity: '5', grossCents: 60_000 });

      // Anne: one message naming Bruno, one « Recharger », the header's total is Bruno's, her typing is still there.
      await expectShown(anne, testId('document-gross'), '600,00 €');
      await anne.waitForText(new RegExp(`^${BRUNO} a modifié ce document à \\d{2}:\\d{2}$`), { selector: '[data-testid="conflict-banner"] .alert__title' });
      const heard = await messages(anne);
      expect(heard.alerts).toHaveLength(1);
      expect(heard.alerts[0]).toContain('Votre saisie reste dans le formulaire, non enregistrée');
      expect(heard.reloadButtons).toBe(1);
      expect(await anne.evaluate(() => document.querySelector('[data-testid="conflict-banner"]')?.getAttribute('role'))).toBe('status');
      expect(await fieldValue(anne, 'Quantité — ligne 1')).toBe('3');
      await expectShown(anne, testId('total-ttc'), '360,00 €');
      await expectShown(anne, testId('document-status'), 'Brouillon');

      // Anne saves anyway: refused, still one message (now an alert, focused), nothing overwritten.
      await anne.click('Enregistrer');
      await anne.waitForText(/^Rien n’a été enregistré, pour ne pas écraser cette modification\./, { selector: '[data-testid="conflict-banner"] .alert__body p' });
      await waitUntil('the focus is on the message', () => anne.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'conflict-banner'));
      const refused = await messages(anne);
      expect(refused.alerts).toHaveLength(1);
      expect(refused.alerts[0]).toMatch(new RegExp(`^${BRUNO} a modifié ce document à \\d{2}:\\d{2}`));
      expect(refused.reloadButtons).toBe(1);
      expect(await anne.evaluate(() => document.querySelector('[data-testid="conflict-banner"]')?.getAttribute('role'))).toBe('alert');
      expect(await fieldValue(anne, 'Quantité — ligne 1')).toBe('3');
      expect(await serverCopy(anne, api)).toMatchObject({ quantity: '5', grossCents: 60_000 });
      await expectShown(anne, testId('document-gross'), '600,00 €');

      // « Recharger »: Bruno's version in Anne's form, the message gone; her next save goes through.
      await anne.click('Recharger');
      await waitUntil("Anne's form shows Bruno's quantity", async () => (await fieldValue(anne, 'Quantité — ligne 1')) === '5');
      await expectShown(anne, testId('total-ttc'), '600,00 €');
      expect(await messages(anne)).toEqual({ alerts: [], reloadButtons: 0 });
      await anne.fill('Quantité — ligne 1', '4');
      await anne.click('Enregistrer');
      await anne.waitForText('Enregistré.');
      expect(await serverCopy(anne, api)).toMatchObject({ quantity: '4', grossCents: 48_000 });

      // And Bruno, who typed nothing since, hears of it the same way.
      await expectShown(bruno, testId('document-gross'), '480,00 €');
      await bruno.waitForText(new RegExp(`^${ANNE} a modifié ce document à \\d{2}:\\d{2}$`), { selector: '[data-testid="conflict-banner"] .alert__title' });
      expect(await messages(bruno)).toEqual({ alerts: [expect.stringContaining('« Recharger » affiche la version enregistrée dans le formulaire.')], reloadButtons: 1 });
      expectCleanConsole(anne);
      expectCleanConsole(bruno);
    });
  }, JOURNEY_TIMEOUT_MS);
});
