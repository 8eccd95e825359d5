//! The mapping checks, table-driven over realistic describes: the practice org's standard Lead,
//! an org with extra required custom fields, one with restricted picklists, and a field removed
//! after the mapping was saved. Each case names the checks it expects, exactly — a check that
//! appears unasked fails the case as much as one that is missing.
//!
//! The describe fixtures under `tests/fixtures/describe/` are what the local Salesforce
//! (`leadline-sfsim`) answers; `describe_fixtures_are_what_sfsim_answers` proves it, and
//! `LEADLINE_WRITE_GOLDEN=1 cargo test -p leadline-core --test mapping_checks` rewrites them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use leadline_core::ipc::{
    BookingAttribute, Check, CheckCode, CheckFix, CheckSeverity, MappingRow, NamePart,
    PicklistEntry, Question, QuestionKind, Source, StandardField, Transform,
};
use leadline_core::mapping::{self, check, field_options, has_errors, initial_rows};
use leadline_salesforce::rest::{API_VERSION, ObjectDescribe};
use leadline_sfsim::Org;
use leadline_sfsim::org::CustomField;
use leadline_sfsim::schema::Schema;
use serde_json::{Value, json};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/describe")
}

/// The custom fields each fixture's org adds to the practice org's standard Lead.
fn fixture_orgs() -> Vec<(&'static str, Vec<Value>)> {
    vec![
        ("lead_standard", vec![]),
        (
            "lead_required_custom",
            vec![
                json!({"object": "Lead", "name": "Region__c", "label": "Region", "type": "picklist",
                       "required": true, "picklist_values": ["APAC", "EMEA", "Americas"]}),
                json!({"object": "Lead", "name": "Trial_Start__c", "label": "Trial Start",
                       "type": "date", "required": true}),
                json!({"object": "Lead", "name": "Budget__c", "label": "Budget", "type": "currency",
                       "required": true}),
                json!({"object": "Lead", "name": "Score__c", "label": "Score", "type": "double",
                       "createable": false, "updateable": false}),
            ],
        ),
        (
            "lead_restricted_picklists",
            vec![
                json!({"object": "Lead", "name": "Product_Interest__c", "label": "Product Interest",
                       "type": "picklist", "restricted_picklist": true,
                       "picklist_values": ["Starter", "Pro", "Enterprise", "Legacy"]}),
                json!({"object": "Lead", "name": "Topics__c", "label": "Topics",
                       "type": "multipicklist", "restricted_picklist": true,
                       "picklist_values": ["Pricing", "Integrations", "Security"]}),
                json!({"object": "Lead", "name": "Preferred_Contact__c", "label": "Preferred Contact",
                       "type": "picklist", "picklist_values": ["Email", "Phone"]}),
            ],
        ),
    ]
}

fn sfsim_describe(custom_fields: &[Value]) -> Value {
    let mut org = Org::practice();
    for cf in custom_fields {
        org.custom_fields
            .push(serde_json::from_value::<CustomField>(cf.clone()).unwrap());
    }
    let schema = Schema::build(&org).unwrap();
    let mut describe = schema.object("Lead").unwrap().describe(API_VERSION);
    // Setup deactivates picklist values rather than deleting them; the org file cannot say so,
    // so the one inactive value is marked here.
    for field in describe["fields"].as_array_mut().unwrap() {
        if field["name"] == "Product_Interest__c" {
            for v in field["picklistValues"].as_array_mut().unwrap() {
                if v["value"] == "Legacy" {
                    v["active"] = json!(false);
                }
            }
        }
    }
    describe
}

#[test]
fn describe_fixtures_are_what_sfsim_answers() {
    let write = std::env::var_os("LEADLINE_WRITE_GOLDEN").is_some();
    for (name, custom) in fixture_orgs() {
        let expected = sfsim_describe(&custom);
        let path = fixtures().join(format!("{name}.json"));
        if write {
            // Other tests read these files concurrently: replace them whole, never truncate.
            std::fs::create_dir_all(fixtures()).unwrap();
            let text = serde_json::to_string_pretty(&expected).unwrap() + "\n";
            let partial = path.with_extension("json.partial");
            std::fs::write(&partial, text).unwrap();
            std::fs::rename(&partial, &path).unwrap();
        }
        let found: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(
            found, expected,
            "{name}.json differs from sfsim's describe; rerun with LEADLINE_WRITE_GOLDEN=1"
        );
    }
}

