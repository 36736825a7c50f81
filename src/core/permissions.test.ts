import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PROFILES, normalizePermissions, PERMISSIONS } from './permissions';
import { PLANS, seatLimit, takesSeat } from './plans';
import { errorMessage } from './errors';

describe('built-in profiles', () => {
  it('the administrator has every permission', () => {
    expect([...BUILTIN_PROFILES.admin].sort()).toEqual([...PERMISSIONS].sort());
  });

  it('only the administrator manages members and settings', () => {
    for (const [key, perms] of Object.entries(BUILTIN_PROFILES)) {
      expect(perms.includes('members.manage'), key).toBe(key === 'admin');
      expect(perms.includes('settings.manage'), key).toBe(key === 'admin');
    }
  });

  it('Commercial works on quotes and customers only; Achat on purchases only', () => {
    expect(BUILTIN_PROFILES.commercial.filter((p) => p.endsWith('.write'))).toEqual(['customers.write', 'quotes.write']);
    expect(BUILTIN_PROFILES.achat.filter((p) => p.endsWith('.write'))).toEqual(['purchases.write']);
  });

  it('sending by e-mail: Administrateur and ADV send quotes and invoices, Commercial quotes only, nobody else', () => {
    const senders = (p: 'quotes.send' | 'invoices.send') => Object.entries(BUILTIN_PROFILES).filter(([, perms]) => perms.includes(p)).map(([key]) => key);
    expect(senders('quotes.send')).toEqual(['admin', 'adv', 'commercial']);
    expect(senders('invoices.send')).toEqual(['admin', 'adv']);
  });

  it('Lecture seule and Expert-comptable change nothing commercial', () => {
    for (const key of ['readonly', 'accountant'] as const) {
      expect(BUILTIN_PROFILES[key].filter((p) => p.endsWith('.write') || p.endsWith('.manage') || p.endsWith('.send') || p === 'invoices.issue')).toEqual([]);
    }
    expect(BUILTIN_PROFILES.accountant).toContain('accounting.export');
    expect(BUILTIN_PROFILES.readonly).not.toContain('accounting.export');
  });

  it('a custom profile keeps dossier.read, drops unknown names, and keeps the table order', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...PERMISSIONS), fc.string())), (input) => {
        const perms = normalizePermissions(input);
        expect(perms[0]).toBe('dossier.read');
        expect(perms.every((p) => (PERMISSIONS as readonly string[]).includes(p))).toBe(true);
        expect(perms).toEqual(PERMISSIONS.filter((p) => perms.includes(p)));
        expect(normalizePermissions(perms)).toEqual(perms);
      }),
    );
  });
});

describe('plans', () => {
  it('Solo has 1 login, TPE 2, TPE+ 2 plus extra seats', () => {
    expect(seatLimit('solo', 5)).toBe(1);
    expect(seatLimit('tpe', 5)).toBe(2);
    expect(seatLimit('tpe_plus', 0)).toBe(2);
    expect(seatLimit('tpe_plus', 3)).toBe(5);
  });

  it("the accountant's access is free on TPE+ only", () => {
    expect(takesSeat('tpe_plus', 'accountant')).toBe(false);
    expect(takesSeat('tpe', 'accountant')).toBe(true);
    expect(PLANS.tpe.accountantAllowed).toBe(false);
    expect(takesSeat('tpe_plus', 'adv')).toBe(true);
  });
});

describe('error messages', () => {
  it('fill their placeholders in both languages', () => {
    expect(errorMessage('seat_limit_reached', 'fr', { plan: 'TPE', limit: 2 })).toContain('formule TPE permet 2 utilisateur');
    expect(errorMessage('seat_limit_reached', 'en', { plan: 'TPE', limit: 2 })).toContain('TPE plan allows 2 user');
  });
});
