-- The Journal des actions reads a dossier's events newest first by sequence number (keyset
-- pages: `seq < cursor`), filtered by user, by action or by period. Each filter has the index
-- that keeps a deep page as fast as the first one in a dossier with millions of events.
CREATE INDEX audit_events_by_actor ON audit_events (dossier_id, actor_user_id, seq);
CREATE INDEX audit_events_by_action ON audit_events (dossier_id, action, seq);
CREATE INDEX audit_events_by_time ON audit_events (dossier_id, occurred_at);
