//! The queue and the sync log as people work with them: counts by state, paged lists, a job's
//! detail with every attempt, retrying and skipping (one, a selection, or every job failing with
//! one code after a fix), pausing and resuming, the push's settings, and the sync log explained
//! with its Data Loader style success and error files.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::Leadline;
use crate::actor::{Action, Actor};
use crate::diagnosis;
use crate::error::{Error, Result};
use crate::ipc::{
    ExportedFile, JobDetail, JobFilter, JobPage, JobSelection, JobState, QueueCounts, SyncLogEntry,
    SyncLogFilter, SyncLogPage, SyncSettings,
};
use crate::sync::csv_export::{self, ExportRow};

const CONCURRENCY: &str = "sync.concurrency";
const PAUSE_SHARE: &str = "sync.pause_share";
const EXTERNAL_ID: &str = "salesforce.external_id_field";
const WEBHOOK_ENABLED: &str = "webhook.enabled";
const WEBHOOK_BIND: &str = "webhook.bind";
const WEBHOOK_PORT: &str = "webhook.port";
const PAUSED: &str = "sync.paused";

pub const DEFAULT_CONCURRENCY: i64 = 4;
pub const DEFAULT_PAUSE_SHARE: f64 = 0.9;
pub const DEFAULT_WEBHOOK_BIND: &str = "127.0.0.1";
pub const DEFAULT_WEBHOOK_PORT: i64 = 17640;

/// Why the push is paused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseReason {
    /// A person paused it.
    Manual,
    /// The org is near its daily API limit; it resumes as usage falls.
    Limit,
    /// Salesforce refused the refresh token; connecting again resumes it.
    Reconnect,
}

/// The pause as kept in the settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pause {
    pub reason: PauseReason,
    pub message: String,
    pub since: String,
}

fn file_io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::Storage(format!("cannot write {}: {e}", path.display()))
}

/// Writes `text` to `path` whole or not at all (a partial file is renamed into place).
fn write_whole(path: &Path, text: &str) -> Result<()> {
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    std::fs::write(&partial, text).map_err(file_io(path))?;
    std::fs::rename(&partial, path).map_err(file_io(path))
}

impl Leadline {
    /// The push's pause, if any.
    pub fn pause(&self) -> Result<Option<Pause>> {
        let v = self.store.read(|tx| tx.setting(PAUSED))?;
        Ok(v.and_then(|v| serde_json::from_value(v).ok()))
    }

    /// Pauses the push for `reason` (the worker calls this near the limit or on `invalid_grant`).
    pub fn set_pause(&self, reason: PauseReason, message: &str) -> Result<()> {
        let pause = Pause {
            reason,
            message: message.to_string(),
            since: self.now(),
        };
        let value = serde_json::to_value(&pause)
            .map_err(|e| Error::Storage(format!("cannot encode the pause: {e}")))?;
        self.store.write(|tx| tx.set_setting(PAUSED, &value))
    }

    /// Lifts the pause.
    pub fn clear_pause(&self) -> Result<()> {
        self.store.write(|tx| tx.set_setting(PAUSED, &Value::Null))
    }

    pub fn queue_counts(&self, actor: &Actor) -> Result<QueueCounts> {
        actor.may(Action::Read)?;
        let mut counts = self.store.read(|tx| tx.queue_counts())?;
        counts.paused = self.pause()?.map(|p| p.message);
        Ok(counts)
    }

    pub fn jobs(&self, actor: &Actor, filter: &JobFilter) -> Result<JobPage> {
        actor.may(Action::Read)?;
        self.store.read(|tx| tx.jobs(filter))
    }

