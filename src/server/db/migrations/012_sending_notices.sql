-- The dossier-wide list of messages (« Envois »), the notice a sender sees when one of their
-- messages failed or became uncertain, and the per-dossier sending limit.
-- `notice_dismissed_at`: when the sender said « J'ai vu »; cleared when the message is sent again.
ALTER TABLE outgoing_messages ADD COLUMN notice_dismissed_at timestamptz;

-- Newest first, keyset-paginated on (created_at, id); also what the rolling-hour count reads.
CREATE INDEX outgoing_messages_recent ON outgoing_messages (dossier_id, created_at DESC, id DESC);
-- The notices of one sender: read on every page of the app, small in the steady state.
CREATE INDEX outgoing_messages_notices ON outgoing_messages (dossier_id, created_by) WHERE state IN ('failed', 'uncertain') AND notice_dismissed_at IS NULL;
