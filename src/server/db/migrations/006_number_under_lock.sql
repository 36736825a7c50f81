-- Numbering a document and chaining its audit event, from the lock to the last write, in one
-- statement (documents/lifecycle.ts calls it from the statement that writes the document).
--
-- Issuing does everything it can before: it checks the draft, freezes the parties and totals,
-- and prepares the event. What can only be known under the dossier's write lock (the audit chain
-- head, platform/audit.ts) is computed here: the counter's next value and the number it gives,
-- the event's sequence number, time and hash. So concurrent issuers queue only for the time
-- PostgreSQL takes to run this and to commit, never for a round trip to the application.
--
-- The event arrives as its row (jsonb) and its canonical text (platform/audit.ts canonicalJson),
-- both holding marks where the number, the sequence number and the time go: p_marks = {number
-- mark, sequence mark as it appears in the JSON (quoted), time mark}. The marks are random per
-- call (they contain a UUID), so they cannot collide with any content. The hash is SHA-256 over
-- the previous hash, a newline and the canonical text, exactly as chainHash computes it, so
-- `npm run audit:verify` checks these events like any other.
--
-- A date before the last issued one in the series is refused (SQLSTATE AR001, the last date in
-- DETAIL): nothing is written and the transaction fails, so no number is consumed.
CREATE FUNCTION ardoise_take_number(
  p_dossier_id uuid,
  p_series text,
  p_period integer,
  p_first_number integer,
  p_issue_date date,
  p_number_prefix text,
  p_number_width integer,
  p_number_suffix text,
  p_event jsonb,
  p_canonical text,
  p_marks text[]
)
RETURNS TABLE (number text, seq bigint, hash text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  v_last_seq bigint;
  v_last_hash text;
  v_last_value integer;
  v_last_date date;
  v_value integer;
  v_number text;
  v_seq bigint;
  v_at timestamptz;
  v_hash text;
  e audit_events;
BEGIN
  FOR attempt IN 1..2 LOOP
    -- The head and the counter together: a waiter re-reads both rows' latest versions when it
    -- gets the lock (READ COMMITTED), so the counter is as fresh as the head.
    SELECT h.last_seq, h.last_hash, c.last_value, c.last_date
      INTO v_last_seq, v_last_hash, v_last_value, v_last_date
      FROM audit_heads h
      JOIN number_counters c ON c.dossier_id = h.dossier_id AND c.series = p_series AND c.period = p_period
     WHERE h.dossier_id = p_dossier_id
       FOR UPDATE;
    EXIT WHEN FOUND;
    IF attempt = 2 THEN
      RAISE EXCEPTION 'no % counter for % in dossier %', p_series, p_period, p_dossier_id;
    END IF;
    -- The series' first number of the period: the counter is created (a concurrent creator's row is kept), then locked.
    INSERT INTO number_counters (dossier_id, series, period, last_value, last_date)
    VALUES (p_dossier_id, p_series, p_period, p_first_number - 1, '0001-01-01')
    ON CONFLICT (dossier_id, series, period) DO NOTHING;
  END LOOP;

  IF v_last_date > p_issue_date THEN
    RAISE EXCEPTION 'issue date % precedes the last one of the series', p_issue_date USING ERRCODE = 'AR001', DETAIL = v_last_date::text;
  END IF;

  v_value := greatest(v_last_value, p_first_number - 1) + 1;
  -- Padded like String.padStart: a counter longer than the width is kept whole.
  v_number := p_number_prefix || lpad(v_value::text, greatest(p_number_width, length(v_value::text)), '0') || p_number_suffix;
  v_seq := v_last_seq + 1;
  v_at := date_trunc('milliseconds', clock_timestamp());
  v_hash := encode(sha256(convert_to(
    v_last_hash || E'\n' || replace(replace(replace(p_canonical,
      p_marks[1], v_number),
      p_marks[2], v_seq::text),
      p_marks[3], to_char(v_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
    'UTF8')), 'hex');

  UPDATE number_counters c
     SET last_value = v_value, last_date = greatest(c.last_date, p_issue_date)
   WHERE c.dossier_id = p_dossier_id AND c.series = p_series AND c.period = p_period;

  e := jsonb_populate_record(NULL::audit_events, p_event);
  INSERT INTO audit_events (dossier_id, seq, id, occurred_at, actor_user_id, actor_name, actor_profile, action, entity_type, entity_id,
                            entity_label, summary, changes, ip, user_agent, request_id, prev_hash, hash)
  VALUES (p_dossier_id, v_seq, e.id, v_at, e.actor_user_id, e.actor_name, e.actor_profile, e.action, e.entity_type, e.entity_id,
          replace(e.entity_label, p_marks[1], v_number), replace(e.summary, p_marks[1], v_number),
          replace(e.changes::text, p_marks[1], v_number)::jsonb, e.ip, e.user_agent, e.request_id, v_last_hash, v_hash);

  UPDATE audit_heads h SET last_seq = v_seq, last_hash = v_hash WHERE h.dossier_id = p_dossier_id;

  number := v_number;
  seq := v_seq;
  hash := v_hash;
  RETURN NEXT;
END
$$;

REVOKE ALL ON FUNCTION ardoise_take_number(uuid, text, integer, integer, date, text, integer, text, jsonb, text, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ardoise_take_number(uuid, text, integer, integer, date, text, integer, text, jsonb, text, text[]) TO {{app_role}};
