//! The push: claims due jobs under a lease, turns each booking into its exact record through the
//! calendar's mapping, sends them in sObject Collections requests of up to 200 with bounded
//! concurrency, maps the per-record results back by position, and moves every job to done,
//! retry (backoff with full jitter) or needs attention — every failure in the sync log.
//!
//! Duplicates are avoided twice over: with an External ID field configured each record is
//! upserted on the booking id, so a resend can only update; without one, a job whose last
//! outcome is unknown (a timeout, a dropped connection, a crashed run) is looked up in Salesforce
//! before it is sent again. The push pauses near the org's daily API limit and on
//! `invalid_grant`, putting claimed jobs back untouched: no job is failed or lost by a pause.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use futures_util::StreamExt;
use leadline_salesforce::rest::{
    ApiErrorCode, ObjectDescribe, RestClient, RestError, SaveResult, WriteOptions, soql_quote,
};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::Leadline;
use crate::actor::{Action, Actor};
use crate::booking;
use crate::error::{Error, Result};
use crate::integrations::SALESFORCE;
use crate::ipc::{CheckSeverity, JobAction, JobState, PushReport};
use crate::mapping::preview::{PreviewBooking, preview};
use crate::queue::PauseReason;
use crate::secrets::SecretStore;
use crate::store::{ClaimedJob, NewAttempt, NewLogEntry, Tx};
use crate::sync::backoff;
use crate::sync::batch::{COLLECTION_LIMIT, batches};
use crate::sync::classify::{Outcome, classify_code, classify_error};

/// How long a claimed job is ours unless the setting `sync.lease_seconds` says otherwise; a run
/// that dies leaves its jobs to be reclaimed after this.
pub const LEASE: time::Duration = time::Duration::minutes(5);
pub const LEASE_SETTING: &str = "sync.lease_seconds";
/// Requests' worth of jobs claimed per round, per request in flight: rounds are whole waves of
/// full Collections requests, so no wave leaves a connection idle.
pub const CLAIM_WAVES: i64 = 16;

/// How a group of records goes to Salesforce.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Mode {
    Create,
    Upsert(String),
    Update,
}

/// Jobs looked up per query: their values travel in the query string.
const LOOKUP_CHUNK: usize = 100;

/// One job's attempt as it is recorded: the job, the record sent (if any), and what came of it.
type Settlement<'a> = (
    &'a ClaimedJob,
    Option<&'a Map<String, Value>>,
    &'a Attempted,
);

/// Records travel together when they go to the same object the same way.
type BatchKey = (String, bool, Mode);

fn batch_key(p: &Prepared) -> BatchKey {
    (p.object.clone(), p.auto_assign, p.mode.clone())
}

/// A calendar's mapping as one round reads it once for all its jobs.
#[derive(Debug)]
struct Plan {
    integration: Option<crate::store::IntegrationRecord>,
    rows: Vec<crate::ipc::MappingRow>,
    questions: Vec<crate::ipc::Question>,
    calendar_name: String,
}

/// One job made ready: its record, or why it cannot be sent.
#[derive(Debug)]
struct Prepared {
    job: ClaimedJob,
    object: String,
    auto_assign: bool,
    mode: Mode,
    record: Map<String, Value>,
    /// For a create whose last outcome is unknown: the filterable (field, value) pairs to look
    /// its Lead up by before sending it again.
    lookup: Vec<(String, String)>,
}

/// What a job's attempt came to.
#[derive(Debug)]
enum Attempted {
    Done {
        id: String,
        response: Value,
    },
    Failed {
        code: String,
        message: String,
        fields: Vec<String>,
        duplicate_ids: Vec<String>,
        outcome: Outcome,
        unknown: bool,
        http_status: Option<i64>,
        response: Value,
    },
}

fn rfc(t: OffsetDateTime) -> String {
    crate::clock::rfc3339(t)
}

