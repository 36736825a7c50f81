/**
 * Informations: who created, last changed and issued the document, who downloaded or printed its
 * PDF, each e-mail sent and what became of it, each payment and credit, and the documents it comes
 * from or led to (`GET …/information`, read from the audit trail and the documents).
 */
import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { DocumentFamily, DocumentType } from '../../core/documents';
import { api, seg } from '../app/api';
import { useCurrentDossier } from '../dossiers/context';
import { useI18n, type MessageKey } from '../i18n';
import { inFlight, parisDateTime, type OutgoingMessage } from '../mail/MessageStatus';
import { LoadError, Loading } from '../ui/QueryState';
import { formatEuros } from './format';
import { invoicingKeys } from './keys';
import { documentName, documentPath } from './labels';

/** Who did something, and when. */
interface Act {
  at: string;
  actorName: string;
  actorProfile: string | null;
}

interface LinkedDoc {
  id: string;
  type: DocumentType;
  number: string | null;
}

interface DocumentInformation {
  created: Act | null;
  lastChanged: Act | null;
  issued: (Act & { action: 'document.issued' | 'document.finalised' }) | null;
  downloads: (Act & { download: boolean })[];
  emails: (OutgoingMessage & { requested: Act | null; steps: (Act & { action: string })[] })[];
  payments: (Act & { action: 'payment.recorded' | 'payment.cancelled'; amountCents: number })[];
  credits: (Act & { amountCents: number })[];
  links: {
    duplicatedFrom: LinkedDoc | null;
    convertedFrom: LinkedDoc | null;
    corrects: LinkedDoc | null;
    duplicatedTo: LinkedDoc[];
    convertedTo: LinkedDoc[];
    creditNotes: LinkedDoc[];
  };
}

/** A message's steps after it was asked for, in words. */
const STEP_LABELS: Record<string, MessageKey> = {
  'document.email_resend_requested': 'information.step.document.email_resend_requested',
  'document.email_sent': 'information.step.document.email_sent',
  'document.email_retry': 'information.step.document.email_retry',
  'document.email_failed': 'information.step.document.email_failed',
  'document.email_uncertain': 'information.step.document.email_uncertain',
  'document.email_marked_sent': 'information.step.document.email_marked_sent',
  'document.reminder_cancelled': 'information.step.document.reminder_cancelled',
};

/** The kinds of links, in the order they are listed. */
const LINKS: [keyof DocumentInformation['links'], MessageKey][] = [
  ['duplicatedFrom', 'information.link.duplicatedFrom'],
  ['convertedFrom', 'information.link.convertedFrom'],
  ['corrects', 'information.link.corrects'],
  ['duplicatedTo', 'information.link.duplicatedTo'],
  ['convertedTo', 'information.link.convertedTo'],
  ['creditNotes', 'information.link.creditNotes'],
];

/** Who did it (with their profile), and when, in Paris time. */
function ActorAndTime({ act }: { act: Act }) {
  const { locale } = useI18n();
  return (
    <>
      <time dateTime={act.at}>{parisDateTime(act.at, locale)}</time> — {act.actorName}
      {act.actorProfile && ` (${act.actorProfile})`}
    </>
  );
}

/** One item of a list: what happened, then who and when. */
function Entry({ act, children }: { act: Act; children: ReactNode }) {
  return (
    <li className="message">
      <p className="message__state">{children}</p>
      <p className="muted">
        <ActorAndTime act={act} />
      </p>
    </li>
  );
}

/** What became of a message, as the outbox has it now. */
function MessageOutcome({ message }: { message: DocumentInformation['emails'][number] }) {
  const { t, locale } = useI18n();
  const label =
    message.state === 'sent'
      ? t('information.email.sent', { when: parisDateTime(message.sentAt ?? message.createdAt, locale) })
      : message.state === 'retry'
        ? t('information.email.retry', { when: parisDateTime(message.nextAttemptAt ?? message.createdAt, locale) })
        : t(message.state === 'sending' ? 'mail.state.pending' : `mail.state.${message.state}`);
  return <p className="message__state">{label}</p>;
}