fn describe(name: &str) -> ObjectDescribe {
    let text = std::fs::read_to_string(fixtures().join(format!("{name}.json"))).unwrap();
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
        locked: matches!(
            standard_field,
            Some(StandardField::GuestName | StandardField::GuestEmail)
        ),
    }
}

/// A calendar with the four built-in questions (Company optional, as the product ships it) and
/// one of every other kind.
fn questions() -> Vec<Question> {
    use QuestionKind::*;
    vec![
        question(
            1,
            ShortText,
            "Company",
            false,
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
        question(5, Phone, "Phone", false, &[], None),
        question(6, Date, "Visit date", false, &[], None),
        question(
            7,
            SingleChoice,
            "Product",
            true,
            &["Starter plan", "Pro plan", "Enterprise"],
            None,
        ),
        question(
            8,
            MultipleChoice,
            "Topics",
            false,
            &["Pricing", "Integrations", "Security", "Roadmap"],
            None,
        ),
        question(9, Checkbox, "Newsletter", false, &[], None),
        question(10, Number, "Seats", false, &[], None),
    ]
}

fn q(question_id: i64) -> Source {
    Source::Question { question_id }
}

fn fixed(value: &str) -> Source {
    Source::Fixed {
        value: value.into(),
    }
}

fn attr(attribute: BookingAttribute) -> Source {
    Source::Attribute {
        attribute,
        param: None,
    }
}

fn row(field: &str, source: Source) -> MappingRow {
    MappingRow {
        field: field.into(),
        source,
        transform: Transform::default(),
    }
}

fn row_with(field: &str, source: Source, f: impl FnOnce(&mut Transform)) -> MappingRow {
    let mut r = row(field, source);
    f(&mut r.transform);
    r
}

fn table(pairs: &[(&str, &str)]) -> Vec<PicklistEntry> {
    pairs
        .iter()
        .map(|(a, v)| PicklistEntry {
            answer: (*a).into(),
            value: (*v).into(),
        })
        .collect()
}

/// The base every case adds to: the required standard fields fed well (LastName truncated to
/// keep the overflow warning out of every case).
fn base() -> Vec<MappingRow> {
    vec![
        row_with("LastName", q(2), |t| t.truncate = true),
        row("Company", fixed("Unknown company")),
    ]
}

fn with_base(extra: Vec<MappingRow>) -> Vec<MappingRow> {
    let mut rows = base();
    rows.extend(extra);
    rows
}

/// What a case expects of one check: code, severity, field and the kind of fix.
type Expect = (
    CheckCode,
    CheckSeverity,
    Option<&'static str>,
    Option<&'static str>,
);

fn fix_kind(fix: &Option<CheckFix>) -> Option<&'static str> {
    fix.as_ref().map(|f| match f {
        CheckFix::MakeQuestionRequired { .. } => "make_question_required",
        CheckFix::RemoveRow { .. } => "remove_row",
        CheckFix::EnableTruncate { .. } => "enable_truncate",
        CheckFix::MapField { .. } => "map_field",
    })
}

struct Case {
    name: &'static str,
    describe: &'static str,
    rows: Vec<MappingRow>,
    expect: Vec<Expect>,
}