    /// A job with its booking's payload, every attempt, and a link to its Lead.
    pub fn job_detail(&self, actor: &Actor, id: i64) -> Result<JobDetail> {
        actor.may(Action::Read)?;
        self.store.read(|tx| {
            let job = tx
                .job_summary(id)?
                .ok_or_else(|| Error::NotFound(format!("job {id} does not exist")))?;
            let attempts = tx.attempts(id)?;
            let payload = tx
                .booking_payload(job.booking_id)?
                .and_then(|t| serde_json::from_str(&t).ok())
                .unwrap_or(Value::Null);
            let lead_url = match (&job.salesforce_id, tx.open_connection()?) {
                (Some(sf), Some(c)) => Some(format!(
                    "{}/lightning/r/{sf}/view",
                    c.facts.instance_url.trim_end_matches('/')
                )),
                _ => None,
            };
            Ok(JobDetail {
                job,
                attempts,
                lead_url,
                payload,
            })
        })
    }

    fn selected(&self, selection: &JobSelection) -> Result<Vec<i64>> {
        match selection {
            JobSelection::Jobs { ids } => {
                if ids.is_empty() {
                    return Err(Error::InvalidInput("jobs: select at least one".into()));
                }
                Ok(ids.clone())
            }
            JobSelection::Code { code } => self.store.read(|tx| tx.attention_jobs(Some(code))),
            JobSelection::All => self.store.read(|tx| tx.attention_jobs(None)),
        }
    }

    /// Queues the selected failed jobs again, with a fresh attempt budget (owner, admin and
    /// support). Returns how many were queued; jobs that are done, queued or in flight are left.
    pub fn retry_jobs(&self, actor: &Actor, selection: &JobSelection) -> Result<i64> {
        actor.may(Action::HandleFailures)?;
        let ids = self.selected(selection)?;
        let now = self.now();
        self.store.write(|tx| {
            let mut n = 0;
            for id in &ids {
                if tx.job_state(*id)?.is_none() {
                    return Err(Error::NotFound(format!("job {id} does not exist")));
                }
                n += i64::from(tx.requeue(*id, &now)?);
            }
            tx.audit(
                &now,
                actor,
                "queue.retry",
                "queue",
                &json!({ "jobs": ids, "queued": n }),
            )?;
            Ok(n)
        })
    }

    /// Marks the selected failed jobs skipped: they will not be pushed (owner, admin, support).
    pub fn skip_jobs(&self, actor: &Actor, selection: &JobSelection) -> Result<i64> {
        actor.may(Action::HandleFailures)?;
        let ids = self.selected(selection)?;
        let now = self.now();
        let note = format!("skipped by {}", actor.member.email);
        self.store.write(|tx| {
            let mut n = 0;
            for id in &ids {
                let (state, _) = tx
                    .job_state(*id)?
                    .ok_or_else(|| Error::NotFound(format!("job {id} does not exist")))?;
                if matches!(
                    state,
                    JobState::NeedsAttention | JobState::Retry | JobState::Held | JobState::Queued
                ) {
                    tx.set_job_state(*id, JobState::Skipped, Some(&note), &now)?;
                    tx.resolve_log(*id, &now)?;
                    n += 1;
                }
            }
            tx.audit(
                &now,
                actor,
                "queue.skip",
                "queue",
                &json!({ "jobs": ids, "skipped": n }),
            )?;
            Ok(n)
        })
    }

    /// Pauses (or resumes) the push by hand (owner and admin).
    pub fn set_paused(&self, actor: &Actor, paused: bool) -> Result<QueueCounts> {
        actor.may(Action::RunSync)?;
        if paused {
            self.set_pause(
                PauseReason::Manual,
                &format!("paused by {}", actor.member.email),
            )?;
        } else {
            self.clear_pause()?;
        }
        let now = self.now();
        self.store.write(|tx| {
            tx.audit(
                &now,
                actor,
                if paused {
                    "queue.pause"
                } else {
                    "queue.resume"
                },
                "queue",
                &json!({}),
            )
        })?;
        self.queue_counts(actor)
    }

    /// The push's settings (any member may read them).
    pub fn sync_settings(&self, actor: &Actor) -> Result<SyncSettings> {
        actor.may(Action::Read)?;
        self.raw_sync_settings()
    }

