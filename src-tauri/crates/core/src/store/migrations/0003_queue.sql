-- What the push needs beyond schema v1: which job a reschedule updates, when a job was first
-- queued (the 72-hour rule), whether its last attempt's outcome is unknown (look the Lead up
-- before sending again), the last error's text, and a note for what happened to it besides
-- attempts (cancelled by the guest, skipped by support). Sync-log entries keep Salesforce's
-- detail (HTTP status, duplicate record ids) as JSON.
ALTER TABLE outbox_jobs ADD COLUMN action TEXT NOT NULL DEFAULT 'create'
    CHECK (action IN ('create', 'update'));
ALTER TABLE outbox_jobs ADD COLUMN original_job_id INTEGER REFERENCES outbox_jobs (id) ON DELETE SET NULL;
ALTER TABLE outbox_jobs ADD COLUMN queued_at TEXT;
ALTER TABLE outbox_jobs ADD COLUMN outcome_unknown INTEGER NOT NULL DEFAULT 0 CHECK (outcome_unknown IN (0, 1));
ALTER TABLE outbox_jobs ADD COLUMN last_error_message TEXT;
ALTER TABLE outbox_jobs ADD COLUMN note TEXT;
ALTER TABLE sync_log ADD COLUMN detail TEXT NOT NULL DEFAULT '{}';

CREATE INDEX outbox_jobs_by_state_time ON outbox_jobs (state, updated_at);
CREATE INDEX outbox_jobs_lease ON outbox_jobs (state, lease_until);
CREATE INDEX sync_log_by_calendar ON sync_log (calendar_id, occurred_at);
CREATE INDEX sync_log_by_job ON sync_log (job_id);
CREATE INDEX bookings_by_guest ON bookings (guest_email);
