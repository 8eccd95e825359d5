//! End-to-end check of a calendar's Service integration → Salesforce editor (issue 6) through the
//! real window, against the practice org. The practice admin signs in, connects Salesforce from
//! Team settings → Integrations, creates a calendar and adds an optional "Family name" question.
//! Adding the integration pre-selects the rows Salesforce requires (LastName ← Name, Company ←
//! Company) and reports that the optional Company question cannot feed a required field. Mapping
//! LastName to the optional "Family name" shows the same error on LastName, with Save disabled;
//! clicking its fix makes the question required (the question list says so), and so does Company's.
//! A field found by searching the "+" picker (Lead Source ← fixed "Web") and a transform on
//! LastName (trim, full-width to half-width) complete the rows; saving stores exactly them, and
//! the integration can then be enabled. The preview, fed typed answers, shows the exact JSON
//! record. Last, a support member sees the rows read-only and can still preview.
//!
//! Run with the app built (`make app`), under Xvfb and with a Secret Service keyring (the tokens
//! go there; `make e2e` sets both up):
//! `xvfb-run -a -s "-screen 0 1280x1024x24" cargo test -p leadline-e2e --test mapping -- --test-threads=1`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use leadline_e2e::{App, Check, Error, PRACTICE_SUPPORT, Practice, Result, run_with_practice};
use serde_json::{Value, json};

const TEST: &str = "admin_maps_lead_fields_and_previews";
const CALENDAR: &str = "Consultation";
const FAMILY_NAME: &str = "Family name";
const ROW: &str = "[data-testid=mapping-row]";

#[tokio::test]
async fn admin_maps_lead_fields_and_previews() {
    run_with_practice(TEST, run).await;
}

async fn run(data_dir: &Path, practice: &Practice) -> Result<()> {
    let app = App::launch_signed_in(TEST, data_dir, practice).await?;
    app.connect_salesforce().await?;

    let calendar_id = create_calendar(&app).await?;
    let ids = question_ids(&app, calendar_id).await?;
    let family = ids.id(FAMILY_NAME)?;

    add_integration(&app).await?;
    map_last_name_to_optional_question(&app, family).await?;
    apply_the_fixes(&app, calendar_id).await?;
    add_lead_source_and_transform(&app).await?;
    save_and_enable(&app, calendar_id, family).await?;
    preview_typed_answers(&app, &ids).await?;
    support_reads_and_previews(&app, &ids).await?;

    app.close().await
}

/// Creates the calendar, opens it, and adds the optional "Family name" question; returns its id.
async fn create_calendar(app: &App) -> Result<i64> {
    app.click("[data-testid=nav-calendars]").await?;
    app.create_calendar(CALENDAR).await?;
    app.open_calendar(CALENDAR).await?;

    let required = app.fill_new_question(FAMILY_NAME, "short_text").await?;
    assert!(
        !required.is_selected().await?,
        "a new question starts optional, which is what this test needs"
    );
    app.click("[data-testid=add-question]").await?;
    app.wait_until("the optional Family name question", async || {
        Ok(match question_badge(app, FAMILY_NAME).await? {
            Some(badge) if badge == "Optional" => Check::Done(()),
            other => Check::NotYet(format!("its badge: {other:?}")),
        })
    })
    .await?;

    let calendars = app.invoke("calendars_list", json!({})).await?;
    calendars
        .as_array()
        .and_then(|all| all.iter().find(|c| c["name"] == json!(CALENDAR)))
        .and_then(|c| c["id"].as_i64())
        .ok_or_else(|| Error::new(format!("calendars_list lacks {CALENDAR:?}: {calendars}")))
}

/// The calendar's question ids by label, as the core stores them.
struct QuestionIds(Vec<(String, i64)>);

impl QuestionIds {
    fn id(&self, label: &str) -> Result<i64> {
        self.0
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, id)| *id)
            .ok_or_else(|| Error::new(format!("no question {label:?} in {:?}", self.0)))
    }
}

async fn question_ids(app: &App, calendar_id: i64) -> Result<QuestionIds> {
    let detail = app
        .invoke("calendar_get", json!({ "id": calendar_id }))
        .await?;
    let questions = detail["questions"]
        .as_array()
        .ok_or_else(|| Error::new(format!("calendar_get: {detail}")))?;
    Ok(QuestionIds(
        questions
            .iter()
            .filter_map(|q| Some((q["label"].as_str()?.to_owned(), q["id"].as_i64()?)))
            .collect(),
    ))
}

