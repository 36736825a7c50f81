/**
 * Payment reminders in the invoice list: each invoice's highest reminder (« Relance 2 — 12/11 »),
 * why an overdue one cannot be reminded (« pas d'adresse e-mail »), and « Relancer », which opens
 * the send dialog with the next level's template, filled by the server.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { ReminderPlan } from '../../core/reminders';
import { api, seg } from '../app/api';
import { useCan, useCurrentDossier } from '../dossiers/context';
import { useI18n } from '../i18n';
import { Button } from '../ui/Button';
import { LoadError, Loading } from '../ui/QueryState';
import { Dialog } from './Dialog';
import { SendDialog, type ReminderDraft } from './SendByEmail';
import type { Doc, DocListItem } from './types';

export const reminderPlanKey = (dossierId: string) => ['dossier', dossierId, 'reminder-plan'] as const;

export function useReminderPlan() {
  const { dossier } = useCurrentDossier();
  return useQuery({
    queryKey: reminderPlanKey(dossier.id),
    queryFn: ({ signal }) => api.get<{ plan: ReminderPlan }>(`/api/d/${seg(dossier.id)}/reminder-plan`, signal),
  });
}

/** Whether « Relancer » is offered for an invoice: overdue, the member may send invoices, and reminders are not off. */
export function useCanRemind(doc: Pick<Doc, 'displayStatus'>): boolean {
  const canSend = useCan('invoices.send');
  const plan = useReminderPlan();
  return doc.displayStatus === 'overdue' && canSend && plan.data !== undefined && plan.data.plan.mode !== 'off';
}

/** The list's « Relance » cell: the last level sent and its day, « pas d'adresse e-mail », and « Relancer ». */
export function ReminderCell({ doc, onSent }: { doc: DocListItem; onSent: (to: string[]) => void }) {
  const { t } = useI18n();
  const canRemind = useCanRemind(doc);
  const [open, setOpen] = useState(false);
  const overdue = doc.displayStatus === 'overdue';
  const offerable = canRemind && (doc.reminder?.level ?? 0) < 3;
  return (
    <>
      {doc.reminder && (
        <span className="nowrap" data-testid="reminder-level">
          {t('reminders.listLevel', { level: doc.reminder.level, date: new Intl.DateTimeFormat('fr-FR', { day: '2-digit', month: '2-digit' }).format(new Date(doc.reminder.at)) })}
        </span>
      )}
      {overdue && !doc.customerHasEmail && <span className="muted nowrap"> {t('reminders.noAddress')}</span>}
      {offerable && (
        <Button small onClick={() => setOpen(true)}>
          {t('reminders.remind')}
        </Button>
      )}
      {open && (
        <ReminderDialog
          doc={doc}
          onClose={() => setOpen(false)}
          onSent={(to) => {
            setOpen(false);
            onSent(to);
          }}
        />
      )}
    </>
  );
}

/** « Relancer »: the send dialog with the next level's message, as the server fills it. */
export function ReminderDialog({ doc, onSent, onClose }: { doc: Doc; onSent: (to: string[]) => void; onClose: () => void }) {
  const { t } = useI18n();
  const { dossier } = useCurrentDossier();
  const next = useQuery({
    queryKey: ['dossier', dossier.id, 'invoices', 'doc', doc.id, 'next-reminder'],
    queryFn: ({ signal }) => api.get<{ reminder: ReminderDraft }>(`/api/d/${seg(dossier.id)}/invoices/${seg(doc.id)}/reminders/next`, signal),
    // Each opening asks again: a reminder sent meanwhile changes the level.
    gcTime: 0,
  });
  if (next.isSuccess) return <SendDialog doc={doc} family="invoices" reminder={next.data.reminder} onSent={onSent} onClose={onClose} />;
  return (
    <Dialog title={t('reminders.remind')} onClose={onClose}>
      {next.isError ? <LoadError error={next.error} retry={() => void next.refetch()} /> : <Loading />}
    </Dialog>
  );
}