fn cases() -> Vec<Case> {
    use CheckCode::*;
    use CheckSeverity::{Error as E, Warning as W};
    let long_title: String = "x".repeat(129);
    vec![
        Case {
            name: "a well-fed standard Lead passes",
            describe: "lead_standard",
            rows: with_base(vec![
                row("Email", q(3)),
                row("Phone", q(5)),
                row("DoNotCall", q(9)),
                row("NumberOfEmployees", q(10)),
                row("Status", fixed("Working - Contacted")),
                row_with("Description", q(4), |t| {
                    t.trim = true;
                    t.truncate = true;
                }),
            ]),
            expect: vec![],
        },
        Case {
            name: "nothing mapped: each required field is named with its best guess",
            describe: "lead_standard",
            rows: vec![],
            expect: vec![
                (
                    RequiredFieldUnmapped,
                    E,
                    Some("LastName"),
                    Some("map_field"),
                ),
                (RequiredFieldUnmapped, E, Some("Company"), Some("map_field")),
            ],
        },
        Case {
            name: "required custom fields with no question to guess have no fix",
            describe: "lead_required_custom",
            rows: base(),
            expect: vec![
                (RequiredFieldUnmapped, E, Some("Region__c"), None),
                (RequiredFieldUnmapped, E, Some("Trial_Start__c"), None),
                (RequiredFieldUnmapped, E, Some("Budget__c"), None),
            ],
        },
        Case {
            name: "required custom fields fed well pass",
            describe: "lead_required_custom",
            rows: with_base(vec![
                row("Region__c", fixed("APAC")),
                row("Trial_Start__c", attr(BookingAttribute::StartUtc)),
                row("Budget__c", fixed("1,000,000")),
            ]),
            expect: vec![],
        },
        Case {
            name: "a required field fed by an optional question",
            describe: "lead_standard",
            rows: vec![
                row_with("LastName", q(2), |t| t.truncate = true),
                row("Company", q(1)),
            ],
            expect: vec![(
                RequiredFedByOptionalQuestion,
                E,
                Some("Company"),
                Some("make_question_required"),
            )],
        },
        Case {
            name: "a required field fed by an empty fixed value",
            describe: "lead_standard",
            rows: vec![
                row_with("LastName", q(2), |t| t.truncate = true),
                row("Company", fixed(" ")),
            ],
            expect: vec![(RequiredFieldUnmapped, E, Some("Company"), None)],
        },
        Case {
            name: "fields that cannot be created",
            describe: "lead_required_custom",
            rows: with_base(vec![
                row("Region__c", fixed("EMEA")),
                row("Trial_Start__c", q(6)),
                row("Budget__c", q(10)),
                row("PhotoUrl", fixed("https://example.com/a.png")),
                row("Score__c", q(10)),
            ]),
            expect: vec![
                (
                    RequiredFedByOptionalQuestion,
                    E,
                    Some("Trial_Start__c"),
                    Some("make_question_required"),
                ),
                (
                    RequiredFedByOptionalQuestion,
                    E,
                    Some("Budget__c"),
                    Some("make_question_required"),
                ),
                (FieldNotCreateable, E, Some("PhotoUrl"), Some("remove_row")),
                (FieldNotCreateable, E, Some("Score__c"), Some("remove_row")),
            ],
        },
        Case {
            name: "type mismatches: a date into a yes/no field, a time into a number",
            describe: "lead_standard",
            rows: with_base(vec![
                row("DoNotCall", q(6)),
                row("NumberOfEmployees", attr(BookingAttribute::StartUtc)),
                row("Website", attr(BookingAttribute::MeetingUrl)),
            ]),
            expect: vec![
                (TypeMismatch, E, Some("DoNotCall"), None),
                (TypeMismatch, E, Some("NumberOfEmployees"), None),
            ],
        },
        Case {
            name: "choices that do not coerce are errors, naming the choice",
            describe: "lead_standard",
            rows: with_base(vec![row("NumberOfEmployees", q(7))]),
            expect: vec![(TypeMismatch, E, Some("NumberOfEmployees"), None)],
        },
        Case {
            name: "possible overflow warns and offers truncation; truncation silences it",
            describe: "lead_standard",
            rows: with_base(vec![
                row("Title", q(4)),
                row_with("Jigsaw", q(1), |t| t.truncate = true),
                row(
                    "EmailBouncedReason",
                    attr(BookingAttribute::QueryParam).with_param("utm_term"),
                ),
            ]),
            expect: vec![(PossibleOverflow, W, Some("Title"), Some("enable_truncate"))],
        },
        Case {
            name: "a fixed value longer than the field is an error",
            describe: "lead_standard",
            rows: with_base(vec![row("Title", fixed(&long_title))]),
            expect: vec![(PossibleOverflow, E, Some("Title"), Some("enable_truncate"))],
        },
        Case {
            name: "a fixed value that is not an active restricted picklist value",
            describe: "lead_restricted_picklists",
            rows: with_base(vec![
                row("Status", fixed("Hot")),
                row("Product_Interest__c", fixed("Legacy")),
                row("Preferred_Contact__c", fixed("Carrier pigeon")),
            ]),
            expect: vec![
                (FixedNotInRestrictedPicklist, E, Some("Status"), None),
                (
                    FixedNotInRestrictedPicklist,
                    E,
                    Some("Product_Interest__c"),
                    None,
                ),
            ],
        },
        Case {
            name: "fixed values of the wrong type",
            describe: "lead_standard",
            rows: with_base(vec![
                row("NumberOfEmployees", fixed("many")),
                row("DoNotCall", fixed("perhaps")),
                row("Email", fixed("sales at acme")),
            ]),
            expect: vec![
                (FixedWrongType, E, Some("NumberOfEmployees"), None),
                (FixedWrongType, E, Some("DoNotCall"), None),
                (FixedWrongType, E, Some("Email"), None),
            ],
        },
        Case {
            name: "a deleted question",
            describe: "lead_standard",
            rows: with_base(vec![row("Description", q(99))]),
            expect: vec![(QuestionDeleted, E, Some("Description"), Some("remove_row"))],
        },
        Case {
            name: "a field unknown to the org",
            describe: "lead_standard",
            rows: with_base(vec![row("Shoe_Size__c", q(10))]),
            expect: vec![(FieldDeleted, E, Some("Shoe_Size__c"), Some("remove_row"))],
        },
        Case {
            name: "a field removed after saving: custom fields gone from the org",
            describe: "lead_standard",
            rows: with_base(vec![
                row("Region__c", fixed("APAC")),
                row("Trial_Start__c", attr(BookingAttribute::StartUtc)),
                row("Budget__c", fixed("1000")),
            ]),
            expect: vec![
                (FieldDeleted, E, Some("Region__c"), Some("remove_row")),
                (FieldDeleted, E, Some("Trial_Start__c"), Some("remove_row")),
                (FieldDeleted, E, Some("Budget__c"), Some("remove_row")),
            ],
        },
        Case {
            name: "two rows for one field",
            describe: "lead_standard",
            rows: with_base(vec![row("Email", q(3)), row("email", fixed("a@b.co"))]),
            expect: vec![(DuplicateField, E, Some("email"), Some("remove_row"))],
        },
        Case {
            name: "choices that are not active values of a restricted picklist",
            describe: "lead_restricted_picklists",
            rows: with_base(vec![
                row("Product_Interest__c", q(7)),
                row("Topics__c", q(8)),
            ]),
            expect: vec![
                (
                    PicklistAnswerNotActive,
                    E,
                    Some("Product_Interest__c"),
                    None,
                ),
                (PicklistAnswerNotActive, E, Some("Topics__c"), None),
            ],
        },
        Case {
            name: "a translation table makes the choices active values",
            describe: "lead_restricted_picklists",
            rows: with_base(vec![
                row_with("Product_Interest__c", q(7), |t| {
                    t.picklist = table(&[("Starter plan", "Starter"), ("Pro plan", "Pro")])
                }),
                row_with("Topics__c", q(8), |t| {
                    t.picklist = table(&[("Roadmap", "Pricing")])
                }),
            ]),
            expect: vec![],
        },
        Case {
            name: "a translation target that is not an active value",
            describe: "lead_restricted_picklists",
            rows: with_base(vec![
                row_with("Product_Interest__c", q(7), |t| {
                    t.picklist = table(&[("Starter plan", "Legacy"), ("Pro plan", "Pro")])
                }),
                row_with("Preferred_Contact__c", q(1), |t| {
                    t.picklist = table(&[("Acme", "Fax")])
                }),
            ]),
            expect: vec![
                // The table's target, and the choice it turns into that target.
                (
                    PicklistAnswerNotActive,
                    E,
                    Some("Product_Interest__c"),
                    None,
                ),
                (
                    PicklistAnswerNotActive,
                    E,
                    Some("Product_Interest__c"),
                    None,
                ),
                (
                    PicklistAnswerNotActive,
                    W,
                    Some("Preferred_Contact__c"),
                    None,
                ),
            ],
        },
        Case {
            name: "free text into a restricted picklist warns",
            describe: "lead_restricted_picklists",
            rows: with_base(vec![row("Product_Interest__c", q(4))]),
            expect: vec![(
                PicklistAnswerNotActive,
                W,
                Some("Product_Interest__c"),
                None,
            )],
        },
        Case {
            name: "format mismatches: a phone answer into an e-mail field, free text into one",
            describe: "lead_standard",
            rows: with_base(vec![
                row("Email", q(5)),
                row_with("MobilePhone", q(3), |t| t.truncate = true),
                row_with("Fax", q(1), |t| t.truncate = true),
            ]),
            expect: vec![
                (FormatMismatch, E, Some("Email"), None),
                (FormatMismatch, E, Some("MobilePhone"), None),
                (FormatMismatch, W, Some("Fax"), None),
            ],
        },
        Case {
            name: "a query parameter row without its parameter",
            describe: "lead_standard",
            rows: with_base(vec![row("LeadSource", attr(BookingAttribute::QueryParam))]),
            expect: vec![(FormatMismatch, E, Some("LeadSource"), None)],
        },
        Case {
            name: "a name split into both halves passes",
            describe: "lead_standard",
            rows: vec![
                row_with("LastName", q(2), |t| {
                    t.name_part = Some(NamePart::LastName);
                    t.truncate = true;
                }),
                row_with("FirstName", q(2), |t| {
                    t.name_part = Some(NamePart::FirstName);
                    t.truncate = true;
                }),
                row("Company", fixed("Unknown company")),
            ],
            expect: vec![],
        },
    ]
}

