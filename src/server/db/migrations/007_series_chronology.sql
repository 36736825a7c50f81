-- Chronology across the whole series, whatever the yearly reset (CGI annexe II art. 242 nonies A):
-- no invoice may be dated before the last issued one of its series. Migration 006 compared the
-- date with the last one of the period's counter only, so after F-2026-0001 (5 January 2026) an
-- invoice dated 31 December 2025 was still numbered F-2025-0002. The function is the same except
-- for that check, which now reads the last date over every counter of the series (a series has
-- one counter per year when it restarts yearly, a handful of rows read by their primary key).
CREATE OR REPLACE FUNCTION ardoise_take_number(
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
  v_series_last_date date;
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
    SELECT h.last_seq, h.last_hash, c.last_value
      INTO v_last_seq, v_last_hash, v_last_value
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

  -- Under the lock, in a statement of its own (so it sees every number committed before the lock
  -- was granted): the last date over all the series' periods, not only this one's counter.
  SELECT max(c.last_date) INTO v_series_last_date
    FROM number_counters c
   WHERE c.dossier_id = p_dossier_id AND c.series = p_series;
  IF v_series_last_date > p_issue_date THEN
    RAISE EXCEPTION 'issue date % precedes the last one of the series', p_issue_date USING ERRCODE = 'AR001', DETAIL = v_series_last_date::text;
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

