import { describe, expect, it } from 'vitest';
import { conflictMessage, remoteChangeNoticed, saveRefused, type DocumentConflict } from './conflict';
import { formatTime } from './format';

const AT = '2026-03-14T09:41:00.000Z';
const heard = remoteChangeNoticed(null, { byName: 'Bruno Petit', at: AT });

describe('a document changed by someone else', () => {
  it('while the user types: one polite message naming who and when, the typing kept until « Recharger »', () => {
    expect(conflictMessage(heard, { editing: true, dirty: true, locale: 'fr' })).toEqual({
      role: 'status',
      title: `Bruno Petit a modifié ce document à ${formatTime(AT, 'fr')}`,
      body: 'Le total et le statut ci-dessous sont à jour. Votre saisie reste dans le formulaire, non enregistrée : « Recharger » la remplacera par la version enregistrée.',
      reload: true,
    });
    expect(conflictMessage(heard, { editing: true, dirty: false, locale: 'en' })).toMatchObject({
      role: 'status',
      title: `Bruno Petit changed this document at ${formatTime(AT, 'en')}`,
      body: 'The total and status below are up to date; “Reload” shows the saved version in the form.',
    });
  });

  it('then a save refused: the same single message becomes an alert saying nothing was saved', () => {
    const refused = saveRefused(heard, { updatedByName: 'Bruno Petit', updatedAt: AT });
    expect(refused).toEqual({ kind: 'changed', byName: 'Bruno Petit', at: AT, refused: true });
    const message = conflictMessage(refused, { editing: true, dirty: true, locale: 'fr' });
    expect(message.role).toBe('alert');
    expect(message.body).toMatch(/^Rien n’a été enregistré, pour ne pas écraser cette modification\. Votre saisie reste dans le formulaire/);
    expect(message.reload).toBe(true);
    // A later notice of a change does not forget that the save was refused.
    expect(remoteChangeNoticed(refused, { byName: 'Chloé Roy', at: AT })).toEqual({ kind: 'changed', byName: 'Chloé Roy', at: AT, refused: true });
  });

  it('a save refused without having heard of the change: the server names who saved last', () => {
    expect(saveRefused(null, { updatedByName: 'Bruno Petit', updatedAt: AT })).toEqual({ kind: 'changed', byName: 'Bruno Petit', at: AT, refused: true });
    const anonymous = saveRefused(null, { updatedAt: AT });
    expect(conflictMessage(anonymous, { editing: true, dirty: true, locale: 'fr' }).title).toBe(`Quelqu’un d’autre a modifié ce document à ${formatTime(AT, 'fr')}`);
  });

  it('in the read-only view: the page follows by itself, nothing to reload', () => {
    expect(conflictMessage(heard, { editing: false, dirty: false, locale: 'fr' })).toMatchObject({ role: 'status', body: 'L’affichage a été mis à jour.', reload: false });
  });

  it('issued meanwhile: said once, and a later notice does not hide it', () => {
    const issued: DocumentConflict = { kind: 'issued' };
    expect(remoteChangeNoticed(issued, { byName: 'Bruno Petit', at: AT })).toBe(issued);
    expect(saveRefused(issued, { updatedAt: AT })).toBe(issued);
    expect(conflictMessage(issued, { editing: true, dirty: true, locale: 'en' })).toEqual({
      role: 'alert',
      title: 'This document has just been issued',
      body: 'It can no longer be changed and nothing was saved. “Reload” shows the issued document.',
      reload: true,
    });
  });
});
