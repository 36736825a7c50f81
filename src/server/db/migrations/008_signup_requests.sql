-- Sign-up confirmed by e-mail: a sign-up answers the same whether or not the address has an
-- account, and creates the account only once the link sent to the address is opened. Until then
-- the request waits here, with its password already hashed (argon2id) and only the SHA-256 of
-- its link's token, like password_resets. Not tenant data: no dossier exists yet.
CREATE TABLE signup_requests (
  id uuid PRIMARY KEY,
  email text NOT NULL CHECK (email = lower(email)),
  name text NOT NULL,
  dossier_name text NOT NULL,
  password_hash text NOT NULL,
  locale text NOT NULL DEFAULT 'fr' CHECK (locale IN ('fr', 'en')),
  token_hash bytea NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  -- Set when the link is used, or when a later sign-up for the same address replaces it.
  used_at timestamptz,
  replaced_at timestamptz
);
CREATE INDEX signup_requests_email ON signup_requests (email, created_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON signup_requests TO {{app_role}};