/// "Add Salesforce integration" pre-selects every required field with its best-guess source.
/// The default Company question is optional, so Company's row already fails, with its fix, and
/// the new integration starts disabled.
async fn add_integration(app: &App) -> Result<()> {
    scroll_to(app, "[data-testid=integration-add]").await?;
    app.screenshot("no-integration").await?;
    app.click("[data-testid=integration-add]").await?;
    let editor = app
        .wait_until("the pre-selected rows", async || {
            let state = editor(app).await?;
            Ok(if state["rows"].as_array().is_some_and(|r| !r.is_empty()) {
                Check::Done(state)
            } else {
                Check::NotYet(format!("editor {state}"))
            })
        })
        .await?;
    let rows = &editor["rows"];
    assert_eq!(
        row_of(rows, "LastName")?["source"],
        json!("Question “Name”"),
        "LastName should start from the guest's name: {editor}"
    );
    assert_eq!(
        row_of(rows, "Company")?["source"],
        json!("Question “Company”"),
        "Company should start from the company question: {editor}"
    );
    let fields: Vec<&str> = rows
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["field"].as_str())
        .collect();
    assert_eq!(
        &fields[..2],
        ["LastName", "Company"],
        "the required fields come first, in the org's order: {editor}"
    );
    let company = error_checks(row_of(rows, "Company")?);
    assert!(
        company.len() == 1
            && company[0]["code"] == json!("required_fed_by_optional_question")
            && company[0]["fix"] == json!("Make “Company” required"),
        "the optional Company question cannot feed required Company: {editor}"
    );
    assert_eq!(
        editor["enabled"],
        json!(false),
        "an integration whose checks fail starts disabled: {editor}"
    );
    assert_eq!(editor["save_disabled"], json!(true), "nothing to save yet");
    scroll_to(app, "[data-testid=integration-editor]").await?;
    app.screenshot("integration-added").await?;
    Ok(())
}

/// Picks the optional question as LastName's source through the searchable source picker: the
/// row now fails the same check, and Save stays disabled.
async fn map_last_name_to_optional_question(app: &App, family: i64) -> Result<()> {
    let last_name = format!("{ROW}[data-field=LastName]");
    app.click(&format!("{last_name} [data-testid=source-picker]"))
        .await?;
    app.fill(
        &format!("{last_name} [data-testid=source-search]"),
        "family",
    )
    .await?;
    let offered = app
        .texts(&format!("{last_name} [data-testid=source-option]"))
        .await?;
    assert!(
        offered.len() == 1
            && offered[0].starts_with(FAMILY_NAME)
            && offered[0].contains("optional"),
        "searching \"family\" should offer only the optional Family name question: {offered:?}"
    );
    app.click(&format!(
        "{last_name} [data-testid=source-option][data-key=\"question:{family}\"]"
    ))
    .await?;
    let editor = wait_editor(
        app,
        "LastName's error about the optional question",
        |state| {
            row_of(&state["rows"], "LastName").is_ok_and(|row| {
                row["source"] == json!(format!("Question “{FAMILY_NAME}”"))
                    && error_checks(row)
                        .iter()
                        .any(|c| c["code"] == json!("required_fed_by_optional_question"))
            }) && state["summary"] != json!("Checking…")
        },
    )
    .await?;
    let row = row_of(&editor["rows"], "LastName")?;
    let error = error_checks(row)[0].clone();
    assert!(
        error["message"]
            .as_str()
            .is_some_and(|m| m.contains("LastName")),
        "the message should name the field: {error}"
    );
    assert_eq!(
        error["fix"],
        json!(format!("Make “{FAMILY_NAME}” required")),
        "{error}"
    );
    assert_eq!(
        editor["save_disabled"],
        json!(true),
        "Save must be disabled while an error stands: {editor}"
    );
    assert!(
        editor["summary"]
            .as_str()
            .is_some_and(|s| s.starts_with("2 errors")),
        "both errors should be counted: {editor}"
    );
    scroll_to(app, &format!("{ROW}[data-field=LastName]")).await?;
    app.screenshot("optional-question-error").await?;
    Ok(())
}