trait WithParam {
    fn with_param(self, param: &str) -> Source;
}

impl WithParam for Source {
    fn with_param(self, param: &str) -> Source {
        match self {
            Source::Attribute { attribute, .. } => Source::Attribute {
                attribute,
                param: Some(param.into()),
            },
            other => other,
        }
    }
}

/// A check as the table compares it: code, severity, field, fix kind.
type Seen = (
    CheckCode,
    CheckSeverity,
    Option<String>,
    Option<&'static str>,
);

fn sorted(mut items: Vec<Seen>) -> Vec<Seen> {
    items.sort_by_key(|e| format!("{e:?}"));
    items
}

fn summary(checks: &[Check]) -> Vec<Seen> {
    sorted(
        checks
            .iter()
            .map(|c| (c.code, c.severity, c.field.clone(), fix_kind(&c.fix)))
            .collect(),
    )
}

#[test]
fn every_check_case_finds_exactly_what_it_expects() {
    let questions = questions();
    let mut failures = Vec::new();
    for case in cases() {
        let found = check(&case.rows, &describe(case.describe), &questions);
        let expected = sorted(
            case.expect
                .iter()
                .map(|(code, severity, field, fix)| {
                    (*code, *severity, field.map(str::to_owned), *fix)
                })
                .collect(),
        );
        if summary(&found) != expected {
            failures.push(format!(
                "{}:\n  expected {expected:?}\n  found    {:?}\n  messages {:#?}",
                case.name,
                summary(&found),
                found.iter().map(|c| &c.message).collect::<Vec<_>>()
            ));
        }
        assert_eq!(
            has_errors(&found),
            case.expect.iter().any(|e| e.1 == CheckSeverity::Error),
            "{}: errors block saving, warnings do not",
            case.name
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_cases_cover_every_check_code() {
    use CheckCode::*;
    let covered: Vec<CheckCode> = cases()
        .iter()
        .flat_map(|c| c.expect.iter().map(|e| e.0))
        .collect();
    for code in [
        RequiredFieldUnmapped,
        RequiredFedByOptionalQuestion,
        FieldNotCreateable,
        TypeMismatch,
        PossibleOverflow,
        FixedNotInRestrictedPicklist,
        FixedWrongType,
        QuestionDeleted,
        FieldDeleted,
        DuplicateField,
        PicklistAnswerNotActive,
        FormatMismatch,
    ] {
        assert!(covered.contains(&code), "no case expects {code:?}");
    }
}

#[test]
fn messages_name_the_field_and_the_source() {
    let checks = check(
        &[
            row_with("LastName", q(2), |t| t.truncate = true),
            row("Company", q(1)),
        ],
        &describe("lead_standard"),
        &questions(),
    );
    let [only] = checks.as_slice() else {
        panic!("expected one check, got {checks:#?}");
    };
    assert!(
        only.message.starts_with("Company ← question \"Company\": "),
        "{}",
        only.message
    );
    assert_eq!(
        only.fix,
        Some(CheckFix::MakeQuestionRequired { question_id: 1 })
    );

    let checks = check(&[], &describe("lead_standard"), &questions());
    let last = checks
        .iter()
        .find(|c| c.field.as_deref() == Some("LastName"))
        .unwrap();
    assert_eq!(
        last.fix,
        Some(CheckFix::MapField {
            field: "LastName".into(),
            source: q(2)
        })
    );
    assert!(
        last.message.contains("Last Name (LastName) is required"),
        "{}",
        last.message
    );
    assert!(
        last.message.contains("question \"Name\""),
        "{}",
        last.message
    );
}

#[test]
fn applying_each_fix_clears_its_check() {
    let describe = describe("lead_standard");
    let mut questions = questions();
    let mut rows = vec![
        row("Company", q(1)),
        row("Title", q(4)),
        row("Description", q(99)),
    ];
    for _ in 0..10 {
        let checks = check(&rows, &describe, &questions);
        let Some(fix) = checks.iter().find_map(|c| c.fix.clone()) else {
            break;
        };
        match fix {
            CheckFix::MakeQuestionRequired { question_id } => {
                questions
                    .iter_mut()
                    .find(|q| q.id == question_id)
                    .unwrap()
                    .required = true
            }
            CheckFix::RemoveRow { field } => rows.retain(|r| r.field != field),
            CheckFix::EnableTruncate { field } => {
                rows.iter_mut()
                    .find(|r| r.field == field)
                    .unwrap()
                    .transform
                    .truncate = true
            }
            CheckFix::MapField { field, source } => rows.push(row(&field, source)),
        }
    }
    let left = check(&rows, &describe, &questions);
    // LastName ← Name (255 characters into 80) still warns; every error is gone.
    assert!(!has_errors(&left), "{left:#?}");
    assert!(
        questions[0].required,
        "the Company question was made required"
    );
    assert!(
        rows.iter().any(|r| r.field == "LastName"),
        "LastName was mapped by its fix"
    );
    assert!(
        !rows.iter().any(|r| r.field == "Description"),
        "the deleted question's row went"
    );
}

#[test]
fn initial_rows_preselect_required_fields_with_best_guesses() {
    let questions = questions();
    let rows = initial_rows(&describe("lead_standard"), &questions);
    assert_eq!(
        rows,
        vec![
            row("LastName", q(2)),
            row("Company", q(1)),
            row("Email", q(3))
        ]
    );
    // Company is optional as shipped; the check asks to make it required.
    let codes: Vec<CheckCode> = check(&rows, &describe("lead_standard"), &questions)
        .iter()
        .map(|c| c.code)
        .collect();
    assert_eq!(
        codes,
        vec![
            CheckCode::PossibleOverflow,
            CheckCode::RequiredFedByOptionalQuestion
        ]
    );

    // Required custom fields with no question of their label are left for the checks to name;
    // one whose label a question carries is guessed.
    let mut with_budget = questions.clone();
    with_budget.push(question(
        11,
        QuestionKind::Number,
        "Budget",
        true,
        &[],
        None,
    ));
    let rows = initial_rows(&describe("lead_required_custom"), &with_budget);
    let fields: Vec<&str> = rows.iter().map(|r| r.field.as_str()).collect();
    assert_eq!(fields, ["LastName", "Company", "Budget__c", "Email"]);
    assert_eq!(rows[2].source, q(11));
}

#[test]
fn field_options_list_createable_fields_required_first() {
    let options = field_options(&describe("lead_restricted_picklists"));
    let names: Vec<&str> = options.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(
        &names[..2],
        ["Company", "LastName"],
        "required first, by label"
    );
    assert!(
        !names.contains(&"Id") && !names.contains(&"PhotoUrl") && !names.contains(&"CreatedDate")
    );
    assert!(names.contains(&"Status") && names.contains(&"OwnerId"));
    let rest: Vec<String> = options[2..]
        .iter()
        .map(|o| o.label.to_lowercase())
        .collect();
    let mut sorted = rest.clone();
    sorted.sort();
    assert_eq!(rest, sorted, "the rest by label");
    let product = options
        .iter()
        .find(|o| o.name == "Product_Interest__c")
        .unwrap();
    assert!(product.restricted);
    assert_eq!(
        product.picklist_values,
        ["Starter", "Pro", "Enterprise"],
        "active values only"
    );
    let last = options.iter().find(|o| o.name == "LastName").unwrap();
    assert_eq!((last.length, last.required), (Some(80), true));
    let employees = options
        .iter()
        .find(|o| o.name == "NumberOfEmployees")
        .unwrap();
    assert_eq!(employees.length, None);
}

fn export_rows() -> Vec<MappingRow> {
    vec![
        row_with("LastName", q(2), |t| {
            t.name_part = Some(NamePart::LastName);
            t.truncate = true;
        }),
        row_with("FirstName", q(2), |t| {
            t.name_part = Some(NamePart::FirstName)
        }),
        row("Company", q(1)),
        row_with("Email", q(3), |t| {
            t.trim = true;
            t.half_width = true;
        }),
        row_with(
            "LeadSource",
            attr(BookingAttribute::QueryParam).with_param("utm_source"),
            |t| t.picklist = table(&[("ads", "Advertisement")]),
        ),
        row("Website", attr(BookingAttribute::MeetingUrl)),
        row("Status", fixed("Working - Contacted")),
    ]
}

#[test]
fn a_mapping_file_is_stable_and_reads_back_the_same_rows() {
    let questions = questions();
    let text = mapping::export(
        "Product demo",
        "Lead",
        true,
        false,
        &export_rows(),
        &questions,
    );
    let golden =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mapping/product_demo.json");
    if std::env::var_os("LEADLINE_WRITE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        std::fs::write(&golden, &text).unwrap();
    }
    assert_eq!(
        text,
        std::fs::read_to_string(&golden).unwrap(),
        "the file format drifted"
    );
    assert!(
        text.contains("\"question\": \"Name\""),
        "questions go by label, not id"
    );
    assert!(!text.contains("question_id"));
    assert!(
        !text.contains("\"trim\": false"),
        "only the steps that are on are written"
    );

    // Another install numbers its questions differently; labels still find them.
    let renumbered: Vec<Question> = questions
        .iter()
        .map(|q| Question {
            id: q.id + 100,
            ..q.clone()
        })
        .collect();
    let imported = mapping::import(&text, &renumbered, &describe("lead_standard")).unwrap();
    assert_eq!(imported.target_object, "Lead");
    assert!(imported.enabled);
    assert!(!imported.auto_assign);
    let expected: Vec<MappingRow> = export_rows()
        .into_iter()
        .map(|mut r| {
            if let Source::Question { question_id } = &mut r.source {
                *question_id += 100;
            }
            r
        })
        .collect();
    assert_eq!(imported.rows, expected);
}

#[test]
fn an_import_reports_every_problem_at_once_naming_row_and_field() {
    let text = json!({
        "format": "leadline-mapping",
        "version": 2,
        "target_object": "Lead",
        "rows": [
            {"field": "LastName", "source": {"question": "Full name"}},
            {"field": "Region__c", "source": {"fixed": "APAC"}},
            {"field": "PhotoUrl", "source": {"fixed": "https://example.com/p.png"}},
            {"field": "Company", "source": {"attribute": "weather"}},
            {"field": "Email", "source": {"question": "Email"}, "transform": {"shout": true}},
            {"field": "email", "source": {"question": "Email"}},
            {"field": "Title", "source": {"question": "Comment"}, "transform": {"name_part": "middle"}},
            {"field": "LeadSource", "source": {"attribute": "query_param"}}
        ]
    })
    .to_string();
    let problems = mapping::import(&text, &questions(), &describe("lead_standard")).unwrap_err();
    let expected = [
        "version: 2 is not supported",
        "row 1 (LastName): source: the calendar has no question \"Full name\"",
        "row 2 (Region__c): Lead has no field Region__c",
        "row 3 (PhotoUrl): Photo URL (PhotoUrl) cannot be set when a Lead is created",
        "row 4 (Company): source: unknown attribute \"weather\"",
        "row 5 (Email): transform: unknown step \"shout\"",
        "row 6 (email): an earlier row already maps email",
        "row 7 (Title): transform: name_part: expected \"last_name\" or \"first_name\"",
        "row 8 (LeadSource): source: the query_param attribute needs a \"param\"",
    ];
    assert_eq!(problems.len(), expected.len(), "{problems:#?}");
    for (found, want) in problems.iter().zip(expected) {
        assert!(found.starts_with(want), "expected {want:?}, got {found:?}");
    }

    let not_ours = mapping::import(
        r#"{"format": "dataloader", "version": 1, "rows": []}"#,
        &questions(),
        &describe("lead_standard"),
    )
    .unwrap_err();
    assert_eq!(
        not_ours,
        ["format: \"dataloader\" is not \"leadline-mapping\""]
    );
    assert!(
        mapping::import("LastName=Name", &questions(), &describe("lead_standard")).unwrap_err()[0]
            .starts_with("the file is not JSON")
    );
}
