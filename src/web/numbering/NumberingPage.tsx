/** Numérotation: the format of each series' numbers, locked once a number of the series was given. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { formatProblem, lacksYear, renderNumber } from '../../core/numbering';
import { ApiError, api, seg } from '../app/api';
import { useCan, useCurrentDossier } from '../dossiers/context';
import { invoicingKeys } from '../documents/keys';
import type { NumberingSeries } from '../documents/types';
import { useI18n, type MessageKey } from '../i18n';
import { Button } from '../ui/Button';
import { CheckboxField, TextField } from '../ui/Field';
import { ErrorSummary, useFormErrors } from '../ui/FormErrors';
import { Page } from '../ui/Page';
import { LoadError, Loading } from '../ui/QueryState';

const SERIES_LABELS: Record<NumberingSeries['series'], MessageKey> = {
  quote: 'numbering.quote',
  invoice: 'numbering.invoice',
  credit_note: 'numbering.credit_note',
  pro_forma: 'numbering.pro_forma',
};

export function NumberingPage() {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  const numbering = useQuery({
    queryKey: invoicingKeys.numbering(dossier.id),
    queryFn: ({ signal }) => api.get<{ series: NumberingSeries[] }>(`/api/d/${seg(dossier.id)}/numbering`, signal),
  });
  return (
    <Page title={t('numbering.title')} context={dossier.legalName} intro={<p>{t('numbering.intro')}</p>}>
      {numbering.isPending ? (
        <Loading />
      ) : numbering.isError ? (
        <LoadError error={numbering.error} retry={() => void numbering.refetch()} />
      ) : (
        <div className="numbering">
          {numbering.data.series.map((s) => (
            <SeriesForm key={`${s.series}:${s.format}:${s.yearlyReset}:${s.firstNumber}:${s.locked}`} series={s} />
          ))}
        </div>
      )}
    </Page>
  );
}

function SeriesForm({ series }: { series: NumberingSeries }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const canManage = useCan('settings.manage');
  const queryClient = useQueryClient();
  const errors = useFormErrors();
  const [format, setFormat] = useState(series.format);
  const [yearlyReset, setYearlyReset] = useState(series.yearlyReset);
  const [firstNumber, setFirstNumber] = useState(String(series.firstNumber));
  const [saved, setSaved] = useState(false);
  const p = `${series.series}-`;
  const locked = series.locked;
  const readOnly = locked || !canManage;
  const title = t(SERIES_LABELS[series.series]);

  const save = useMutation({
    mutationFn: (body: { format: string; yearlyReset: boolean; firstNumber: number }) => api.put<unknown>(`/api/d/${seg(dossier.id)}/numbering/${series.series}`, new Blob([JSON.stringify(body)], { type: 'application/json' }), 'application/json'),
    onSuccess: async () => {
      errors.clear();
      setSaved(true);
      await queryClient.invalidateQueries({ queryKey: invoicingKeys.numbering(dossier.id) });
    },
    onError: (error) => {
      setSaved(false);
      if (error instanceof ApiError && error.code === 'numbering_locked') return errors.fail(t('numbering.lockedError'));
      if (!(error instanceof ApiError)) return errors.failWith(error);
      errors.fail(error.message, Object.fromEntries(Object.entries(error.fields).map(([k, v]) => [p + k, v])));
    },
  });

  const problem = format.trim() ? formatProblem(format.trim(), yearlyReset) : t('numbering.formatRequired');
  const first = Number(firstNumber);
  const firstOk = /^\d{1,8}$/.test(firstNumber.trim()) && first >= 1;
  const now = new Date();
  const example = !problem && firstOk ? renderNumber(format.trim(), { year: now.getFullYear(), month: now.getMonth() + 1, counter: first }) : null;

  function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const fields: Record<string, string> = {};
    if (problem) fields[`${p}format`] = locale === 'en' && format.trim() ? t(formatProblem(format.trim()) === null && lacksYear(format.trim(), yearlyReset) ? 'numbering.yearRequired' : 'numbering.formatInvalid') : problem;
    if (!firstOk) fields[`${p}firstNumber`] = t('numbering.firstNumberInvalid');
    if (Object.keys(fields).length > 0) return errors.fail(t('error.checkFields'), fields);
    save.mutate({ format: format.trim(), yearlyReset, firstNumber: first });
  }

  return (
    <form className="form-section numbering__series" onSubmit={submit} noValidate aria-labelledby={`${p}title`}>
      <div className="panel__header">
        <h2 id={`${p}title`}>{title}</h2>
        {locked && <span className="badge badge--warning">{t('numbering.locked')}</span>}
      </div>
      <ErrorSummary errors={errors} labels={{ [`${p}format`]: t('numbering.format'), [`${p}firstNumber`]: t('numbering.firstNumber') }} />
      {locked && <p className="muted">{t('numbering.lockedHint')}</p>}
      <div className="grid">
        <TextField name={`${p}format`} label={t('numbering.format')} hint={t('numbering.formatHint')} value={format} onChange={setFormat} error={errors.fields[`${p}format`]} autoComplete="off" disabled={readOnly} />
        <TextField name={`${p}firstNumber`} label={t('numbering.firstNumber')} hint={t('numbering.firstNumberHint')} value={firstNumber} onChange={setFirstNumber} error={errors.fields[`${p}firstNumber`]} inputMode="numeric" autoComplete="off" disabled={readOnly} />
        <CheckboxField name={`${p}yearlyReset`} label={t('numbering.yearlyReset')} hint={t('numbering.yearlyResetHint')} checked={yearlyReset} onChange={setYearlyReset} disabled={readOnly} />
        <p className="numbering__example" aria-live="polite">
          {t('numbering.example')} <strong data-testid={`numbering-example-${series.series}`}>{example ?? '—'}</strong>
        </p>
      </div>
      {!readOnly && (
        <div className="form__footer">
          <Button type="submit" variant="primary" busy={save.isPending}>
            {t('numbering.save')}
            <span className="visually-hidden"> — {title}</span>
          </Button>
          <div role="status" className="form__status">
            {saved && <span className="status-ok">{t('numbering.saved')}</span>}
          </div>
        </div>
      )}
    </form>
  );
}
