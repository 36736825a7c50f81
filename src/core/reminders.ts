/**
 * Payment reminders (*relances*): a dossier's reminder plan, which level an overdue invoice has
 * reached on a given day, and what « Relancer » sends. Shared by the server, the scheduler and
 * the web app, so that the dialog proposes the level the server accepts.
 */
import { z } from 'zod';
import { addDays } from './dates';
import { DEFAULT_REMINDER_DAYS, REMINDER_LEVELS, sendMessageSchema, type ReminderLevel } from './outgoing-mail';

export const REMINDER_MODES = ['off', 'manual', 'automatic'] as const;
export type ReminderMode = (typeof REMINDER_MODES)[number];

export const REMINDER_MODE_LABELS: Record<ReminderMode, { fr: string; en: string }> = {
  off: { fr: 'Désactivées', en: 'Off' },
  manual: { fr: 'Manuelles (bouton « Relancer »)', en: 'Manual (« Relancer » button)' },
  automatic: { fr: 'Automatiques', en: 'Automatic' },
};

export interface ReminderPlan {
  mode: ReminderMode;
  /** Days after the due date at which each level is due, strictly increasing. */
  days: Record<ReminderLevel, number>;
}

export const DEFAULT_REMINDER_PLAN: ReminderPlan = { mode: 'manual', days: { ...DEFAULT_REMINDER_DAYS } };

const levelDays = z
  .number({ error: 'Indiquez un nombre de jours.' })
  .int('Un nombre entier de jours.')
  .min(1, 'Au moins 1 jour après l’échéance.')
  .max(365, 'Au plus 365 jours après l’échéance.');

export const reminderPlanSchema = z
  .object({
    mode: z.enum(REMINDER_MODES, { error: 'Mode de relance inconnu.' }),
    days: z.object({ 1: levelDays, 2: levelDays, 3: levelDays }).strict(),
  })
  .strict()
  .superRefine((plan, ctx) => {
    if (plan.days[2] <= plan.days[1]) ctx.addIssue({ code: 'custom', path: ['days', '2'], message: 'La deuxième relance doit venir après la première.' });
    if (plan.days[3] <= plan.days[2]) ctx.addIssue({ code: 'custom', path: ['days', '3'], message: 'La mise en demeure doit venir après la deuxième relance.' });
  });

/** « Relancer »: the message of the send dialog, with the reminder's level. */
export const reminderRequestSchema = sendMessageSchema.safeExtend({
  level: z.union(REMINDER_LEVELS.map((l) => z.literal(l)) as [z.ZodLiteral<1>, z.ZodLiteral<2>, z.ZodLiteral<3>], { error: 'Niveau de relance inconnu (1, 2 ou 3).' }),
});
export type ReminderRequest = z.output<typeof reminderRequestSchema>;

/** The day a level is due for an invoice (its due date + the level's days). */
export function reminderDueOn(plan: ReminderPlan, dueDate: string, level: ReminderLevel): string {
  return addDays(dueDate, plan.days[level]);
}

/** The highest level an invoice due on `dueDate` has reached on `asOf`, or null before the first. */
export function levelReached(plan: ReminderPlan, dueDate: string, asOf: string): ReminderLevel | null {
  let reached: ReminderLevel | null = null;
  for (const level of REMINDER_LEVELS) if (reminderDueOn(plan, dueDate, level) <= asOf) reached = level;
  return reached;
}

/** Whole days from the due date to `asOf` (0 on the due date itself). */
export function daysOverdue(dueDate: string, asOf: string): number {
  return Math.max(0, Math.round((Date.parse(`${asOf}T00:00:00Z`) - Date.parse(`${dueDate}T00:00:00Z`)) / 86_400_000));
}

/** The level « Relancer » proposes: the one after the last reminder sent, none after the third. */
export function nextReminderLevel(lastLevel: number | null): ReminderLevel | null {
  const next = (lastLevel ?? 0) + 1;
  return next <= 3 ? (next as ReminderLevel) : null;
}
