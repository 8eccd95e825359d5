//! The outbox's SQL: one job per booking event to push, claimed under a lease, moved through its
//! states with every attempt kept, and the sync log of failures. Lists are paged and filtered in
//! SQL over indexes, so the queue and the log stay quick with a hundred thousand bookings.

use rusqlite::types::Value as SqlValue;
use rusqlite::{OptionalExtension, params, params_from_iter};

use super::Tx;
use crate::error::{Error, Result};
use crate::ipc::{
    AttemptInfo, JobAction, JobFilter, JobPage, JobState, JobSummary, QueueCounts, SyncLogFilter,
};

pub fn state_text(s: JobState) -> &'static str {
    match s {
        JobState::Held => "held",
        JobState::Queued => "queued",
        JobState::InFlight => "in_flight",
        JobState::Retry => "retry",
        JobState::Done => "done",
        JobState::NeedsAttention => "needs_attention",
        JobState::Skipped => "skipped",
        JobState::Cancelled => "cancelled",
    }
}

fn state_from(text: &str) -> rusqlite::Result<JobState> {
    Ok(match text {
        "held" => JobState::Held,
        "queued" => JobState::Queued,
        "in_flight" => JobState::InFlight,
        "retry" => JobState::Retry,
        "done" => JobState::Done,
        "needs_attention" => JobState::NeedsAttention,
        "skipped" => JobState::Skipped,
        "cancelled" => JobState::Cancelled,
        other => {
            return Err(rusqlite::Error::FromSqlConversionFailure(
                0,
                rusqlite::types::Type::Text,
                format!("job state {other:?}").into(),
            ));
        }
    })
}

fn action_text(a: JobAction) -> &'static str {
    match a {
        JobAction::Create => "create",
        JobAction::Update => "update",
    }
}

/// A job as the push works on it: with its booking's payload and calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedJob {
    pub id: i64,
    pub booking_id: i64,
    pub calendar_id: Option<i64>,
    pub event_id: String,
    pub raw_payload: String,
    pub action: JobAction,
    pub original_job_id: Option<i64>,
    pub attempts: i64,
    pub queued_at: Option<String>,
    pub outcome_unknown: bool,
}

/// A sync-log entry about to be written.
#[derive(Debug, Clone)]
pub struct NewLogEntry<'a> {
    pub job_id: i64,
    pub error_code: &'a str,
    pub message: &'a str,
    pub fields: &'a [String],
    pub attempt: i64,
    pub occurred_at: &'a str,
    pub detail: &'a serde_json::Value,
}

/// A sync-log row as stored, before it is explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    pub id: i64,
    pub job_id: Option<i64>,
    pub booking_id: Option<i64>,
    pub calendar_id: Option<i64>,
    pub calendar_name: Option<String>,
    pub guest_name: Option<String>,
    pub guest_email: Option<String>,
    pub error_code: String,
    pub message: String,
    pub fields: Vec<String>,
    pub detail: serde_json::Value,
    pub attempt: i64,
    pub occurred_at: String,
    pub resolved_at: Option<String>,
    pub job_state: Option<JobState>,
}

/// A job as the result files list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettledJob {
    pub id: i64,
    pub state: String,
    pub salesforce_id: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

/// One attempt about to be recorded.
#[derive(Debug, Clone)]
pub struct NewAttempt<'a> {
    pub job_id: i64,
    pub attempt: i64,
    pub started_at: &'a str,
    pub finished_at: &'a str,
    pub http_status: Option<i64>,
    pub request: &'a serde_json::Value,
    pub response: &'a serde_json::Value,
    pub outcome: &'a str,
}

const SUMMARY: &str = "SELECT j.id, j.booking_id, b.event_id, b.calendar_id, c.name, b.guest_name,
        b.guest_email, b.start_at, j.state, j.action, j.attempts, j.next_attempt_at,
        j.salesforce_id, j.last_error_code, j.last_error_message, j.note, j.updated_at
    FROM outbox_jobs j JOIN bookings b ON b.id = j.booking_id
    LEFT JOIN calendars c ON c.id = b.calendar_id";

