//! A calendar's Salesforce integration through the core's use-cases, against the practice org
//! over HTTP: added with its required rows pre-selected, refused while Salesforce would reject
//! it, enabled once fixed, previewed, exported and imported, and still editable from the cached
//! field list when Salesforce is out of reach.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use leadline_core::clock::FixedClock;
use leadline_core::ipc::{
    CheckCode, CheckFix, CheckSeverity, ErrorCode, IntegrationSettings, MappingRow, NewMember,
    PreviewInput, QuestionInput, QuestionKind, Role, SampleAnswer, SampleBooking, Source,
    Transform,
};
use leadline_core::{Actor, Leadline, Store};
use leadline_sfsim::Org;
use leadline_sfsim::robot::Consent;
use serde_json::json;
use time::macros::datetime;

use common::{Fixture, connect, fixture_at};

struct Setup {
    f: Fixture,
    clock: Arc<FixedClock>,
    calendar: i64,
}

async fn setup() -> Setup {
    let clock = Arc::new(FixedClock::new(datetime!(2026-11-24 09:00 UTC)));
    let f = fixture_at(Org::practice(), clock.clone()).await;
    connect(&f, Consent::Allow).await.unwrap();
    let calendar = f.app.create_calendar(&f.owner, "Product demo").unwrap();
    Setup {
        f,
        clock,
        calendar: calendar.calendar.id,
    }
}

