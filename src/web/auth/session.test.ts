import { describe, expect, it } from 'vitest';
import { homePath, safeNext } from './session';

describe('safeNext', () => {
  it('follows paths of this site', () => {
    expect(safeNext('/invitation/abc')).toBe('/invitation/abc');
    expect(safeNext('/d/1/members?x=1')).toBe('/d/1/members?x=1');
  });

  it('refuses other sites and odd values (no open redirect)', () => {
    for (const next of ['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', '', null]) {
      expect(safeNext(next), String(next)).toBeNull();
    }
  });
});

describe('homePath', () => {
  const user = { id: 'u', name: 'U', email: 'u@example.com', locale: 'fr' as const };
  it('opens the only dossier directly, else the picker', () => {
    expect(homePath({ user, dossiers: [{ id: 'd1', legalName: 'A', profileName: 'Administrateur' }] })).toBe('/d/d1');
    expect(homePath({ user, dossiers: [] })).toBe('/dossiers');
    expect(
      homePath({
        user,
        dossiers: [
          { id: 'd1', legalName: 'A', profileName: 'Administrateur' },
          { id: 'd2', legalName: 'B', profileName: 'ADV' },
        ],
      }),
    ).toBe('/dossiers');
  });
});