fn summary_from(r: &rusqlite::Row<'_>) -> rusqlite::Result<JobSummary> {
    let state: String = r.get(8)?;
    let action: String = r.get(9)?;
    Ok(JobSummary {
        id: r.get(0)?,
        booking_id: r.get(1)?,
        event_id: r.get(2)?,
        calendar_id: r.get(3)?,
        calendar_name: r.get(4)?,
        guest_name: r.get(5)?,
        guest_email: r.get(6)?,
        start_at: r.get(7)?,
        state: state_from(&state)?,
        action: if action == "update" {
            JobAction::Update
        } else {
            JobAction::Create
        },
        attempts: r.get(10)?,
        next_attempt_at: r.get(11)?,
        salesforce_id: r.get(12)?,
        last_error_code: r.get(13)?,
        last_error_message: r.get(14)?,
        note: r.get(15)?,
        updated_at: r.get(16)?,
    })
}

fn page(limit: Option<i64>, offset: Option<i64>) -> Result<(i64, i64)> {
    let limit = limit.unwrap_or(50);
    let offset = offset.unwrap_or(0);
    if !(1..=1000).contains(&limit) || offset < 0 {
        return Err(Error::InvalidInput(format!(
            "page: limit must be 1 to 1000 and offset 0 or more (got {limit}, {offset})"
        )));
    }
    Ok((limit, offset))
}

