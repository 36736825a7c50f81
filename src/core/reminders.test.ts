import { describe, expect, it } from 'vitest';
import { daysOverdue, DEFAULT_REMINDER_PLAN, levelReached, nextReminderLevel, reminderPlanSchema, reminderRequestSchema } from './reminders';

describe('the level an overdue invoice has reached', () => {
  const due = '2026-10-31';
  it('is none before the first level’s day, then each level on its day (default plan: 7, 30, 45 days)', () => {
    expect(levelReached(DEFAULT_REMINDER_PLAN, due, '2026-10-31')).toBeNull();
    expect(levelReached(DEFAULT_REMINDER_PLAN, due, '2026-11-06')).toBeNull();
    expect(levelReached(DEFAULT_REMINDER_PLAN, due, '2026-11-07')).toBe(1);
    expect(levelReached(DEFAULT_REMINDER_PLAN, due, '2026-11-29')).toBe(1);
    expect(levelReached(DEFAULT_REMINDER_PLAN, due, '2026-11-30')).toBe(2);
    expect(levelReached(DEFAULT_REMINDER_PLAN, due, '2026-12-15')).toBe(3);
    expect(levelReached(DEFAULT_REMINDER_PLAN, due, '2027-06-01')).toBe(3);
  });

  it('follows the dossier’s days', () => {
    const plan = { mode: 'automatic' as const, days: { 1: 1, 2: 2, 3: 365 } };
    expect(levelReached(plan, due, '2026-11-01')).toBe(1);
    expect(levelReached(plan, due, '2026-11-02')).toBe(2);
    expect(levelReached(plan, due, '2027-10-30')).toBe(2);
    expect(levelReached(plan, due, '2027-10-31')).toBe(3);
  });

  it('counts days overdue in calendar days, across the change to winter time', () => {
    expect(daysOverdue(due, '2026-10-31')).toBe(0);
    expect(daysOverdue('2026-10-20', '2026-11-19')).toBe(30);
    expect(daysOverdue(due, '2026-10-01')).toBe(0);
  });

  it('proposes the level after the last one sent, none after the mise en demeure', () => {
    expect([null, 1, 2, 3].map(nextReminderLevel)).toEqual([1, 2, 3, null]);
  });
});

describe('the reminder plan and « Relancer » as the API accepts them', () => {
  it('wants whole days from 1 to 365, strictly increasing', () => {
    const ok = (days: Record<string, unknown>) => reminderPlanSchema.safeParse({ mode: 'manual', days }).success;
    expect(ok({ 1: 7, 2: 30, 3: 45 })).toBe(true);
    expect(ok({ 1: 1, 2: 2, 3: 365 })).toBe(true);
    for (const days of [{ 1: 0, 2: 30, 3: 45 }, { 1: 7, 2: 30, 3: 366 }, { 1: 30, 2: 7, 3: 45 }, { 1: 7, 2: 45, 3: 45 }, { 1: 7.5, 2: 30, 3: 45 }, { 1: '7', 2: 30, 3: 45 }]) expect(ok(days), JSON.stringify(days)).toBe(false);
  });

  it('a reminder is a message to send with a level from 1 to 3, within 20 recipients in all', () => {
    const message = { to: ['compta@renard.example'], subject: 'Rappel', body: 'Bonjour', idempotencyKey: 'cle-relance-1' };
    expect(reminderRequestSchema.safeParse({ ...message, level: 2 }).success).toBe(true);
    for (const level of [0, 4, '1', null]) expect(reminderRequestSchema.safeParse({ ...message, level }).success).toBe(false);
    const many = Array.from({ length: 11 }, (_, i) => `c${i}@renard.example`);
    expect(reminderRequestSchema.safeParse({ ...message, level: 1, to: many, cc: many.slice(0, 10) }).success).toBe(false);
    expect(reminderRequestSchema.safeParse({ ...message, level: 1, extra: true }).success).toBe(false);
  });
});
