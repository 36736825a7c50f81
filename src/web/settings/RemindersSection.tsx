/** Paramètres › Relances: the reminder plan (off, manual, automatic) and the days of each level, with what each level says. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { DEFAULT_REMINDER_TEMPLATES, REMINDER_LEVEL_LABELS, REMINDER_LEVELS, type ReminderLevel } from '../../core/outgoing-mail';
import { REMINDER_MODE_LABELS, REMINDER_MODES, reminderPlanSchema, type ReminderMode, type ReminderPlan } from '../../core/reminders';
import { ApiError, api, seg } from '../app/api';
import { useCurrentDossier } from '../dossiers/context';
import { useMailTemplates } from '../mail-templates/queries';
import { reminderPlanKey, useReminderPlan } from '../documents/Reminders';
import { useI18n, type MessageKey } from '../i18n';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { SelectField, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { LoadError, Loading } from '../ui/QueryState';

const LEVEL_HINTS: Record<ReminderLevel, MessageKey> = { 1: 'reminders.level1Hint', 2: 'reminders.level2Hint', 3: 'reminders.level3Hint' };

export function RemindersSection() {
  const { t } = useI18n();
  const plan = useReminderPlan();
  return (
    <section className="panel" aria-labelledby="reminders-title">
      <h2 id="reminders-title">{t('reminders.settingsTitle')}</h2>
      <p>{t('reminders.settingsIntro')}</p>
      {plan.isPending ? <Loading /> : plan.isError ? <LoadError error={plan.error} retry={() => void plan.refetch()} /> : <ReminderPlanForm plan={plan.data.plan} />}
    </section>
  );
}

function ReminderPlanForm({ plan }: { plan: ReminderPlan }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const queryClient = useQueryClient();
  const errors = useFormErrors();
  const [mode, setMode] = useState<ReminderMode>(plan.mode);
  const [days, setDays] = useState<Record<ReminderLevel, string>>({ 1: String(plan.days[1]), 2: String(plan.days[2]), 3: String(plan.days[3]) });
  const [saved, setSaved] = useState(false);
  // The subject each level is sent with: the dossier's own template (Modèles d'e-mails), else the default.
  const templates = useMailTemplates(dossier.id);
  const subjectOf = (level: ReminderLevel) => templates.data?.templates.find((x) => x.kind === `reminder_${level}`)?.subject ?? DEFAULT_REMINDER_TEMPLATES[level].subject;
  const labels: Record<string, string> = { 'reminder-mode': t('reminders.mode') };
  for (const level of REMINDER_LEVELS) labels[`reminder-days-${level}`] = `${REMINDER_LEVEL_LABELS[level][locale]} — ${t('reminders.days')}`;

  const save = useMutation({
    mutationFn: (payload: ReminderPlan) => api.put<{ plan: ReminderPlan }>(`/api/d/${seg(dossier.id)}/reminder-plan`, new Blob([JSON.stringify(payload)], { type: 'application/json' }), 'application/json'),
    onSuccess: (answer) => {
      queryClient.setQueryData(reminderPlanKey(dossier.id), answer);
      errors.clear();
      setSaved(true);
    },
    onError: (error) => {
      setSaved(false);
      if (!(error instanceof ApiError)) return errors.failWith(error);
      errors.fail(error.message, fieldsOf(Object.entries(error.fields)));
    },
  });

  function fieldsOf(issues: [string, string][]): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const [path, message] of issues) fields[path.startsWith('days') ? `reminder-days-${path.split('.')[1]}` : 'reminder-mode'] ??= message;
    return fields;
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const payload = { mode, days: { 1: Number(days[1]), 2: Number(days[2]), 3: Number(days[3]) } };
    const checked = reminderPlanSchema.safeParse(payload);
    if (!checked.success) return errors.fail(t('error.checkFields'), fieldsOf(checked.error.issues.map((i) => [i.path.join('.'), i.message])));
    save.mutate(checked.data);
  }

  return (
    <form className="form" onSubmit={submit} noValidate>
      <ErrorSummary errors={errors} labels={labels} />
      <SelectField name="reminder-mode" label={labels['reminder-mode']} value={mode} onChange={(v) => setMode(v as ReminderMode)} hint={t(`reminders.modeHint.${mode}`)} error={errors.fields['reminder-mode']}>
        {REMINDER_MODES.map((m) => (
          <option key={m} value={m}>
            {REMINDER_MODE_LABELS[m][locale]}
          </option>
        ))}
      </SelectField>
      {REMINDER_LEVELS.map((level) => (
        <fieldset key={level} className="reminder-level">
          <legend>
            {t('reminders.levelBadge', { level, label: REMINDER_LEVEL_LABELS[level][locale] })}
          </legend>
          <p className="muted">{t(LEVEL_HINTS[level])}</p>
          <p className="muted">{t('reminders.template', { subject: subjectOf(level) })}</p>
          <TextField
            name={`reminder-days-${level}`}
            label={t('reminders.days')}
            type="number"
            inputMode="numeric"
            min={1}
            max={365}
            value={days[level]}
            onChange={(v) => setDays((d) => ({ ...d, [level]: v }))}
            error={errors.fields[`reminder-days-${level}`]}
            required
          />
        </fieldset>
      ))}
      {saved && <Alert kind="success" title={t('reminders.saved')} />}
      <div className="form__footer">
        <Button type="submit" variant="primary" busy={save.isPending}>
          {t('reminders.save')}
        </Button>
      </div>
    </form>
  );
}
