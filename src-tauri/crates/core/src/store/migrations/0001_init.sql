-- Schema v1. Migrations are append-only: never edit this file once released; add 0002_… instead.
-- Times are RFC 3339 text in UTC. Secrets (tokens, passwords) never live here: they go to the OS keyring.

CREATE TABLE members (
    id          INTEGER PRIMARY KEY,
    email       TEXT NOT NULL COLLATE NOCASE UNIQUE,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'support')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- The Salesforce connection's non-secret facts; one row per connection, the open one has no closed_at.
CREATE TABLE salesforce_connections (
    id            INTEGER PRIMARY KEY,
    login_host    TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    org_id        TEXT NOT NULL,
    org_name      TEXT,
    user_id       TEXT NOT NULL,
    username      TEXT NOT NULL,
    instance_url  TEXT NOT NULL,
    api_version   TEXT NOT NULL,
    connected_at  TEXT NOT NULL,
    connected_by  INTEGER REFERENCES members (id) ON DELETE SET NULL,
    closed_at     TEXT,
    closed_reason TEXT
);
CREATE UNIQUE INDEX salesforce_connections_one_open ON salesforce_connections (closed_at IS NULL)
    WHERE closed_at IS NULL;

CREATE TABLE calendars (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL COLLATE NOCASE UNIQUE,
    url_path       TEXT UNIQUE,
    team_url_path  TEXT,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE TABLE questions (
    id              INTEGER PRIMARY KEY,
    calendar_id     INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL CHECK (position >= 1),
    kind            TEXT NOT NULL CHECK (kind IN ('short_text', 'long_text', 'email', 'phone',
                        'single_choice', 'multiple_choice', 'checkbox', 'date', 'number')),
    label           TEXT NOT NULL COLLATE NOCASE,
    required        INTEGER NOT NULL CHECK (required IN (0, 1)),
    choices         TEXT NOT NULL DEFAULT '[]',   -- JSON array of strings
    standard_field  TEXT CHECK (standard_field IN ('company_name', 'guest_name', 'guest_email', 'guest_comment')),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (calendar_id, label),
    UNIQUE (calendar_id, standard_field)
);
CREATE INDEX questions_by_calendar ON questions (calendar_id, position);

-- A calendar's link to a service (Salesforce today); the target object is data so Contact can follow.
CREATE TABLE integrations (
    id             INTEGER PRIMARY KEY,
    calendar_id    INTEGER NOT NULL REFERENCES calendars (id) ON DELETE CASCADE,
    service        TEXT NOT NULL CHECK (service IN ('salesforce')),
    target_object  TEXT NOT NULL,
    enabled        INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    auto_assign    INTEGER NOT NULL DEFAULT 1 CHECK (auto_assign IN (0, 1)),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (calendar_id, service)
);

CREATE TABLE mapping_rows (
    id              INTEGER PRIMARY KEY,
    integration_id  INTEGER NOT NULL REFERENCES integrations (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL CHECK (position >= 1),
    field           TEXT NOT NULL,          -- the Salesforce field's API name
    source_kind     TEXT NOT NULL CHECK (source_kind IN ('question', 'attribute', 'fixed')),
    source          TEXT NOT NULL,          -- question id, attribute name, or the fixed value
    transform       TEXT NOT NULL DEFAULT '{}',  -- JSON
    UNIQUE (integration_id, field)
);
CREATE INDEX mapping_rows_by_integration ON mapping_rows (integration_id, position);

-- The org's describe results, kept so the mapping editor works offline.
CREATE TABLE describe_cache (
    org_id      TEXT NOT NULL,
    object      TEXT NOT NULL,
    fetched_at  TEXT NOT NULL,
    body        TEXT NOT NULL,              -- the describe JSON as Salesforce sent it
    PRIMARY KEY (org_id, object)
);

CREATE TABLE bookings (
    id              INTEGER PRIMARY KEY,
    event_id        TEXT NOT NULL,          -- the scheduling product's booking id
    calendar_id     INTEGER REFERENCES calendars (id) ON DELETE SET NULL,
    webhook_type    TEXT NOT NULL,
    payload_sha256  TEXT NOT NULL UNIQUE,   -- recognises a redelivered payload
    raw_payload     TEXT NOT NULL,
    guest_name      TEXT,
    guest_email     TEXT,
    start_at        TEXT,
    end_at          TEXT,
    guest_timezone  TEXT,
    old_event_id    TEXT,
    received_at     TEXT NOT NULL,
    source          TEXT NOT NULL CHECK (source IN ('webhook', 'file'))
);
CREATE INDEX bookings_by_event ON bookings (event_id);
CREATE INDEX bookings_by_calendar ON bookings (calendar_id, received_at);

-- The outbox: one job per booking event to push, written in the booking's transaction.
CREATE TABLE outbox_jobs (
    id               INTEGER PRIMARY KEY,
    booking_id       INTEGER NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    state            TEXT NOT NULL CHECK (state IN ('held', 'queued', 'in_flight', 'retry', 'done',
                         'needs_attention', 'skipped', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    lease_until      TEXT,
    salesforce_id    TEXT,
    last_error_code  TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX outbox_jobs_due ON outbox_jobs (state, next_attempt_at);
CREATE INDEX outbox_jobs_by_booking ON outbox_jobs (booking_id);

CREATE TABLE job_attempts (
    id           INTEGER PRIMARY KEY,
    job_id       INTEGER NOT NULL REFERENCES outbox_jobs (id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    http_status  INTEGER,
    request      TEXT,                      -- the record as posted (JSON)
    response     TEXT,                      -- Salesforce's answer for this record (JSON)
    outcome      TEXT NOT NULL CHECK (outcome IN ('done', 'retry', 'throttled', 'auth', 'permanent', 'unknown'))
);
CREATE INDEX job_attempts_by_job ON job_attempts (job_id, attempt);

CREATE TABLE sync_log (
    id           INTEGER PRIMARY KEY,
    job_id       INTEGER REFERENCES outbox_jobs (id) ON DELETE SET NULL,
    booking_id   INTEGER REFERENCES bookings (id) ON DELETE SET NULL,
    calendar_id  INTEGER REFERENCES calendars (id) ON DELETE SET NULL,
    error_code   TEXT NOT NULL,
    message      TEXT NOT NULL,
    fields       TEXT NOT NULL DEFAULT '[]', -- JSON array of field API names
    attempt      INTEGER NOT NULL,
    occurred_at  TEXT NOT NULL,
    resolved_at  TEXT
);
CREATE INDEX sync_log_by_time ON sync_log (occurred_at);
CREATE INDEX sync_log_by_code ON sync_log (error_code, occurred_at);

CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor_id     INTEGER REFERENCES members (id) ON DELETE SET NULL,
    actor_email  TEXT NOT NULL,             -- kept so the entry still reads after the member is removed
    action       TEXT NOT NULL,
    target       TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '{}'  -- JSON
);
CREATE INDEX audit_log_by_time ON audit_log (at);

CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL                    -- JSON
);
