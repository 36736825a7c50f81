import type { ColumnType, Generated } from 'kysely';
import type { Address } from '../../core/dossier';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface UsersTable {
  id: string;
  email: string;
  name: string;
  password_hash: string;
  locale: ColumnType<'fr' | 'en', 'fr' | 'en' | undefined, 'fr' | 'en'>;
  created_at: Timestamp;
  password_changed_at: Timestamp;
}

export interface SessionsTable {
  id: string;
  user_id: string;
  token_hash: Buffer;
  created_at: Timestamp;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  revoked_at: Date | null;
  ip: string | null;
  user_agent: string | null;
}

export interface PasswordResetsTable {
  id: string;
  user_id: string;
  token_hash: Buffer;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Date | null;
}

export interface LoginAttemptsTable {
  id: Generated<string>;
  email: string;
  ip: string;
  attempted_at: Timestamp;
  succeeded: boolean;
}

export interface SecurityEventsTable {
  id: string;
  user_id: string;
  occurred_at: Timestamp;
  kind: string;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
}

export interface DossiersTable {
  id: string;
  legal_name: string;
  legal_form: string | null;
  siren: string | null;
  siret: string | null;
  vat_number: string | null;
  address: ColumnType<Address | null, string | null, string | null>;
  share_capital_cents: ColumnType<string | null, number | null, number | null>;
  rcs_city: string | null;
  vat_regime: ColumnType<'normal' | 'franchise', 'normal' | 'franchise' | undefined>;
  vat_on_debits: ColumnType<boolean, boolean | undefined>;
  email: string | null;
  phone: string | null;
  iban: string | null;
  bic: string | null;
  logo_file_id: string | null;
  plan: ColumnType<'solo' | 'tpe' | 'tpe_plus', 'solo' | 'tpe' | 'tpe_plus' | undefined>;
  extra_seats: ColumnType<number, number | undefined>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FilesTable {
  dossier_id: string;
  id: string;
  content_type: string;
  size: number;
  sha256: Buffer;
  content: Buffer;
  created_at: Timestamp;
}

export interface ProfilesTable {
  dossier_id: string;
  id: string;
  name: string;
  permissions: string[];
  created_at: Timestamp;
}

export interface MembershipsTable {
  dossier_id: string;
  user_id: string;
  profile_key: string | null;
  profile_id: string | null;
  created_at: Timestamp;
}

export interface InvitationsTable {
  dossier_id: string;
  id: string;
  email: string;
  profile_key: string | null;
  profile_id: string | null;
  token_hash: Buffer;
  invited_by: string;
  created_at: Timestamp;
  expires_at: Timestamp;
  accepted_at: Date | null;
  accepted_by: string | null;
  revoked_at: Date | null;
}

export interface AuditHeadsTable {
  dossier_id: string;
  last_seq: ColumnType<string, number, number>;
  last_hash: string;
}

export interface AuditEventsTable {
  dossier_id: string;
  seq: ColumnType<string, number, never>;
  id: string;
  occurred_at: Timestamp;
  actor_user_id: string | null;
  actor_name: string;
  actor_profile: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  entity_label: string | null;
  summary: string;
  changes: ColumnType<Record<string, { before: unknown; after: unknown }> | null, string | null, never>;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  prev_hash: string;
  hash: string;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  password_resets: PasswordResetsTable;
  login_attempts: LoginAttemptsTable;
  security_events: SecurityEventsTable;
  dossiers: DossiersTable;
  files: FilesTable;
  profiles: ProfilesTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  audit_heads: AuditHeadsTable;
  audit_events: AuditEventsTable;
}
