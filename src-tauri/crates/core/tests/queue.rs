//! Bookings in, through the core's intake: a payload stored with its job in one transaction,
//! redelivery recognised (same bytes, reordered keys), malformed payloads refused by their JSON
//! path with nothing stored, unknown calendars registered from the payload, bookings held until
//! an integration is enabled, cancellations and reschedules before the push, file imports (a
//! JSON array or JSON lines) refused whole when any payload is bad; and the push's settings and
//! manual pause.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use leadline_core::intake::{Intake, IntakeSource, payload_hash};
use leadline_core::ipc::{ErrorCode, JobAction, JobState, QuestionKind, SyncSettings};
use leadline_sfsim::Org;
use leadline_sfsim::robot::Consent;
use serde_json::{Value, json};

use common::{Fixture, booking_payload, connect, fixture, job_of};

fn payload(i: usize) -> Value {
    booking_payload(
        &format!("ev-{i}"),
        &format!("Guest Number{i}"),
        &format!("guest{i}@example.com"),
        &format!("Company {i}"),
    )
}

fn accept(f: &Fixture, p: &Value) -> leadline_core::Result<leadline_core::intake::Accepted> {
    f.app
        .accept_payload(p.to_string().as_bytes(), IntakeSource::Webhook)
}

/// Rows in a table, read straight from the database file.
fn rows(f: &Fixture, table: &str) -> i64 {
    let db = rusqlite::Connection::open(f.dir.path().join("leadline.db")).unwrap();
    db.query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

fn stored(f: &Fixture) -> (i64, i64, i64) {
    (
        rows(f, "bookings"),
        rows(f, "outbox_jobs"),
        rows(f, "calendars"),
    )
}

/// The payload's JSON text with the keys of every object in reverse order and other spacing:
/// the same payload, told differently.
fn reordered(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let pairs: Vec<String> = m
                .iter()
                .rev()
                .map(|(k, v)| format!("{} :  {}", json!(k), reordered(v)))
                .collect();
            format!("{{ {} }}", pairs.join(" ,\n "))
        }
        Value::Array(items) => format!(
            "[ {} ]",
            items.iter().map(reordered).collect::<Vec<_>>().join(" , ")
        ),
        other => other.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payload_is_stored_with_its_job_and_redelivery_makes_nothing_new() {
    let f = fixture(Org::practice()).await;
    assert_eq!(stored(&f), (0, 0, 0));
    let p = payload(1);
    let a = accept(&f, &p).unwrap();
    assert_eq!(a.intake, Intake::Held, "no integration yet");
    assert!(a.calendar_registered);
    assert_eq!(stored(&f), (1, 1, 1));
    let job = job_of(&f, "ev-1");
    assert_eq!(job.booking_id, a.booking_id);
    assert_eq!(job.state, JobState::Held);
    assert_eq!(job.guest_email.as_deref(), Some("guest1@example.com"));
    assert_eq!(job.guest_name.as_deref(), Some("Guest Number1"));
    assert_eq!(job.start_at.as_deref(), Some("2026-12-01T01:00:00Z"));

    // The same bytes again.
    let again = accept(&f, &p).unwrap();
    assert_eq!(again.intake, Intake::Duplicate);
    assert_eq!(again.booking_id, a.booking_id);
    assert!(!again.calendar_registered);
    // Reordered keys and other spacing: the same payload, the same hash.
    let text = reordered(&p);
    assert_ne!(text, p.to_string());
    let parsed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed, p);
    assert_eq!(payload_hash(&parsed), payload_hash(&p));
    let third = f
        .app
        .accept_payload(text.as_bytes(), IntakeSource::File)
        .unwrap();
    assert_eq!(
        (third.intake, third.booking_id),
        (Intake::Duplicate, a.booking_id)
    );
    // The same booking told with a new timestamp is still the same booking.
    let mut retold = p.clone();
    retold["event"]["created_at"] = json!("2026-11-24T08:59:00Z");
    assert_ne!(payload_hash(&retold), payload_hash(&p));
    assert_eq!(accept(&f, &retold).unwrap().intake, Intake::Duplicate);
    assert_eq!(stored(&f), (1, 1, 1), "nothing new was stored");

    // Unknown extra fields are kept in the raw payload.
    let mut extra = payload(2);
    extra["event"]["brand_new_field"] = json!({ "kept": true });
    let a2 = accept(&f, &extra).unwrap();
    let d = f.app.job_detail(&f.owner, job_of(&f, "ev-2").id).unwrap();
    assert_eq!(d.job.booking_id, a2.booking_id);
    assert_eq!(d.payload["event"]["brand_new_field"]["kept"], true);
    assert_eq!(
        stored(&f),
        (2, 2, 1),
        "the second booking found its calendar"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_payload_is_refused_by_its_path_and_stores_nothing() {
    let f = fixture(Org::practice()).await;
    let mut no_id = payload(1);
    no_id["event"].as_object_mut().unwrap().remove("id");
    let mut bad_value = payload(1);
    bad_value["event"]["form"][1]["value"] = json!({ "first": "Guest" });
    let mut bad_time = payload(1);
    bad_time["event"]["start_datetime"] = json!("tomorrow at ten");
    let mut no_form = payload(1);
    no_form["event"].as_object_mut().unwrap().remove("form");
    let mut bad_type = payload(1);
    bad_type["webhook_type"] = json!("event_moved");
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (no_id.to_string().into_bytes(), "event.id"),
        (bad_value.to_string().into_bytes(), "event.form[1].value"),
        (bad_time.to_string().into_bytes(), "event.start_datetime"),
        (no_form.to_string().into_bytes(), "event.form"),
        (bad_type.to_string().into_bytes(), "webhook_type"),
        (b"{\"webhook_type\": ".to_vec(), "not JSON"),
        (b"[1, 2]".to_vec(), "(payload)"),
    ];
    for (bytes, path) in cases {
        let err = f
            .app
            .accept_payload(&bytes, IntakeSource::Webhook)
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{err}");
        assert!(err.to_string().contains(path), "{path}: {err}");
    }
    assert_eq!(stored(&f), (0, 0, 0), "nothing was stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_calendar_is_registered_from_its_first_payload() {
    let f = fixture(Org::practice()).await;
    let mut p = payload(1);
    p["event"]["form"].as_array_mut().unwrap().push(
        json!({ "field_type": "radio", "required": true, "label": "Region", "value": "APAC" }),
    );
    let a = accept(&f, &p).unwrap();
    assert!(a.calendar_registered);
    let calendar = job_of(&f, "ev-1").calendar_id.unwrap();
    let d = f.app.calendar(&f.owner, calendar).unwrap();
    assert_eq!(d.calendar.name, "Product demo");
    assert_eq!(d.calendar.url_path.as_deref(), Some("demo01"));
    let questions: Vec<(&str, QuestionKind, bool)> = d
        .questions
        .iter()
        .map(|q| (q.label.as_str(), q.kind, q.required))
        .collect();
    assert_eq!(
        questions,
        vec![
            ("Company", QuestionKind::ShortText, true),
            ("Name", QuestionKind::ShortText, true),
            ("Email", QuestionKind::Email, true),
            ("Comment", QuestionKind::LongText, false),
            ("Region", QuestionKind::ShortText, true),
        ]
    );

    // An existing calendar of the same name, not yet tied to a path, is linked rather than
    // doubled; a second calendar of that name at another path gets its own.
    let made = f.app.create_calendar(&f.owner, "Support call").unwrap();
    let mut q = payload(2);
    q["calendar_url_path"] = json!("support9");
    q["calendar_name"] = json!("Support call");
    let b = accept(&f, &q).unwrap();
    assert!(!b.calendar_registered);
    assert_eq!(job_of(&f, "ev-2").calendar_id, Some(made.calendar.id));
    let mut r = payload(3);
    r["calendar_url_path"] = json!("support10");
    r["calendar_name"] = json!("Support call");
    assert!(accept(&f, &r).unwrap().calendar_registered);
    let other = job_of(&f, "ev-3").calendar_id.unwrap();
    assert_ne!(other, made.calendar.id);
    assert_eq!(
        f.app.calendar(&f.owner, other).unwrap().calendar.name,
        "Support call (support10)"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn held_bookings_are_queued_when_the_integration_is_enabled_or_left_out() {
    let f = fixture(Org::practice()).await;
    connect(&f, Consent::Allow).await.unwrap();
    for i in 0..3 {
        assert_eq!(accept(&f, &payload(i)).unwrap().intake, Intake::Held);
    }
    let mut other = payload(10);
    other["calendar_url_path"] = json!("other1");
    other["calendar_name"] = json!("Other");
    accept(&f, &other).unwrap();
    let demo = job_of(&f, "ev-0").calendar_id.unwrap();
    let second = job_of(&f, "ev-10").calendar_id.unwrap();
    let c = f.app.queue_counts(&f.owner).unwrap();
    assert_eq!((c.held, c.queued), (4, 0));

    let d = f
        .app
        .add_integration(&f.owner, demo, false, f.secrets.clone())
        .await
        .unwrap();
    assert!(d.enabled, "{:?}", d.checks);
    assert_eq!(d.held_bookings, 0);
    let c = f.app.queue_counts(&f.owner).unwrap();
    assert_eq!((c.held, c.queued), (1, 3));
    assert!(
        (0..3).all(|i| job_of(&f, &format!("ev-{i}")).state == JobState::Queued),
        "only the demo calendar's bookings were released"
    );
    // Later bookings of an enabled calendar are queued at once.
    assert_eq!(accept(&f, &payload(4)).unwrap().intake, Intake::Queued);

    // The other calendar: its held booking is left out when enabled with skip_held.
    let d = f
        .app
        .add_integration(&f.owner, second, true, f.secrets.clone())
        .await
        .unwrap();
    assert!(d.enabled);
    let skipped = job_of(&f, "ev-10");
    assert_eq!(skipped.state, JobState::Skipped);
    assert!(skipped.note.unwrap().contains("left out"));
    let c = f.app.queue_counts(&f.owner).unwrap();
    assert_eq!((c.held, c.queued, c.skipped), (0, 4, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_and_reschedule_before_the_push_replace_the_job() {
    let f = fixture(Org::practice()).await;
    accept(&f, &payload(1)).unwrap();
    accept(&f, &payload(2)).unwrap();

    // Cancelled before it was pushed: the job is cancelled, with a note; the booking recorded.
    let cancel = json!({
        "webhook_type": "event_cancelled",
        "calendar_url_path": "demo01",
        "calendar_name": "Product demo",
        "event": { "id": "ev-1" }
    });
    let a = accept(&f, &cancel).unwrap();
    assert_eq!(a.intake, Intake::Cancellation);
    let job = job_of(&f, "ev-1");
    assert_eq!(job.state, JobState::Cancelled);
    assert!(job.note.unwrap().contains("before it was pushed"));
    assert_eq!(stored(&f).0, 3, "the cancellation is recorded as a booking");
    assert_eq!(stored(&f).1, 2, "and makes no job");
    assert_eq!(accept(&f, &cancel).unwrap().intake, Intake::Duplicate);

    // Rescheduled before it was pushed: the original is cancelled and one create replaces it.
    let mut moved = payload(2);
    moved["event"]["id"] = json!("ev-2b");
    moved["event"]["is_changed"] = json!(true);
    moved["event"]["old_event_id"] = json!("ev-2");
    moved["event"]["start_datetime"] = json!("2026-12-05T01:00:00Z");
    moved["event"]["end_datetime"] = json!("2026-12-05T02:00:00Z");
    accept(&f, &moved).unwrap();
    let original = job_of(&f, "ev-2");
    assert_eq!(original.state, JobState::Cancelled);
    assert!(original.note.unwrap().contains("ev-2b"));
    let new = job_of(&f, "ev-2b");
    assert_eq!(new.action, JobAction::Create);
    assert_eq!(new.state, JobState::Held);
    assert_eq!(new.start_at.as_deref(), Some("2026-12-05T01:00:00Z"));
    let c = f.app.queue_counts(&f.owner).unwrap();
    assert_eq!((c.held, c.cancelled), (1, 2));

    // A cancellation that arrives before its booking: the booking must not be queued later.
    let early = json!({
        "webhook_type": "event_cancelled",
        "calendar_url_path": "demo01",
        "event": { "id": "ev-3" }
    });
    accept(&f, &early).unwrap();
    accept(&f, &payload(3)).unwrap();
    assert_eq!(job_of(&f, "ev-3").state, JobState::Cancelled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_of_payloads_import_as_an_array_or_as_lines_and_bad_ones_are_refused_whole() {
    let f = fixture(Org::practice()).await;
    let array = Value::Array((0..3).map(payload).collect()).to_string();
    let r = f.app.import_payloads(&f.owner, &array).unwrap();
    assert_eq!((r.payloads, r.held, r.duplicates), (3, 3, 0), "{r:?}");
    assert_eq!(r.calendars_registered, 1);

    // JSON lines, with a blank line and one payload seen before.
    let lines = format!(
        "{}\n\n{}\n{}\n",
        payload(2),
        payload(3),
        serde_json::to_string_pretty(&payload(4))
            .unwrap()
            .replace('\n', " ")
    );
    let r = f.app.import_payloads(&f.owner, &lines).unwrap();
    assert_eq!((r.payloads, r.held, r.duplicates), (3, 2, 1), "{r:?}");
    assert_eq!(stored(&f), (5, 5, 1));

    // One file with two bad payloads among good ones: refused whole, each named.
    let mut bad_a = payload(5);
    bad_a["event"].as_object_mut().unwrap().remove("id");
    let mut bad_b = payload(7);
    bad_b["event"]["form"][2]["field_type"] = json!(7);
    let file = [payload(6), bad_a, payload(8), bad_b]
        .iter()
        .map(Value::to_string)
        .collect::<Vec<_>>()
        .join("\n");
    let err = f.app.import_payloads(&f.owner, &file).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    let text = err.to_string();
    assert!(text.contains("2 of 4"), "{text}");
    assert!(text.contains("payload 2: event.id"), "{text}");
    assert!(
        text.contains("payload 4: event.form[2].field_type"),
        "{text}"
    );
    assert_eq!(stored(&f), (5, 5, 1), "nothing of the file was stored");

    // A line that is not JSON names its line; an array that is not valid JSON is refused.
    let err = f
        .app
        .import_payloads(&f.owner, &format!("{}\n{{oops", payload(9)))
        .unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
    let err = f.app.import_payloads(&f.owner, "[{]").unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert_eq!(stored(&f), (5, 5, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_push_settings_are_checked_before_they_are_saved() {
    let f = fixture(Org::practice()).await;
    let s = f.app.sync_settings(&f.owner).unwrap();
    assert_eq!((s.concurrency, s.pause_share), (4, 0.9));
    assert_eq!(s.external_id_field, None);
    let bad = |edit: fn(&mut SyncSettings)| {
        let mut t = s.clone();
        edit(&mut t);
        f.app.set_sync_settings(&f.owner, &t).unwrap_err()
    };
    assert!(
        bad(|t| t.concurrency = 0)
            .to_string()
            .contains("concurrency")
    );
    assert!(
        bad(|t| t.pause_share = 1.5)
            .to_string()
            .contains("pause share")
    );
    assert!(
        bad(|t| t.external_id_field = Some("Booking Id".into()))
            .to_string()
            .contains("external id")
    );
    let mut t = s.clone();
    t.external_id_field = Some(" Booking_Id__c ".into());
    t.concurrency = 2;
    let saved = f.app.set_sync_settings(&f.owner, &t).unwrap();
    assert_eq!(saved.external_id_field.as_deref(), Some("Booking_Id__c"));
    assert_eq!(saved.concurrency, 2);
    assert_eq!(f.app.sync_settings(&f.owner).unwrap(), saved);
}
