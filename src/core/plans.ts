/**
 * Subscription plans decide how many logins a dossier has.
 * The accountant's access is free, and offered on TPE+ only.
 */
export const PLAN_KEYS = ['solo', 'tpe', 'tpe_plus'] as const;
export type PlanKey = (typeof PLAN_KEYS)[number];

export interface PlanRules {
  includedSeats: number;
  extraSeatsAllowed: boolean;
  accountantAllowed: boolean;
}

export const PLANS: Record<PlanKey, PlanRules> = {
  solo: { includedSeats: 1, extraSeatsAllowed: false, accountantAllowed: false },
  tpe: { includedSeats: 2, extraSeatsAllowed: false, accountantAllowed: false },
  tpe_plus: { includedSeats: 2, extraSeatsAllowed: true, accountantAllowed: true },
};

export const PLAN_LABELS: Record<PlanKey, string> = { solo: 'Solo', tpe: 'TPE', tpe_plus: 'TPE+' };

export function seatLimit(plan: PlanKey, extraSeats: number): number {
  const rules = PLANS[plan];
  return rules.includedSeats + (rules.extraSeatsAllowed ? extraSeats : 0);
}

/** Whether a member with this profile takes a paid seat (the accountant's access is free on TPE+). */
export function takesSeat(plan: PlanKey, profileKey: string | null): boolean {
  return !(profileKey === 'accountant' && PLANS[plan].accountantAllowed);
}
