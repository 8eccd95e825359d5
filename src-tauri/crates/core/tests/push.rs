//! The push against the real local Salesforce (sfsim, in-process) with its faults: bursts of 503
//! and UNABLE_TO_LOCK_ROW retried until every booking is in Salesforce exactly once, a connection
//! dropped after Salesforce committed (with and without an external-id field) making no
//! duplicate, the pause near the daily limit and on `invalid_grant`, permanent errors, one bad
//! record among 200, duplicate rules, reschedules and cancellations after the push, and what
//! support does with failures: the explained sync log, retry after a fix, skip, and the Data
//! Loader style result files. Time is a FixedClock that the tests move past each retry's
//! `next_attempt_at`, never a sleep.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use leadline_core::clock::FixedClock;
use leadline_core::connection::{ACCESS_TOKEN, REFRESH_TOKEN};
use leadline_core::intake::{Intake, IntakeSource};
use leadline_core::ipc::{
    JobAction, JobSelection, JobState, JobSummary, MappingRow, PushReport, QueueCounts, Source,
    SyncLogFilter, SyncSettings, Transform,
};
use leadline_core::queue::PauseReason;
use leadline_sfsim::Org;
use leadline_sfsim::org::{DuplicateAction, DuplicateRule, Fault, ValidationRule};
use leadline_sfsim::robot::Consent;
use serde_json::{Value, json};
use time::macros::datetime;

use common::{
    Fixture, all_jobs, booking_payload, connect, fixture_at, job_of, practice_with, set_sim_usage,
    sim_records, sim_requests,
};

struct Setup {
    f: Fixture,
    clock: Arc<FixedClock>,
    calendar: i64,
}

/// A connected practice org and the "Product demo" calendar with an enabled integration. The
/// calendar registers itself from its first booking (which the admin leaves out when enabling).
async fn setup(org: Org) -> Setup {
    let clock = Arc::new(FixedClock::new(datetime!(2026-11-24 09:00 UTC)));
    let f = fixture_at(org, clock.clone()).await;
    connect(&f, Consent::Allow).await.unwrap();
    let first = f
        .app
        .accept_payload(
            booking_payload("ev-setup", "Sam Setup", "setup@example.com", "Setup Inc")
                .to_string()
                .as_bytes(),
            IntakeSource::Webhook,
        )
        .unwrap();
    assert!(first.calendar_registered);
    assert_eq!(first.intake, Intake::Held);
    let calendar = all_jobs(&f)[0].calendar_id.unwrap();
    let d = f
        .app
        .add_integration(&f.owner, calendar, true, f.secrets.clone())
        .await
        .unwrap();
    assert!(d.enabled, "{:?}", d.checks);
    assert_eq!(counts(&f).skipped, 1, "the first booking was left out");
    Setup { f, clock, calendar }
}

fn event(i: usize) -> String {
    format!("ev-{i:05}")
}

fn email(i: usize) -> String {
    format!("guest{i}@example.com")
}

fn payload(i: usize) -> Value {
    booking_payload(
        &event(i),
        &format!("Guest Number{i}"),
        &email(i),
        &format!("Company {i}"),
    )
}

/// Queues bookings `range` through the file import (JSON lines).
fn queue(f: &Fixture, range: std::ops::Range<usize>) {
    let text: Vec<String> = range.clone().map(|i| payload(i).to_string()).collect();
    let r = f.app.import_payloads(&f.owner, &text.join("\n")).unwrap();
    assert_eq!(r.queued, range.len() as i64, "{r:?}");
}

fn counts(f: &Fixture) -> QueueCounts {
    f.app.queue_counts(&f.owner).unwrap()
}

fn advance(clock: &FixedClock, by: time::Duration) {
    *clock.0.lock().unwrap() += by;
}

async fn push(f: &Fixture) -> PushReport {
    f.app.push_until_empty(f.secrets.clone()).await.unwrap()
}