export function InformationPanel({ family, documentId, numbered }: { family: DocumentFamily; documentId: string; numbered: boolean }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const information = useQuery({
    // Under the document's key: whatever refreshes the document refreshes this too.
    queryKey: [...invoicingKeys.document(dossier.id, family, documentId), 'information'],
    queryFn: ({ signal }) => api.get<DocumentInformation>(`/api/d/${seg(dossier.id)}/${family}/${seg(documentId)}/information`, signal),
    refetchInterval: (query) => (query.state.data?.emails.some(inFlight) ? 1500 : false),
  });
  const link = (doc: LinkedDoc) => <Link to={documentPath(dossier.id, doc.type, doc.id)}>{documentName(doc, locale, t('documents.draft'))}</Link>;

  if (information.isPending) return <Loading />;
  if (information.isError) return <LoadError error={information.error} retry={() => void information.refetch()} />;
  const info = information.data;
  const facts: [MessageKey, Act | null][] = [
    ['information.created', info.created],
    ['information.lastChanged', info.lastChanged],
    [info.issued?.action === 'document.finalised' ? 'information.finalised' : 'information.issued', info.issued],
  ];
  const money = [
    ...info.payments.map((p) => ({ act: p, text: t(p.action === 'payment.recorded' ? 'information.payment.recorded' : 'information.payment.cancelled', { amount: formatEuros(p.amountCents, locale) }) })),
    ...info.credits.map((c) => ({ act: c, text: t('information.credit', { amount: formatEuros(c.amountCents, locale) }) })),
  ].sort((a, b) => a.act.at.localeCompare(b.act.at));
  const links = LINKS.map(([kind, label]) => [label, [info.links[kind]].flat().filter((d): d is LinkedDoc => d !== null)] as const).filter(([, docs]) => docs.length > 0);

  return (
    <section className="panel" aria-labelledby="information-title" data-testid="document-information">
      <h2 id="information-title">{t('information.title')}</h2>
      <dl className="doc-summary">
        {facts.map(
          ([label, act]) =>
            act && (
              <div key={label}>
                <dt>{t(label)}</dt>
                <dd>
                  <time dateTime={act.at}>{parisDateTime(act.at, locale)}</time>
                  <span className="small muted">
                    {act.actorName}
                    {act.actorProfile && ` (${act.actorProfile})`}
                  </span>
                </dd>
              </div>
            ),
        )}
      </dl>

      {numbered && (
        <section aria-labelledby="information-downloads">
          <h3 id="information-downloads">{t('information.downloads')}</h3>
          {info.downloads.length === 0 ? (
            <p className="muted">{t('information.noDownload')}</p>
          ) : (
            <ul className="messages" data-testid="document-downloads">
              {info.downloads.map((d, i) => (
                <Entry key={i} act={d}>
                  {t(d.download ? 'information.download.attachment' : 'information.download.inline')}
                </Entry>
              ))}
            </ul>
          )}
        </section>
      )}

      {info.emails.length > 0 && (
        <section aria-labelledby="information-emails">
          <h3 id="information-emails">{t('information.emails')}</h3>
          <ul className="messages" data-testid="document-emails">
            {info.emails.map((m) => (
              <li key={m.id} className={`message message--${m.state}`}>
                <MessageOutcome message={m} />
                <p>
                  {t('information.email.to', { to: m.to.join(', ') })}
                  {m.cc.length > 0 && ` ; ${t('information.email.cc', { cc: m.cc.join(', ') })}`}
                  {m.bcc.length > 0 && ` ; ${t('information.email.bcc', { bcc: m.bcc.join(', ') })}`}
                </p>
                <ul className="changes muted">
                  {m.requested && (
                    <li>
                      {t(m.reminderLevel === null ? 'information.email.requested' : 'information.email.reminderRequested')} — <ActorAndTime act={m.requested} />
                    </li>
                  )}
                  {m.steps.map((step, i) => {
                    const label = STEP_LABELS[step.action];
                    return (
                      <li key={i}>
                        {label ? t(label) : step.action} — <ActorAndTime act={step} />
                      </li>
                    );
                  })}
                </ul>
              </li>
            ))}
          </ul>
        </section>
      )}

      {money.length > 0 && (
        <section aria-labelledby="information-money">
          <h3 id="information-money">{t('information.money')}</h3>
          <ul className="messages" data-testid="document-money">
            {money.map((m, i) => (
              <Entry key={i} act={m.act}>
                {m.text}
              </Entry>
            ))}
          </ul>
        </section>
      )}

      {links.length > 0 && (
        <section aria-labelledby="information-links">
          <h3 id="information-links">{t('information.links')}</h3>
          <dl className="doc-summary">
            {links.map(([label, docs]) => (
              <div key={label}>
                <dt>{t(label)}</dt>
                <dd>
                  <ul className="inline-list">
                    {docs.map((d) => (
                      <li key={d.id}>{link(d)}</li>
                    ))}
                  </ul>
                </dd>
              </div>
            ))}
          </dl>
        </section>
      )}
    </section>
  );
}