fn error_result(e: &RestError) -> Attempted {
    let (code, message, fields) = match e {
        RestError::Api { errors, .. } => errors
            .first()
            .map(|x| (x.code.to_string(), x.message.clone(), x.fields.clone()))
            .unwrap_or_else(|| ("UNKNOWN".into(), e.to_string(), vec![])),
        RestError::ReconnectRequired { error, .. } => (error.clone(), e.to_string(), vec![]),
        RestError::Transport { .. } => ("unreachable".into(), e.to_string(), vec![]),
        _ => ("error".into(), e.to_string(), vec![]),
    };
    Attempted::Failed {
        code,
        message,
        fields,
        duplicate_ids: vec![],
        outcome: classify_error(e),
        unknown: matches!(
            e,
            RestError::Transport {
                outcome_unknown: true,
                ..
            }
        ),
        http_status: e.status().map(i64::from),
        response: json!({ "error": e.to_string() }),
    }
}

fn save_to_result(r: &SaveResult) -> Attempted {
    match (&r.id, r.success) {
        (Some(id), true) => Attempted::Done {
            id: id.clone(),
            response: json!({ "id": id, "success": true, "created": r.created }),
        },
        _ => {
            let first = r.errors.first();
            let code = first.map_or(ApiErrorCode::Other("UNKNOWN".into()), |e| e.code.clone());
            Attempted::Failed {
                code: code.to_string(),
                message: first.map(|e| e.message.clone()).unwrap_or_default(),
                fields: first.map(|e| e.fields.clone()).unwrap_or_default(),
                duplicate_ids: first.map(|e| e.duplicate_ids.clone()).unwrap_or_default(),
                outcome: classify_code(&code),
                unknown: false,
                http_status: Some(200),
                response: json!({
                    "success": false,
                    "errors": r.errors.iter().map(|e| json!({
                        "statusCode": e.code.to_string(), "message": e.message, "fields": e.fields,
                    })).collect::<Vec<_>>(),
                }),
            }
        }
    }
}

/// Whether SOQL may compare the field in a WHERE clause: long text areas (over 255 characters)
/// and multi-select picklists cannot be, and a lookup naming one is refused whole.
fn filterable(f: &leadline_salesforce::rest::FieldDescribe) -> bool {
    // Only text Salesforce hands back as it was sent: dates, times and numbers come back
    // reformatted (`…T08:00:00.000+0000`), and a lookup on them would never match.
    match f.field_type.as_str() {
        "textarea" => f.length <= 255,
        "string" | "email" | "phone" | "url" | "picklist" => true,
        _ => false,
    }
}

/// A record refused by a duplicate rule without the matching records' ids: sObject Collections
/// results carry only the code, while the single-record answer names the matches.
fn lacks_duplicate_ids(result: &Attempted) -> bool {
    matches!(result, Attempted::Failed { code, duplicate_ids, .. }
        if code == "DUPLICATES_DETECTED" && duplicate_ids.is_empty())
}

/// Sends a record a duplicate rule refused once more on its own, to learn the ids of the records
/// it matched. The rule refuses it again (it is not saved); should the match be gone meanwhile,
/// the record is saved and the job is done — once, as the first send saved nothing. Any other
/// answer leaves the first failure as it was.
async fn duplicate_answer(client: &RestClient, p: &Prepared, first: Attempted) -> Attempted {
    let opts = WriteOptions {
        auto_assign: Some(p.auto_assign),
        allow_save_on_duplicate_alert: false,
    };
    let answer = match &p.mode {
        Mode::Create => client.create(&p.object, &p.record, &opts).await,
        Mode::Upsert(f) => match p.record.get(f).and_then(Value::as_str) {
            Some(key) => client.upsert(&p.object, f, key, &p.record, &opts).await,
            None => return first,
        },
        Mode::Update => return first,
    };
    match answer {
        Ok(r) if r.success && r.id.is_some() => save_to_result(&r),
        Err(RestError::Api { errors, .. }) => {
            let ids: Vec<String> = errors
                .iter()
                .filter(|e| e.code == ApiErrorCode::DuplicatesDetected)
                .flat_map(|e| e.duplicate_ids.iter().cloned())
                .collect();
            match first {
                Attempted::Failed {
                    code,
                    message,
                    fields,
                    outcome,
                    unknown,
                    http_status,
                    response,
                    ..
                } if !ids.is_empty() => Attempted::Failed {
                    code,
                    message,
                    fields,
                    duplicate_ids: ids,
                    outcome,
                    unknown,
                    http_status,
                    response,
                },
                other => other,
            }
        }
        _ => first,
    }
}