/// Pushes, moving the clock past every retry's wait, until no job waits to be retried.
async fn drain(s: &Setup) -> PushReport {
    let mut total = PushReport::default();
    for _ in 0..40 {
        let r = push(&s.f).await;
        total.done += r.done;
        total.retry += r.retry;
        total.needs_attention += r.needs_attention;
        total.requests += r.requests;
        assert_eq!(r.paused, None, "{r:?}");
        let c = counts(&s.f);
        assert_eq!(c.in_flight, 0, "a finished push leaves nothing in flight");
        if c.retry == 0 && c.queued == 0 {
            return total;
        }
        // Past the longest wait (the cap is 15 minutes).
        advance(&s.clock, time::Duration::minutes(16));
    }
    panic!("the queue did not drain: {:?}", counts(&s.f));
}

async fn leads(f: &Fixture) -> Vec<Value> {
    sim_records(f, "Lead").await
}

/// Lead count per e-mail address.
async fn leads_by_email(f: &Fixture) -> BTreeMap<String, usize> {
    let mut by = BTreeMap::new();
    for l in leads(f).await {
        *by.entry(l["Email"].as_str().unwrap_or_default().to_string())
            .or_default() += 1;
    }
    by
}

async fn assert_each_once(f: &Fixture, range: std::ops::Range<usize>) {
    let by = leads_by_email(f).await;
    for i in range.clone() {
        assert_eq!(by.get(&email(i)), Some(&1), "Leads of {}: {by:?}", email(i));
    }
    assert_eq!(by.values().sum::<usize>(), range.len(), "no other Lead");
}

fn settings(f: &Fixture, edit: impl FnOnce(&mut SyncSettings)) {
    let mut s = f.app.sync_settings(&f.owner).unwrap();
    edit(&mut s);
    f.app.set_sync_settings(&f.owner, &s).unwrap();
}

fn log(f: &Fixture, filter: SyncLogFilter) -> Vec<leadline_core::ipc::SyncLogEntry> {
    f.app
        .sync_log(
            &f.owner,
            &SyncLogFilter {
                limit: Some(1000),
                ..filter
            },
        )
        .unwrap()
        .entries
}

/// Commits then drops the answer of most collection requests. The dice are seeded: with this
/// seed the first round already loses answers, so the tests below always meet the fault.
fn dropping_answers() -> Org {
    let mut org = composite_faults(|f| f.drop_after_commit = 0.6);
    org.seed = 7;
    org
}

