/**
 * Paramètres › Modèles d'e-mails: the subject and body each kind of e-mail opens with (documents
 * sent from their page, payment reminders), the placeholders to insert, a live preview filled
 * with a sample invoice of the dossier, unknown placeholders flagged while typing, and the way
 * back to the default text.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { mailTemplateSchema, sampleValues, TEMPLATE_KIND_LABELS, unknownPlaceholderMessage, type MailTemplateJson } from '../../core/mail-templates';
import { fillTemplate, MAX_BODY_LENGTH, MAX_SUBJECT_LENGTH, PLACEHOLDER_LABELS, PLACEHOLDERS, type TemplateKind } from '../../core/outgoing-mail';
import { ApiError, api, seg } from '../app/api';
import { useCurrentDossier } from '../dossiers/context';
import { useI18n } from '../i18n';
import { Button } from '../ui/Button';
import { ConfirmButton } from '../ui/ConfirmButton';
import { Field } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { Page } from '../ui/Page';
import { LoadError, Loading } from '../ui/QueryState';
import { mailTemplatesKey, useMailTemplates } from './queries';

export function MailTemplatesPage() {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const templates = useMailTemplates(dossier.id);
  const [kind, setKind] = useState<TemplateKind>('invoice');
  const current = templates.data?.templates.find((x) => x.kind === kind);
  return (
    <Page title={t('mailTemplates.title')} context={dossier.legalName} intro={<p>{t('mailTemplates.intro')}</p>}>
      {templates.isPending ? (
        <Loading />
      ) : templates.isError ? (
        <LoadError error={templates.error} retry={() => void templates.refetch()} />
      ) : (
        <div className="mail-templates">
          <nav aria-label={t('mailTemplates.kinds')}>
            <ul className="mail-templates__kinds">
              {templates.data.templates.map((x) => (
                <li key={x.kind}>
                  <button type="button" className="mail-templates__kind" aria-pressed={x.kind === kind} onClick={() => setKind(x.kind)}>
                    {TEMPLATE_KIND_LABELS[x.kind][locale]}
                    {x.custom && (
                      <>
                        {' '}
                        <span className="badge badge--accent">{t('mailTemplates.custom')}</span>
                      </>
                    )}
                  </button>
                </li>
              ))}
            </ul>
          </nav>
          {current && <TemplateEditor key={kind} template={current} />}
        </div>
      )}
    </Page>
  );
}

type FieldName = 'subject' | 'body';

function TemplateEditor({ template }: { template: MailTemplateJson }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const queryClient = useQueryClient();
  const errors = useFormErrors();
  const [values, setValues] = useState({ subject: template.subject, body: template.body });
  const [status, setStatus] = useState<'saved' | 'reset' | null>(null);
  const subjectRef = useRef<HTMLInputElement>(null);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const lastField = useRef<FieldName>('body');
  const title = TEMPLATE_KIND_LABELS[template.kind][locale];
  const url = `/api/d/${seg(dossier.id)}/mail-templates/${seg(template.kind)}`;

  const answered = (updated: MailTemplateJson, what: 'saved' | 'reset') => {
    queryClient.setQueryData<{ templates: MailTemplateJson[] }>(mailTemplatesKey(dossier.id), (old) => old && { templates: old.templates.map((x) => (x.kind === updated.kind ? updated : x)) });
    setValues({ subject: updated.subject, body: updated.body });
    errors.clear();
    setStatus(what);
  };
  const failed = (error: unknown) => {
    setStatus(null);
    if (!(error instanceof ApiError)) return errors.failWith(error);
    errors.fail(error.message, Object.fromEntries(Object.entries(error.fields).map(([path, message]) => [`mt-${path}`, message])));
  };
  const save = useMutation({
    mutationFn: (body: { subject: string; body: string }) => api.put<{ template: MailTemplateJson }>(url, new Blob([JSON.stringify(body)], { type: 'application/json' }), 'application/json'),
    onSuccess: ({ template: updated }) => answered(updated, 'saved'),
    onError: failed,
  });
  const reset = useMutation({
    mutationFn: () => api.delete<{ template: MailTemplateJson }>(url),
    onSuccess: ({ template: updated }) => answered(updated, 'reset'),
    onError: failed,
  });

  function change(field: FieldName, value: string) {
    setStatus(null);
    setValues((old) => ({ ...old, [field]: value }));
  }

  /** Puts `{name}` where the cursor was in the subject or the body (the last one focused). */
  function insert(name: string) {
    const field = lastField.current;
    const element = field === 'subject' ? subjectRef.current : bodyRef.current;
    const value = values[field];
    const start = element?.selectionStart ?? value.length;
    const end = element?.selectionEnd ?? value.length;
    const token = `{${name}}`;
    change(field, value.slice(0, start) + token + value.slice(end));
    requestAnimationFrame(() => {
      element?.focus();
      element?.setSelectionRange(start + token.length, start + token.length);
    });
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setStatus(null);
    const checked = mailTemplateSchema.safeParse(values);
    if (!checked.success) {
      const fields: Record<string, string> = {};
      for (const issue of checked.error.issues) fields[`mt-${String(issue.path[0])}`] ??= issue.message;
      return errors.fail(t('error.checkFields'), fields);
    }
    save.mutate(checked.data);
  }

  // Flagged while typing, before any save: a mark that does not exist would be sent as typed.
  const live = { subject: unknownPlaceholderMessage(values.subject), body: unknownPlaceholderMessage(values.body) };
  const fieldError = (field: FieldName) => live[field] ?? errors.fields[`mt-${field}`];
  const sample = sampleValues(template.kind, dossier);
  const unsaved = values.subject !== template.subject || values.body !== template.body;
  const labels = { 'mt-subject': t('mail.subject'), 'mt-body': t('mail.body') };

  return (
    <form className="form-section mail-templates__editor" onSubmit={submit} noValidate aria-labelledby="mt-title">
      <div className="panel__header">
        <h2 id="mt-title">{title}</h2>
        <span className={template.custom ? 'badge badge--accent' : 'badge badge--muted'} data-testid="template-state">
          {template.custom ? t('mailTemplates.custom') : t('mailTemplates.default')}
        </span>
      </div>
      <ErrorSummary errors={errors} labels={labels} />
      <Field name="mt-subject" label={labels['mt-subject']} error={fieldError('subject')} required>
        {(control) => (
          <input {...control} ref={subjectRef} name="mt-subject" value={values.subject} maxLength={MAX_SUBJECT_LENGTH} autoComplete="off" onFocus={() => (lastField.current = 'subject')} onChange={(e) => change('subject', e.target.value)} />
        )}
      </Field>
      <Field name="mt-body" label={labels['mt-body']} error={fieldError('body')} required>
        {(control) => <textarea {...control} ref={bodyRef} name="mt-body" rows={12} maxLength={MAX_BODY_LENGTH} value={values.body} onFocus={() => (lastField.current = 'body')} onChange={(e) => change('body', e.target.value)} />}
      </Field>

      <section className="mail-templates__placeholders" aria-labelledby="mt-placeholders">
        <h3 id="mt-placeholders">{t('mailTemplates.placeholders')}</h3>
        <p className="field__hint">{t('mailTemplates.placeholdersHint')}</p>
        <ul>
          {PLACEHOLDERS.map((p) => (
            <li key={p}>
              <Button small variant="ghost" aria-label={t('mailTemplates.insert', { name: PLACEHOLDER_LABELS[p][locale] })} onMouseDown={(e) => e.preventDefault()} onClick={() => insert(p)}>
                <code>{`{${p}}`}</code>
              </Button>
              <span>{PLACEHOLDER_LABELS[p][locale]}</span>
            </li>
          ))}
        </ul>
      </section>

      <section className="mail-preview" aria-labelledby="mt-preview" aria-live="polite">
        <h3 id="mt-preview">{t('mailTemplates.preview')}</h3>
        <p className="field__hint">{t('mailTemplates.previewHint')}</p>
        <dl className="details details--compact">
          <div>
            <dt>{t('mail.subject')}</dt>
            <dd data-testid="preview-subject">{fillTemplate(values.subject, sample)}</dd>
          </div>
        </dl>
        <div className="mail-preview__body" data-testid="preview-body">
          {fillTemplate(values.body, sample)}
        </div>
      </section>

      <div className="form__footer">
        <Button type="submit" variant="primary" busy={save.isPending}>
          {t('mailTemplates.save')}
          <span className="visually-hidden"> — {title}</span>
        </Button>
        {template.custom && (
          <ConfirmButton question={t('mailTemplates.resetQuestion')} confirmLabel={t('mailTemplates.resetConfirm')} busy={reset.isPending} onConfirm={() => reset.mutate()}>
            {t('mailTemplates.reset')}
          </ConfirmButton>
        )}
        <div role="status" className="form__status">
          {status === 'saved' && <span className="status-ok">{t('mailTemplates.saved')}</span>}
          {status === 'reset' && <span className="status-ok">{t('mailTemplates.wasReset')}</span>}
          {status === null && unsaved && <span className="muted">{t('mailTemplates.unsaved')}</span>}
        </div>
      </div>
    </form>
  );
}
