/**
 * « Envoyer par e-mail »: the dialog (recipients, cc, bcc, subject and body from the dossier's
 * template of the document's type, a preview, the attached PDF's name) and the document's
 * messages with what became of each (en attente, envoyé, nouvel essai, échec, état incertain).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { DocumentFamily } from '../../core/documents';
import { attachmentName, fillMessage, MAX_BODY_LENGTH, REMINDER_LEVEL_LABELS, sendMessageSchema, type MailTemplate, type ReminderLevel } from '../../core/outgoing-mail';
import { ApiError, api, seg } from '../app/api';
import { useCan, useCurrentDossier } from '../dossiers/context';
import { useI18n } from '../i18n';
import { Button } from '../ui/Button';
import { Field, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { LoadError, Loading } from '../ui/QueryState';
import { useMailTemplates } from '../mail-templates/queries';
import { inFlight, mailKeys, MessageStatus, parisDateTime, type OutgoingMessage } from '../mail/MessageStatus';
import { Dialog } from './Dialog';
import { invoicingKeys } from './keys';
import type { Doc } from './types';

/** Under the document's key: refreshed with it (live updates, changes). */
const messagesKey = (dossierId: string, family: DocumentFamily, documentId: string) => [...invoicingKeys.document(dossierId, family, documentId), 'messages'] as const;

/** Whether the document can be sent (numbered: an issued invoice, a finalised quote or pro forma) and the member may send it. */
export function useCanSend(doc: Doc, family: DocumentFamily): boolean {
  const allowed = useCan(family === 'quotes' ? 'quotes.send' : 'invoices.send');
  return allowed && doc.number !== null && doc.status !== 'draft';
}

/** Addresses typed in one field, separated by commas, semicolons, spaces or line breaks. */
function addresses(value: string): string[] {
  return value
    .split(/[,;\s]+/)
    .map((a) => a.trim())
    .filter(Boolean);
}

function randomKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** A reminder to send (« Relancer »): its level, and the message the server filled from the level's template. */
export interface ReminderDraft {
  level: ReminderLevel;
  subject: string;
  body: string;
  to: string[];
}

interface SendDialogProps {
  doc: Doc;
  family: DocumentFamily;
  reminder?: ReminderDraft;
  onSent: (to: string[]) => void;
  onClose: () => void;
}

/** The dialog opens once its message is known: a reminder's, or the dossier's template of the document's type. */
export function SendDialog(props: SendDialogProps) {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  const templates = useMailTemplates(dossier.id);
  const template = templates.data?.templates.find((x) => x.kind === props.doc.type);
  if (props.reminder) return <SendForm {...props} template={props.reminder} />;
  if (template) return <SendForm {...props} template={template} />;
  return (
    <Dialog title={t('mail.dialogTitle')} onClose={props.onClose} wide>
      {templates.isError ? <LoadError error={templates.error} retry={() => void templates.refetch()} /> : <Loading />}
    </Dialog>
  );
}

