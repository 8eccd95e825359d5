//! Golden previews: the exact record, the fields with their sources and transforms, and the
//! checks, for a real-shaped TimeRex payload and for typed samples — Japanese names with either
//! space, a western name, full-width e-mail and phone input, truncation, picklist translation,
//! a UTM parameter and a date into a date field. The goldens live in `tests/fixtures/preview/`;
//! `LEADLINE_WRITE_GOLDEN=1 cargo test -p leadline-core --test preview_golden` rewrites them, and
//! without it the test compares.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use leadline_core::booking;
use leadline_core::ipc::{
    BookingAttribute, CheckCode, MappingRow, NamePart, PicklistEntry, Preview, QueryParam,
    Question, QuestionKind, SampleAnswer, SampleBooking, Source, StandardField, Transform,
};
use leadline_core::mapping::{PreviewBooking, preview};
use leadline_salesforce::rest::ObjectDescribe;
use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn describe(name: &str) -> ObjectDescribe {
    let text = std::fs::read_to_string(fixtures().join(format!("describe/{name}.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn question(
    id: i64,
    kind: QuestionKind,
    label: &str,
    required: bool,
    choices: &[&str],
    standard_field: Option<StandardField>,
) -> Question {
    Question {
        id,
        calendar_id: 1,
        position: id,
        kind,
        label: label.into(),
        required,
        choices: choices.iter().map(|c| (*c).into()).collect(),
        standard_field,
        locked: false,
    }
}

/// A Japanese calendar: the built-in questions under English labels (found by field type) and
/// custom ones under the labels the payload carries (found by label).
fn questions() -> Vec<Question> {
    use QuestionKind::*;
    vec![
        question(
            1,
            ShortText,
            "Company",
            true,
            &[],
            Some(StandardField::CompanyName),
        ),
        question(
            2,
            ShortText,
            "Name",
            true,
            &[],
            Some(StandardField::GuestName),
        ),
        question(
            3,
            Email,
            "Email",
            true,
            &[],
            Some(StandardField::GuestEmail),
        ),
        question(
            4,
            LongText,
            "Comment",
            false,
            &[],
            Some(StandardField::GuestComment),
        ),
        question(5, Phone, "電話番号", false, &[], None),
        question(6, Date, "訪問希望日", true, &[], None),
        question(
            7,
            SingleChoice,
            "地域",
            true,
            &["アジア太平洋", "欧州", "米州"],
            None,
        ),
        question(
            8,
            MultipleChoice,
            "関心のあるテーマ",
            false,
            &["料金", "連携", "セキュリティ"],
            None,
        ),
    ]
}

fn q(question_id: i64) -> Source {
    Source::Question { question_id }
}

fn row(field: &str, source: Source, f: impl FnOnce(&mut Transform)) -> MappingRow {
    let mut transform = Transform::default();
    f(&mut transform);
    MappingRow {
        field: field.into(),
        source,
        transform,
    }
}

fn as_is(_: &mut Transform) {}

fn table(pairs: &[(&str, &str)]) -> Vec<PicklistEntry> {
    pairs
        .iter()
        .map(|(a, v)| PicklistEntry {
            answer: (*a).into(),
            value: (*v).into(),
        })
        .collect()
}

fn split_name() -> Vec<MappingRow> {
    vec![
        row("LastName", q(2), |t| {
            t.name_part = Some(NamePart::LastName);
            t.truncate = true;
        }),
        row("FirstName", q(2), |t| {
            t.name_part = Some(NamePart::FirstName);
            t.truncate = true;
        }),
    ]
}

fn sample(answers: &[(i64, &str)], locale: Option<&str>) -> SampleBooking {
    SampleBooking {
        answers: answers
            .iter()
            .map(|(id, v)| SampleAnswer {
                question_id: *id,
                value: (*v).into(),
            })
            .collect(),
        guest_locale: locale.map(str::to_owned),
        ..SampleBooking::default()
    }
}

fn payload_booking() -> booking::Booking {
    let bytes = std::fs::read(fixtures().join("payloads/confirmed_ja.json")).unwrap();
    booking::parse(&bytes).unwrap()
}

/// Every golden: its name, and the preview it pins.
fn cases() -> Vec<(&'static str, Preview)> {
    let questions = questions();
    let booking = payload_booking();
    let mut out = Vec::new();

    // The payload as a Japanese guest sent it, into an org with required custom fields.
    let mut rows = split_name();
    rows.extend([
        row("Company", q(1), |t| t.trim = true),
        row("Email", q(3), |t| t.half_width = true),
        row("Phone", q(5), |t| t.half_width = true),
        row("Trial_Start__c", q(6), as_is),
        row("Region__c", q(7), |t| {
            t.picklist = table(&[
                ("アジア太平洋", "APAC"),
                ("欧州", "EMEA"),
                ("米州", "Americas"),
            ])
        }),
        row(
            "Budget__c",
            Source::Fixed {
                value: "１，０００，０００".into(),
            },
            as_is,
        ),
        row(
            "LeadSource",
            Source::Attribute {
                attribute: BookingAttribute::QueryParam,
                param: Some("utm_source".into()),
            },
            as_is,
        ),
        row("Description", q(4), |t| {
            t.trim = true;
            t.truncate = true;
        }),
        row(
            "Website",
            Source::Attribute {
                attribute: BookingAttribute::MeetingUrl,
                param: None,
            },
            as_is,
        ),
        row(
            "EmailBouncedDate",
            Source::Attribute {
                attribute: BookingAttribute::StartLocal,
                param: None,
            },
            as_is,
        ),
        row(
            "Jigsaw",
            Source::Attribute {
                attribute: BookingAttribute::BookingId,
                param: None,
            },
            |t| t.truncate = true,
        ),
    ]);
    out.push((
        "booking_ja_required_custom",
        preview(
            &rows,
            &describe("lead_required_custom"),
            &questions,
            "製品デモ",
            &PreviewBooking::Webhook(&booking),
        ),
    ));

    // The same payload without the conversions: what Salesforce would refuse is shown, not sent.
    let rows = vec![
        row("LastName", q(2), |t| t.truncate = true),
        row("Company", q(1), as_is),
        row("Email", q(3), as_is),
        row("Phone", q(5), as_is),
        row("Title", q(4), as_is),
        row(
            "LeadSource",
            Source::Attribute {
                attribute: BookingAttribute::QueryParam,
                param: Some("utm_medium".into()),
            },
            as_is,
        ),
    ];
    out.push((
        "booking_ja_unconverted",
        preview(
            &rows,
            &describe("lead_standard"),
            &questions,
            "製品デモ",
            &PreviewBooking::Webhook(&booking),
        ),
    ));

    // Picklist translation into restricted picklists, single and multiple choice.
    let mut rows = split_name();
    rows.extend([
        row("Company", q(1), as_is),
        row("Topics__c", q(8), |t| {
            t.picklist = table(&[
                ("料金", "Pricing"),
                ("連携", "Integrations"),
                ("セキュリティ", "Security"),
            ])
        }),
        row("Product_Interest__c", q(7), |t| {
            t.picklist = table(&[("アジア太平洋", "Starter"), ("欧州", "Pro")])
        }),
    ]);
    out.push((
        "booking_ja_restricted_picklists",
        preview(
            &rows,
            &describe("lead_restricted_picklists"),
            &questions,
            "製品デモ",
            &PreviewBooking::Webhook(&booking),
        ),
    ));

    // Typed samples: the name's two halves by locale and script.
    let mut rows = split_name();
    rows.push(row("Company", q(1), as_is));
    for (name, full, locale) in [
        ("sample_ja_name_ascii_space", "山田 太郎", None),
        ("sample_ja_name_full_width_space", "山田\u{3000}太郎", None),
        ("sample_western_name_en", "Taro Yamada", Some("en")),
        ("sample_single_token_name", "Cher", Some("en")),
    ] {
        let s = sample(&[(1, "Acme"), (2, full)], locale);
        out.push((
            name,
            preview(
                &rows,
                &describe("lead_standard"),
                &questions,
                "製品デモ",
                &PreviewBooking::Sample(&s),
            ),
        ));
    }

    // A typed sample with full-width input, a long company name, a UTM parameter and a start.
    let rows = vec![
        row("LastName", q(2), |t| t.name_part = Some(NamePart::LastName)),
        row("Company", q(1), |t| t.truncate = true),
        row("Email", q(3), |t| t.half_width = true),
        row("MobilePhone", q(5), |t| t.half_width = true),
        row(
            "LeadSource",
            Source::Attribute {
                attribute: BookingAttribute::QueryParam,
                param: Some("utm_source".into()),
            },
            as_is,
        ),
        row(
            "EmailBouncedDate",
            Source::Attribute {
                attribute: BookingAttribute::StartUtc,
                param: None,
            },
            as_is,
        ),
        row("Rating", q(7), |t| t.picklist = table(&[("欧州", "Warm")])),
        row(
            "Title",
            Source::Attribute {
                attribute: BookingAttribute::CalendarName,
                param: None,
            },
            as_is,
        ),
    ];
    let mut s = sample(
        &[
            (1, &"アクメ".repeat(100)),
            (2, "Yamada"),
            (3, "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ"),
            (5, "＋８１ ３－１２３４－５６７８"),
            (7, "欧州"),
        ],
        Some("ja"),
    );
    s.start_utc = Some("2025-06-06T17:00:00+09:00".into());
    s.query = vec![QueryParam {
        name: "utm_source".into(),
        value: "newsletter".into(),
    }];
    out.push((
        "sample_full_width_truncate_utm",
        preview(
            &rows,
            &describe("lead_standard"),
            &questions,
            "製品デモ",
            &PreviewBooking::Sample(&s),
        ),
    ));
    out
}

#[test]
fn previews_match_their_goldens() {
    let dir = fixtures().join("preview");
    let write = std::env::var_os("LEADLINE_WRITE_GOLDEN").is_some();
    let mut drift = Vec::new();
    for (name, preview) in cases() {
        let path = dir.join(format!("{name}.json"));
        let actual = serde_json::to_value(&preview).unwrap();
        if write {
            std::fs::create_dir_all(&dir).unwrap();
            // Written from the struct so the golden reads record, fields, checks in that order.
            std::fs::write(
                &path,
                serde_json::to_string_pretty(&preview).unwrap() + "\n",
            )
            .unwrap();
        }
        match std::fs::read_to_string(&path) {
            Ok(text) if serde_json::from_str::<Value>(&text).unwrap() == actual => {}
            Ok(_) => drift.push(format!(
                "{name}: differs; found\n{}",
                serde_json::to_string_pretty(&actual).unwrap()
            )),
            Err(_) => drift.push(format!("{name}: no golden at {}", path.display())),
        }
    }
    assert!(
        drift.is_empty(),
        "previews drifted (rerun with LEADLINE_WRITE_GOLDEN=1 if intended):\n{}",
        drift.join("\n")
    );
}

/// The goldens pin whatever the engine did; these pin what it must do, so a golden rewritten
/// over a regression still fails here.
#[test]
fn the_previews_post_what_salesforce_takes() {
    let all = cases();
    let get = |name: &str| &all.iter().find(|(n, _)| *n == name).unwrap().1;
    for (name, p) in &all {
        assert_eq!(p.record["attributes"], json!({"type": "Lead"}), "{name}");
        for (field, value) in p.record.as_object().unwrap() {
            assert_ne!(value, &json!(""), "{name}: {field} is sent empty");
        }
        let listed: Vec<&str> = p.fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            listed.len() + 1,
            p.record.as_object().unwrap().len(),
            "{name}: every posted field is explained"
        );
    }

    let ja = &get("booking_ja_required_custom").record;
    assert_eq!(ja["LastName"], json!("山田"));
    assert_eq!(ja["FirstName"], json!("太郎"));
    assert_eq!(ja["Email"], json!("taro@example.com"));
    assert_eq!(ja["Phone"], json!("03-1234-5678"));
    assert_eq!(ja["Trial_Start__c"], json!("2025-06-20"));
    assert_eq!(ja["Region__c"], json!("APAC"));
    assert_eq!(ja["Budget__c"], json!(1_000_000));
    assert_eq!(ja["LeadSource"], json!("ads"));
    assert_eq!(ja["Description"], json!("デモの前に資料をいただけますか。"));
    assert_eq!(ja["EmailBouncedDate"], json!("2025-06-06T08:00:00Z"));
    assert!(
        get("booking_ja_required_custom").checks.is_empty(),
        "{:#?}",
        get("booking_ja_required_custom").checks
    );

    let raw = get("booking_ja_unconverted");
    assert!(
        raw.record.get("Email").is_none(),
        "a full-width address is not sent"
    );
    assert!(
        raw.record.get("LeadSource").is_none(),
        "a missing UTM parameter is left out"
    );
    let codes: Vec<(CheckCode, Option<&str>)> = raw
        .checks
        .iter()
        .map(|c| (c.code, c.field.as_deref()))
        .collect();
    assert!(
        codes.contains(&(CheckCode::FormatMismatch, Some("Email"))),
        "{codes:?}"
    );
    assert!(
        codes.contains(&(CheckCode::PossibleOverflow, Some("Title"))),
        "{codes:?}"
    );

    let picks = &get("booking_ja_restricted_picklists").record;
    assert_eq!(picks["Topics__c"], json!("Pricing;Security"));
    assert_eq!(picks["Product_Interest__c"], json!("Starter"));

    for name in [
        "sample_ja_name_ascii_space",
        "sample_ja_name_full_width_space",
    ] {
        assert_eq!(get(name).record["LastName"], json!("山田"), "{name}");
        assert_eq!(get(name).record["FirstName"], json!("太郎"), "{name}");
    }
    let western = &get("sample_western_name_en").record;
    assert_eq!(
        (&western["LastName"], &western["FirstName"]),
        (&json!("Yamada"), &json!("Taro"))
    );
    let single = &get("sample_single_token_name").record;
    assert_eq!(single["LastName"], json!("Cher"));
    assert!(single.get("FirstName").is_none());

    let fw = &get("sample_full_width_truncate_utm").record;
    assert_eq!(fw["Email"], json!("taro@example.com"));
    assert_eq!(fw["MobilePhone"], json!("+81 3-1234-5678"));
    assert_eq!(fw["Company"].as_str().unwrap().chars().count(), 255);
    assert_eq!(fw["LeadSource"], json!("newsletter"));
    assert_eq!(fw["EmailBouncedDate"], json!("2025-06-06T08:00:00Z"));
    assert_eq!(fw["Rating"], json!("Warm"));
    assert_eq!(
        fw["Title"],
        json!("製品デモ"),
        "a sample takes the calendar's name"
    );
}
