-- Who is calling, in one statement: every authenticated request starts with this lookup
-- (platform/auth.ts). It replaces a four-table join planned afresh inside each request's
-- transaction: a PL/pgSQL function keeps its plans for the life of the connection.
--
-- SECURITY DEFINER: the lookup must run before any tenant scope exists (it is what decides the
-- scope), so it reads sessions, memberships and profiles as their owner. It takes only the
-- SHA-256 of a session token and a dossier id, and returns nothing without a live session.
--
-- `revision` is the dossier's audit sequence (audit_heads.last_seq). Every change to a dossier's
-- data writes an audit event in the same transaction, so the revision moves with every committed
-- change: reads that depend only on the dossier's data are cached against it (platform/read-cache.ts).
CREATE FUNCTION ardoise_authorize(p_token_hash bytea, p_dossier_id uuid)
RETURNS TABLE (
  session_id uuid,
  user_id uuid,
  name text,
  email text,
  locale text,
  is_member boolean,
  profile_key text,
  profile_id uuid,
  custom_name text,
  custom_permissions text[],
  revision bigint
)
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
#variable_conflict use_column
DECLARE
  last_seen timestamptz;
BEGIN
  SELECT s.id, u.id, u.name, u.email, u.locale, m.user_id IS NOT NULL, m.profile_key, m.profile_id, p.name, p.permissions, h.last_seq, s.last_seen_at
  INTO session_id, user_id, name, email, locale, is_member, profile_key, profile_id, custom_name, custom_permissions, revision, last_seen
  FROM sessions s
  JOIN users u ON u.id = s.user_id
  LEFT JOIN memberships m ON m.user_id = u.id AND m.dossier_id = p_dossier_id
  LEFT JOIN profiles p ON p.dossier_id = m.dossier_id AND p.id = m.profile_id
  LEFT JOIN audit_heads h ON h.dossier_id = m.dossier_id
  WHERE s.token_hash = p_token_hash AND s.revoked_at IS NULL AND s.expires_at > now();
  IF NOT FOUND THEN
    RETURN;
  END IF;
  -- Activity is recorded at most every five minutes, so that reads do not all turn into writes.
  IF last_seen < now() - interval '5 minutes' THEN
    UPDATE sessions s SET last_seen_at = now() WHERE s.id = session_id;
  END IF;
  RETURN NEXT;
END
$$;

REVOKE ALL ON FUNCTION ardoise_authorize(bytea, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ardoise_authorize(bytea, uuid) TO {{app_role}};
