-- Invoicing: customers, catalogue, documents and their lines, legal numbering, payments.

ALTER TABLE dossiers
  ADD COLUMN vat_rates text[] NOT NULL DEFAULT '{20,10,5.5,2.1,0}',
  ADD COLUMN late_penalty_rate numeric(5,2) NOT NULL DEFAULT 12.15,
  ADD COLUMN default_payment_days integer NOT NULL DEFAULT 30 CHECK (default_payment_days BETWEEN 0 AND 365);

CREATE TABLE customers (
  dossier_id uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('company', 'individual')),
  name text NOT NULL,
  siren char(9),
  siret char(14),
  vat_number text,
  billing_address jsonb,
  delivery_address jsonb,
  emails text[] NOT NULL DEFAULT '{}',
  payment_days integer CHECK (payment_days BETWEEN 0 AND 365),
  payment_end_of_month boolean NOT NULL DEFAULT false,
  vat_treatment text NOT NULL DEFAULT 'normal' CHECK (vat_treatment IN ('normal', 'reverse_charge', 'export')),
  account_code text,
  notes text,
  archived_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dossier_id, id)
);
CREATE INDEX customers_name ON customers (dossier_id, lower(name));

CREATE TABLE products (
  dossier_id uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  reference text NOT NULL,
  designation text NOT NULL,
  description text,
  unit text NOT NULL,
  unit_price numeric(19,4) NOT NULL CHECK (unit_price >= 0),
  vat_rate numeric(5,2) NOT NULL CHECK (vat_rate >= 0 AND vat_rate <= 100),
  nature text NOT NULL CHECK (nature IN ('goods', 'service')),
  revenue_account text,
  archived_at timestamptz,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dossier_id, id)
);
CREATE UNIQUE INDEX products_reference ON products (dossier_id, lower(reference));

-- Numbering: one format per series, one counter per series and period (year, or 0).
CREATE TABLE numbering_series (
  dossier_id uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  series text NOT NULL CHECK (series IN ('quote', 'invoice', 'credit_note', 'pro_forma')),
  format text NOT NULL,
  yearly_reset boolean NOT NULL DEFAULT true,
  first_number integer NOT NULL DEFAULT 1 CHECK (first_number >= 1),
  PRIMARY KEY (dossier_id, series)
);

CREATE TABLE number_counters (
  dossier_id uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  series text NOT NULL,
  period integer NOT NULL,
  last_value integer NOT NULL,
  last_date date NOT NULL,
  PRIMARY KEY (dossier_id, series, period)
);

CREATE TABLE documents (
  dossier_id uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  type text NOT NULL CHECK (type IN ('quote', 'invoice', 'deposit_invoice', 'credit_note', 'pro_forma')),
  status text NOT NULL CHECK (status IN ('draft', 'finalised', 'accepted', 'refused', 'issued')),
  series text NOT NULL,
  number text,
  issue_date date NOT NULL,
  service_date date,
  due_date date,
  validity_date date,
  customer_id uuid,
  customer_snapshot jsonb,
  seller_snapshot jsonb,
  seller_logo_file_id uuid,
  vat_treatment text NOT NULL DEFAULT 'normal' CHECK (vat_treatment IN ('normal', 'reverse_charge', 'export')),
  payment_terms jsonb,
  discount jsonb,
  -- Deposit invoices deducted (a final invoice), or the deductions of the invoice a credit note cancels.
  deductions jsonb NOT NULL DEFAULT '[]',
  notes text,
  source_id uuid,
  corrects_id uuid,
  totals jsonb NOT NULL,
  net_cents bigint NOT NULL,
  vat_cents bigint NOT NULL,
  gross_cents bigint NOT NULL,
  paid_cents bigint NOT NULL DEFAULT 0 CHECK (paid_cents >= 0),
  credited_cents bigint NOT NULL DEFAULT 0 CHECK (credited_cents >= 0),
  pdf_file_id uuid,
  version integer NOT NULL DEFAULT 1,
  created_by uuid REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_by uuid REFERENCES users (id),
  updated_at timestamptz NOT NULL DEFAULT now(),
  issued_at timestamptz,
  issued_by uuid REFERENCES users (id),
  PRIMARY KEY (dossier_id, id),
  FOREIGN KEY (dossier_id, customer_id) REFERENCES customers (dossier_id, id),
  FOREIGN KEY (dossier_id, seller_logo_file_id) REFERENCES files (dossier_id, id),
  FOREIGN KEY (dossier_id, pdf_file_id) REFERENCES files (dossier_id, id),
  FOREIGN KEY (dossier_id, source_id) REFERENCES documents (dossier_id, id),
  FOREIGN KEY (dossier_id, corrects_id) REFERENCES documents (dossier_id, id),
  CHECK ((number IS NULL) = (status = 'draft')),
  CHECK (credited_cents <= gross_cents)
);
CREATE UNIQUE INDEX documents_number ON documents (dossier_id, series, number) WHERE number IS NOT NULL;
CREATE INDEX documents_list ON documents (dossier_id, type, issue_date DESC, id);
CREATE INDEX documents_customer ON documents (dossier_id, customer_id);
CREATE INDEX documents_number_search ON documents (dossier_id, number text_pattern_ops);

