/**
 * What became of a message sent by e-mail, as the document page and the « Envois » page show it:
 * its state in words, what explains it (the last error, the server's reply), and what a person
 * may do about it (Renvoyer, Marquer comme envoyé). Every state is one line of each table below.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import type { DocumentFamily } from '../../core/documents';
import type { Locale } from '../../core/errors';
import { REMINDER_LEVEL_LABELS, type MessageState, type ReminderLevel } from '../../core/outgoing-mail';
import { ApiError, api, seg } from '../app/api';
import { useCan, useCurrentDossier } from '../dossiers/context';
import { useI18n, type MessageKey, type Translate } from '../i18n';
import { invoicingKeys } from '../documents/keys';
import { Button } from '../ui/Button';

export interface OutgoingMessage {
  id: string;
  documentId: string;
  state: MessageState;
  /** A payment reminder's level (1 to 3); null for a document sent by a person. */
  reminderLevel: number | null;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  attachmentName: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  smtpResponse: string | null;
  createdAt: string;
  sentAt: string | null;
}

/** Dates and times of messages in Paris time, as the rest of the dossier's dates. */
const PARIS = { timeZone: 'Europe/Paris' } as const;
const intl = (locale: Locale) => (locale === 'fr' ? 'fr-FR' : 'en-GB');

export function parisDateTime(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(intl(locale), { ...PARIS, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

function parisTime(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(intl(locale), { ...PARIS, hour: '2-digit', minute: '2-digit' }).format(new Date(iso));
}

interface LabelContext {
  t: Translate;
  locale: Locale;
}

/** The state in words. */
const STATE_LABELS: Record<MessageState, (m: OutgoingMessage, c: LabelContext) => string> = {
  pending: (_m, { t }) => t('mail.state.pending'),
  sending: (_m, { t }) => t('mail.state.pending'),
  sent: (m, { t, locale }) => t('mail.state.sent', { when: parisDateTime(m.sentAt ?? m.createdAt, locale), to: m.to.join(', ') }),
  retry: (m, { t, locale }) => t('mail.state.retry', { time: parisTime(m.nextAttemptAt ?? m.createdAt, locale) }),
  failed: (_m, { t }) => t('mail.state.failed'),
  uncertain: (_m, { t }) => t('mail.state.uncertain'),
  cancelled: (_m, { t }) => t('mail.state.cancelled'),
};

/** What explains the state, when something does. */
const STATE_DETAILS: Record<MessageState, (m: OutgoingMessage, t: Translate) => ReactNode> = {
  pending: () => null,
  sending: () => null,
  sent: () => null,
  retry: (m, t) => m.lastError && <p className="muted">{t('mail.lastError', { error: m.lastError })}</p>,
  failed: (m, t) => <p className="field__error">{t('mail.serverReply', { reply: m.smtpResponse ?? m.lastError ?? '' })}</p>,
  uncertain: (_m, t) => <p className="muted">{t('mail.uncertainHint')}</p>,
  cancelled: () => null,
};

type Decision = 'resend' | 'mark-sent';
const DECISION_LABELS: Record<Decision, MessageKey> = { resend: 'mail.resend', 'mark-sent': 'mail.markSent' };

/** What a person who may send the document can decide, per state. */
const STATE_ACTIONS: Record<MessageState, readonly Decision[]> = {
  pending: [],
  sending: [],
  sent: [],
  retry: [],
  failed: ['resend'],
  uncertain: ['resend', 'mark-sent'],
  cancelled: [],
};

/** Whether the message is still on its way (its list refreshes until it is not). */
export const inFlight = (m: { state: MessageState }) => m.state === 'pending' || m.state === 'sending' || m.state === 'retry';

function messageStateLabel(m: OutgoingMessage, t: Translate, locale: Locale): string {
  return STATE_LABELS[m.state](m, { t, locale });
}

/**
 * The message's state, then `children` (what the page adds: subject, recipients), the explanation
 * (unless `details` is false: a table shows the server's reply in a column of its own) and the
 * decisions. A decision refreshes the document's messages and history and the dossier's lists.
 */
export function MessageStatus({ message, family, details = true, children }: { message: OutgoingMessage; family: DocumentFamily; details?: boolean; children?: ReactNode }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const queryClient = useQueryClient();
  const canSend = useCan(family === 'quotes' ? 'quotes.send' : 'invoices.send');
  const decide = useMutation({
    mutationFn: (action: Decision) => api.post(`/api/d/${seg(dossier.id)}/${family}/${seg(message.documentId)}/messages/${seg(message.id)}/${action}`),
    onSettled: () => {
      void queryClient.invalidateQueries({ queryKey: invoicingKeys.document(dossier.id, family, message.documentId) });
      void queryClient.invalidateQueries({ queryKey: mailKeys.all(dossier.id) });
    },
  });
  const actions = canSend ? STATE_ACTIONS[message.state] : [];
  return (
    <>
      <p className="message__state" data-testid="message-state">
        {messageStateLabel(message, t, locale)}
        {message.reminderLevel !== null && (
          <span className="badge badge--info message__level">{t('reminders.levelBadge', { level: message.reminderLevel, label: REMINDER_LEVEL_LABELS[message.reminderLevel as ReminderLevel][locale] })}</span>
        )}
      </p>
      {children}
      {details && STATE_DETAILS[message.state](message, t)}
      {decide.isError && <p className="field__error">{decide.error instanceof ApiError ? decide.error.message : t('error.unexpected')}</p>}
      {actions.length > 0 && (
        <div className="doc-actions">
          {actions.map((action) => (
            <Button key={action} small={!details} busy={decide.isPending && decide.variables === action} onClick={() => decide.mutate(action)}>
              {t(DECISION_LABELS[action])}
            </Button>
          ))}
        </div>
      )}
    </>
  );
}

/** React Query keys of the dossier-wide message lists (the « Envois » page, the notices). */
export const mailKeys = {
  all: (dossierId: string) => ['dossier', dossierId, 'messages'] as const,
  list: (dossierId: string, params: string) => ['dossier', dossierId, 'messages', 'list', params] as const,
  notices: (dossierId: string) => ['dossier', dossierId, 'messages', 'notices'] as const,
};
