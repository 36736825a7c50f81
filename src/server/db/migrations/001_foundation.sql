-- Ardoise foundation: accounts, sessions, dossiers, members, profiles, invitations, files, audit trail.
-- {{app_role}} is the role every application query runs as: neither superuser nor table owner,
-- so that row-level security applies to it.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{{app_role}}') THEN
    CREATE ROLE {{app_role}} NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
END
$$;
DO $$
BEGIN
  IF NOT pg_has_role(current_user, '{{app_role}}', 'MEMBER') THEN
    EXECUTE format('GRANT {{app_role}} TO %I', current_user);
  END IF;
END
$$;

CREATE FUNCTION ardoise_current_dossier() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('ardoise.dossier_id', true), '')::uuid $$;
CREATE FUNCTION ardoise_current_user() RETURNS uuid LANGUAGE sql STABLE AS
$$ SELECT nullif(current_setting('ardoise.user_id', true), '')::uuid $$;

-- Accounts (not tenant data: one login reaches several dossiers)
CREATE TABLE users (
  id uuid PRIMARY KEY,
  email text NOT NULL UNIQUE CHECK (email = lower(email)),
  name text NOT NULL,
  password_hash text NOT NULL,
  locale text NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en')),
  created_at timestamptz NOT NULL DEFAULT now(),
  password_changed_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  ip text,
  user_agent text
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE password_resets (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);

CREATE TABLE login_attempts (
  id bigserial PRIMARY KEY,
  email text NOT NULL,
  ip text NOT NULL,
  attempted_at timestamptz NOT NULL DEFAULT now(),
  succeeded boolean NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (email, attempted_at);
CREATE INDEX login_attempts_ip ON login_attempts (ip, attempted_at);

CREATE TABLE security_events (
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  kind text NOT NULL,
  ip text,
  user_agent text,
  request_id text
);
CREATE INDEX security_events_user ON security_events (user_id, occurred_at DESC);

-- Tenant tables: every one carries dossier_id in its keys and is guarded by row-level security.
CREATE TABLE dossiers (
  id uuid PRIMARY KEY,
  legal_name text NOT NULL,
  legal_form text,
  siren char(9),
  siret char(14),
  vat_number text,
  address jsonb,
  share_capital_cents bigint CHECK (share_capital_cents >= 0),
  rcs_city text,
  vat_regime text NOT NULL DEFAULT 'normal' CHECK (vat_regime IN ('normal', 'franchise')),
  vat_on_debits boolean NOT NULL DEFAULT false,
  email text,
  phone text,
  iban text,
  bic text,
  logo_file_id uuid,
  plan text NOT NULL DEFAULT 'solo' CHECK (plan IN ('solo', 'tpe', 'tpe_plus')),
  extra_seats integer NOT NULL DEFAULT 0 CHECK (extra_seats >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE files (
  dossier_id uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  content_type text NOT NULL,
  size integer NOT NULL,
  sha256 bytea NOT NULL,
  content bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dossier_id, id)
);
ALTER TABLE dossiers ADD FOREIGN KEY (id, logo_file_id) REFERENCES files (dossier_id, id);

CREATE TABLE profiles (
  dossier_id uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  name text NOT NULL,
  permissions text[] NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dossier_id, id)
);
CREATE UNIQUE INDEX profiles_name ON profiles (dossier_id, lower(name));

CREATE TABLE memberships (
  dossier_id uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  profile_key text,
  profile_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (dossier_id, user_id),
  FOREIGN KEY (dossier_id, profile_id) REFERENCES profiles (dossier_id, id),
  CHECK ((profile_key IS NULL) <> (profile_id IS NULL))
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE invitations (
  dossier_id uuid NOT NULL REFERENCES dossiers (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  email text NOT NULL CHECK (email = lower(email)),
  profile_key text,
  profile_id uuid,
  token_hash bytea NOT NULL UNIQUE,
  invited_by uuid NOT NULL REFERENCES users (id),
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  accepted_by uuid REFERENCES users (id),
  revoked_at timestamptz,
  PRIMARY KEY (dossier_id, id),
  FOREIGN KEY (dossier_id, profile_id) REFERENCES profiles (dossier_id, id),
  CHECK ((profile_key IS NULL) <> (profile_id IS NULL))
);
CREATE UNIQUE INDEX invitations_pending ON invitations (dossier_id, email) WHERE accepted_at IS NULL AND revoked_at IS NULL;

-- Audit trail: append-only, SHA-256 chained per dossier (see docs/ARCHITECTURE.md).
CREATE TABLE audit_heads (
  dossier_id uuid PRIMARY KEY REFERENCES dossiers (id) ON DELETE CASCADE,
  last_seq bigint NOT NULL,
  last_hash text NOT NULL
);

CREATE TABLE audit_events (
  dossier_id uuid NOT NULL REFERENCES dossiers (id),
  seq bigint NOT NULL,
  id uuid NOT NULL,
  occurred_at timestamptz NOT NULL,
  actor_user_id uuid,
  actor_name text NOT NULL,
  actor_profile text,
  action text NOT NULL,
  entity_type text NOT NULL,
  entity_id text,
  entity_label text,
  summary text NOT NULL,
  changes jsonb,
  ip text,
  user_agent text,
  request_id text,
  prev_hash text NOT NULL,
  hash text NOT NULL,
  PRIMARY KEY (dossier_id, seq),
  UNIQUE (dossier_id, id)
);
CREATE INDEX audit_events_entity ON audit_events (dossier_id, entity_type, entity_id);

CREATE FUNCTION ardoise_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION ardoise_refuse_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION ardoise_refuse_change();
CREATE TRIGGER security_events_append_only BEFORE UPDATE OR DELETE ON security_events
  FOR EACH ROW EXECUTE FUNCTION ardoise_refuse_change();

CREATE FUNCTION ardoise_start_audit_chain() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit_heads (dossier_id, last_seq, last_hash) VALUES (NEW.id, 0, repeat('0', 64));
  RETURN NEW;
END
$$;
CREATE TRIGGER dossiers_start_audit_chain AFTER INSERT ON dossiers
  FOR EACH ROW EXECUTE FUNCTION ardoise_start_audit_chain();

-- Row-level security
ALTER TABLE dossiers ENABLE ROW LEVEL SECURITY;
CREATE POLICY dossiers_read ON dossiers FOR SELECT USING (
  id = ardoise_current_dossier()
  OR EXISTS (SELECT 1 FROM memberships m WHERE m.dossier_id = dossiers.id AND m.user_id = ardoise_current_user())
);
CREATE POLICY dossiers_insert ON dossiers FOR INSERT WITH CHECK (id = ardoise_current_dossier());
CREATE POLICY dossiers_update ON dossiers FOR UPDATE USING (id = ardoise_current_dossier()) WITH CHECK (id = ardoise_current_dossier());
CREATE POLICY dossiers_delete ON dossiers FOR DELETE USING (id = ardoise_current_dossier());

ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
-- A user also sees their own memberships of other dossiers (the dossier picker).
CREATE POLICY memberships_read ON memberships FOR SELECT USING (
  dossier_id = ardoise_current_dossier() OR user_id = ardoise_current_user()
);
CREATE POLICY memberships_insert ON memberships FOR INSERT WITH CHECK (dossier_id = ardoise_current_dossier());
CREATE POLICY memberships_update ON memberships FOR UPDATE USING (dossier_id = ardoise_current_dossier()) WITH CHECK (dossier_id = ardoise_current_dossier());
CREATE POLICY memberships_delete ON memberships FOR DELETE USING (dossier_id = ardoise_current_dossier());

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
-- Whoever holds an invitation's token may read that one invitation.
CREATE POLICY invitations_read ON invitations FOR SELECT USING (
  dossier_id = ardoise_current_dossier()
  OR token_hash = decode(nullif(current_setting('ardoise.invitation_token_hash', true), ''), 'hex')
);
CREATE POLICY invitations_write ON invitations FOR ALL USING (dossier_id = ardoise_current_dossier()) WITH CHECK (dossier_id = ardoise_current_dossier());

ALTER TABLE profiles ENABLE ROW LEVEL SECURITY;
-- A user also sees the custom profile they hold in another dossier (its name, in the dossier picker).
CREATE POLICY profiles_read ON profiles FOR SELECT USING (
  dossier_id = ardoise_current_dossier()
  OR EXISTS (SELECT 1 FROM memberships m WHERE m.dossier_id = profiles.dossier_id AND m.profile_id = profiles.id AND m.user_id = ardoise_current_user())
);
CREATE POLICY profiles_write ON profiles FOR ALL USING (dossier_id = ardoise_current_dossier()) WITH CHECK (dossier_id = ardoise_current_dossier());

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['files', 'audit_heads', 'audit_events'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('CREATE POLICY %I ON %I USING (dossier_id = ardoise_current_dossier()) WITH CHECK (dossier_id = ardoise_current_dossier())', t || '_tenant', t);
  END LOOP;
END
$$;

-- What the application role may do
GRANT SELECT, INSERT, UPDATE, DELETE ON users, sessions, password_resets, dossiers, files, profiles, memberships, invitations TO {{app_role}};
GRANT SELECT, INSERT, DELETE ON login_attempts TO {{app_role}};
GRANT USAGE ON SEQUENCE login_attempts_id_seq TO {{app_role}};
GRANT SELECT, INSERT ON security_events, audit_events TO {{app_role}};
GRANT SELECT, INSERT, UPDATE ON audit_heads TO {{app_role}};
