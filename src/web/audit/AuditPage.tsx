/**
 * Journal des actions: who did what in the dossier, as people read it — filters in the URL
 * (shareable; the back button goes back a page or a filter), pages by keyset, a summary view
 * (the « vision globale »), the XLSX/CSV export for those allowed, and the chain's integrity check.
 */
import { keepPreviousData, useMutation, useQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { ACTION_GROUPS, AUDIT_ACTIONS, actionGroup, actionLabel, describeChanges, documentTypeLabel } from '../../core/audit-labels';
import { parisDate } from '../../core/dates';
import { DOCUMENT_TYPES, type DocumentType } from '../../core/documents';
import { api, seg } from '../app/api';
import { keys } from '../app/queries';
import type { AuditEvent, AuditPage as AuditPageData, AuditVerification } from '../app/types';
import { useCan, useCurrentDossier } from '../dossiers/context';
import { Filters, SearchBox, useListParams } from '../documents/listing';
import { documentPath } from '../documents/labels';
import { useI18n } from '../i18n';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { Page } from '../ui/Page';
import { LoadError, Loading } from '../ui/QueryState';
import { PERIOD_PRESETS, presetOf, presetRange, type PeriodPreset } from './periods';

const AuditSummaryView = lazy(() => import('./AuditSummary'));

const PAGE_SIZE = 50;

/** The filters the API and the export understand, as the URL carries them. */
export const FILTER_DEFAULTS = { from: '', to: '', user: '', group: '', action: '', documentType: '', q: '', order: 'desc' };

export function AuditPage() {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  const canExport = useCan('audit.export');
  const navigate = useNavigate();
  const location = useLocation();
  const { values, update } = useListParams({ ...FILTER_DEFAULTS, view: 'table', cursor: '' });
  // A filter change starts again from the first page.
  const filter = (patch: Partial<typeof FILTER_DEFAULTS>, options?: { replace?: boolean }) => update({ ...patch, cursor: undefined }, options);
  const filters = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value && key in FILTER_DEFAULTS) filters.set(key, value);
  const filterQuery = filters.toString();
  const pageQuery = `${filterQuery}&pageSize=${PAGE_SIZE}${values.cursor ? `&cursor=${encodeURIComponent(values.cursor)}` : ''}`;
  const summary = values.view === 'summary';

  const events = useQuery({
    queryKey: keys.audit(dossier.id, pageQuery),
    queryFn: ({ signal }) => api.get<AuditPageData>(`/api/d/${seg(dossier.id)}/audit?${pageQuery}`, signal),
    placeholderData: keepPreviousData,
    enabled: !summary,
  });
  const cameFromPage = (location.state as { auditPage?: boolean } | null)?.auditPage === true;

  return (
    <Page
      title={t('audit.title')}
      context={dossier.legalName}
      intro={<p>{t('audit.intro')}</p>}
      actions={
        <>
          {canExport && (
            <div className="btn-group" role="group" aria-label={t('audit.export')}>
              <a className="btn btn--secondary" href={`/api/d/${seg(dossier.id)}/audit/export?format=xlsx&${filterQuery}`} download>
                {t('audit.exportXlsx')}
              </a>
              <a className="btn btn--secondary" href={`/api/d/${seg(dossier.id)}/audit/export?format=csv&${filterQuery}`} download>
                {t('audit.exportCsv')}
              </a>
            </div>
          )}
          <VerifyButton dossierId={dossier.id} />
        </>
      }
    >
      <AuditFilters values={values} onChange={filter} />
      <div className="tabs" role="group" aria-label={t('audit.views')}>
        <button type="button" aria-pressed={!summary} className={`tab${summary ? '' : ' tab--active'}`} onClick={() => update({ view: 'table', cursor: undefined })}>
          {t('audit.viewTable')}
        </button>
        <button type="button" aria-pressed={summary} className={`tab${summary ? ' tab--active' : ''}`} onClick={() => update({ view: 'summary', cursor: undefined })}>
          {t('audit.viewSummary')}
        </button>
      </div>
      {summary ? (
        <Suspense fallback={<Loading />}>
          <AuditSummaryView dossierId={dossier.id} filterQuery={filterQuery} />
        </Suspense>
      ) : events.isPending ? (
        <Loading />
      ) : events.isError ? (
        <LoadError error={events.error} retry={() => void events.refetch()} />
      ) : events.data.events.length === 0 ? (
        <p>{filterQuery.replace(/&?order=desc/, '') ? t('audit.noMatch') : t('audit.empty')}</p>
      ) : (
        <>
          <div className="table-wrap">
            <table className="audit table--cards">
              <caption className="visually-hidden">{t('audit.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('audit.when')}</th>
                  <th scope="col">{t('audit.who')}</th>
                  <th scope="col">{t('audit.action')}</th>
                  <th scope="col">{t('audit.documentType')}</th>
                  <th scope="col">{t('audit.record')}</th>
                  <th scope="col">{t('audit.customer')}</th>
                  <th scope="col" className="num">
                    {t('audit.gross')}
                  </th>
                  <th scope="col">{t('audit.ip')}</th>
                </tr>
              </thead>
              <tbody>
                {events.data.events.map((e) => (
                  <AuditRow key={e.seq} event={e} dossierId={dossier.id} />
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label={t('audit.pagination')}>
            <Button small disabled={!values.cursor} onClick={() => (cameFromPage ? navigate(-1) : update({ cursor: undefined }))}>
              {cameFromPage ? t('audit.previous') : t('audit.first')}
            </Button>
            <Button
              small
              disabled={!events.data.nextCursor}
              onClick={() => {
                const next = new URLSearchParams(location.search);
                next.set('cursor', events.data.nextCursor!);
                navigate({ search: next.toString() }, { state: { auditPage: true } });
              }}
            >
              {t('audit.next')}
            </Button>
          </nav>
        </>
      )}
    </Page>
  );
}

function AuditFilters({ values, onChange }: { values: typeof FILTER_DEFAULTS; onChange: (patch: Partial<typeof FILTER_DEFAULTS>, options?: { replace?: boolean }) => void }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const actors = useQuery({
    queryKey: keys.auditActors(dossier.id),
    queryFn: ({ signal }) => api.get<{ actors: { userId: string; name: string }[] }>(`/api/d/${seg(dossier.id)}/audit/actors`, signal),
    staleTime: 60_000,
  });
  const today = parisDate();
  const preset = presetOf(values.from, values.to, today);
  const actions = AUDIT_ACTIONS.filter((a) => !values.group || actionGroup(a) === values.group)
    .map((a) => ({ code: a, label: actionLabel(a, locale) }))
    .sort((a, b) => a.label.localeCompare(b.label, locale));
  return (
    <Filters label={t('list.filters')}>
      <SearchBox label={t('audit.search')} hint={t('audit.searchHint')} value={values.q} onChange={(q) => onChange({ q }, { replace: true })} />
      <div className="field">
        <label htmlFor="audit-period">{t('audit.period')}</label>
        <select
          id="audit-period"
          value={preset}
          onChange={(e) => {
            const v = e.target.value as PeriodPreset | 'all' | 'custom';
            if (v === 'all') onChange({ from: '', to: '' });
            else if (v !== 'custom') onChange(presetRange(v, today));
            else onChange({ from: values.from || `${today.slice(0, 7)}-01`, to: values.to || today });
          }}
        >
          <option value="all">{t('audit.periodAll')}</option>
          {PERIOD_PRESETS.map((p) => (
            <option key={p} value={p}>
              {t(`audit.period.${p}`)}
            </option>
          ))}
          <option value="custom">{t('audit.periodCustom')}</option>
        </select>
      </div>
      {preset !== 'all' && (
        <>
          <div className="field">
            <label htmlFor="audit-from">{t('audit.from')}</label>
            <input id="audit-from" type="date" value={values.from} max={values.to || undefined} onChange={(e) => onChange({ from: e.target.value })} />
          </div>
          <div className="field">
            <label htmlFor="audit-to">{t('audit.to')}</label>
            <input id="audit-to" type="date" value={values.to} min={values.from || undefined} onChange={(e) => onChange({ to: e.target.value })} />
          </div>
        </>
      )}
      <div className="field">
        <label htmlFor="audit-user">{t('audit.who')}</label>
        <select id="audit-user" value={values.user} onChange={(e) => onChange({ user: e.target.value })}>
          <option value="">{t('list.all')}</option>
          {actors.data?.actors.map((a) => (
            <option key={a.userId} value={a.userId}>
              {a.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-group">{t('audit.group')}</label>
        <select id="audit-group" value={values.group} onChange={(e) => onChange({ group: e.target.value, action: '' })}>
          <option value="">{t('list.all')}</option>
          {Object.entries(ACTION_GROUPS).map(([key, label]) => (
            <option key={key} value={key}>
              {label[locale]}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-action">{t('audit.action')}</label>
        <select id="audit-action" value={values.action} onChange={(e) => onChange({ action: e.target.value })}>
          <option value="">{t('list.all')}</option>
          {actions.map((a) => (
            <option key={a.code} value={a.code}>
              {a.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-doctype">{t('audit.documentType')}</label>
        <select id="audit-doctype" value={values.documentType} onChange={(e) => onChange({ documentType: e.target.value })}>
          <option value="">{t('list.all')}</option>
          {DOCUMENT_TYPES.map((type) => (
            <option key={type} value={type}>
              {documentTypeLabel(type, locale)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-order">{t('audit.order')}</label>
        <select id="audit-order" value={values.order} onChange={(e) => onChange({ order: e.target.value })}>
          <option value="desc">{t('audit.newestFirst')}</option>
          <option value="asc">{t('audit.oldestFirst')}</option>
        </select>
      </div>
    </Filters>
  );
}

function AuditRow({ event, dossierId }: { event: AuditEvent; dossierId: string }) {
  const { t, format, locale } = useI18n();
  const changes = describeChanges(event.changes, event.references, locale);
  const isDocument = event.entityType === 'document' && event.documentType && event.entityId;
  const record = isDocument ? (event.documentNumber ?? t('documents.draft')) : (event.entityLabel ?? '');
  const recordLink =
    isDocument ? documentPath(dossierId, event.documentType as DocumentType, event.entityId!) : event.entityType === 'customer' && event.entityId ? `/d/${dossierId}/customers/${event.entityId}` : null;
  return (
    <>
      <tr className="audit__row">
        <td className="nowrap audit__when">
          <time dateTime={event.occurredAt}>{format.dateTime(event.occurredAt)}</time>
          <span className="muted small">n° {event.seq}</span>
        </td>
        <td data-label={t('audit.who')}>
          {event.actorName ?? t('audit.system')}
          {event.actorProfile && <span className="muted small"> {event.actorProfile}</span>}
        </td>
        <td data-label={t('audit.action')}>{actionLabel(event.action, locale)}</td>
        <td data-label={t('audit.documentType')}>{documentTypeLabel(event.documentType, locale)}</td>
        <td data-label={t('audit.record')}>{recordLink ? <Link to={recordLink}>{record}</Link> : record}</td>
        <td data-label={t('audit.customer')}>{event.customerName ?? ''}</td>
        <td data-label={t('audit.gross')} className="num nowrap">
          {event.grossCents === null ? '' : format.money(event.grossCents)}
        </td>
        <td data-label={t('audit.ip')} className="small">
          {event.ip ?? ''}
        </td>
      </tr>
      <tr className="audit__detail-row">
        <td colSpan={8} className="audit__detail">
          <p>{event.summary}</p>
          {changes.length > 0 && (
            <ul className="changes" aria-label={t('audit.changes')}>
              {changes.map((c) => (
                <li key={c.field}>
                  <span className="changes__field">{c.label}</span> <del>{c.before}</del> <span aria-hidden="true">→</span>
                  <span className="visually-hidden">{t('audit.becomes')}</span> <ins>{c.after}</ins>
                </li>
              ))}
            </ul>
          )}
        </td>
      </tr>
    </>
  );
}

function VerifyButton({ dossierId }: { dossierId: string }) {
  const { t, format } = useI18n();
  const verify = useMutation({
    mutationFn: () => api.get<AuditVerification>(`/api/d/${seg(dossierId)}/audit/verify`),
  });
  return (
    <div className="verify">
      <Button variant="secondary" busy={verify.isPending} onClick={() => verify.mutate()}>
        {t('audit.verify')}
      </Button>
      {verify.data &&
        (verify.data.ok ? (
          <Alert kind="success">
            <p>{t('audit.verifyOk', { count: format.number(verify.data.checked) })}</p>
            <p>{t('audit.verifyDocuments', { count: format.number(verify.data.documents) })}</p>
            {verify.data.anchor && <p>{t('audit.verifyAnchored', { seq: verify.data.anchor.seq, date: format.dateTime(verify.data.anchor.at) })}</p>}
          </Alert>
        ) : (
          <Alert kind="error" title={verify.data.firstBrokenSeq === null ? t('audit.verifyAltered') : t('audit.verifyBroken', { seq: verify.data.firstBrokenSeq })}>
            {verify.data.reason && <p>{verify.data.reason}</p>}
          </Alert>
        ))}
      {verify.isError && (
        <Alert kind="error">
          <p>{verify.error.message}</p>
        </Alert>
      )}
    </div>
  );
}