impl Leadline {
    /// Pushes what is due now, once (owner and admin).
    pub async fn push_now(
        &self,
        actor: &Actor,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<PushReport> {
        actor.may(Action::RunSync)?;
        self.push_once(secrets).await
    }

    /// Pushes until nothing is due now (jobs waiting for a later retry stay), or a pause.
    pub async fn push_until_empty(&self, secrets: Arc<dyn SecretStore>) -> Result<PushReport> {
        let mut total = PushReport::default();
        loop {
            let r = self.push_once(secrets.clone()).await?;
            total.sent += r.sent;
            total.done += r.done;
            total.retry += r.retry;
            total.needs_attention += r.needs_attention;
            total.requests += r.requests;
            total.paused = r.paused.clone();
            if r.paused.is_some() || r.sent == 0 && r.done == 0 && r.needs_attention == 0 {
                return Ok(total);
            }
        }
    }

    /// When the pause lifts on its own: near the limit, once usage falls below `pause_share`;
    /// after a reconnect.
    async fn still_paused(&self, client: &RestClient, pause_share: f64) -> Result<Option<String>> {
        let Some(p) = self.pause()? else {
            return Ok(None);
        };
        if p.reason == PauseReason::Limit
            // One cheap call tells the usage now.
            && client.limits().await.is_ok()
            && client.last_usage().is_some_and(|u| u.share() < pause_share)
        {
            self.clear_pause()?;
            return Ok(None);
        }
        Ok(Some(p.message))
    }

    /// One round: reclaim dead leases, claim due jobs, send them, record every outcome.
    pub async fn push_once(&self, secrets: Arc<dyn SecretStore>) -> Result<PushReport> {
        // The app's background push and "Push now" must not claim and send side by side.
        let _one_at_a_time = self.push_lock.lock().await;
        let mut report = PushReport::default();
        let client = match self.salesforce_client(secrets.clone()) {
            Ok((_, c)) => c,
            Err(Error::NotConnected(m)) => {
                report.paused = Some(m);
                return Ok(report);
            }
            Err(Error::ReconnectRequired(m)) => {
                self.set_pause(PauseReason::Reconnect, &m)?;
                report.paused = Some(m);
                return Ok(report);
            }
            Err(e) => return Err(e),
        };
        let settings = self.raw_sync_settings()?;
        let ext_field = settings.external_id_field;
        let concurrency = settings.concurrency.clamp(1, 16) as usize;
        let pause_share = settings.pause_share;
        if let Some(why) = self.still_paused(&client, pause_share).await? {
            report.paused = Some(why);
            return Ok(report);
        }
        let lease = self
            .store
            .read(|tx| tx.setting(LEASE_SETTING))?
            .and_then(|v| v.as_i64())
            .map_or(LEASE, |s| time::Duration::seconds(s.clamp(1, 3600)));

        let now = self.clock.now();
        let claimed = self.store.write(|tx| {
            tx.reclaim_expired(&rfc(now))?;
            tx.claim_due(
                &rfc(now),
                &rfc(now + lease),
                COLLECTION_LIMIT as i64 * concurrency as i64 * CLAIM_WAVES,
            )
        })?;
        if claimed.is_empty() {
            return Ok(report);
        }

        // Each request runs as its own task, at most `concurrency` at once (the semaphore is
        // fair, so requests start in order): a full request leaves as soon as its 200th record
        // is ready, and recording one request's results never holds the next one back.
        let permits = Arc::new(tokio::sync::Semaphore::new(concurrency));
        // A request still waiting for its turn when the lease is nearly over is not sent: another
        // run may have taken its jobs over by then. Its jobs are put back instead.
        let margin = std::time::Duration::from_millis(500);
        let lease_left = std::time::Duration::try_from(lease).unwrap_or_default();
        let lease_for_send = lease_left.saturating_sub(margin);
        // Set once the queue pauses: requests not yet started are not sent.
        let stop = Arc::new(AtomicBool::new(false));
        let mut sends = futures_util::stream::FuturesUnordered::new();
        let send = |key: BatchKey, group: Vec<Prepared>, send_by: tokio::time::Instant| {
            let (client, permits, stop) = (client.clone(), permits.clone(), stop.clone());
            tokio::spawn(async move {
                let _permit = permits.acquire_owned().await;
                // The answer before ours may have brought usage to the pause share: the client
                // has read its Sforce-Limit-Info before our turn came.
                let near_limit = client
                    .last_usage()
                    .is_some_and(|u| u.share() >= pause_share);
                if stop.load(Ordering::Acquire)
                    || near_limit
                    || tokio::time::Instant::now() > send_by
                {
                    return (group, None);
                }
                let (object, auto_assign, mode) = key;
                let records: Vec<Map<String, Value>> =
                    group.iter().map(|p| p.record.clone()).collect();
                let opts = WriteOptions {
                    auto_assign: Some(auto_assign),
                    allow_save_on_duplicate_alert: false,
                };
                let answer = match &mode {
                    Mode::Create => client.create_many(&object, &records, &opts).await,
                    Mode::Upsert(f) => client.upsert_many(&object, f, &records, &opts).await,
                    Mode::Update => client.update_many(&object, &records, &opts).await,
                };
                (group, Some(answer))
            })
        };

        let mut schemas: HashMap<String, ObjectDescribe> = HashMap::new();
        let mut plans: HashMap<i64, Plan> = HashMap::new();
        let mut open: HashMap<BatchKey, Vec<Prepared>> = HashMap::new();
        let mut lost = Vec::new();
        for job in claimed {
            match self
                .prepare(
                    &job,
                    &mut schemas,
                    &mut plans,
                    ext_field.as_deref(),
                    secrets.clone(),
                )
                .await
            {
                Ok(Some(p)) if !p.lookup.is_empty() => lost.push(p),
                Ok(Some(p)) => {
                    report.sent += 1;
                    let key = batch_key(&p);
                    let bucket = open.entry(key.clone()).or_default();
                    bucket.push(p);
                    if bucket.len() == COLLECTION_LIMIT {
                        let group = std::mem::take(bucket);
                        let send_by = self.renew_lease(&group, lease, lease_for_send)?;
                        sends.push(send(key, group, send_by));
                    }
                }
                Ok(None) => report.done += 1,
                Err(failure) => {
                    self.settle(&job, None, &failure, &mut report)?;
                }
            }
        }
        let mut rest: Vec<Prepared> = open.into_values().flatten().collect();
        let found = self.find_lost(&client, lost, &mut report).await?;
        report.sent += found.len() as i64;
        rest.extend(found);
        rest.sort_by_key(|p| p.job.id);
        for (key, group) in batches(rest, batch_key, COLLECTION_LIMIT) {
            let send_by = self.renew_lease(&group, lease, lease_for_send)?;
            sends.push(send(key, group, send_by));
        }

        let mut paused = false;
        while let Some(joined) = sends.next().await {
            let (group, answer) =
                joined.map_err(|e| Error::Storage(format!("a push request task failed: {e}")))?;
            let Some(answer) = answer else {
                // Never sent: the queue paused first. Back as it was, no attempt counted.
                report.sent -= group.len() as i64;
                let now = rfc(self.clock.now());
                self.store.write(|tx| {
                    for p in &group {
                        tx.unclaim(p.job.id, &now)?;
                    }
                    Ok(())
                })?;
                continue;
            };
            report.requests += 1;
            match answer {
                Ok(results) => {
                    let mut settled = Vec::with_capacity(group.len());
                    for (p, r) in group.iter().zip(results.iter()) {
                        let mut result = save_to_result(r);
                        if lacks_duplicate_ids(&result) {
                            result = duplicate_answer(&client, p, result).await;
                        }
                        settled.push(result);
                    }
                    let items: Vec<_> = group
                        .iter()
                        .zip(settled.iter())
                        .map(|(p, r)| (&p.job, Some(&p.record), r))
                        .collect();
                    self.settle_all(&items, &mut report)?;
                }
                Err(e) => {
                    if self.pause_for(&e)? {
                        // Nothing of this request was saved: put the jobs back untouched.
                        paused = true;
                        stop.store(true, Ordering::Release);
                        self.unclaim_all(group.iter().map(|p| p.job.id))?;
                    } else {
                        let failure = error_result(&e);
                        let items: Vec<_> = group
                            .iter()
                            .map(|p| (&p.job, Some(&p.record), &failure))
                            .collect();
                        self.settle_all(&items, &mut report)?;
                    }
                }
            }
            if let Some(u) = client.last_usage()
                && u.share() >= pause_share
                && !paused
            {
                self.set_pause(
                    PauseReason::Limit,
                    &format!(
                        "paused near the daily API limit: {} of {} requests used",
                        u.used, u.limit
                    ),
                )?;
                paused = true;
                stop.store(true, Ordering::Release);
            }
        }
        drop(sends);
        if let Some(open) = self.store.read(|tx| tx.open_connection())?
            && let Some(u) = client.last_usage()
        {
            let at = rfc(self.clock.now());
            self.store
                .write(|tx| tx.record_api_usage(open.id, u.used as i64, u.limit as i64, &at))?;
        }
        report.paused = self.pause()?.map(|p| p.message);
        Ok(report)
    }

    /// Builds a job's record. `Ok(None)`: settled without a request (an update with nothing
    /// changed, or a lost create found in Salesforce). `Err`: why it cannot be sent.
    async fn prepare(
        &self,
        job: &ClaimedJob,
        schemas: &mut HashMap<String, ObjectDescribe>,
        plans: &mut HashMap<i64, Plan>,
        ext_field: Option<&str>,
        secrets: Arc<dyn SecretStore>,
    ) -> std::result::Result<Option<Prepared>, Box<Attempted>> {
        let fail = |code: &str, message: String| {
            Box::new(Attempted::Failed {
                code: code.into(),
                message,
                fields: vec![],
                duplicate_ids: vec![],
                outcome: Outcome::Permanent,
                unknown: false,
                http_status: None,
                response: Value::Null,
            })
        };
        let internal = |e: Error| fail("storage", e.to_string());
        let calendar = job
            .calendar_id
            .ok_or_else(|| fail("mapping", "the booking names no calendar".into()))?;
        let plan = match plans.entry(calendar) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let plan = self
                    .store
                    .read(|tx| {
                        let integration = tx.integration(calendar, SALESFORCE)?;
                        let rows = match &integration {
                            Some(i) => tx.mapping_rows(i.id)?,
                            None => Vec::new(),
                        };
                        Ok(Plan {
                            integration,
                            rows,
                            questions: tx.questions(calendar)?,
                            calendar_name: tx
                                .calendar(calendar)?
                                .map(|c| c.name)
                                .unwrap_or_default(),
                        })
                    })
                    .map_err(internal)?;
                e.insert(plan)
            }
        };
        let Plan {
            integration,
            rows,
            questions,
            calendar_name,
        } = &*plan;
        let integration = integration
            .as_ref()
            .ok_or_else(|| fail("mapping", "the calendar's integration was removed".into()))?;
        let object = integration.target_object.clone();
        if !schemas.contains_key(&object) {
            let schema = self.schema(&object, secrets, false).await.map_err(|e| {
                // The field list may come back (Salesforce reachable again, a reconnect):
                // the job waits rather than failing for good.
                Box::new(Attempted::Failed {
                    code: "describe".into(),
                    message: e.to_string(),
                    fields: vec![],
                    duplicate_ids: vec![],
                    outcome: Outcome::Retryable,
                    unknown: false,
                    http_status: None,
                    response: Value::Null,
                })
            })?;
            schemas.insert(object.clone(), schema.describe);
        }
        let describe = schemas
            .get(&object)
            .ok_or_else(|| fail("describe", format!("no field list for {object}")))?;
        let record_of = |raw: &str| -> std::result::Result<Map<String, Value>, Box<Attempted>> {
            let b = booking::parse(raw.as_bytes()).map_err(|e| {
                fail(
                    "payload",
                    format!("the stored payload no longer parses: {e}"),
                )
            })?;
            let p = preview(
                rows,
                describe,
                questions,
                calendar_name,
                &PreviewBooking::Webhook(&b),
            );
            let errors: Vec<String> = p
                .checks
                .iter()
                .filter(|c| c.severity == CheckSeverity::Error)
                .map(|c| c.message.clone())
                .collect();
            if !errors.is_empty() {
                return Err(Box::new(Attempted::Failed {
                    code: "mapping".into(),
                    message: errors.join("; "),
                    fields: p.checks.iter().filter_map(|c| c.field.clone()).collect(),
                    duplicate_ids: vec![],
                    outcome: Outcome::Permanent,
                    unknown: false,
                    http_status: None,
                    response: Value::Null,
                }));
            }
            match p.record {
                Value::Object(mut m) => {
                    m.remove("attributes");
                    Ok(m)
                }
                _ => Err(fail("mapping", "the preview made no record".into())),
            }
        };
        let mut record = record_of(&job.raw_payload)?;
        let mut mode = match ext_field {
            Some(f) => {
                record.insert(f.to_string(), Value::String(job.event_id.clone()));
                Mode::Upsert(f.to_string())
            }
            None => Mode::Create,
        };

