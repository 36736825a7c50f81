/** Shapes of the API answers (docs/API.md). */
import type { LegalForm, VatRegime } from '../../core/dossier';
import type { Locale } from '../../core/errors';
import type { Permission } from '../../core/permissions';
import type { PlanKey } from '../../core/plans';

export interface User {
  id: string;
  name: string;
  email: string;
  locale: Locale;
}

export interface DossierSummary {
  id: string;
  legalName: string;
  profileName: string;
}

export interface Me {
  user: User;
  dossiers: DossierSummary[];
}

export interface Address {
  line1: string;
  line2: string;
  postalCode: string;
  city: string;
  country: string;
}

export interface Dossier {
  id: string;
  legalName: string;
  legalForm: LegalForm | null;
  siren: string | null;
  siret: string | null;
  vatNumber: string | null;
  address: Address | null;
  shareCapitalCents: number | null;
  rcsCity: string | null;
  vatRegime: VatRegime;
  vatOnDebits: boolean;
  email: string | null;
  phone: string | null;
  iban: string | null;
  bic: string | null;
  /** The VAT rates offered on documents, in percent ("20", "5.5"); always sent by the API (optional for older fixtures). */
  vatRates?: string[];
  latePenaltyRate?: string;
  defaultPaymentDays?: number;
  logoUrl: string | null;
  plan: PlanKey;
  extraSeats: number;
  createdAt: string;
}

export interface Membership {
  profileId: string;
  profileName: string;
  permissions: Permission[];
}

export interface DossierAnswer {
  dossier: Dossier;
  membership: Membership;
}

export interface Member {
  userId: string;
  name: string;
  email: string;
  profileId: string;
  profileName: string;
  joinedAt: string;
}

export interface Invitation {
  id: string;
  email: string;
  profileId: string;
  profileName: string;
  invitedByName: string;
  expiresAt: string;
  createdAt: string;
}

export interface Seats {
  plan: PlanKey;
  planLabel: string;
  limit: number;
  used: number;
}

export interface MembersAnswer {
  members: Member[];
  invitations: Invitation[];
  seats: Seats;
}

export interface Profile {
  id: string;
  name: string;
  builtin: boolean;
  permissions: Permission[];
  memberCount: number;
}

export interface ProfilesAnswer {
  permissions: Permission[];
  profiles: Profile[];
}

export interface AuditChange {
  before: unknown;
  after: unknown;
}

/** An event of the Journal des actions (server: audit/journal.ts `JournalRow`). */
export interface AuditEvent {
  seq: number;
  hash: string;
  occurredAt: string;
  actorUserId: string | null;
  actorName: string | null;
  actorProfile: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  entityLabel: string | null;
  documentType: string | null;
  documentNumber: string | null;
  customerName: string | null;
  grossCents: number | null;
  summary: string;
  changes: Record<string, AuditChange> | null;
  /** Labels of the records the changes name by id. */
  references: Record<string, string>;
  ip: string | null;
}

export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

export interface AuditSummary {
  byUser: { userId: string | null; name: string; groups: Record<string, number>; total: number }[];
  byDay: { day: string; userId: string | null; count: number }[];
  total: number;
}

export interface AuditVerification {
  ok: boolean;
  checked: number;
  firstBrokenSeq: number | null;
  reason: string | null;
  /** Numbered documents found as their issue event recorded them. */
  documents: number;
  /** The newest signed checkpoint the journal matched. */
  anchor: { seq: number; at: string } | null;
}

export interface Session {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  current: boolean;
}

export const SECURITY_EVENT_KINDS = [
  'signup',
  'signup_attempted',
  'login',
  'login_failed',
  'logout',
  'password_changed',
  'password_reset_requested',
  'password_reset',
  'session_revoked',
] as const;
export type SecurityEventKind = (typeof SECURITY_EVENT_KINDS)[number];

export interface SecurityEvent {
  id: string;
  occurredAt: string;
  kind: string;
  ip: string | null;
  userAgent: string | null;
}

export interface PublicInvitation {
  dossierName: string;
  email: string;
  invitedByName: string;
  profileName: string;
  accountExists: boolean;
  expiresAt: string;
}

export interface OutboxSummary {
  id: string;
  to: string;
  subject: string;
  date: string;
}

export interface OutboxMessage extends OutboxSummary {
  from: string;
  text: string;
  links: string[];
  cc?: string;
  replyTo?: string;
  attachments?: { filename: string; contentType: string; size: number }[];
}

export interface AppConfig {
  smtpConfigured: boolean;
  outboxAvailable: boolean;
}