fn composite_faults(edit: impl FnOnce(&mut Fault)) -> Org {
    practice_with(|o| {
        let mut fault = Fault {
            endpoint: "composite/sobjects".into(),
            unavailable: 0.0,
            unable_to_lock_row: 0.0,
            drop_after_commit: 0.0,
        };
        edit(&mut fault);
        o.faults.push(fault);
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bursts_of_503_and_locked_rows_are_retried_until_every_booking_is_in_once() {
    let s = setup(composite_faults(|f| {
        f.unavailable = 0.35;
        f.unable_to_lock_row = 0.35;
    }))
    .await;
    let f = &s.f;
    queue(f, 0..450);
    let total = drain(&s).await;

    let c = counts(f);
    assert_eq!((c.done, c.retry, c.needs_attention), (450, 0, 0), "{c:?}");
    assert_eq!(total.done, 450);
    assert!(total.retry > 0, "the faults made some requests fail");
    assert_each_once(f, 0..450).await;

    // Both kinds of failure were met, logged, and resolved by the later success.
    let entries = log(f, SyncLogFilter::default());
    let codes: HashSet<&str> = entries.iter().map(|e| e.error_code.as_str()).collect();
    assert!(codes.contains("SERVER_UNAVAILABLE"), "{codes:?}");
    assert!(codes.contains("UNABLE_TO_LOCK_ROW"), "{codes:?}");
    assert!(entries.iter().all(|e| e.resolved_at.is_some()));
    assert!(
        entries
            .iter()
            .all(|e| !e.fix.is_empty() && !e.cause.is_empty())
    );

    // A retried job keeps every attempt, the last one the success.
    let retried = all_jobs(f).into_iter().find(|j| j.attempts > 1).unwrap();
    let d = f.app.job_detail(&f.owner, retried.id).unwrap();
    assert_eq!(d.attempts.len() as i64, retried.attempts);
    assert_eq!(d.attempts.last().unwrap().outcome, "done");
    assert!(d.attempts[0].outcome == "retry", "{:?}", d.attempts[0]);
    assert!(d.lead_url.unwrap().ends_with(&format!(
        "/lightning/r/{}/view",
        retried.salesforce_id.unwrap()
    )));
}

/// A Description row (fed by the comment) beside the default rows, as most mappings have.
async fn map_comment_to_description(s: &Setup) {
    let f = &s.f;
    let detail = f
        .app
        .integration(&f.owner, s.calendar, f.secrets.clone())
        .await
        .unwrap()
        .unwrap();
    let comment = f
        .app
        .calendar(&f.owner, s.calendar)
        .unwrap()
        .questions
        .into_iter()
        .find(|q| q.label == "Comment")
        .unwrap();
    let mut rows = detail.rows;
    rows.push(MappingRow {
        field: "Description".into(),
        source: Source::Question {
            question_id: comment.id,
        },
        transform: Transform::default(),
    });
    f.app
        .save_mapping(&f.owner, s.calendar, rows, f.secrets.clone())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_after_commit_makes_no_duplicate_without_an_external_id() {
    let s = setup(dropping_answers()).await;
    let f = &s.f;
    map_comment_to_description(&s).await;
    queue(f, 0..600);
    drain(&s).await;

    let c = counts(f);
    assert_eq!((c.done, c.needs_attention), (600, 0), "{c:?}");
    assert_each_once(f, 0..600).await;
    // Some were found in Salesforce rather than sent again.
    let found: Vec<JobSummary> = all_jobs(f)
        .into_iter()
        .filter(|j| {
            j.note
                .as_deref()
                .is_some_and(|n| n.contains("found in Salesforce"))
        })
        .collect();
    assert!(!found.is_empty(), "no lost create was looked up");
    let ids: HashSet<String> = leads(f)
        .await
        .iter()
        .map(|l| l["Id"].as_str().unwrap().to_string())
        .collect();
    for j in &found {
        assert!(ids.contains(j.salesforce_id.as_deref().unwrap()), "{j:?}");
    }
    // Every done job names a distinct Lead.
    let done: HashSet<String> = all_jobs(f)
        .into_iter()
        .filter_map(|j| j.salesforce_id)
        .collect();
    assert_eq!(done, ids);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_after_commit_makes_no_duplicate_with_an_external_id_field() {
    let mut org = dropping_answers();
    org.custom_fields.push(common::booking_id_field());
    let s = setup(org).await;
    let f = &s.f;
    settings(f, |s| s.external_id_field = Some("Booking_Id__c".into()));
    queue(f, 0..600);
    let queries_before = sim_requests(f, "/query").await;
    drain(&s).await;

    let c = counts(f);
    assert_eq!((c.done, c.needs_attention), (600, 0), "{c:?}");
    assert_each_once(f, 0..600).await;
    // Every Lead carries its booking id, and a resend only updated it: no lookup was needed.
    let keys: HashSet<String> = leads(f)
        .await
        .iter()
        .map(|l| l["Booking_Id__c"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(keys, (0..600).map(event).collect::<HashSet<_>>());
    assert_eq!(sim_requests(f, "/query").await, queries_before);
    assert!(
        all_jobs(f).iter().any(|j| j.attempts > 1),
        "some answers were lost and the records sent again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_push_pauses_near_the_daily_limit_and_resumes_when_usage_falls() {
    let s = setup(Org::practice()).await;
    let f = &s.f;
    let limit = Org::practice().org.daily_api_limit;
    settings(f, |s| s.concurrency = 1);
    queue(f, 0..600);

    // At the limit itself Salesforce refuses the request: paused, nothing lost or counted.
    set_sim_usage(f, limit).await;
    let r = push(f).await;
    assert!(r.paused.is_some(), "{r:?}");
    assert_eq!((r.done, r.retry, r.needs_attention), (0, 0, 0), "{r:?}");
    let c = counts(f);
    assert_eq!((c.queued, c.in_flight), (600, 0), "{c:?}");
    assert!(
        all_jobs(f)
            .iter()
            .all(|j| j.attempts == 0 || j.state == JobState::Skipped)
    );
    assert_eq!(f.app.pause().unwrap().unwrap().reason, PauseReason::Limit);

    // Usage still at 90%: still paused, no record sent.
    set_sim_usage(f, limit * 9 / 10).await;
    let sent = sim_requests(f, "composite/sobjects").await;
    let r = push(f).await;
    assert!(r.paused.is_some(), "{r:?}");
    assert_eq!(sim_requests(f, "composite/sobjects").await, sent);
    assert!(counts(f).paused.is_some());

    // Usage falls: it resumes by itself and sends everything.
    set_sim_usage(f, 100).await;
    let r = push(f).await;
    assert_eq!(r.paused, None, "{r:?}");
    assert_eq!(r.done, 600, "{r:?}");
    assert_eq!(counts(f).paused, None);
    assert_each_once(f, 0..600).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crossing_the_pause_share_mid_run_stops_sending_the_rest() {
    let s = setup(Org::practice()).await;
    let f = &s.f;
    let limit = Org::practice().org.daily_api_limit;
    settings(f, |s| s.concurrency = 1);
    queue(f, 0..600);
    // The first request brings usage to exactly 90%.
    set_sim_usage(f, limit * 9 / 10 - 1).await;
    let r = push(f).await;
    assert!(r.paused.is_some(), "{r:?}");
    assert_eq!((r.requests, r.done), (1, 200), "{r:?}");
    let c = counts(f);
    assert_eq!((c.done, c.queued, c.in_flight), (200, 400, 0), "{c:?}");
    assert_eq!(leads(f).await.len(), 200);

    set_sim_usage(f, 10).await;
    let r = push(f).await;
    assert_eq!((r.done, r.paused.clone()), (400, None), "{r:?}");
    assert_each_once(f, 0..600).await;
}

async fn revoke(f: &Fixture, token: &str) {
    let r = reqwest::Client::new()
        .post(format!("{}/services/oauth2/revoke", f.sim.base_url))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_grant_pauses_for_a_reconnect_and_connecting_again_resumes() {
    let s = setup(Org::practice()).await;
    let f = &s.f;
    queue(f, 0..300);
    let refresh = f.secrets.get(REFRESH_TOKEN).unwrap().unwrap();
    let access = f.secrets.get(ACCESS_TOKEN).unwrap().unwrap();
    revoke(f, &access).await;
    revoke(f, &refresh).await;

    let r = push(f).await;
    let why = r.paused.clone().unwrap();
    assert!(why.contains("connect"), "{why}");
    assert_eq!((r.done, r.retry, r.needs_attention), (0, 0, 0), "{r:?}");
    assert_eq!(
        f.app.pause().unwrap().unwrap().reason,
        PauseReason::Reconnect
    );
    let c = counts(f);
    assert_eq!(
        (c.queued, c.retry, c.needs_attention, c.in_flight),
        (300, 0, 0, 0)
    );
    assert!(
        all_jobs(f)
            .iter()
            .filter(|j| j.state == JobState::Queued)
            .all(|j| j.attempts == 0 && j.last_error_code.is_none()),
        "no attempt was counted"
    );
    assert!(log(f, SyncLogFilter::default()).is_empty(), "no job failed");
    let status = f.app.connection_status(&f.owner, None).unwrap();
    assert!(status.connection.unwrap().reconnect_reason.is_some());

    // Still paused: nothing is sent while the grant is dead.
    let sent = sim_requests(f, "composite/sobjects").await;
    let r = push(f).await;
    assert!(r.paused.is_some());
    assert_eq!(sim_requests(f, "composite/sobjects").await, sent);

    // Connecting again resumes it, and everything is pushed.
    connect(f, Consent::Allow).await.unwrap();
    assert_eq!(f.app.pause().unwrap(), None);
    let r = push(f).await;
    assert_eq!((r.done, r.paused.clone()), (300, None), "{r:?}");
    assert_each_once(f, 0..300).await;
}

fn with_email_rule() -> Org {
    practice_with(|o| {
        o.validation_rules.push(ValidationRule::Regex {
            object: "Lead".into(),
            name: "Company_Email_Only".into(),
            field: "Email".into(),
            pattern: "[a-z0-9.]+@example\\.com".into(),
            message: "Use the guest's address at example.com".into(),
        });
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_bad_record_among_200_needs_attention_once_and_is_retried_after_the_fix() {
    let s = setup(with_email_rule()).await;
    let f = &s.f;
    let mut lines: Vec<String> = (0..200)
        .filter(|i| *i != 57)
        .map(|i| payload(i).to_string())
        .collect();
    lines.insert(
        57,
        booking_payload(
            &event(57),
            "Bad Address",
            "bad@elsewhere.test",
            "Company 57",
        )
        .to_string(),
    );
    f.app.import_payloads(&f.owner, &lines.join("\n")).unwrap();

    let creates = sim_requests(f, "composite/sobjects").await;
    let r = push(f).await;
    assert_eq!(
        (r.requests, r.done, r.needs_attention, r.retry),
        (1, 199, 1, 0),
        "{r:?}"
    );
    assert_eq!(sim_requests(f, "composite/sobjects").await, creates + 1);
    assert_eq!(leads(f).await.len(), 199);

    let bad = job_of(f, &event(57));
    assert_eq!(bad.state, JobState::NeedsAttention);
    assert_eq!(bad.attempts, 1);
    assert_eq!(
        bad.last_error_code.as_deref(),
        Some("FIELD_CUSTOM_VALIDATION_EXCEPTION")
    );

    // Never retried by the worker, however long it waits.
    advance(&s.clock, time::Duration::hours(3));
    let r = push(f).await;
    assert_eq!((r.requests, r.sent), (0, 0), "{r:?}");
    assert_eq!(job_of(f, &event(57)).attempts, 1);
    assert_eq!(sim_requests(f, "composite/sobjects").await, creates + 1);

    // The sync log explains it, with the booking's guest and calendar.
    let entries = log(f, SyncLogFilter::default());
    assert_eq!(entries.len(), 1, "{entries:?}");
    let e = &entries[0];
    assert_eq!(e.job_id, Some(bad.id));
    assert_eq!(e.error_code, "FIELD_CUSTOM_VALIDATION_EXCEPTION");
    assert_eq!(e.guest_email.as_deref(), Some("bad@elsewhere.test"));
    assert_eq!(e.calendar_name.as_deref(), Some("Product demo"));
    assert_eq!(e.attempt, 1);
    assert!(e.message.contains("example.com"), "{e:?}");
    assert!(
        !e.title.is_empty() && !e.cause.is_empty() && !e.fix.is_empty(),
        "{e:?}"
    );
    assert_eq!(e.job_state, Some(JobState::NeedsAttention));
    // Filters: by code, by state, by calendar.
    let by_code = f
        .app
        .sync_log(
            &f.owner,
            &SyncLogFilter {
                error_code: Some("DUPLICATES_DETECTED".into()),
                ..SyncLogFilter::default()
            },
        )
        .unwrap();
    assert_eq!(by_code.total, 0);
    assert_eq!(
        by_code.codes,
        vec!["FIELD_CUSTOM_VALIDATION_EXCEPTION".to_string()]
    );
    assert_eq!(
        log(
            f,
            SyncLogFilter {
                calendar_id: Some(s.calendar),
                job_state: Some(JobState::NeedsAttention),
                ..SyncLogFilter::default()
            }
        )
        .len(),
        1
    );

    // The result files: 199 successes with their Ids, one error with Salesforce's answer.
    let dir = tempfile::tempdir().unwrap();
    let (ok, bad_file) = f
        .app
        .export_results(
            &f.owner,
            &dir.path().join("success.csv"),
            &dir.path().join("error.csv"),
        )
        .unwrap();
    assert_eq!((ok.rows, bad_file.rows), (199, 1));
    let ok_text = std::fs::read_to_string(dir.path().join("success.csv")).unwrap();
    let mut ok_csv = csv::Reader::from_reader(ok_text.as_bytes());
    let header: Vec<String> = ok_csv.headers().unwrap().iter().map(String::from).collect();
    for column in ["Company", "Email", "LastName", "ID", "STATUS"] {
        assert!(header.contains(&column.to_string()), "{header:?}");
    }
    let id_col = header.iter().position(|h| h == "ID").unwrap();
    let email_col = header.iter().position(|h| h == "Email").unwrap();
    let lead_ids: HashSet<String> = leads(f)
        .await
        .iter()
        .map(|l| l["Id"].as_str().unwrap().to_string())
        .collect();
    let rows: Vec<csv::StringRecord> = ok_csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 199);
    assert!(rows.iter().all(|r| lead_ids.contains(&r[id_col])));
    assert!(rows.iter().any(|r| &r[email_col] == email(0).as_str()));
    let err_text = std::fs::read_to_string(dir.path().join("error.csv")).unwrap();
    let mut err_csv = csv::Reader::from_reader(err_text.as_bytes());
    let header: Vec<String> = err_csv
        .headers()
        .unwrap()
        .iter()
        .map(String::from)
        .collect();
    assert!(header.contains(&"Email".to_string()) && header.last().unwrap() == "ERROR");
    let row = err_csv.records().next().unwrap().unwrap();
    let email_col = header.iter().position(|h| h == "Email").unwrap();
    assert_eq!(&row[email_col], "bad@elsewhere.test");
    assert!(
        row[header.len() - 1].starts_with("FIELD_CUSTOM_VALIDATION_EXCEPTION:"),
        "{row:?}"
    );

    // The fix: stop mapping Email (the rule only checks an address that is there); then retry
    // every job failing with that code.
    let detail = f
        .app
        .integration(&f.owner, s.calendar, f.secrets.clone())
        .await
        .unwrap()
        .unwrap();
    let rows: Vec<MappingRow> = detail
        .rows
        .into_iter()
        .filter(|r| r.field != "Email")
        .collect();
    f.app
        .save_mapping(&f.owner, s.calendar, rows, f.secrets.clone())
        .await
        .unwrap();
    let n = f
        .app
        .retry_jobs(
            &f.owner,
            &JobSelection::Code {
                code: "FIELD_CUSTOM_VALIDATION_EXCEPTION".into(),
            },
        )
        .unwrap();
    assert_eq!(n, 1);
    let r = push(f).await;
    assert_eq!((r.done, r.needs_attention), (1, 0), "{r:?}");
    let fixed = job_of(f, &event(57));
    assert_eq!(fixed.state, JobState::Done);
    assert_eq!(leads(f).await.len(), 200);
    assert!(
        log(f, SyncLogFilter::default())
            .iter()
            .all(|e| e.resolved_at.is_some())
    );
    assert!(
        log(
            f,
            SyncLogFilter {
                unresolved_only: true,
                ..SyncLogFilter::default()
            }
        )
        .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_duplicate_rule_names_the_matching_lead_and_support_skips_the_booking() {
    let s = setup(practice_with(|o| {
        o.duplicate_rules.push(DuplicateRule {
            object: "Lead".into(),
            name: "Lead Email".into(),
            match_on: vec!["Email".into()],
            action: DuplicateAction::Block,
        });
    }))
    .await;
    let f = &s.f;
    queue(f, 0..1);
    assert_eq!(push(f).await.done, 1);
    let first = job_of(f, &event(0)).salesforce_id.unwrap();

    // Another booking by the same guest.
    let again = booking_payload(&event(1), "Guest Number0", &email(0), "Company 0");
    f.app
        .accept_payload(again.to_string().as_bytes(), IntakeSource::Webhook)
        .unwrap();
    let r = push(f).await;
    assert_eq!((r.done, r.needs_attention, r.retry), (0, 1, 0), "{r:?}");
    let job = job_of(f, &event(1));
    assert_eq!(job.last_error_code.as_deref(), Some("DUPLICATES_DETECTED"));
    let entries = log(f, SyncLogFilter::default());
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].duplicate_ids, vec![first.clone()]);
    assert!(!entries[0].fix.is_empty());
    assert_eq!(leads(f).await.len(), 1);

    // Support decides it is the same person: skipped, resolved, never pushed.
    let n = f
        .app
        .skip_jobs(&f.owner, &JobSelection::Jobs { ids: vec![job.id] })
        .unwrap();
    assert_eq!(n, 1);
    let job = job_of(f, &event(1));
    assert_eq!(job.state, JobState::Skipped);
    assert!(job.note.unwrap().contains("owner@acme.example"));
    assert!(log(f, SyncLogFilter::default())[0].resolved_at.is_some());
    advance(&s.clock, time::Duration::hours(1));
    assert_eq!(push(f).await.sent, 0);
    // A done job is neither skipped nor retried.
    let done = job_of(f, &event(0)).id;
    assert_eq!(
        f.app
            .skip_jobs(&f.owner, &JobSelection::Jobs { ids: vec![done] })
            .unwrap(),
        0
    );
    assert_eq!(
        f.app
            .retry_jobs(&f.owner, &JobSelection::Jobs { ids: vec![done] })
            .unwrap(),
        0
    );
    assert_eq!(job_of(f, &event(0)).state, JobState::Done);
}

fn reschedule(old: &str, new: &str, company: &str, start: &str) -> Value {
    let mut p = booking_payload(new, "Guest Number0", &email(0), company);
    p["event"]["is_changed"] = json!(true);
    p["event"]["old_event_id"] = json!(old);
    p["event"]["start_datetime"] = json!(start);
    p
}

fn cancellation(event_id: &str) -> Value {
    json!({
        "webhook_type": "event_cancelled",
        "calendar_url_path": "demo01",
        "calendar_name": "Product demo",
        "event": { "id": event_id }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reschedule_after_the_push_updates_the_same_lead() {
    let s = setup(Org::practice()).await;
    let f = &s.f;
    queue(f, 0..1);
    push(f).await;
    let lead = job_of(f, &event(0)).salesforce_id.unwrap();

    // Rescheduled with a changed company: an update of the same Lead.
    let moved = reschedule(
        &event(0),
        "ev-moved",
        "Renamed Corp",
        "2026-12-02T01:00:00Z",
    );
    let a = f
        .app
        .accept_payload(moved.to_string().as_bytes(), IntakeSource::Webhook)
        .unwrap();
    assert_eq!(a.intake, Intake::Queued);
    let job = job_of(f, "ev-moved");
    assert_eq!(job.action, JobAction::Update);
    let r = push(f).await;
    assert_eq!((r.done, r.needs_attention), (1, 0), "{r:?}");
    let all = leads(f).await;
    assert_eq!(all.len(), 1, "no second Lead");
    assert_eq!(all[0]["Id"], lead);
    assert_eq!(all[0]["Company"], "Renamed Corp");
    let job = job_of(f, "ev-moved");
    assert_eq!(job.salesforce_id.as_deref(), Some(lead.as_str()));
    assert_eq!(
        job_of(f, &event(0)).state,
        JobState::Done,
        "the original stays done"
    );

    // Rescheduled again with no mapped field changed: done without a request.
    let creates = sim_requests(f, "composite/sobjects").await;
    let again = reschedule(
        "ev-moved",
        "ev-moved-2",
        "Renamed Corp",
        "2026-12-03T01:00:00Z",
    );
    f.app
        .accept_payload(again.to_string().as_bytes(), IntakeSource::Webhook)
        .unwrap();
    let r = push(f).await;
    assert_eq!((r.done, r.requests), (1, 0), "{r:?}");
    let job = job_of(f, "ev-moved-2");
    assert_eq!(job.state, JobState::Done);
    assert_eq!(job.salesforce_id.as_deref(), Some(lead.as_str()));
    assert_eq!(sim_requests(f, "composite/sobjects").await, creates);
    assert_eq!(leads(f).await.len(), 1);

    // A cancellation after the push is noted beside the Lead, which stays.
    let a = f
        .app
        .accept_payload(
            cancellation("ev-moved-2").to_string().as_bytes(),
            IntakeSource::Webhook,
        )
        .unwrap();
    assert_eq!(a.intake, Intake::Cancellation);
    let job = job_of(f, "ev-moved-2");
    assert_eq!(job.state, JobState::Done);
    let note = job.note.unwrap();
    assert!(note.contains("cancelled") && note.contains(&lead), "{note}");
    assert_eq!(leads(f).await.len(), 1);
    assert_eq!(push(f).await.sent, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manual_pause_holds_the_push_until_resumed() {
    let s = setup(Org::practice()).await;
    let f = &s.f;
    queue(f, 0..5);
    let c = f.app.set_paused(&f.owner, true).unwrap();
    assert!(c.paused.unwrap().contains("owner@acme.example"));
    assert_eq!(f.app.pause().unwrap().unwrap().reason, PauseReason::Manual);
    let sent = sim_requests(f, "composite/sobjects").await;
    let r = f.app.push_now(&f.owner, f.secrets.clone()).await.unwrap();
    assert!(r.paused.is_some(), "{r:?}");
    assert_eq!(r.sent, 0);
    assert_eq!(sim_requests(f, "composite/sobjects").await, sent);
    assert_eq!(counts(f).queued, 5);

    let c = f.app.set_paused(&f.owner, false).unwrap();
    assert_eq!(c.paused, None);
    let r = f.app.push_now(&f.owner, f.secrets.clone()).await.unwrap();
    assert_eq!((r.done, r.requests), (5, 1), "{r:?}");
    assert_each_once(f, 0..5).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reschedule_while_the_original_outcome_is_unknown_updates_its_lead() {
    // Every write commits and then loses its answer.
    let s = setup(composite_faults(|f| f.drop_after_commit = 1.0)).await;
    let f = &s.f;
    queue(f, 0..1);
    // One round only: a retry due within the second would be taken again by the next.
    let r = f.app.push_once(f.secrets.clone()).await.unwrap();
    assert_eq!(r.retry, 1, "{r:?}");
    assert_eq!(
        leads(f).await.len(),
        1,
        "the Lead was made, unknown to Leadline"
    );
    let original = job_of(f, &event(0));
    assert_eq!(original.state, JobState::Retry);

    let moved = reschedule(
        &event(0),
        "ev-moved",
        "Renamed Corp",
        "2026-12-02T01:00:00Z",
    );
    f.app
        .accept_payload(moved.to_string().as_bytes(), IntakeSource::Webhook)
        .unwrap();
    assert_eq!(
        job_of(f, &event(0)).state,
        JobState::Retry,
        "the original may have made its Lead: not cancelled"
    );
    assert_eq!(job_of(f, "ev-moved").action, JobAction::Update);

    advance(&s.clock, time::Duration::minutes(16));
    push(f).await;
    let original = job_of(f, &event(0));
    assert_eq!(
        original.state,
        JobState::Done,
        "found in Salesforce: {original:?}"
    );
    let all = leads(f).await;
    assert_eq!(all.len(), 1, "no second Lead: {all:?}");
    assert_eq!(
        all[0]["Company"], "Renamed Corp",
        "the update reached the Lead"
    );
    assert_eq!(
        Some(all[0]["Id"].as_str().unwrap()),
        original.salesforce_id.as_deref()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rescheduled_twice_before_the_push_still_updates_the_one_lead() {
    let s = setup(Org::practice()).await;
    let f = &s.f;
    queue(f, 0..1);
    push(f).await;
    let lead = job_of(f, &event(0)).salesforce_id.unwrap();
    let accept = |p: Value| {
        f.app
            .accept_payload(p.to_string().as_bytes(), IntakeSource::Webhook)
            .unwrap()
    };
    // Moved once (an update waits), then again before the push: the second replaces the first
    // and is still an update of the same Lead.
    accept(reschedule(
        &event(0),
        "ev-b",
        "Second Corp",
        "2026-12-02T01:00:00Z",
    ));
    accept(reschedule(
        "ev-b",
        "ev-c",
        "Third Corp",
        "2026-12-03T01:00:00Z",
    ));
    assert_eq!(job_of(f, "ev-b").state, JobState::Cancelled);
    assert_eq!(job_of(f, "ev-c").action, JobAction::Update);
    let r = push(f).await;
    assert_eq!((r.done, r.needs_attention), (1, 0), "{r:?}");
    let all = leads(f).await;
    assert_eq!(all.len(), 1, "no second Lead");
    assert_eq!(all[0]["Id"], lead);
    assert_eq!(all[0]["Company"], "Third Corp");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_original_arriving_after_its_reschedule_makes_no_second_lead() {
    let s = setup(Org::practice()).await;
    let f = &s.f;
    let original = booking_payload(&event(0), "Guest0 Yamada", "guest0@example.com", "Acme 0");
    let moved = reschedule(&event(0), "ev-late", "Acme 0", "2026-12-02T01:00:00Z");
    // The reschedule first (a file out of order), then its original.
    f.app
        .accept_payload(moved.to_string().as_bytes(), IntakeSource::File)
        .unwrap();
    let a = f
        .app
        .accept_payload(original.to_string().as_bytes(), IntakeSource::File)
        .unwrap();
    assert_eq!(a.intake, Intake::Cancellation);
    assert_eq!(job_of(f, &event(0)).state, JobState::Cancelled);
    let r = push(f).await;
    assert_eq!(r.done, 1, "{r:?}");
    assert_eq!(leads(f).await.len(), 1, "one Lead for one meeting");
}
