import { describe, expect, it } from 'vitest';
import { en } from './en';
import { fr, type MessageKey } from './fr';
import { translate } from './index';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('UI dictionaries', () => {
  const keys = Object.keys(fr) as MessageKey[];

  it('give every key a non-empty text in both languages', () => {
    for (const key of keys) {
      expect(fr[key].trim(), key).not.toBe('');
      expect(en[key].trim(), key).not.toBe('');
    }
  });

  it('use the same placeholders in French and English', () => {
    for (const key of keys) expect(placeholders(en[key]), key).toEqual(placeholders(fr[key]));
  });

  it('fill placeholders and leave unknown ones visible', () => {
    expect(translate('fr', 'members.invited', { email: 'a@b.fr' })).toBe('Invitation envoyée à a@b.fr.');
    expect(translate('en', 'members.invited')).toBe('Invitation sent to {email}.');
  });
});