function SendForm({ doc, family, reminder, onSent, onClose, template: unfilled }: SendDialogProps & { template: MailTemplate }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const queryClient = useQueryClient();
  const errors = useFormErrors();
  const canCustomers = useCan('customers.read');
  // One key per opening of the dialog: a double click, or a request retried, sends one message.
  const [idempotencyKey] = useState(randomKey);
  // A reminder's text comes filled by the server: filled again, a customer's name that reads as a
  // placeholder (« {numero} ») would be replaced in turn.
  const template = reminder ?? fillMessage(unfilled, {
    type: doc.type,
    number: doc.number ?? '',
    grossCents: doc.grossCents,
    dueDate: doc.dueDate,
    validityDate: doc.validityDate,
    customer: doc.customerName ?? '',
    company: dossier.legalName,
    iban: dossier.iban,
    bic: dossier.bic,
    amountDueCents: doc.balanceCents,
  });
  const customer = useQuery({
    queryKey: ['dossier', dossier.id, 'customers', doc.customerId, 'for-mail'],
    queryFn: ({ signal }) => api.get<{ customer: { emails: string[] } }>(`/api/d/${seg(dossier.id)}/customers/${seg(doc.customerId ?? '')}`, signal),
    enabled: !reminder && Boolean(doc.customerId) && canCustomers,
  });
  const [to, setTo] = useState<string | null>(null);
  const [cc, setCc] = useState('');
  const [bcc, setBcc] = useState('');
  const [subject, setSubject] = useState(template.subject);
  const [body, setBody] = useState(template.body);
  const toValue = to ?? (reminder ? reminder.to : customer.data?.customer.emails)?.join(', ') ?? '';
  const pdfName = attachmentName(doc.number ?? '');

  const send = useMutation({
    mutationFn: (payload: object) =>
      reminder
        ? api.post<{ message: OutgoingMessage }>(`/api/d/${seg(dossier.id)}/invoices/${seg(doc.id)}/reminders`, { ...payload, level: reminder.level })
        : api.post<{ message: OutgoingMessage }>(`/api/d/${seg(dossier.id)}/${family}/${seg(doc.id)}/send`, payload),
    onSuccess: ({ message }) => {
      if (reminder) void queryClient.invalidateQueries({ queryKey: invoicingKeys.family(dossier.id, family) });
      void queryClient.invalidateQueries({ queryKey: messagesKey(dossier.id, family, doc.id) });
      void queryClient.invalidateQueries({ queryKey: invoicingKeys.history(dossier.id, family, doc.id) });
      void queryClient.invalidateQueries({ queryKey: mailKeys.all(dossier.id) });
      onSent(message.to);
    },
    onError: (error) => {
      if (!(error instanceof ApiError)) return errors.failWith(error);
      const fields: Record<string, string> = {};
      for (const [path, message] of Object.entries(error.fields)) fields[`mail-${path.split('.')[0]}`] = message;
      errors.fail(error.message, fields);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    e.stopPropagation();
    const payload = { to: addresses(toValue), cc: addresses(cc), bcc: addresses(bcc), subject, body, idempotencyKey };
    const checked = sendMessageSchema.safeParse(payload);
    if (!checked.success) {
      const fields: Record<string, string> = {};
      for (const issue of checked.error.issues) fields[`mail-${String(issue.path[0])}`] ??= issue.message;
      return errors.fail(t('error.checkFields'), fields);
    }
    send.mutate(checked.data);
  }

  const labels = { 'mail-to': t('mail.to'), 'mail-cc': t('mail.cc'), 'mail-bcc': t('mail.bcc'), 'mail-subject': t('mail.subject'), 'mail-body': t('mail.body') };
  return (
    <Dialog title={reminder ? t('reminders.dialogTitle', { level: reminder.level, label: REMINDER_LEVEL_LABELS[reminder.level][locale] }) : t('mail.dialogTitle')} onClose={onClose} wide>
      <form className="form" onSubmit={submit} noValidate>
        <ErrorSummary errors={errors} labels={labels} />
        <TextField name="mail-to" label={labels['mail-to']} hint={t('mail.addressesHint')} value={toValue} onChange={setTo} error={errors.fields['mail-to']} autoComplete="off" required />
        <TextField name="mail-cc" label={labels['mail-cc']} value={cc} onChange={setCc} error={errors.fields['mail-cc']} autoComplete="off" />
        <TextField name="mail-bcc" label={labels['mail-bcc']} value={bcc} onChange={setBcc} error={errors.fields['mail-bcc']} autoComplete="off" />
        <TextField name="mail-subject" label={labels['mail-subject']} value={subject} onChange={setSubject} error={errors.fields['mail-subject']} maxLength={250} required />
        <Field name="mail-body" label={labels['mail-body']} error={errors.fields['mail-body']} required>
          {(control) => <textarea {...control} name="mail-body" rows={9} maxLength={MAX_BODY_LENGTH} value={body} onChange={(e) => setBody(e.target.value)} />}
        </Field>
        <p>
          {t('mail.attachment')} <strong data-testid="mail-attachment">{pdfName}</strong>
        </p>
        <section className="mail-preview" aria-labelledby="mail-preview-title">
          <h3 id="mail-preview-title">{t('mail.preview')}</h3>
          <dl className="details details--compact">
            <div>
              <dt>{t('mail.from')}</dt>
              <dd>{dossier.legalName}</dd>
            </div>
            {dossier.email && (
              <div>
                <dt>{t('mail.replyTo')}</dt>
                <dd>{dossier.email}</dd>
              </div>
            )}
            <div>
              <dt>{t('mail.to')}</dt>
              <dd>{addresses(toValue).join(', ')}</dd>
            </div>
            {addresses(cc).length > 0 && (
              <div>
                <dt>{t('mail.cc')}</dt>
                <dd>{addresses(cc).join(', ')}</dd>
              </div>
            )}
            <div>
              <dt>{t('mail.subject')}</dt>
              <dd>{subject}</dd>
            </div>
          </dl>
          <div className="mail-preview__body">{body}</div>
          <p className="muted">📎 {pdfName}</p>
        </section>
        <div className="dialog__footer">
          <Button type="submit" variant="primary" busy={send.isPending}>
            {t('mail.send')}
          </Button>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
        </div>
      </form>
    </Dialog>
  );
}

/** The document's messages, newest first, with their state; refreshed while one is on its way. */
export function MessagesSection({ doc, family }: { doc: Doc; family: DocumentFamily }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const messages = useQuery({
    queryKey: messagesKey(dossier.id, family, doc.id),
    queryFn: ({ signal }) => api.get<{ messages: OutgoingMessage[] }>(`/api/d/${seg(dossier.id)}/${family}/${seg(doc.id)}/messages`, signal),
    refetchInterval: (query) => (query.state.data?.messages.some(inFlight) ? 1500 : false),
  });
  if (messages.isPending) return <Loading />;
  if (messages.isError) return <LoadError error={messages.error} retry={() => void messages.refetch()} />;
  if (messages.data.messages.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="messages-title">
      <h2 id="messages-title">{t('mail.messagesTitle')}</h2>
      <ul className="messages" data-testid="document-messages">
        {messages.data.messages.map((m) => (
          <li key={m.id} className={`message message--${m.state}`} data-state={m.state}>
            <MessageStatus message={m} family={family}>
              <p className="muted">
                {m.subject} — {t('mail.requestedAt', { when: parisDateTime(m.createdAt, locale) })}
                {m.state !== 'sent' && <> — {t('mail.toList', { to: m.to.join(', ') })}</>}
              </p>
            </MessageStatus>
          </li>
        ))}
      </ul>
    </section>
  );
}