    /// The push's settings, for the app's own background work (no member acts).
    pub fn raw_sync_settings(&self) -> Result<SyncSettings> {
        self.store.read(|tx| {
            let int =
                |k, d| -> Result<i64> { Ok(tx.setting(k)?.and_then(|v| v.as_i64()).unwrap_or(d)) };
            Ok(SyncSettings {
                concurrency: int(CONCURRENCY, DEFAULT_CONCURRENCY)?,
                pause_share: tx
                    .setting(PAUSE_SHARE)?
                    .and_then(|v| v.as_f64())
                    .unwrap_or(DEFAULT_PAUSE_SHARE),
                external_id_field: tx
                    .setting(EXTERNAL_ID)?
                    .and_then(|v| v.as_str().map(String::from)),
                webhook_enabled: tx
                    .setting(WEBHOOK_ENABLED)?
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false),
                webhook_bind: tx
                    .setting(WEBHOOK_BIND)?
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_else(|| DEFAULT_WEBHOOK_BIND.into()),
                webhook_port: int(WEBHOOK_PORT, DEFAULT_WEBHOOK_PORT)?,
            })
        })
    }

    /// Changes the push's settings (owner and admin); a bad value is named and nothing changes.
    pub fn set_sync_settings(&self, actor: &Actor, s: &SyncSettings) -> Result<SyncSettings> {
        actor.may(Action::RunSync)?;
        if !(1..=16).contains(&s.concurrency) {
            return Err(Error::InvalidInput(format!(
                "concurrency: must be 1 to 16 requests at once (got {})",
                s.concurrency
            )));
        }
        if !(0.1..=1.0).contains(&s.pause_share) {
            return Err(Error::InvalidInput(format!(
                "pause share: must be between 0.1 and 1.0 of the daily limit (got {})",
                s.pause_share
            )));
        }
        let ext = s
            .external_id_field
            .as_deref()
            .map(str::trim)
            .filter(|f| !f.is_empty());
        if let Some(f) = ext
            && !f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(Error::InvalidInput(format!(
                "external id field: {f:?} is not a field API name (letters, digits and _)"
            )));
        }
        if s.webhook_bind.parse::<std::net::IpAddr>().is_err() {
            return Err(Error::InvalidInput(format!(
                "webhook address: {:?} is not an IP address (127.0.0.1 keeps it on this computer)",
                s.webhook_bind
            )));
        }
        if !(1024..=65535).contains(&s.webhook_port) {
            return Err(Error::InvalidInput(format!(
                "webhook port: must be 1024 to 65535 (got {})",
                s.webhook_port
            )));
        }
        let now = self.now();
        self.store.write(|tx| {
            tx.set_setting(CONCURRENCY, &json!(s.concurrency))?;
            tx.set_setting(PAUSE_SHARE, &json!(s.pause_share))?;
            tx.set_setting(EXTERNAL_ID, &json!(ext))?;
            tx.set_setting(WEBHOOK_ENABLED, &json!(s.webhook_enabled))?;
            tx.set_setting(WEBHOOK_BIND, &json!(s.webhook_bind))?;
            tx.set_setting(WEBHOOK_PORT, &json!(s.webhook_port))?;
            tx.audit(&now, actor, "settings.sync", "settings", &json!(s))
        })?;
        self.sync_settings(actor)
    }

    /// The sync log, newest first, each failure explained with its fix (any member).
    pub fn sync_log(&self, actor: &Actor, filter: &SyncLogFilter) -> Result<SyncLogPage> {
        actor.may(Action::Read)?;
        let (rows, total, codes) = self.store.read(|tx| tx.log_rows(filter))?;
        let entries = rows
            .into_iter()
            .map(|r| {
                let duplicate_ids: Vec<String> = r
                    .detail
                    .get("duplicate_ids")
                    .and_then(|v| serde_json::from_value(v.clone()).ok())
                    .unwrap_or_default();
                let e = diagnosis::explain_code_text(&r.error_code, &r.message, &r.fields);
                SyncLogEntry {
                    id: r.id,
                    job_id: r.job_id,
                    booking_id: r.booking_id,
                    calendar_id: r.calendar_id,
                    calendar_name: r.calendar_name,
                    guest_name: r.guest_name,
                    guest_email: r.guest_email,
                    error_code: r.error_code,
                    message: r.message,
                    fields: r.fields,
                    duplicate_ids,
                    attempt: r.attempt,
                    occurred_at: r.occurred_at,
                    resolved_at: r.resolved_at,
                    job_state: r.job_state,
                    title: e.title,
                    cause: e.cause,
                    fix: e.fix,
                }
            })
            .collect();
        Ok(SyncLogPage {
            entries,
            total,
            codes,
        })
    }

    /// Data Loader style result files: every pushed booking's record with its Id, and every
    /// booking that needs attention with its error. Written whole or not at all.
    pub fn export_results(
        &self,
        actor: &Actor,
        successes: &Path,
        errors: &Path,
    ) -> Result<(ExportedFile, ExportedFile)> {
        actor.may(Action::HandleFailures)?;
        let (ok_rows, bad_rows) = self.store.read(|tx| {
            let mut ok = Vec::new();
            let mut bad = Vec::new();
            for job in tx.export_rows(&["done", "needs_attention"])? {
                let (id, state, sf_id) = (job.id, job.state, job.salesforce_id);
                let (code, message) = (job.error_code, job.error_message);
                let (request, response) = tx
                    .last_attempt(id)?
                    .unwrap_or_else(|| ("null".into(), "null".into()));
                let mut record: Map<String, Value> =
                    serde_json::from_str(&request).unwrap_or_default();
                record.remove("attributes");
                let response: Value = serde_json::from_str(&response).unwrap_or(Value::Null);
                if state == "done" {
                    ok.push(ExportRow {
                        record,
                        id: sf_id,
                        created: response
                            .get("created")
                            .and_then(Value::as_bool)
                            .or(Some(true)),
                        error: None,
                    });
                } else {
                    let fields: Vec<String> = response
                        .pointer("/errors/0/fields")
                        .and_then(|f| serde_json::from_value(f.clone()).ok())
                        .unwrap_or_default();
                    bad.push(ExportRow {
                        record,
                        id: None,
                        created: None,
                        error: Some(csv_export::error_cell(
                            code.as_deref().unwrap_or("ERROR"),
                            message.as_deref().unwrap_or_default(),
                            &fields,
                        )),
                    });
                }
            }
            Ok((ok, bad))
        })?;
        let csv_err = |e: csv::Error| Error::Storage(format!("cannot write the CSV: {e}"));
        let ok_text = csv_export::successes(&ok_rows).map_err(csv_err)?;
        let bad_text = csv_export::errors(&bad_rows).map_err(csv_err)?;
        write_whole(successes, &ok_text)?;
        write_whole(errors, &bad_text)?;
        Ok((
            ExportedFile {
                path: successes.display().to_string(),
                rows: ok_rows.len() as i64,
            },
            ExportedFile {
                path: errors.display().to_string(),
                rows: bad_rows.len() as i64,
            },
        ))
    }

    /// [`Leadline::export_results`] into the data directory's `exports/`, time-stamped.
    pub fn export_results_here(&self, actor: &Actor) -> Result<(ExportedFile, ExportedFile)> {
        let dir = self.data_dir().join("exports");
        std::fs::create_dir_all(&dir).map_err(file_io(&dir))?;
        let stamp = self.now().replace([':', '-'], "");
        self.export_results(
            actor,
            &dir.join(format!("success-{stamp}.csv")),
            &dir.join(format!("error-{stamp}.csv")),
        )
    }
}