/// Each fix makes its question required: the question list shows it, and the errors go.
async fn apply_the_fixes(app: &App, calendar_id: i64) -> Result<()> {
    for (field, label) in [("LastName", FAMILY_NAME), ("Company", "Company")] {
        app.click(&format!(
            "{ROW}[data-field={field}] [data-testid=check-fix][data-fix=make_question_required]"
        ))
        .await?;
        app.wait_until(
            &format!("the question list to show {label} required"),
            async || {
                Ok(match question_badge(app, label).await? {
                    Some(badge) if badge == "Required" => Check::Done(()),
                    other => Check::NotYet(format!("its badge: {other:?}")),
                })
            },
        )
        .await?;
        wait_editor(app, &format!("{field}'s error to go"), |state| {
            row_of(&state["rows"], field).is_ok_and(|row| error_checks(row).is_empty())
                && state["summary"] != json!("Checking…")
        })
        .await?;
        if field == "LastName" {
            scroll_to(app, "[data-testid=question-row]").await?;
            app.screenshot("question-made-required").await?;
        }
    }
    let detail = app
        .invoke("calendar_get", json!({ "id": calendar_id }))
        .await?;
    let required: Vec<&str> = detail["questions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|q| q["required"] == json!(true))
        .filter_map(|q| q["label"].as_str())
        .collect();
    assert!(
        required.contains(&FAMILY_NAME) && required.contains(&"Company"),
        "the core should have stored both questions as required: {detail}"
    );
    let editor = editor(app).await?;
    assert_eq!(
        editor["save_disabled"],
        json!(false),
        "with no error left, the unsaved rows can be saved: {editor}"
    );
    scroll_to(app, "[data-testid=integration-editor]").await?;
    app.screenshot("errors-fixed").await?;
    Ok(())
}

/// "+" opens a searchable field picker: "lead source" finds the picklist, whose row then takes a
/// fixed value. LastName's transform trims and turns full-width letters half-width.
async fn add_lead_source_and_transform(app: &App) -> Result<()> {
    app.click("[data-testid=add-row]").await?;
    app.fill(
        "[data-testid=add-row-picker] [data-testid=field-search]",
        "lead source",
    )
    .await?;
    let offered = app
        .wait_texts(
            "[data-testid=add-row-picker] [data-testid=field-option]",
            "Lead Source offered",
            |t| !t.is_empty(),
        )
        .await?;
    assert!(
        offered.len() == 1 && offered[0].contains("LeadSource") && offered[0].contains("Picklist"),
        "searching \"lead source\" should offer only the Lead Source picklist: {offered:?}"
    );
    app.screenshot("field-search").await?;
    app.click("[data-testid=add-row-picker] [data-testid=field-option][data-field=LeadSource]")
        .await?;
    let lead_source = format!("{ROW}[data-field=LeadSource]");
    app.fill(&format!("{lead_source} [data-testid=source-fixed]"), "Web")
        .await?;

    let last_name = format!("{ROW}[data-field=LastName]");
    app.click(&format!("{last_name} [data-testid=toggle-transform]"))
        .await?;
    app.click(&format!("{last_name} [data-testid=transform-trim]"))
        .await?;
    app.click(&format!("{last_name} [data-testid=transform-half-width]"))
        .await?;
    let editor = wait_editor(app, "the new row and transform, checked", |state| {
        row_of(&state["rows"], "LeadSource").is_ok_and(|r| r["source"] == json!("Fixed “Web”"))
            && row_of(&state["rows"], "LastName")
                .is_ok_and(|r| r["transform"] == json!("trim · half-width"))
            && state["summary"] != json!("Checking…")
    })
    .await?;
    assert_eq!(editor["save_disabled"], json!(false), "{editor}");
    app.screenshot("rows-ready").await?;
    Ok(())
}

/// Save stores exactly the edited rows; the integration can then be enabled.
async fn save_and_enable(app: &App, calendar_id: i64, family: i64) -> Result<()> {
    app.click("[data-testid=integration-save]").await?;
    app.wait_texts(
        "[data-testid=integration-status]",
        "the status to say the rows were saved",
        |t| t.first().is_some_and(|t| t == "Saved 4 rows."),
    )
    .await?;
    let stored = app
        .invoke("integration_get", json!({ "calendar_id": calendar_id }))
        .await?;
    let rows = stored["rows"]
        .as_array()
        .ok_or_else(|| Error::new(format!("integration_get: {stored}")))?;
    let fields: Vec<&str> = rows.iter().filter_map(|r| r["field"].as_str()).collect();
    assert_eq!(
        fields,
        ["LastName", "Company", "Email", "LeadSource"],
        "{stored}"
    );
    assert_eq!(
        rows[0]["source"],
        json!({ "kind": "question", "question_id": family }),
        "{stored}"
    );
    assert_eq!(rows[0]["transform"]["trim"], json!(true), "{stored}");
    assert_eq!(rows[0]["transform"]["half_width"], json!(true), "{stored}");
    assert_eq!(
        rows[3]["source"],
        json!({ "kind": "fixed", "value": "Web" }),
        "{stored}"
    );
    let errors: Vec<&Value> = stored["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["severity"] == json!("error"))
        .collect();
    assert!(errors.is_empty(), "saved with errors: {stored}");
    let editor = editor(app).await?;
    assert_eq!(
        editor["save_disabled"],
        json!(true),
        "nothing left to save: {editor}"
    );

    app.click("[data-testid=integration-enabled]").await?;
    app.wait_texts(
        "[data-testid=integration-status]",
        "the status to say it is enabled",
        |t| t.first().is_some_and(|t| t.starts_with("Enabled")),
    )
    .await?;
    let stored = app
        .invoke("integration_get", json!({ "calendar_id": calendar_id }))
        .await?;
    assert_eq!(stored["enabled"], json!(true), "{stored}");
    scroll_to(app, "[data-testid=integration-editor]").await?;
    app.screenshot("saved-and-enabled").await?;
    Ok(())
}

/// Typed answers give the exact record: LastName from the family name, trimmed and half-width.
async fn preview_typed_answers(app: &App, ids: &QuestionIds) -> Result<()> {
    let answers = [
        ("Company", "Acme Trading"),
        ("Name", "Taro Yamada"),
        ("Email", "taro@example.com"),
        (FAMILY_NAME, "  Ｙａｍａｄａ "),
    ];
    fill_answers(app, ids, &answers).await?;
    app.click("[data-testid=preview-run]").await?;
    let record = wait_record(app).await?;
    assert_eq!(
        record,
        json!({
            "attributes": { "type": "Lead" },
            "LastName": "Yamada",
            "Company": "Acme Trading",
            "Email": "taro@example.com",
            "LeadSource": "Web",
        }),
        "the previewed record"
    );
    let fields = app.texts("[data-testid=preview-field]").await?;
    assert!(
        fields.iter().any(
            |f| f.starts_with("LastName") && f.contains(&format!("question \"{FAMILY_NAME}\""))
        ),
        "each field should say its source: {fields:?}"
    );
    let errors: Vec<String> = app
        .texts("[data-testid=preview-panel] [data-testid=check][data-severity=error]")
        .await?;
    assert!(errors.is_empty(), "this booking should pass: {errors:?}");
    scroll_to(app, "[data-testid=preview-record]").await?;
    app.screenshot("preview").await?;
    Ok(())
}

/// A support member reads the rows without any control, and the preview still works for them.
async fn support_reads_and_previews(app: &App, ids: &QuestionIds) -> Result<()> {
    app.invoke(
        "member_add",
        json!({ "input": { "email": PRACTICE_SUPPORT, "name": "", "role": "support" } }),
    )
    .await?;
    app.sign_out().await?;
    app.sign_in_practice_as(PRACTICE_SUPPORT).await?;
    app.wait_texts(
        "[data-testid=calendar-item]",
        "the calendar list, for support",
        |items| items.iter().any(|t| t.contains(CALENDAR)),
    )
    .await?;
    app.open_calendar(CALENDAR).await?;
    let editor = wait_editor(app, "the rows, read-only", |state| {
        state["rows"].as_array().is_some_and(|r| r.len() == 4)
    })
    .await?;
    assert_eq!(editor["read_only_note"], json!(true), "{editor}");
    for control in [
        "[data-testid=integration-save]",
        "[data-testid=add-row]",
        "[data-testid=row-remove]",
        "[data-testid=integration-export]",
        "[data-testid=check-fix]",
    ] {
        assert!(
            !app.has(control).await?,
            "support should not be offered {control}"
        );
    }
    let pickers_enabled = app
        .client()
        .execute(
            "return [...document.querySelectorAll('[data-testid=field-picker], [data-testid=source-picker]')]\
             .filter(b => !b.disabled).length;",
            vec![],
        )
        .await?;
    assert_eq!(
        pickers_enabled,
        json!(0),
        "support's pickers should be disabled"
    );

    fill_answers(
        app,
        ids,
        &[("Company", "Umbrella"), (FAMILY_NAME, "Suzuki")],
    )
    .await?;
    app.click("[data-testid=preview-run]").await?;
    let record = wait_record(app).await?;
    assert_eq!(record["LastName"], json!("Suzuki"), "{record}");
    assert_eq!(record["Company"], json!("Umbrella"), "{record}");
    scroll_to(app, "[data-testid=preview-record]").await?;
    app.screenshot("support-preview").await?;
    Ok(())
}

async fn fill_answers(app: &App, ids: &QuestionIds, answers: &[(&str, &str)]) -> Result<()> {
    for (label, value) in answers {
        let id = ids.id(label)?;
        app.fill(
            &format!("[data-testid=preview-answer][data-question-id=\"{id}\"]"),
            value,
        )
        .await?;
    }
    Ok(())
}

/// Waits for the preview's JSON record and parses it: what the page shows is what would be posted.
async fn wait_record(app: &App) -> Result<Value> {
    app.wait_until("the previewed record", async || {
        let shown = app.texts("[data-testid=preview-record]").await?;
        let running = app
            .texts("[data-testid=preview-run]")
            .await?
            .first()
            .is_some_and(|t| t.starts_with("Previewing"));
        Ok(match shown.first() {
            Some(text) if !running => match serde_json::from_str::<Value>(text) {
                Ok(record) => Check::Done(record),
                Err(e) => Check::NotYet(format!("not JSON ({e}): {text}")),
            },
            _ => {
                let errors = app
                    .texts("[data-testid=preview-panel] [data-testid=error]")
                    .await?;
                Check::NotYet(format!(
                    "record {shown:?}, running {running}, errors {errors:?}"
                ))
            }
        })
    })
    .await
}

/// The editor as a person sees it, read in one script: each row's field, source, transform and
/// checks; whether Save is disabled; the checks summary; the Enabled switch.
async fn editor(app: &App) -> Result<Value> {
    let state = app
        .client()
        .execute(
            r#"
            const text = (e) => (e?.innerText ?? '').trim();
            const checks = (root) => [...root.querySelectorAll('[data-testid=check]')].map((c) => ({
              code: c.dataset.code,
              severity: c.dataset.severity,
              message: text(c.querySelector('[data-testid=check-message]')),
              fix: c.querySelector('[data-testid=check-fix]') ? text(c.querySelector('[data-testid=check-fix]')) : null,
            }));
            const rows = [...document.querySelectorAll('[data-testid=mapping-row]')].map((r) => ({
              field: r.dataset.field,
              source: text(r.querySelector('[data-testid=source-label]')),
              transform: text(r.querySelector('[data-testid=transform-summary]')),
              checks: checks(r),
            }));
            const save = document.querySelector('[data-testid=integration-save]');
            return {
              rows,
              save_disabled: save ? save.disabled : null,
              summary: text(document.querySelector('[data-testid=integration-summary]')).split(' · unsaved')[0],
              enabled: document.querySelector('[data-testid=integration-enabled]')?.checked ?? null,
              read_only_note: !!document.querySelector('[data-testid=integration-read-only]'),
              errors: [...document.querySelectorAll('[data-testid=integration] [data-testid=error]')].map(text),
            };
            "#,
            vec![],
        )
        .await?;
    Ok(state)
}

async fn wait_editor(app: &App, what: &str, ready: impl Fn(&Value) -> bool) -> Result<Value> {
    app.wait_until(what, async || {
        let state = editor(app).await?;
        Ok(if ready(&state) {
            Check::Done(state)
        } else {
            Check::NotYet(format!("editor {state}"))
        })
    })
    .await
}

fn row_of<'a>(rows: &'a Value, field: &str) -> Result<&'a Value> {
    rows.as_array()
        .and_then(|all| all.iter().find(|r| r["field"] == json!(field)))
        .ok_or_else(|| Error::new(format!("no {field} row in {rows}")))
}

fn error_checks(row: &Value) -> Vec<Value> {
    row["checks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["severity"] == json!("error"))
        .cloned()
        .collect()
}

/// The Required/Optional badge the question list shows for the question labelled `label`.
async fn question_badge(app: &App, label: &str) -> Result<Option<String>> {
    let found = app
        .client()
        .execute(
            "const row = [...document.querySelectorAll('[data-testid=question-row]')]\
             .find((r) => (r.querySelector('[data-testid=question-label]')?.innerText ?? '').trim() === arguments[0]);\
             const badge = row && [...row.querySelectorAll('.badge')]\
             .map((b) => b.innerText.trim()).find((t) => t === 'Required' || t === 'Optional');\
             return badge ?? null;",
            vec![json!(label)],
        )
        .await?;
    Ok(found.as_str().map(str::to_owned))
}

async fn scroll_to(app: &App, css: &str) -> Result<()> {
    let element = app.wait_for(css).await?;
    app.client()
        .execute(
            "arguments[0].scrollIntoView({ block: 'center' });",
            vec![
                serde_json::to_value(&element)
                    .map_err(|e| Error::new(format!("element reference: {e}")))?,
            ],
        )
        .await?;
    Ok(())
}