        if job.action == JobAction::Update
            && let Some(original) = job.original_job_id
        {
            let found = self
                .store
                .read(|tx| {
                    let state = tx.job_state(original)?;
                    let payload = match tx.job_summary(original)? {
                        Some(s) => tx.booking_payload(s.booking_id)?,
                        None => None,
                    };
                    Ok((state, payload))
                })
                .map_err(internal)?;
            if let (Some((JobState::Done, Some(sf_id))), Some(old_raw)) = found {
                let before = record_of(&old_raw).unwrap_or_default();
                let mut changed: Map<String, Value> = record
                    .iter()
                    .filter(|(k, v)| before.get(*k) != Some(*v))
                    .filter(|(k, _)| Some(k.as_str()) != ext_field)
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                if changed.is_empty() {
                    let now = rfc(self.clock.now());
                    self.store
                        .write(|tx| {
                            tx.note_job(job.id, "rescheduled; no mapped field changed", &now)?;
                            tx.job_done(job.id, &sf_id, job.attempts, &now)
                        })
                        .map_err(internal)?;
                    return Ok(None);
                }
                changed.insert("Id".into(), Value::String(sf_id));
                record = changed;
                mode = Mode::Update;
            }
        }

        // A create whose outcome is unknown may have made its Lead: it is looked up (with the
        // round's other such jobs) before it is sent again.
        let lookup = if mode == Mode::Create && job.outcome_unknown {
            record
                .iter()
                .filter(|(k, _)| describe.field(k).is_some_and(filterable))
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                .take(6)
                .collect()
        } else {
            Vec::new()
        };
        Ok(Some(Prepared {
            job: job.clone(),
            object,
            auto_assign: integration.auto_assign,
            mode,
            record,
            lookup,
        }))
    }

    /// Pauses the queue when Salesforce's refusal is about the connection or the daily limit
    /// (not about the records); says whether it did.
    fn pause_for(&self, e: &RestError) -> Result<bool> {
        let outcome = classify_error(e);
        if !(matches!(outcome, Outcome::Auth | Outcome::Throttled)
            || matches!(e, RestError::ReconnectRequired { .. }))
        {
            return Ok(false);
        }
        let (reason, message) = if outcome == Outcome::Throttled {
            (
                PauseReason::Limit,
                format!("paused: the org's daily API limit is reached ({e})"),
            )
        } else {
            (
                PauseReason::Reconnect,
                format!("paused until Salesforce is connected again: {e}"),
            )
        };
        if reason == PauseReason::Reconnect
            && let Some(open) = self.store.read(|tx| tx.open_connection())?
        {
            self.store
                .write(|tx| tx.set_reconnect_reason(open.id, Some(&message)))?;
        }
        self.set_pause(reason, &message)?;
        Ok(true)
    }

    /// Extends the lease of a request's jobs from now (lookups and mapping may have used up part
    /// of it) and says by when the request must leave.
    fn renew_lease(
        &self,
        group: &[Prepared],
        lease: time::Duration,
        usable: std::time::Duration,
    ) -> Result<tokio::time::Instant> {
        let until = rfc(self.clock.now() + lease);
        self.store.write(|tx| {
            for p in group {
                tx.renew_lease(p.job.id, &until)?;
            }
            Ok(())
        })?;
        Ok(tokio::time::Instant::now() + usable)
    }

    /// Puts claimed jobs back as they were, no attempt counted.
    fn unclaim_all(&self, ids: impl Iterator<Item = i64>) -> Result<()> {
        let now = rfc(self.clock.now());
        self.store.write(|tx| {
            for id in ids {
                tx.unclaim(id, &now)?;
            }
            Ok(())
        })
    }

    /// Looks up, in a few queries, the Leads that creates with an unknown outcome may have made:
    /// one query per object and key field for up to [`LOOKUP_CHUNK`] jobs, matched on every
    /// looked-up field here. A found job is done with that Lead (each Lead serves one job); the
    /// rest are returned to be sent. A failed lookup fails its jobs like a failed send.
    async fn find_lost(
        &self,
        client: &RestClient,
        ready: Vec<Prepared>,
        report: &mut PushReport,
    ) -> Result<Vec<Prepared>> {
        let (lost, mut send): (Vec<Prepared>, Vec<Prepared>) =
            ready.into_iter().partition(|p| !p.lookup.is_empty());
        let mut groups: HashMap<(String, String), Vec<Prepared>> = HashMap::new();
        for p in lost {
            let key = (p.object.clone(), p.lookup[0].0.clone());
            groups.entry(key).or_default().push(p);
        }
        let mut taken: std::collections::HashSet<String> = std::collections::HashSet::new();
        for ((object, key), jobs) in groups {
            for chunk in jobs.chunks(LOOKUP_CHUNK) {
                let mut fields: Vec<&str> = chunk
                    .iter()
                    .flat_map(|p| p.lookup.iter().map(|(f, _)| f.as_str()))
                    .collect();
                fields.sort_unstable();
                fields.dedup();
                let values: Vec<String> =
                    chunk.iter().map(|p| soql_quote(&p.lookup[0].1)).collect();
                let soql = format!(
                    "SELECT Id, {} FROM {object} WHERE {key} IN ({})",
                    fields.join(", "),
                    values.join(", ")
                );
                let found = match client.query(&soql).await {
                    Ok(found) => found.records,
                    Err(e) if self.pause_for(&e)? => {
                        // A reconnect or the daily limit: the jobs wait, no attempt counted.
                        self.unclaim_all(chunk.iter().map(|p| p.job.id))?;
                        continue;
                    }
                    Err(e) => {
                        // The Lead may still exist: the job stays "unknown", so the next try
                        // looks again before anything is created.
                        let mut failure = error_result(&e);
                        if let Attempted::Failed { unknown, .. } = &mut failure {
                            *unknown = true;
                        }
                        let items: Vec<_> =
                            chunk.iter().map(|p| (&p.job, None, &failure)).collect();
                        self.settle_all(&items, report)?;
                        continue;
                    }
                };
                // A Lead another job already made is that booking's, however alike the values:
                // two bookings by the same guest must not share one Lead.
                let found_ids: Vec<String> = found
                    .iter()
                    .filter_map(|r| r.get("Id").and_then(Value::as_str).map(String::from))
                    .collect();
                let claimed = self.store.read(|tx| tx.leads_of_jobs(&found_ids))?;
                let now = rfc(self.clock.now());
                let mut settled = Vec::new();
                for p in chunk {
                    let hit = found.iter().find_map(|r| {
                        let id = r.get("Id")?.as_str()?;
                        let all = p.lookup.iter().all(|(f, v)| {
                            // Salesforce keeps an e-mail's case, but people do not.
                            r.get(f).and_then(Value::as_str).is_some_and(|got| {
                                got == v || (got.contains('@') && got.eq_ignore_ascii_case(v))
                            })
                        });
                        (all && !taken.contains(id) && !claimed.contains(id))
                            .then(|| id.to_string())
                    });
                    match hit {
                        Some(id) => {
                            taken.insert(id.clone());
                            settled.push((p.job.id, p.job.attempts, id));
                        }
                        None => send.push(Prepared {
                            job: p.job.clone(),
                            object: p.object.clone(),
                            auto_assign: p.auto_assign,
                            mode: p.mode.clone(),
                            record: p.record.clone(),
                            lookup: Vec::new(),
                        }),
                    }
                }
                report.done += settled.len() as i64;
                self.store.write(|tx| {
                    for (job, attempts, id) in &settled {
                        tx.note_job(
                            *job,
                            "found in Salesforce after an unknown outcome; not sent again",
                            &now,
                        )?;
                        tx.job_done(*job, id, *attempts, &now)?;
                    }
                    Ok(())
                })?;
            }
        }
        send.sort_by_key(|p| p.job.id);
        Ok(send)
    }

    /// Records one job's attempt and moves the job on.
    fn settle(
        &self,
        job: &ClaimedJob,
        request: Option<&Map<String, Value>>,
        result: &Attempted,
        report: &mut PushReport,
    ) -> Result<()> {
        self.settle_all(&[(job, request, result)], report)
    }

    /// Records the attempts of many jobs — one request's results — in one transaction, so a
    /// batch of 200 costs one commit, not 200.
    fn settle_all(&self, items: &[Settlement<'_>], report: &mut PushReport) -> Result<()> {
        let now_t = self.clock.now();
        self.store.write(|tx| {
            for (job, request, result) in items {
                settle_in(tx, job, *request, result, report, now_t)?;
            }
            Ok(())
        })
    }
}

