import type { ColumnType, Generated } from 'kysely';
import type { Address } from '../../core/dossier';
import type { TemplateKind } from '../../core/outgoing-mail';

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

export interface SignupRequestsTable {
  id: string;
  email: string;
  name: string;
  dossier_name: string;
  password_hash: string;
  locale: ColumnType<'fr' | 'en', 'fr' | 'en' | undefined, 'fr' | 'en'>;
  token_hash: Buffer;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Date | null;
  replaced_at: Date | null;
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
  vat_rates: ColumnType<string[], string[] | undefined, string[]>;
  late_penalty_rate: ColumnType<string, string | undefined, string>;
  default_payment_days: ColumnType<number, number | undefined, number>;
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

type Json<T> = ColumnType<T, string, string>;
type NullableJson<T> = ColumnType<T | null, string | null, string | null>;
/** numeric columns arrive as strings (exact decimals). */
type Numeric = ColumnType<string, string, string>;
type NullableNumeric = ColumnType<string | null, string | null, string | null>;
type Cents = ColumnType<string, number | bigint, number | bigint>;

export interface CustomersTable {
  dossier_id: string;
  id: string;
  kind: 'company' | 'individual';
  name: string;
  siren: string | null;
  siret: string | null;
  vat_number: string | null;
  billing_address: NullableJson<Address>;
  delivery_address: NullableJson<Address>;
  emails: ColumnType<string[], string[] | undefined, string[]>;
  payment_days: number | null;
  payment_end_of_month: ColumnType<boolean, boolean | undefined, boolean>;
  vat_treatment: ColumnType<'normal' | 'reverse_charge' | 'export', 'normal' | 'reverse_charge' | 'export' | undefined>;
  account_code: string | null;
  notes: string | null;
  archived_at: Date | null;
  version: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ProductsTable {
  dossier_id: string;
  id: string;
  reference: string;
  designation: string;
  description: string | null;
  unit: string;
  unit_price: Numeric;
  vat_rate: Numeric;
  nature: 'goods' | 'service';
  revenue_account: string | null;
  archived_at: Date | null;
  version: ColumnType<number, number | undefined, number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface NumberingSeriesTable {
  dossier_id: string;
  series: string;
  format: string;
  yearly_reset: boolean;
  first_number: number;
}

export interface NumberCountersTable {
  dossier_id: string;
  series: string;
  period: number;
  last_value: number;
  last_date: ColumnType<string, string, string>;
}

export interface DocumentsTable {
  dossier_id: string;
  id: string;
  type: 'quote' | 'invoice' | 'deposit_invoice' | 'credit_note' | 'pro_forma';
  status: 'draft' | 'finalised' | 'accepted' | 'refused' | 'issued';
  series: string;
  number: string | null;
  issue_date: ColumnType<string, string, string>;
  service_date: string | null;
  due_date: string | null;
  validity_date: string | null;
  customer_id: string | null;
  customer_snapshot: NullableJson<unknown>;
  seller_snapshot: NullableJson<unknown>;
  seller_logo_file_id: string | null;
  vat_treatment: 'normal' | 'reverse_charge' | 'export';
  payment_terms: NullableJson<{ days: number; endOfMonth: boolean }>;
  discount: NullableJson<unknown>;
  deductions: ColumnType<unknown, string | undefined, string>;
  notes: string | null;
  source_id: string | null;
  corrects_id: string | null;
  totals: Json<unknown>;
  net_cents: Cents;
  vat_cents: Cents;
  gross_cents: Cents;
  paid_cents: ColumnType<string, number | bigint | undefined, number | bigint>;
  credited_cents: ColumnType<string, number | bigint | undefined, number | bigint>;
  pdf_file_id: string | null;
  version: ColumnType<number, number | undefined, number>;
  created_by: string | null;
  created_at: Timestamp;
  updated_by: string | null;
  updated_at: Timestamp;
  issued_at: Date | null;
  issued_by: string | null;
}

export interface DocumentLinesTable {
  dossier_id: string;
  document_id: string;
  position: number;
  kind: 'item' | 'section' | 'comment';
  product_id: string | null;
  reference: string | null;
  designation: string;
  description: string | null;
  unit: string | null;
  quantity: NullableNumeric;
  unit_price: NullableNumeric;
  discount: NullableJson<unknown>;
  vat_rate: NullableNumeric;
  nature: 'goods' | 'service' | null;
}

export interface DocumentDepositsTable {
  dossier_id: string;
  document_id: string;
  deposit_id: string;
}

export interface PaymentsTable {
  dossier_id: string;
  id: string;
  document_id: string;
  paid_on: ColumnType<string, string, string>;
  amount_cents: Cents;
  method: 'virement' | 'cheque' | 'carte' | 'especes' | 'prelevement';
  reference: string | null;
  created_by: string;
  created_at: Timestamp;
  cancelled_at: Date | null;
  cancelled_by: string | null;
  cancel_reason: string | null;
}

export interface DocumentViewersTable {
  dossier_id: string;
  connection_id: string;
  document_id: string;
  user_id: string;
  user_name: string;
  seen_at: Timestamp;
}

export interface OutgoingMessagesTable {
  dossier_id: string;
  id: string;
  document_id: string;
  idempotency_key: string;
  to_addresses: string[];
  cc_addresses: ColumnType<string[], string[] | undefined, string[]>;
  bcc_addresses: ColumnType<string[], string[] | undefined, string[]>;
  subject: string;
  body: string;
  reply_to: string | null;
  sender_name: string;
  attachment_name: string;
  pdf_file_id: string | null;
  pdf_sha256: string | null;
  created_by: string | null;
  state: ColumnType<MessageState, 'pending' | undefined, MessageState>;
  attempts: ColumnType<number, number | undefined, number>;
  attempt_id: string | null;
  lease_until: Date | null;
  next_attempt_at: Timestamp;
  last_error: string | null;
  smtp_response: string | null;
  message_id: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  sent_at: Date | null;
  notice_dismissed_at: Date | null;
  reminder_level: ColumnType<number | null, number | null | undefined, number | null>;
}

type MessageState = 'pending' | 'sending' | 'sent' | 'retry' | 'failed' | 'uncertain' | 'cancelled';

export interface ReminderPlansTable {
  dossier_id: string;
  mode: 'off' | 'manual' | 'automatic';
  level1_days: number;
  level2_days: number;
  level3_days: number;
  updated_at: Timestamp;
}

export interface InvoiceRemindersTable {
  dossier_id: string;
  document_id: string;
  level: number;
  message_id: string;
  created_at: Timestamp;
  created_by: string | null;
  cancelled_at: Date | null;
}

export interface MailTemplatesTable {
  dossier_id: string;
  kind: TemplateKind;
  subject: string;
  body: string;
  updated_by: string;
  updated_at: Timestamp;
}

export interface Database {
  users: UsersTable;
  sessions: SessionsTable;
  password_resets: PasswordResetsTable;
  signup_requests: SignupRequestsTable;
  login_attempts: LoginAttemptsTable;
  security_events: SecurityEventsTable;
  dossiers: DossiersTable;
  files: FilesTable;
  profiles: ProfilesTable;
  memberships: MembershipsTable;
  invitations: InvitationsTable;
  audit_heads: AuditHeadsTable;
  audit_events: AuditEventsTable;
  customers: CustomersTable;
  products: ProductsTable;
  numbering_series: NumberingSeriesTable;
  number_counters: NumberCountersTable;
  documents: DocumentsTable;
  document_lines: DocumentLinesTable;
  document_deposits: DocumentDepositsTable;
  payments: PaymentsTable;
  document_viewers: DocumentViewersTable;
  outgoing_messages: OutgoingMessagesTable;
  mail_templates: MailTemplatesTable;
  reminder_plans: ReminderPlansTable;
  invoice_reminders: InvoiceRemindersTable;
}
