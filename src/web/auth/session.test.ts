import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { homePath, safeNext } from './session';

const APP = 'https://factures.example.fr';

describe('safeNext', () => {
  it('follows paths of this site', () => {
    expect(safeNext('/invitation/abc')).toBe('/invitation/abc');
    expect(safeNext('/d/1/members?x=1#top')).toBe('/d/1/members?x=1#top');
    expect(safeNext('/%2F%2Fevil.example')).toBe('/%2F%2Fevil.example');
  });

  it('refuses other sites and odd values (no open redirect)', () => {
    const payloads = [
      '//evil.example',
      '/\\evil.example',
      '/\\/evil.example',
      '\\\\evil.example',
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r/evil.example',
      '/\t\t/evil.example',
      '/\u0000/evil.example',
      '/\u001f/evil.example',
      '/\u007f/evil.example',
      ' //evil.example',
      '\t//evil.example',
      '\u00a0//evil.example',
      'https://evil.example',
      'https:evil.example',
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      '%2F%2Fevil.example',
      '\uff0f\uff0fevil.example',
      '',
      null,
    ];
    for (const next of payloads) expect(safeNext(next), JSON.stringify(next)).toBeNull();
  });

  it('whatever it is given, what it follows resolves to this site and to the same path on any other', () => {
    const nasty = fc.constantFrom('/', '\\', '\t', '\n', '\r', ' ', '\u0000', '\u00a0', '\u3000', '\uff0f', '\u2215', '%2F', '%5C', '%09', ':', '@', '.', '..', '?', '#', 'evil.example', 'javascript:', 'https:');
    const candidate = fc.oneof(fc.string({ unit: 'binary', maxLength: 30 }), fc.array(nasty, { maxLength: 8 }).map((parts) => parts.join('')));
    fc.assert(
      fc.property(candidate, (next) => {
        const safe = safeNext(next);
        if (safe === null) return;
        expect(safe.startsWith('/') && !safe.startsWith('//')).toBe(true);
        expect(new URL(safe, APP).origin).toBe(APP);
        expect(new URL(safe, 'http://localhost:5173').origin).toBe('http://localhost:5173');
        expect(new URL(next, APP).origin).toBe(APP);
      }),
      { numRuns: 2000 },
    );
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