fn question_id(app: &Leadline, actor: &Actor, calendar: i64, label: &str) -> i64 {
    app.calendar(actor, calendar)
        .unwrap()
        .questions
        .into_iter()
        .find(|q| q.label == label)
        .unwrap()
        .id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_integration_preselects_required_fields_and_waits_for_its_fix() {
    let s = setup().await;
    let (app, owner) = (&s.f.app, &s.f.owner);
    let d = app
        .add_integration(owner, s.calendar, false, s.f.secrets.clone())
        .await
        .unwrap();
    let fields: Vec<&str> = d.rows.iter().map(|r| r.field.as_str()).collect();
    assert!(
        fields.contains(&"LastName") && fields.contains(&"Company"),
        "{fields:?}"
    );
    assert!(
        d.fields.iter().all(|f| f.name != "Id"),
        "only createable fields are offered"
    );
    assert!(d.fields.iter().any(|f| f.name == "LastName" && f.required));

    // The default Company question is optional, and Salesforce requires Company: the seed's note.
    let company = question_id(app, owner, s.calendar, "Company");
    let check = d
        .checks
        .iter()
        .find(|c| c.code == CheckCode::RequiredFedByOptionalQuestion)
        .unwrap();
    assert_eq!(check.severity, CheckSeverity::Error);
    assert_eq!(check.field.as_deref(), Some("Company"));
    assert_eq!(
        check.fix,
        Some(CheckFix::MakeQuestionRequired {
            question_id: company
        })
    );
    assert!(!d.enabled, "an integration with errors starts disabled");
    let err = app
        .set_integration(
            owner,
            s.calendar,
            &IntegrationSettings {
                enabled: true,
                auto_assign: true,
                skip_held: None,
            },
            s.f.secrets.clone(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::MappingInvalid, "{err}");
    assert!(err.to_string().contains("Company"), "{err}");

    // The fix: make the question required. Then it may be enabled.
    app.edit_question(
        owner,
        s.calendar,
        company,
        &QuestionInput {
            label: "Company".into(),
            kind: QuestionKind::ShortText,
            required: true,
            choices: vec![],
        },
    )
    .unwrap();
    let d = app
        .set_integration(
            owner,
            s.calendar,
            &IntegrationSettings {
                enabled: true,
                auto_assign: false,
                skip_held: None,
            },
            s.f.secrets.clone(),
        )
        .await
        .unwrap();
    assert!(d.enabled && !d.auto_assign);
    assert!(
        d.checks.iter().all(|c| c.severity != CheckSeverity::Error),
        "{:?}",
        d.checks
    );

    let again = app
        .add_integration(owner, s.calendar, false, s.f.secrets.clone())
        .await
        .unwrap_err();
    assert_eq!(again.code(), ErrorCode::Conflict);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mapping_salesforce_would_reject_is_not_saved() {
    let s = setup().await;
    let (app, owner) = (&s.f.app, &s.f.owner);
    let before = app
        .add_integration(owner, s.calendar, false, s.f.secrets.clone())
        .await
        .unwrap();
    let mut rows = before.rows.clone();
    rows.retain(|r| r.field != "LastName");
    rows.push(MappingRow {
        field: "CreatedDate".into(),
        source: Source::Fixed {
            value: "yes".into(),
        },
        transform: Transform::default(),
    });
    let err = app
        .save_mapping(owner, s.calendar, rows, s.f.secrets.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::MappingInvalid);
    let text = err.to_string();
    assert!(text.contains("LastName"), "{text}");
    assert!(text.contains("CreatedDate"), "{text}");
    let after = app
        .integration(owner, s.calendar, s.f.secrets.clone())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(after.rows, before.rows, "nothing was written");

    // Warnings do not block: a fixed Lead Source is fine.
    let mut rows = before.rows.clone();
    rows.push(MappingRow {
        field: "LeadSource".into(),
        source: Source::Fixed {
            value: "Web".into(),
        },
        transform: Transform::default(),
    });
    // And a fixed Company is as good as a required question.
    rows.retain(|r| r.field != "Company");
    rows.push(MappingRow {
        field: "Company".into(),
        source: Source::Fixed {
            value: "Unknown".into(),
        },
        transform: Transform::default(),
    });
    let saved = app
        .save_mapping(owner, s.calendar, rows.clone(), s.f.secrets.clone())
        .await
        .unwrap();
    assert_eq!(saved.rows, rows);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn previews_the_exact_record_for_typed_answers_and_payloads() {
    let s = setup().await;
    let (app, owner) = (&s.f.app, &s.f.owner);
    app.add_integration(owner, s.calendar, false, s.f.secrets.clone())
        .await
        .unwrap();
    let q = |label| question_id(app, owner, s.calendar, label);
    let sample = SampleBooking {
        answers: vec![
            SampleAnswer {
                question_id: q("Company"),
                value: "Acme".into(),
            },
            SampleAnswer {
                question_id: q("Name"),
                value: "Yamada".into(),
            },
            SampleAnswer {
                question_id: q("Email"),
                value: "taro@example.com".into(),
            },
        ],
        ..SampleBooking::default()
    };
    let p = app
        .preview(
            owner,
            s.calendar,
            &PreviewInput::Sample { sample },
            None,
            s.f.secrets.clone(),
        )
        .await
        .unwrap();
    assert_eq!(p.record["attributes"], json!({ "type": "Lead" }));
    assert_eq!(p.record["LastName"], "Yamada");
    assert_eq!(p.record["Company"], "Acme");
    assert_eq!(p.record["Email"], "taro@example.com");

    let payload = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/payloads/confirmed_ja.json"
    ))
    .unwrap();
    let p = app
        .preview(
            owner,
            s.calendar,
            &PreviewInput::Payload { payload },
            None,
            s.f.secrets.clone(),
        )
        .await
        .unwrap();
    assert!(p.record.get("LastName").is_some(), "{}", p.record);

    let err = app
        .preview(
            owner,
            s.calendar,
            &PreviewInput::Payload {
                payload: r#"{"webhook_type":"event_confirmed"}"#.into(),
            },
            None,
            s.f.secrets.clone(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("event"), "{err}");

    // Support may preview, but not change the mapping.
    let support = Actor::new(
        app.add_member(
            owner,
            &NewMember {
                email: "sam@acme.example".into(),
                name: "Sam".into(),
                role: Role::Support,
            },
        )
        .unwrap(),
    );
    let p = app
        .preview(
            &support,
            s.calendar,
            &PreviewInput::Sample {
                sample: SampleBooking::default(),
            },
            None,
            s.f.secrets.clone(),
        )
        .await
        .unwrap();
    assert!(
        p.checks.iter().any(|c| c.severity == CheckSeverity::Error),
        "missing answers for required fields show as checks: {:?}",
        p.checks
    );
    let err = app
        .save_mapping(&support, s.calendar, vec![], s.f.secrets.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mapping_files_round_trip_and_report_every_problem() {
    let s = setup().await;
    let (app, owner) = (&s.f.app, &s.f.owner);
    let first = app
        .add_integration(owner, s.calendar, false, s.f.secrets.clone())
        .await
        .unwrap();
    let (_, text) = app.export_mapping(owner, s.calendar).unwrap();
    assert!(text.contains("\"format\": \"leadline-mapping\""), "{text}");
    assert!(
        !text.contains("question_id"),
        "questions travel by label: {text}"
    );

    let other = app.create_calendar(owner, "Webinar").unwrap().calendar.id;
    let imported = app
        .import_mapping(owner, other, &text, s.f.secrets.clone())
        .await
        .unwrap_err();
    // The same rows, but the other calendar's Company question is optional too.
    assert_eq!(imported.code(), ErrorCode::MappingInvalid, "{imported}");

    let broken = text
        .replace("\"Name\"", "\"Nickname\"")
        .replace("\"LastName\"", "\"Nonexistent__c\"");
    let err = app
        .import_mapping(owner, other, &broken, s.f.secrets.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    let message = err.to_string();
    assert!(message.contains("Nickname"), "{message}");
    assert!(message.contains("Nonexistent__c"), "{message}");
    assert!(
        app.integration(owner, other, s.f.secrets.clone())
            .await
            .unwrap()
            .is_none(),
        "nothing was written"
    );
    let file = app.export_mapping_file(owner, s.calendar).unwrap();
    assert_eq!(std::fs::read_to_string(&file.path).unwrap(), text);
    assert_eq!(file.rows as usize, first.rows.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_editor_works_from_the_cache_when_salesforce_is_away() {
    let s = setup().await;
    let (app, owner) = (&s.f.app, &s.f.owner);
    let d = app
        .add_integration(owner, s.calendar, false, s.f.secrets.clone())
        .await
        .unwrap();
    assert_eq!(d.describe_fetched_at, "2026-11-24T09:00:00Z");
    assert_eq!(d.describe_stale, None);

    // Within a day the cache answers without asking Salesforce.
    let requests = |f: &Fixture| {
        let f = f.sim.base_url.clone();
        async move {
            let stats: serde_json::Value = reqwest::get(format!("{f}/__sfsim/stats"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            stats["requests"]
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| k.contains("describe"))
                .flat_map(|(_, v)| v.as_object().unwrap().values())
                .map(|n| n.as_u64().unwrap())
                .sum::<u64>()
        }
    };
    let before = requests(&s.f).await;
    *s.clock.0.lock().unwrap() += time::Duration::hours(23);
    app.integration(owner, s.calendar, s.f.secrets.clone())
        .await
        .unwrap();
    assert_eq!(requests(&s.f).await, before, "a fresh cache is used");

    // A day later Salesforce is asked again; when it cannot be reached the cache still serves,
    // saying how old it is and why.
    *s.clock.0.lock().unwrap() += time::Duration::hours(2);
    let dir = s.f.dir.path().to_path_buf();
    let secrets = s.f.secrets.clone();
    let owner = s.f.owner.clone();
    s.f.sim.stop().await.unwrap();
    let reopened = Leadline::with_clock(
        Store::open(&dir.join("leadline.db")).unwrap(),
        s.clock.clone(),
    );
    let d = reopened
        .integration(&owner, s.calendar, secrets)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.describe_fetched_at, "2026-11-24T09:00:00Z");
    assert!(d.describe_stale.is_some(), "{d:?}");
    assert!(!d.rows.is_empty());
}
