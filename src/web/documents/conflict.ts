/**
 * Someone else changed the document a user has open: what the page knows of it, and the one
 * message it shows. The user's typing is never replaced behind their back: the header follows the
 * server at once, the form only when they click « Recharger ».
 */
import type { Locale } from '../../core/errors';
import { translate } from '../i18n';
import { formatTime } from './format';

export type DocumentConflict =
  /** Saved by someone else (`byName`, null when unknown) at `at`; `refused`: the user's own save was refused because of it. */
  | { kind: 'changed'; byName: string | null; at: string; refused: boolean }
  /** The user's save was refused: the document is no longer a draft. */
  | { kind: 'issued' };

/** The page heard (server-sent event) that someone else saved the document. */
export function remoteChangeNoticed(previous: DocumentConflict | null, change: { byName: string; at: string }): DocumentConflict {
  if (previous?.kind === 'issued') return previous;
  return { kind: 'changed', byName: change.byName, at: change.at, refused: previous?.refused ?? false };
}

/** The server refused the user's save (409 stale_version): its details say who saved last, and when. */
export function saveRefused(previous: DocumentConflict | null, details: { updatedByName?: string | null; updatedAt?: string }): DocumentConflict {
  if (previous?.kind === 'issued') return previous;
  return {
    kind: 'changed',
    byName: details.updatedByName ?? (previous?.kind === 'changed' ? previous.byName : null),
    at: details.updatedAt ?? (previous?.kind === 'changed' ? previous.at : new Date().toISOString()),
    refused: true,
  };
}

export interface ConflictMessage {
  /** `alert` when it answers the user's own save (and takes the focus), `status` when it arrives while they work. */
  role: 'alert' | 'status';
  title: string;
  body: string;
  /** Whether « Recharger » is offered (an open editor: the read-only view follows by itself). */
  reload: boolean;
}

/**
 * The one message of a conflict. `editing`: the draft editor is open; `dirty`: it holds typing
 * not saved yet.
 */
export function conflictMessage(conflict: DocumentConflict, situation: { editing: boolean; dirty: boolean; locale: Locale }): ConflictMessage {
  const { editing, dirty, locale } = situation;
  if (conflict.kind === 'issued') return { role: 'alert', title: translate(locale, 'conflict.issuedTitle'), body: translate(locale, 'conflict.issued'), reload: true };
  const time = formatTime(conflict.at, locale);
  const title = conflict.byName ? translate(locale, 'conflict.changedBy', { name: conflict.byName, time }) : translate(locale, 'conflict.changedBySomeone', { time });
  if (!editing) return { role: 'status', title, body: translate(locale, 'conflict.refreshed'), reload: false };
  if (conflict.refused) return { role: 'alert', title, body: translate(locale, 'conflict.refused'), reload: true };
  return { role: 'status', title, body: translate(locale, dirty ? 'conflict.keepTyping' : 'conflict.reloadToEdit'), reload: true };
}