impl Tx<'_> {
    pub fn insert_job(
        &self,
        booking_id: i64,
        state: JobState,
        action: JobAction,
        original_job_id: Option<i64>,
        now: &str,
    ) -> Result<i64> {
        let queued_at = (state == JobState::Queued).then_some(now);
        self.0.execute(
            "INSERT INTO outbox_jobs (booking_id, state, action, original_job_id, queued_at,
                 created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            params![
                booking_id,
                state_text(state),
                action_text(action),
                original_job_id,
                queued_at,
                now
            ],
        )?;
        Ok(self.0.last_insert_rowid())
    }

    /// The job of a booking, with its state and Salesforce id.
    pub fn job_of_booking(
        &self,
        booking_id: i64,
    ) -> Result<Option<(i64, JobState, Option<String>)>> {
        self.0
            .query_row(
                "SELECT id, state, salesforce_id FROM outbox_jobs WHERE booking_id = ?1
                 ORDER BY id DESC LIMIT 1",
                [booking_id],
                |r| {
                    let s: String = r.get(1)?;
                    Ok((r.get(0)?, state_from(&s)?, r.get(2)?))
                },
            )
            .optional()
            .map_err(Into::into)
    }

    /// Whether the job's last send may have reached Salesforce without its answer (a dropped
    /// connection, a crashed run): its Lead may exist though the job is not done.
    pub fn job_outcome_unknown(&self, id: i64) -> Result<bool> {
        Ok(self
            .0
            .query_row(
                "SELECT outcome_unknown FROM outbox_jobs WHERE id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(false))
    }

    pub fn job_state(&self, id: i64) -> Result<Option<(JobState, Option<String>)>> {
        self.0
            .query_row(
                "SELECT state, salesforce_id FROM outbox_jobs WHERE id = ?1",
                [id],
                |r| {
                    let s: String = r.get(0)?;
                    Ok((state_from(&s)?, r.get(1)?))
                },
            )
            .optional()
            .map_err(Into::into)
    }

    /// Moves a job to `state` with a note (a cancellation, a skip), clearing its lease.
    pub fn set_job_state(
        &self,
        id: i64,
        state: JobState,
        note: Option<&str>,
        now: &str,
    ) -> Result<()> {
        self.0.execute(
            "UPDATE outbox_jobs SET state = ?2, note = COALESCE(?3, note), lease_until = NULL,
                 updated_at = ?4 WHERE id = ?1",
            params![id, state_text(state), note, now],
        )?;
        Ok(())
    }

    /// Adds a note to a job without moving it.
    pub fn note_job(&self, id: i64, note: &str, now: &str) -> Result<()> {
        self.0.execute(
            "UPDATE outbox_jobs SET note = ?2, updated_at = ?3 WHERE id = ?1",
            params![id, note, now],
        )?;
        Ok(())
    }

    /// How many of a calendar's jobs wait for its integration.
    pub fn held_jobs(&self, calendar_id: i64) -> Result<i64> {
        Ok(self.0.query_row(
            "SELECT COUNT(*) FROM outbox_jobs j JOIN bookings b ON b.id = j.booking_id
             WHERE j.state = 'held' AND b.calendar_id = ?1",
            [calendar_id],
            |r| r.get(0),
        )?)
    }

    /// Moves a calendar's held jobs to `to` (queued, or skipped when the admin leaves them out).
    pub fn release_held(
        &self,
        calendar_id: i64,
        to: JobState,
        note: Option<&str>,
        now: &str,
    ) -> Result<i64> {
        Ok(self.0.execute(
            "UPDATE outbox_jobs SET state = ?2, queued_at = CASE WHEN ?2 = 'queued' THEN ?4 ELSE queued_at END,
                 note = COALESCE(?3, note), updated_at = ?4
             WHERE state = 'held'
               AND booking_id IN (SELECT id FROM bookings WHERE calendar_id = ?1)",
            params![calendar_id, state_text(to), note, now],
        )? as i64)
    }

    /// Jobs whose lease ran out (the push that held them died): due again at once, their last
    /// outcome unknown.
    pub fn reclaim_expired(&self, now: &str) -> Result<i64> {
        Ok(self.0.execute(
            "UPDATE outbox_jobs SET state = 'retry', next_attempt_at = ?1, lease_until = NULL,
                 outcome_unknown = 1, updated_at = ?1
             WHERE state = 'in_flight' AND lease_until < ?1",
            [now],
        )? as i64)
    }

    /// Claims up to `limit` due jobs of calendars with an enabled integration, oldest first,
    /// under a lease until `lease_until`. An update waits until the job it updates is settled.
    pub fn claim_due(&self, now: &str, lease_until: &str, limit: i64) -> Result<Vec<ClaimedJob>> {
        let mut stmt = self.0.prepare(
            "UPDATE outbox_jobs SET state = 'in_flight', lease_until = ?2, updated_at = ?1
             WHERE id IN (
                 SELECT j.id FROM outbox_jobs j
                 JOIN bookings b ON b.id = j.booking_id
                 JOIN integrations i ON i.calendar_id = b.calendar_id AND i.enabled = 1
                 WHERE (j.state = 'queued' OR (j.state = 'retry' AND j.next_attempt_at <= ?1))
                   AND NOT EXISTS (SELECT 1 FROM outbox_jobs o WHERE o.id = j.original_job_id
                                   AND o.state IN ('held', 'queued', 'in_flight', 'retry'))
                 ORDER BY j.id LIMIT ?3)
             RETURNING id",
        )?;
        let ids: Vec<i64> = stmt
            .query_map(params![now, lease_until, limit], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        let mut out = Vec::with_capacity(ids.len());
        let mut get = self.0.prepare(
            "SELECT j.id, j.booking_id, b.calendar_id, b.event_id, b.raw_payload, j.action,
                    j.original_job_id, j.attempts, j.queued_at, j.outcome_unknown
             FROM outbox_jobs j JOIN bookings b ON b.id = j.booking_id WHERE j.id = ?1",
        )?;
        for id in ids {
            out.push(get.query_row([id], |r| {
                let action: String = r.get(5)?;
                Ok(ClaimedJob {
                    id: r.get(0)?,
                    booking_id: r.get(1)?,
                    calendar_id: r.get(2)?,
                    event_id: r.get(3)?,
                    raw_payload: r.get(4)?,
                    action: if action == "update" {
                        JobAction::Update
                    } else {
                        JobAction::Create
                    },
                    original_job_id: r.get(6)?,
                    attempts: r.get(7)?,
                    queued_at: r.get(8)?,
                    outcome_unknown: r.get(9)?,
                })
            })?);
        }
        out.sort_by_key(|j| j.id);
        Ok(out)
    }

    /// The job's Lead exists: done, with its Id; its log entries are resolved.
    pub fn job_done(&self, id: i64, salesforce_id: &str, attempts: i64, now: &str) -> Result<()> {
        self.0.execute(
            "UPDATE outbox_jobs SET state = 'done', salesforce_id = ?2, attempts = ?3,
                 lease_until = NULL, next_attempt_at = NULL, outcome_unknown = 0, updated_at = ?4
             WHERE id = ?1",
            params![id, salesforce_id, attempts, now],
        )?;
        self.resolve_log(id, now)
    }

    /// The attempt failed: `retry` at `next_attempt_at`, or `needs_attention`.
    #[allow(clippy::too_many_arguments)]
    pub fn job_failed(
        &self,
        id: i64,
        state: JobState,
        attempts: i64,
        next_attempt_at: Option<&str>,
        code: &str,
        message: &str,
        outcome_unknown: bool,
        now: &str,
    ) -> Result<()> {
        self.0.execute(
            "UPDATE outbox_jobs SET state = ?2, attempts = ?3, next_attempt_at = ?4,
                 last_error_code = ?5, last_error_message = ?6, outcome_unknown = ?7,
                 lease_until = NULL, updated_at = ?8
             WHERE id = ?1",
            params![
                id,
                state_text(state),
                attempts,
                next_attempt_at,
                code,
                message,
                outcome_unknown,
                now
            ],
        )?;
        Ok(())
    }

    /// Extends a claimed job's lease.
    pub fn renew_lease(&self, id: i64, until: &str) -> Result<()> {
        self.0.execute(
            "UPDATE outbox_jobs SET lease_until = ?2 WHERE id = ?1 AND state = 'in_flight'",
            params![id, until],
        )?;
        Ok(())
    }

    /// Puts a claimed job back as it was, no attempt counted (the queue paused under it).
    pub fn unclaim(&self, id: i64, now: &str) -> Result<()> {
        self.0.execute(
            "UPDATE outbox_jobs SET state = CASE WHEN attempts = 0 THEN 'queued' ELSE 'retry' END,
                 next_attempt_at = CASE WHEN attempts = 0 THEN NULL ELSE ?2 END,
                 lease_until = NULL, updated_at = ?2
             WHERE id = ?1 AND state = 'in_flight'",
            params![id, now],
        )?;
        Ok(())
    }

    /// Support asked for another try: due now, the attempt budget started afresh.
    pub fn requeue(&self, id: i64, now: &str) -> Result<bool> {
        Ok(self.0.execute(
            "UPDATE outbox_jobs SET state = 'queued', attempts = 0, next_attempt_at = NULL,
                 queued_at = ?2, note = 'retry asked for by support', updated_at = ?2
             WHERE id = ?1 AND state IN ('needs_attention', 'retry', 'skipped')",
            params![id, now],
        )? == 1)
    }

    /// Job ids needing attention, all or with this last error code.
    pub fn attention_jobs(&self, code: Option<&str>) -> Result<Vec<i64>> {
        let mut stmt = self.0.prepare(
            "SELECT id FROM outbox_jobs WHERE state = 'needs_attention'
               AND (?1 IS NULL OR last_error_code = ?1) ORDER BY id",
        )?;
        let ids = stmt.query_map([code], |r| r.get(0))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    pub fn insert_attempt(&self, a: &NewAttempt<'_>) -> Result<()> {
        self.0.execute(
            "INSERT INTO job_attempts (job_id, attempt, started_at, finished_at, http_status,
                 request, response, outcome)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                a.job_id,
                a.attempt,
                a.started_at,
                a.finished_at,
                a.http_status,
                a.request.to_string(),
                a.response.to_string(),
                a.outcome
            ],
        )?;
        Ok(())
    }

    pub fn attempts(&self, job_id: i64) -> Result<Vec<AttemptInfo>> {
        let mut stmt = self.0.prepare(
            "SELECT attempt, started_at, finished_at, http_status, request, response, outcome
             FROM job_attempts WHERE job_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([job_id], |r| {
            let request: Option<String> = r.get(4)?;
            let response: Option<String> = r.get(5)?;
            let json = |t: Option<String>| {
                t.and_then(|t| serde_json::from_str(&t).ok())
                    .unwrap_or(serde_json::Value::Null)
            };
            Ok(AttemptInfo {
                attempt: r.get(0)?,
                started_at: r.get(1)?,
                finished_at: r.get(2)?,
                http_status: r.get(3)?,
                request: json(request),
                response: json(response),
                outcome: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn insert_log(&self, e: &NewLogEntry<'_>) -> Result<()> {
        self.0.execute(
            "INSERT INTO sync_log (job_id, booking_id, calendar_id, error_code, message, fields,
                 attempt, occurred_at, detail)
             SELECT j.id, j.booking_id, b.calendar_id, ?2, ?3, ?4, ?5, ?6, ?7
             FROM outbox_jobs j JOIN bookings b ON b.id = j.booking_id WHERE j.id = ?1",
            params![
                e.job_id,
                e.error_code,
                e.message,
                serde_json::Value::from(e.fields.to_vec()).to_string(),
                e.attempt,
                e.occurred_at,
                e.detail.to_string()
            ],
        )?;
        Ok(())
    }

    /// Marks a job's open log entries resolved (it succeeded, or support skipped it).
    pub fn resolve_log(&self, job_id: i64, now: &str) -> Result<()> {
        self.0.execute(
            "UPDATE sync_log SET resolved_at = ?2 WHERE job_id = ?1 AND resolved_at IS NULL",
            params![job_id, now],
        )?;
        Ok(())
    }

    pub fn queue_counts(&self) -> Result<QueueCounts> {
        let mut c = QueueCounts::default();
        let mut stmt = self
            .0
            .prepare("SELECT state, COUNT(*) FROM outbox_jobs GROUP BY state")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (state, n) = row?;
            match state_from(&state)? {
                JobState::Held => c.held = n,
                JobState::Queued => c.queued = n,
                JobState::InFlight => c.in_flight = n,
                JobState::Retry => c.retry = n,
                JobState::Done => c.done = n,
                JobState::NeedsAttention => c.needs_attention = n,
                JobState::Skipped => c.skipped = n,
                JobState::Cancelled => c.cancelled = n,
            }
        }
        Ok(c)
    }

    pub fn job_summary(&self, id: i64) -> Result<Option<JobSummary>> {
        Ok(self
            .0
            .query_row(&format!("{SUMMARY} WHERE j.id = ?1"), [id], summary_from)
            .optional()?)
    }

    pub fn jobs(&self, f: &JobFilter) -> Result<JobPage> {
        let (limit, offset) = page(f.limit, f.offset)?;
        let mut wh = vec!["1 = 1".to_string()];
        let mut args: Vec<SqlValue> = Vec::new();
        if let Some(s) = f.state {
            args.push(state_text(s).to_string().into());
            wh.push(format!("j.state = ?{}", args.len()));
        }
        if let Some(c) = f.calendar_id {
            args.push(c.into());
            wh.push(format!("b.calendar_id = ?{}", args.len()));
        }
        if let Some(q) = f.search.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            args.push(format!("%{}%", q.replace('%', "\\%").replace('_', "\\_")).into());
            let n = args.len();
            wh.push(format!(
                "(b.guest_name LIKE ?{n} ESCAPE '\\' OR b.guest_email LIKE ?{n} ESCAPE '\\' OR b.event_id LIKE ?{n} ESCAPE '\\')"
            ));
        }
        let wh = wh.join(" AND ");
        let total: i64 = self.0.query_row(
            &format!(
                "SELECT COUNT(*) FROM outbox_jobs j JOIN bookings b ON b.id = j.booking_id WHERE {wh}"
            ),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        args.push(limit.into());
        args.push(offset.into());
        let (l, o) = (args.len() - 1, args.len());
        let mut stmt = self.0.prepare(&format!(
            "{SUMMARY} WHERE {wh} ORDER BY j.id DESC LIMIT ?{l} OFFSET ?{o}"
        ))?;
        let jobs = stmt
            .query_map(params_from_iter(args.iter()), summary_from)?
            .collect::<Result<_, _>>()?;
        Ok(JobPage { jobs, total })
    }

    /// A page of the sync log, newest first, its total, and the codes present under the filter.
    pub fn log_rows(&self, f: &SyncLogFilter) -> Result<(Vec<LogRow>, i64, Vec<String>)> {
        let (limit, offset) = page(f.limit, f.offset)?;
        let mut wh = vec!["1 = 1".to_string()];
        let mut args: Vec<SqlValue> = Vec::new();
        if let Some(c) = f.calendar_id {
            args.push(c.into());
            wh.push(format!("l.calendar_id = ?{}", args.len()));
        }
        if let Some(s) = f.job_state {
            args.push(state_text(s).to_string().into());
            wh.push(format!("j.state = ?{}", args.len()));
        }
        if let Some(s) = &f.since {
            args.push(s.clone().into());
            wh.push(format!("l.occurred_at >= ?{}", args.len()));
        }
        if let Some(u) = &f.until {
            args.push(u.clone().into());
            wh.push(format!("l.occurred_at < ?{}", args.len()));
        }
        if f.unresolved_only {
            wh.push("l.resolved_at IS NULL".into());
        }
        let base_wh = wh.join(" AND ");
        let from = "FROM sync_log l LEFT JOIN outbox_jobs j ON j.id = l.job_id
            LEFT JOIN bookings b ON b.id = l.booking_id LEFT JOIN calendars c ON c.id = l.calendar_id";
        let mut codes_stmt = self.0.prepare(&format!(
            "SELECT DISTINCT l.error_code {from} WHERE {base_wh} ORDER BY l.error_code"
        ))?;
        let codes = codes_stmt
            .query_map(params_from_iter(args.iter()), |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        if let Some(code) = &f.error_code {
            args.push(code.clone().into());
            wh.push(format!("l.error_code = ?{}", args.len()));
        }
        let wh = wh.join(" AND ");
        let total: i64 = self.0.query_row(
            &format!("SELECT COUNT(*) {from} WHERE {wh}"),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        args.push(limit.into());
        args.push(offset.into());
        let (l, o) = (args.len() - 1, args.len());
        let mut stmt = self.0.prepare(&format!(
            "SELECT l.id, l.job_id, l.booking_id, l.calendar_id, c.name, b.guest_name, b.guest_email,
                    l.error_code, l.message, l.fields, l.detail, l.attempt, l.occurred_at,
                    l.resolved_at, j.state
             {from} WHERE {wh} ORDER BY l.id DESC LIMIT ?{l} OFFSET ?{o}"
        ))?;
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| {
                let fields: String = r.get(9)?;
                let detail: String = r.get(10)?;
                let state: Option<String> = r.get(14)?;
                Ok(LogRow {
                    id: r.get(0)?,
                    job_id: r.get(1)?,
                    booking_id: r.get(2)?,
                    calendar_id: r.get(3)?,
                    calendar_name: r.get(4)?,
                    guest_name: r.get(5)?,
                    guest_email: r.get(6)?,
                    error_code: r.get(7)?,
                    message: r.get(8)?,
                    fields: serde_json::from_str(&fields).unwrap_or_default(),
                    detail: serde_json::from_str(&detail).unwrap_or_default(),
                    attempt: r.get(11)?,
                    occurred_at: r.get(12)?,
                    resolved_at: r.get(13)?,
                    job_state: state.as_deref().map(state_from).transpose()?,
                })
            })?
            .collect::<Result<_, _>>()?;
        Ok((rows, total, codes))
    }

    /// Every job in `states`, for the success and error files.
    pub fn export_rows(&self, states: &[&str]) -> Result<Vec<SettledJob>> {
        let placeholders: Vec<String> = (1..=states.len()).map(|i| format!("?{i}")).collect();
        let mut stmt = self.0.prepare(&format!(
            "SELECT j.id, j.state, j.salesforce_id, j.last_error_code, j.last_error_message
             FROM outbox_jobs j WHERE j.state IN ({}) ORDER BY j.id",
            placeholders.join(", ")
        ))?;
        let rows = stmt.query_map(params_from_iter(states.iter()), |r| {
            Ok(SettledJob {
                id: r.get(0)?,
                state: r.get(1)?,
                salesforce_id: r.get(2)?,
                error_code: r.get(3)?,
                error_message: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// What a job does and, for an update, the job whose Lead it updates.
    pub fn job_link(&self, id: i64) -> Result<Option<(JobAction, Option<i64>)>> {
        self.0
            .query_row(
                "SELECT action, original_job_id FROM outbox_jobs WHERE id = ?1",
                [id],
                |r| {
                    let action: String = r.get(0)?;
                    let action = if action == "update" {
                        JobAction::Update
                    } else {
                        JobAction::Create
                    };
                    Ok((action, r.get(1)?))
                },
            )
            .optional()
            .map_err(Into::into)
    }

    /// Which of these Salesforce ids a job already holds.
    pub fn leads_of_jobs(&self, ids: &[String]) -> Result<std::collections::HashSet<String>> {
        let mut stmt = self
            .0
            .prepare("SELECT 1 FROM outbox_jobs WHERE salesforce_id = ?1 LIMIT 1")?;
        let mut held = std::collections::HashSet::new();
        for id in ids {
            if stmt.exists([id])? {
                held.insert(id.clone());
            }
        }
        Ok(held)
    }

    /// The last attempt's request and response of a job.
    pub fn last_attempt(&self, job_id: i64) -> Result<Option<(String, String)>> {
        Ok(self
            .0
            .query_row(
                "SELECT COALESCE(request, 'null'), COALESCE(response, 'null') FROM job_attempts
                 WHERE job_id = ?1 ORDER BY id DESC LIMIT 1",
                [job_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
    }
}