CREATE TABLE document_lines (
  dossier_id uuid NOT NULL,
  document_id uuid NOT NULL,
  position integer NOT NULL,
  kind text NOT NULL CHECK (kind IN ('item', 'section', 'comment')),
  product_id uuid,
  reference text,
  designation text NOT NULL,
  description text,
  unit text,
  quantity numeric(15,3),
  unit_price numeric(19,4),
  discount jsonb,
  vat_rate numeric(5,2),
  nature text CHECK (nature IN ('goods', 'service')),
  PRIMARY KEY (dossier_id, document_id, position),
  FOREIGN KEY (dossier_id, document_id) REFERENCES documents (dossier_id, id) ON DELETE CASCADE,
  FOREIGN KEY (dossier_id, product_id) REFERENCES products (dossier_id, id),
  CHECK (kind <> 'item' OR (quantity IS NOT NULL AND unit_price IS NOT NULL AND vat_rate IS NOT NULL)),
  CHECK (quantity IS NULL OR quantity >= 0),
  CHECK (unit_price IS NULL OR unit_price >= 0)
);

-- A deposit invoice is deducted by at most one final invoice.
CREATE TABLE document_deposits (
  dossier_id uuid NOT NULL,
  document_id uuid NOT NULL,
  deposit_id uuid NOT NULL,
  PRIMARY KEY (dossier_id, document_id, deposit_id),
  UNIQUE (dossier_id, deposit_id),
  FOREIGN KEY (dossier_id, document_id) REFERENCES documents (dossier_id, id) ON DELETE CASCADE,
  FOREIGN KEY (dossier_id, deposit_id) REFERENCES documents (dossier_id, id)
);

CREATE TABLE payments (
  dossier_id uuid NOT NULL,
  id uuid NOT NULL,
  document_id uuid NOT NULL,
  paid_on date NOT NULL,
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  method text NOT NULL CHECK (method IN ('virement', 'cheque', 'carte', 'especes', 'prelevement')),
  reference text,
  created_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  cancelled_at timestamptz,
  cancelled_by uuid REFERENCES users (id),
  cancel_reason text,
  PRIMARY KEY (dossier_id, id),
  FOREIGN KEY (dossier_id, document_id) REFERENCES documents (dossier_id, id)
);
CREATE INDEX payments_document ON payments (dossier_id, document_id);

-- Immutability of numbered documents, enforced by the database itself.
CREATE FUNCTION ardoise_freeze_document() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- What may still change on a numbered document: payment and credit balances, its frozen PDF
  -- (set once), a quote's answer, and bookkeeping columns.
  mutable text[] := ARRAY['paid_cents', 'credited_cents', 'pdf_file_id', 'status', 'version', 'updated_at', 'updated_by'];
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.number IS NOT NULL THEN
      RAISE EXCEPTION 'document % is numbered and cannot be deleted', OLD.number USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
  END IF;
  IF OLD.number IS NULL THEN
    RETURN NEW;
  END IF;
  IF (to_jsonb(NEW) - mutable) IS DISTINCT FROM (to_jsonb(OLD) - mutable)
     OR (OLD.pdf_file_id IS NOT NULL AND NEW.pdf_file_id IS DISTINCT FROM OLD.pdf_file_id)
     OR (OLD.type <> 'quote' AND NEW.status <> OLD.status)
     OR (OLD.type = 'quote' AND NEW.status NOT IN ('finalised', 'accepted', 'refused')) THEN
    RAISE EXCEPTION 'document % is numbered: its content cannot change', OLD.number USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER documents_frozen BEFORE UPDATE OR DELETE ON documents
  FOR EACH ROW EXECUTE FUNCTION ardoise_freeze_document();

CREATE FUNCTION ardoise_freeze_document_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  row_ record;
  doc_number text;
BEGIN
  row_ := CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
  SELECT number INTO doc_number FROM documents WHERE dossier_id = row_.dossier_id AND id = row_.document_id;
  IF doc_number IS NOT NULL THEN
    RAISE EXCEPTION 'document % is numbered: its lines cannot change', doc_number USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN row_;
END
$$;
CREATE TRIGGER document_lines_frozen BEFORE INSERT OR UPDATE OR DELETE ON document_lines
  FOR EACH ROW EXECUTE FUNCTION ardoise_freeze_document_lines();

-- Payments are cancelled, never deleted or rewritten.
CREATE FUNCTION ardoise_payment_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'payments are cancelled, not deleted' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF OLD.cancelled_at IS NOT NULL
     OR (to_jsonb(NEW) - ARRAY['cancelled_at', 'cancelled_by', 'cancel_reason']) IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['cancelled_at', 'cancelled_by', 'cancel_reason']) THEN
    RAISE EXCEPTION 'a payment can only be cancelled, once' USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER payments_append_only BEFORE UPDATE OR DELETE ON payments
  FOR EACH ROW EXECUTE FUNCTION ardoise_payment_append_only();

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['customers', 'products', 'numbering_series', 'number_counters', 'documents', 'document_lines', 'document_deposits', 'payments'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (dossier_id = ardoise_current_dossier()) WITH CHECK (dossier_id = ardoise_current_dossier())', t || '_tenant', t);
  END LOOP;
END
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON customers, products, numbering_series, number_counters, documents, document_lines, document_deposits TO {{app_role}};
GRANT SELECT, INSERT, UPDATE ON payments TO {{app_role}};

-- Who has a document open right now (one row per open page; a heartbeat keeps it fresh).
CREATE TABLE document_viewers (
  dossier_id uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  connection_id uuid NOT NULL,
  document_id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  user_name text NOT NULL,
  seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dossier_id, connection_id)
);
CREATE INDEX document_viewers_document ON document_viewers (dossier_id, document_id);
ALTER TABLE document_viewers ENABLE ROW LEVEL SECURITY;
CREATE POLICY document_viewers_tenant ON document_viewers USING (dossier_id = ardoise_current_dossier()) WITH CHECK (dossier_id = ardoise_current_dossier());
GRANT SELECT, INSERT, UPDATE, DELETE ON document_viewers TO {{app_role}};
