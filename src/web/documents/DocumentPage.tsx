/**
 * A document: its header (number, status, customer, dates, amounts, links) and actions by type,
 * status and permissions; the editor while it is a draft, the frozen view once numbered; payments,
 * « Informations » (who did what with it, and when), history, and who else has it open.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { isLegalInvoice, type DocumentFamily, type DocumentType } from '../../core/documents';
import { ApiError, api, seg } from '../app/api';
import { useMe } from '../app/queries';
import type { Customer } from '../customers/types';
import { useCan, useCurrentDossier } from '../dossiers/context';
import { useI18n } from '../i18n';
import { DEFAULT_VAT_RATES } from '../products/ProductPage';
import { Alert } from '../ui/Alert';
import { Button } from '../ui/Button';
import { ConfirmButton } from '../ui/ConfirmButton';
import { Page } from '../ui/Page';
import { LoadError, Loading } from '../ui/QueryState';
import { ConvertDialog, CreditNoteDialog, DuplicateDialog, IssueDialog } from './actions';
import { remoteChangeNoticed, saveRefused, type DocumentConflict } from './conflict';
import { ConflictBanner } from './ConflictBanner';
import { DocumentEditor, type EditorController } from './DocumentEditor';
import { StatusBadge } from './DocumentsPage';
import { localizeDocumentMessage, newValues, valuesOf, type EditorValues } from './editorModel';
import { formatDay, formatDecimalText, formatDiscount, formatEuros, formatRate, formatUnitPrice } from './format';
import { HistorySection } from './HistorySection';
import { InformationPanel } from './InformationPanel';
import { invoicingKeys } from './keys';
import { documentName, documentPath, documentTitle, PAYABLE_TYPES } from './labels';
import { LinkedDocument } from './LinkedDocument';
import { PaymentsSection } from './PaymentsSection';
import { ReminderDialog, useCanRemind } from './Reminders';
import { MessagesSection, SendDialog, useCanSend } from './SendByEmail';
import { SumRow, TotalsPanel } from './TotalsPanel';
import type { Doc, DocAnswer, MentionProblem, StaleDetails } from './types';
import { useDocumentEvents } from './useDocumentEvents';
import { rateKey } from '../../core/totals';

type Notice = { kind: 'success' | 'error' | 'warning' | 'info'; title: string; body?: ReactNode };

export function DocumentPage({ family }: { family: DocumentFamily }) {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  const { docId = '' } = useParams();
  const query = useQuery({
    queryKey: invoicingKeys.document(dossier.id, family, docId),
    queryFn: ({ signal }) => api.get<DocAnswer>(`/api/d/${seg(dossier.id)}/${family}/${seg(docId)}`, signal),
  });
  if (query.isPending)
    return (
      <Page title={t('documents.loadingTitle')} context={dossier.legalName}>
        <Loading />
      </Page>
    );
  if (query.isError)
    return (
      <Page title={t(query.error instanceof ApiError && query.error.status === 404 ? 'documents.notFound' : 'documents.loadingTitle')} context={dossier.legalName}>
        <LoadError error={query.error} retry={() => void query.refetch()} />
        <p>
          <Link to={`/d/${dossier.id}/${family}`}>{t(family === 'quotes' ? 'documents.backToQuotes' : 'documents.backToInvoices')}</Link>
        </p>
      </Page>
    );
  return <DocumentScreen key={query.data.document.id} doc={query.data.document} family={family} refetch={async () => void (await query.refetch())} />;
}

class EditorInvalid extends Error {}

function DocumentScreen({ doc, family, refetch }: { doc: Doc; family: DocumentFamily; refetch: () => Promise<void> }) {
  const { t, locale } = useI18n();
  const current = useCurrentDossier();
  const { dossier } = current;
  const me = useMe();
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const controller = useRef<EditorController | null>(null);
  const noticeRef = useRef<HTMLDivElement>(null);
  const [notice, setNotice] = useState<Notice | null>(() =>
    (location.state as { created?: boolean } | null)?.created ? { kind: 'success', title: t('documents.draftCreated') } : null,
  );
  const [noticeCount, setNoticeCount] = useState(0);
  const [dialog, setDialog] = useState<'issue' | 'convert' | 'credit' | 'duplicate' | 'send' | 'remind' | null>(null);
  const [editorKey, setEditorKey] = useState(0);
  const [conflict, setConflict] = useState<DocumentConflict | null>(null);
  const [conflictAnswers, setConflictAnswers] = useState(0);
  const conflictRef = useRef<HTMLDivElement>(null);
  const [dirty, setDirty] = useState(false);

  const canWrite = useCan(family === 'quotes' ? 'quotes.write' : 'invoices.write');
  const canIssue = useCan('invoices.issue');
  const canInvoices = useCan('invoices.write');
  const canQuotesWrite = useCan('quotes.write');
  const canReadCustomers = useCan('customers.read');
  const canSettings = useCan('settings.manage');
  const canSend = useCanSend(doc, family);
  const canRemind = useCanRemind(doc);
  const draft = doc.status === 'draft';
  const editing = draft && canWrite;
  const legal = isLegalInvoice(doc.type);
  const docKey = invoicingKeys.document(dossier.id, family, doc.id);
  const name = documentName(doc, locale, t('documents.draft'));

  const show = (n: Notice | null) => {
    setNotice(n);
    setNoticeCount((c) => c + 1);
  };
  useEffect(() => {
    if (noticeCount > 0) noticeRef.current?.focus();
  }, [noticeCount]);
  // A refused save moves the focus to the banner that says why; a change heard while typing does not.
  useEffect(() => {
    if (conflictAnswers > 0) conflictRef.current?.focus();
  }, [conflictAnswers]);

  const refreshAll = async () => {
    await queryClient.invalidateQueries({ queryKey: docKey });
    await queryClient.invalidateQueries({ queryKey: [...invoicingKeys.family(dossier.id, family), 'list'] });
  };

  const events = useDocumentEvents(dossier.id, family, doc.id, me.data?.user.id, (change) => {
    setConflict((previous) => remoteChangeNoticed(previous, change));
    // The header (total, status) and the read-only view follow at once; an open editor keeps the
    // user's typing (it is keyed by `editorKey`, not by the document's version) until « Recharger ».
    void refreshAll();
    void queryClient.invalidateQueries({ queryKey: invoicingKeys.history(dossier.id, family, doc.id) });
  });

  /** The server refused a save or an issue because of someone else's change: say it once, show the current figures. */
  const refused = (cause: { kind: 'stale'; details: Partial<StaleDetails> } | { kind: 'issued' }) => {
    setConflict((previous) => (cause.kind === 'issued' ? { kind: 'issued' } : saveRefused(previous, cause.details)));
    setConflictAnswers((n) => n + 1);
    if (cause.kind === 'stale') void refreshAll();
  };

  const reload = async () => {
    await refetch();
    await queryClient.invalidateQueries({ queryKey: docKey });
    setConflict(null);
    setEditorKey((k) => k + 1);
  };

  const afterChange = (updated: Doc, message: string) => {
    queryClient.setQueryData<DocAnswer>(docKey, { document: { ...updated, lines: updated.lines ?? doc.lines } });
    void refreshAll();
    show({ kind: 'success', title: message });
  };

  const issue = useMutation({
    mutationFn: async () => {
      const saved = controller.current ? await controller.current.saveIfDirty() : { version: doc.version };
      if (!saved) throw new EditorInvalid();
      return api.post<DocAnswer & { warnings: string[] }>(`/api/d/${seg(dossier.id)}/${family}/${seg(doc.id)}/issue`, { version: saved.version });
    },
    onSuccess: ({ document, warnings }) => {
      setDialog(null);
      queryClient.setQueryData<DocAnswer>(docKey, { document });
      // Links to it elsewhere (history, "Facture corrigée"…) show its number now, not "(brouillon)".
      queryClient.setQueryData<Doc | null>(invoicingKeys.link(dossier.id, document.id), document);
      void refreshAll();
      show({
        kind: warnings.length > 0 ? 'warning' : 'success',
        title: t(legal ? 'issue.issued' : 'issue.finalised', { name: documentName(document, locale, t('documents.draft')) }),
        body:
          warnings.length > 0 ? (
            <>
              <p>{t('issue.warnings')}</p>
              <ul>
                {warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </>
          ) : undefined,
      });
    },
    onError: (error) => {
      setDialog(null);
      if (error instanceof EditorInvalid) return;
      if (error instanceof ApiError && error.code === 'stale_version') return refused({ kind: 'stale', details: (error.details ?? {}) as Partial<StaleDetails> });
      if (error instanceof ApiError && error.code === 'mentions_missing') {
        const missing = ((error.details as { missing?: MentionProblem[] } | undefined)?.missing ?? []) as MentionProblem[];
        return show({ kind: 'error', title: error.message, body: <MissingMentions missing={missing} doc={doc} canSettings={canSettings} canCustomers={canReadCustomers} /> });
      }
      if (error instanceof ApiError && Object.keys(error.fields).length > 0) {
        return show({
          kind: 'error',
          title: error.message,
          body: (
            <ul>
              {Object.entries(error.fields).map(([path, message]) => (
                <li key={path}>{localizeDocumentMessage(message, locale)}</li>
              ))}
            </ul>
          ),
        });
      }
      show({ kind: 'error', title: error instanceof ApiError ? error.message : t('error.unexpected') });
    },
  });

  const answer = useMutation({
    mutationFn: (kind: 'accept' | 'refuse') => api.post<DocAnswer>(`/api/d/${seg(dossier.id)}/quotes/${seg(doc.id)}/${kind}`),
    onSuccess: ({ document }, kind) => afterChange(document, t(kind === 'accept' ? 'quote.accepted' : 'quote.refused')),
    onError: (error) => show({ kind: 'error', title: error instanceof ApiError ? error.message : t('error.unexpected') }),
  });

  const remove = useMutation({
    mutationFn: () => api.delete(`/api/d/${seg(dossier.id)}/${family}/${seg(doc.id)}`),
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: docKey });
      await queryClient.invalidateQueries({ queryKey: [...invoicingKeys.family(dossier.id, family), 'list'] });
      navigate(`/d/${dossier.id}/${family}`, { replace: true });
    },
    onError: (error) => show({ kind: 'error', title: error instanceof ApiError ? error.message : t('error.unexpected') }),
  });

  const openCreated = (created: Doc) => {
    setDialog(null);
    queryClient.setQueryData<DocAnswer>(invoicingKeys.document(dossier.id, created.type === 'quote' ? 'quotes' : 'invoices', created.id), { document: created });
    void queryClient.invalidateQueries({ queryKey: invoicingKeys.history(dossier.id, family, doc.id) });
    void queryClient.invalidateQueries({ queryKey: ['dossier', dossier.id] , predicate: (q) => q.queryKey.includes('list') });
    navigate(documentPath(dossier.id, created.type, created.id), { state: { created: true } });
  };

  const payable = PAYABLE_TYPES.includes(doc.type) && doc.status === 'issued';
  const actions: ReactNode[] = [];
  if (draft && canWrite && (!legal || canIssue))
    actions.push(
      <Button key="issue" variant="primary" onClick={() => setDialog('issue')}>
        {legal ? t('actions.issue') : t('actions.finalise')}
      </Button>,
    );
  if (doc.type === 'quote' && doc.status === 'finalised' && canWrite) {
    actions.push(
      <Button key="accept" variant="primary" busy={answer.isPending && answer.variables === 'accept'} onClick={() => answer.mutate('accept')}>
        {t('actions.accept')}
      </Button>,
      <Button key="refuse" busy={answer.isPending && answer.variables === 'refuse'} onClick={() => answer.mutate('refuse')}>
        {t('actions.refuse')}
      </Button>,
    );
  }
  if (doc.type === 'quote' && doc.status === 'accepted' && canWrite && canInvoices)
    actions.push(
      <Button key="convert" variant="primary" onClick={() => setDialog('convert')}>
        {t('actions.convert')}
      </Button>,
    );
  if (payable && canInvoices && doc.creditedCents < doc.grossCents)
    actions.push(
      <Button key="credit" onClick={() => setDialog('credit')}>
        {t('actions.creditNote')}
      </Button>,
    );
  if (canSend)
    actions.push(
      <Button key="send" onClick={() => setDialog('send')}>
        {t('mail.openDialog')}
      </Button>,
    );
  if (canRemind)
    actions.push(
      <Button key="remind" onClick={() => setDialog('remind')}>
        {t('reminders.remind')}
      </Button>,
    );
  if (canQuotesWrite || canInvoices)
    actions.push(
      <Button key="duplicate" onClick={() => setDialog('duplicate')}>
        {t('actions.duplicate')}
      </Button>,
    );
  actions.push(
    <a key="pdf" className="btn" href={doc.pdfUrl} target="_blank" rel="noopener">
      {t('actions.pdfPreview')}
      <span className="visually-hidden"> {t('common.newTab')}</span>
    </a>,
    <a key="download" className="btn" href={`${doc.pdfUrl}?download=1`} download>
      {t('actions.pdfDownload')}
    </a>,
  );
  if (draft && canWrite)
    actions.push(
      <ConfirmButton key="delete" question={t('actions.deleteQuestion')} confirmLabel={t('actions.delete')} busy={remove.isPending} onConfirm={() => remove.mutate()}>
        {t('actions.delete')}
      </ConfirmButton>,
    );

  const initial: EditorValues = valuesOf(doc, locale);

  return (
    <Page
      title={name}
      context={dossier.legalName}
      intro={
        <Link to={`/d/${dossier.id}/${family}${doc.type === 'credit_note' ? '?type=credit_note' : ''}`}>
          {t(family === 'quotes' ? 'documents.backToQuotes' : doc.type === 'credit_note' ? 'documents.backToCreditNotes' : 'documents.backToInvoices')}
        </Link>
      }
    >
      <div role="status" className="presence" aria-live="polite">
        {events.others.length > 0 && (
          <p>
            <span className="presence__dot" aria-hidden="true" />
            {t('presence.alsoOpen', { names: events.others.join(', ') })}
          </p>
        )}
      </div>
      {conflict && <ConflictBanner ref={conflictRef} conflict={conflict} editing={editing} dirty={dirty} onReload={() => void reload()} />}
      <div ref={noticeRef} tabIndex={-1} className="notice-slot">
        {notice && (
          <Alert kind={notice.kind} title={notice.title}>
            {notice.body}
          </Alert>
        )}
      </div>

      <DocumentHeader doc={doc} />
      <div className="doc-actions" role="group" aria-label={t('common.actions')}>
        {actions}
      </div>

      {editing ? (
        <DocumentEditor key={editorKey} current={current} doc={doc} initial={initial} controller={controller} onConflict={refused} onDirtyChange={setDirty} />
      ) : (
        <DocumentBody doc={doc} />
      )}

      {payable && <PaymentsSection doc={doc} onChanged={afterChange} />}
      {!draft && <MessagesSection doc={doc} family={family} />}
      <InformationPanel family={family} documentId={doc.id} numbered={doc.number !== null} />
      <HistorySection family={family} documentId={doc.id} />

      {dialog === 'issue' && <IssueDialog doc={doc} busy={issue.isPending} onConfirm={() => issue.mutate()} onClose={() => setDialog(null)} />}
      {dialog === 'convert' && <ConvertDialog doc={doc} onDone={openCreated} onClose={() => setDialog(null)} />}
      {dialog === 'credit' && <CreditNoteDialog doc={doc} onDone={openCreated} onClose={() => setDialog(null)} />}
      {dialog === 'send' && (
        <SendDialog
          doc={doc}
          family={family}
          onSent={(to) => {
            setDialog(null);
            show({ kind: 'success', title: t('mail.queued', { to: to.join(', ') }) });
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'remind' && (
        <ReminderDialog
          doc={doc}
          onSent={(to) => {
            setDialog(null);
            show({ kind: 'success', title: t('reminders.queued', { number: doc.number ?? '', to: to.join(', ') }) });
          }}
          onClose={() => setDialog(null)}
        />
      )}
      {dialog === 'duplicate' && <DuplicateDialog doc={doc} onDone={openCreated} onClose={() => setDialog(null)} />}
    </Page>
  );
}

function MissingMentions({ missing, doc, canSettings, canCustomers }: { missing: MentionProblem[]; doc: Doc; canSettings: boolean; canCustomers: boolean }) {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  return (
    <ul className="missing">
      {missing.map((m) => (
        <li key={m.field}>
          {m.message}{' '}
          {m.field.startsWith('seller.') &&
            (canSettings ? <Link to={`/d/${dossier.id}/settings`}>{t('issue.fixInSettings')}</Link> : <span className="muted">{t('issue.askAdmin')}</span>)}
          {m.field.startsWith('customer.') && doc.customerId && canCustomers && <Link to={`/d/${dossier.id}/customers/${doc.customerId}`}>{t('issue.fixCustomer')}</Link>}
        </li>
      ))}
    </ul>
  );
}

function DocumentHeader({ doc }: { doc: Doc }) {
  const { t, locale } = useI18n();
  const { dossier } = useCurrentDossier();
  const canCustomers = useCan('customers.read');
  const payable = PAYABLE_TYPES.includes(doc.type) && doc.status === 'issued';
  const depositLinks = doc.deductions.filter((d) => d.depositId);
  return (
    <dl className="doc-summary">
      <div>
        <dt>{t('documents.type')}</dt>
        <dd>{documentTitle(doc.type, locale)}</dd>
      </div>
      <div>
        <dt>{t('documents.number')}</dt>
        <dd data-testid="document-number">{doc.number ?? t('documents.notNumbered')}</dd>
      </div>
      <div>
        <dt>{t('documents.status')}</dt>
        <dd>
          <StatusBadge status={doc.displayStatus} type={doc.type} testId="document-status" />
        </dd>
      </div>
      <div>
        <dt>{t('documents.customer')}</dt>
        <dd>
          {doc.customerId && canCustomers ? (
            <Link to={`/d/${dossier.id}/customers/${doc.customerId}`}>{doc.customerName}</Link>
          ) : (
            (doc.customerName ?? <span className="muted">{t('documents.noCustomer')}</span>)
          )}
        </dd>
      </div>
      <div>
        <dt>{t('documents.issueDate')}</dt>
        <dd>{formatDay(doc.issueDate, locale)}</dd>
      </div>
      {doc.serviceDate && (
        <div>
          <dt>{t('editor.serviceDate')}</dt>
          <dd>{formatDay(doc.serviceDate, locale)}</dd>
        </div>
      )}
      {doc.type === 'quote' && doc.validityDate && (
        <div>
          <dt>{t('documents.validityDate')}</dt>
          <dd>{formatDay(doc.validityDate, locale)}</dd>
        </div>
      )}
      {doc.dueDate && (
        <div>
          <dt>{t('documents.dueDate')}</dt>
          <dd>{formatDay(doc.dueDate, locale)}</dd>
        </div>
      )}
      <div>
        <dt>{t('documents.gross')}</dt>
        <dd className="num-strong" data-testid="document-gross">
          {formatEuros(doc.grossCents, locale)}
        </dd>
      </div>
      {payable && (
        <div>
          <dt>{t('documents.balance')}</dt>
          <dd className="num-strong" data-testid="document-balance">
            {formatEuros(doc.balanceCents, locale)}
          </dd>
        </div>
      )}
      {doc.sourceId && (
        <div>
          <dt>{t(doc.type === 'quote' ? 'documents.sourceCopy' : 'documents.source')}</dt>
          <dd>
            <LinkedDocument id={doc.sourceId} hint={doc.type === 'invoice' || doc.type === 'deposit_invoice' ? 'quotes' : undefined} />
          </dd>
        </div>
      )}
      {doc.correctsId && (
        <div>
          <dt>{t('documents.corrects')}</dt>
          <dd>
            <LinkedDocument id={doc.correctsId} hint="invoices" />
          </dd>
        </div>
      )}
      {depositLinks.length > 0 && (
        <div>
          <dt>{t('documents.depositsDeducted')}</dt>
          <dd>
            <ul className="inline-list">
              {depositLinks.map((d) => (
                <li key={d.depositId}>
                  <LinkedDocument id={d.depositId ?? ''} hint="invoices" fallback={d.number ?? null} />
                </li>
              ))}
            </ul>
          </dd>
        </div>
      )}
    </dl>
  );
}

/** The numbered (or read-only) document: lines, VAT summary, totals, paid and balance. */
function DocumentBody({ doc }: { doc: Doc }) {
  const { t, locale } = useI18n();
  const payable = PAYABLE_TYPES.includes(doc.type) && doc.status === 'issued';
  const lines = doc.lines ?? [];
  const lineTotals = doc.totals.lines;
  const discounted = lines.some((l) => l.kind === 'item' && l.discount);
  const columns = discounted ? 8 : 7;
  return (
    <>
      <section className="panel" aria-labelledby="doc-lines">
        <h2 id="doc-lines">{t('editor.lines')}</h2>
        <div className="table-wrap">
          <table className="doc-lines table--cards">
            <caption className="visually-hidden">{t('lines.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('lines.reference')}</th>
                <th scope="col">{t('lines.designation')}</th>
                <th scope="col" className="num">
                  {t('lines.quantity')}
                </th>
                <th scope="col">{t('lines.unit')}</th>
                <th scope="col" className="num">
                  {t('lines.unitPrice')}
                </th>
                {discounted && (
                  <th scope="col" className="num">
                    {t('lines.discount')}
                  </th>
                )}
                <th scope="col" className="num">
                  {t('lines.vatRate')}
                </th>
                <th scope="col" className="num">
                  {t('lines.net')}
                </th>
              </tr>
            </thead>
            <tbody>
              {lines.length === 0 && (
                <tr>
                  <td colSpan={columns} className="muted">
                    {t('lines.empty')}
                  </td>
                </tr>
              )}
              {lines.map((l, i) =>
                l.kind === 'item' ? (
                  <tr key={i}>
                    <td className="nowrap" data-label={t('lines.reference')}>
                      {l.reference ?? ''}
                    </td>
                    <td className="doc-lines__designation">
                      {l.designation}
                      {l.description && <span className="lines__description">{l.description}</span>}
                    </td>
                    <td className="num nowrap" data-label={t('lines.quantity')}>
                      {formatDecimalText(l.quantity, locale)}
                    </td>
                    <td data-label={t('lines.unit')}>{l.unit ?? ''}</td>
                    <td className="num nowrap" data-label={t('lines.unitPrice')}>
                      {formatUnitPrice(l.unitPrice, locale)}
                    </td>
                    {discounted && (
                      <td className="num nowrap" data-label={l.discount ? t('lines.discount') : undefined}>
                        {l.discount && (
                          <>
                            {formatDiscount(l.discount, locale)}
                            {l.discount.type === 'percent' && lineTotals[i] && <span className="lines__description">−{formatEuros(lineTotals[i].discountCents, locale)}</span>}
                          </>
                        )}
                      </td>
                    )}
                    <td className="num nowrap" data-label={t('lines.vatRate')}>
                      {formatRate(rateKey(l.vatRate), locale)}
                    </td>
                    <td className="num nowrap" data-label={t('lines.net')}>
                      {lineTotals[i] ? formatEuros(lineTotals[i].netCents, locale) : ''}
                    </td>
                  </tr>
                ) : (
                  <tr key={i} className={`doc-lines__${l.kind}`}>
                    <td colSpan={columns}>{l.designation}</td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      </section>
      <div className="editor__bottom">
        <div>
          {doc.discount && (
            <p>
              {t('documents.discount')} : {formatDiscount(doc.discount, locale)}
            </p>
          )}
          {doc.notes && (
            <div className="doc-notes">
              <h2>{t('editor.notes')}</h2>
              <p>{doc.notes}</p>
            </div>
          )}
        </div>
        <TotalsPanel totals={doc.totals} deductions={doc.deductions} caption={t('documents.totalsCaption')}>
          {payable && (
            <>
              <SumRow label={t('documents.paid')} amounts={[formatEuros(doc.paidCents, locale)]} testIds={['document-paid']} />
              {doc.creditedCents > 0 && <SumRow label={t('documents.credited')} amounts={[formatEuros(doc.creditedCents, locale)]} />}
              <SumRow className="totals__grand" label={t('documents.balance')} amounts={[formatEuros(doc.balanceCents, locale)]} />
            </>
          )}
        </TotalsPanel>
      </div>
    </>
  );
}

/** `/quotes/new`, `/invoices/new` (`?type=pro_forma`, `?customerId=`): the editor before the first save. */
export function NewDocumentPage({ family }: { family: DocumentFamily }) {
  const { t, locale } = useI18n();
  const current = useCurrentDossier();
  const { dossier } = current;
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const type: DocumentType = family === 'quotes' ? 'quote' : search.get('type') === 'pro_forma' ? 'pro_forma' : 'invoice';
  const customerId = search.get('customerId') ?? '';
  const customer = useQuery({
    queryKey: invoicingKeys.customer(dossier.id, customerId),
    queryFn: ({ signal }) => api.get<{ customer: Customer }>(`/api/d/${seg(dossier.id)}/customers/${seg(customerId)}`, signal),
    enabled: customerId !== '',
  });
  const canWrite = useCan(family === 'quotes' ? 'quotes.write' : 'invoices.write');
  const title = t(type === 'quote' ? 'documents.newQuoteTitle' : type === 'pro_forma' ? 'documents.newProFormaTitle' : 'documents.newInvoiceTitle');
  if (!canWrite)
    return (
      <Page title={title} context={dossier.legalName}>
        <Alert kind="warning" title={t('forbidden.title')} />
      </Page>
    );
  if (customerId && customer.isPending)
    return (
      <Page title={title} context={dossier.legalName}>
        <Loading />
      </Page>
    );
  const rates = dossier.vatRates ?? DEFAULT_VAT_RATES;
  const franchise = dossier.vatRegime === 'franchise';
  const c = customer.data?.customer;
  const zero = franchise || (c ? c.vatTreatment !== 'normal' : false);
  const initial = newValues(type, zero ? '0' : rateKey(rates[0] ?? '20'), dossier.defaultPaymentDays ?? 30);
  if (c) {
    initial.customer = { id: c.id, name: c.name };
    initial.vatTreatment = c.vatTreatment;
    if (c.paymentTerms) {
      initial.customTerms = true;
      initial.termsDays = String(c.paymentTerms.days);
      initial.termsEndOfMonth = c.paymentTerms.endOfMonth;
    }
  }
  return (
    <Page
      title={title}
      context={dossier.legalName}
      intro={
        <>
          <Link to={`/d/${dossier.id}/${family}`}>{t(family === 'quotes' ? 'documents.backToQuotes' : 'documents.backToInvoices')}</Link>
          <span className="muted"> · {t('documents.newIntro', { what: documentTitle(type, locale).toLowerCase() })}</span>
        </>
      }
    >
      <DocumentEditor
        key={`${type}:${customerId}`}
        current={current}
        doc={null}
        initial={initial}
        onCreated={(doc) => navigate(documentPath(dossier.id, doc.type, doc.id), { replace: true, state: { created: true } })}
      />
    </Page>
  );
}