/// Records one job's attempt inside `tx` and moves the job on.
fn settle_in(
    tx: &Tx<'_>,
    job: &ClaimedJob,
    request: Option<&Map<String, Value>>,
    result: &Attempted,
    report: &mut PushReport,
    now_t: OffsetDateTime,
) -> Result<()> {
    let now = rfc(now_t);
    let attempt = job.attempts + 1;
    let request = request.map_or(Value::Null, |r| Value::Object(r.clone()));
    match result {
        Attempted::Done { id, response } => {
            report.done += 1;
            {
                tx.insert_attempt(&NewAttempt {
                    job_id: job.id,
                    attempt,
                    started_at: &now,
                    finished_at: &now,
                    http_status: Some(200),
                    request: &request,
                    response,
                    outcome: "done",
                })?;
                tx.job_done(job.id, id, attempt, &now)
            }
        }
        Attempted::Failed {
            code,
            message,
            fields,
            duplicate_ids,
            outcome,
            unknown,
            http_status,
            response,
        } => {
            let queued_at = job
                .queued_at
                .as_deref()
                .and_then(|t| OffsetDateTime::parse(t, &Rfc3339).ok())
                .unwrap_or(now_t);
            let retryable = matches!(outcome, Outcome::Retryable | Outcome::Throttled)
                && !backoff::exhausted(attempt as u32, queued_at, now_t);
            let (state, next) = if retryable {
                report.retry += 1;
                let delay = backoff::delay(attempt as u32, rand::random::<f64>());
                (JobState::Retry, Some(rfc(now_t + delay)))
            } else {
                report.needs_attention += 1;
                (JobState::NeedsAttention, None)
            };
            let outcome_text = match (unknown, outcome) {
                (true, _) => "unknown",
                (_, Outcome::Retryable) => "retry",
                (_, Outcome::Throttled) => "throttled",
                (_, Outcome::Auth) => "auth",
                (_, Outcome::Permanent) => "permanent",
            };
            let detail = json!({ "http_status": http_status, "duplicate_ids": duplicate_ids });
            {
                tx.insert_attempt(&NewAttempt {
                    job_id: job.id,
                    attempt,
                    started_at: &now,
                    finished_at: &now,
                    http_status: *http_status,
                    request: &request,
                    response,
                    outcome: outcome_text,
                })?;
                tx.job_failed(
                    job.id,
                    state,
                    attempt,
                    next.as_deref(),
                    code,
                    message,
                    *unknown || job.outcome_unknown && !matches!(outcome, Outcome::Permanent),
                    &now,
                )?;
                tx.insert_log(&NewLogEntry {
                    job_id: job.id,
                    error_code: code,
                    message,
                    fields,
                    attempt,
                    occurred_at: &now,
                    detail: &detail,
                })
            }
        }
    }
}
