//! End-to-end check of signing in and of roles as the app enforces them. The practice org's
//! administrator signs in first and so becomes the owner, creates a calendar, adds
//! support@practice.example to the team as support and signs out. The support person then signs
//! in: the header names their role, the calendar and its questions are readable, but every
//! control that would change them is absent (no create form, no rename/delete, no add, edit,
//! move or delete of questions; a read-only note instead), the Team and Audit log sections are
//! not offered, and a forbidden command called directly is refused by the core with code
//! `forbidden` — the roles are not merely hidden. Last, someone the practice org knows but the
//! team does not (stranger@practice.example) signs in and is told they are not a member.
//!
//! Run with the app built, under Xvfb and with a Secret Service keyring (`make e2e` sets both up):
//! `xvfb-run -a -s "-screen 0 1280x1024x24" cargo test -p leadline-e2e --test signin -- --test-threads=1`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use leadline_e2e::{
    App, Check, Error, PRACTICE_ADMIN, PRACTICE_ADMIN_NAME, PRACTICE_STRANGER, PRACTICE_SUPPORT,
    Practice, Result, SIGN_IN_WAIT, run_with_practice,
};
use serde_json::{Value, json};

const TEST: &str = "support_member_reads_but_cannot_change";
const CALENDAR: &str = "Support handbook";
const SUPPORT_NAME: &str = "Sam Support";
const ROW_LABELS: &str = "[data-testid=question-row] [data-testid=question-label]";

/// What only owners and admins may use on the calendars pages.
const EDIT_CONTROLS: [&str; 11] = [
    "[data-testid=new-calendar-name]",
    "[data-testid=create-calendar]",
    "[data-testid=rename-calendar-name]",
    "[data-testid=rename-calendar]",
    "[data-testid=delete-calendar]",
    "[data-testid=new-question-label]",
    "[data-testid=add-question]",
    "[data-testid=edit-question]",
    "[data-testid=move-question-up]",
    "[data-testid=move-question-down]",
    "[data-testid=delete-question]",
];

#[tokio::test]
async fn support_member_reads_but_cannot_change() {
    run_with_practice(TEST, run).await;
}

async fn run(data_dir: &Path, practice: &Practice) -> Result<()> {
    let app = App::launch(TEST, data_dir, practice).await?;

    app.wait_for("[data-testid=signin-practice]").await?;
    let heading = app.texts("h1").await?;
    assert!(
        heading.iter().any(|h| h.contains("Sign in to Leadline")),
        "a fresh app should open on the sign-in screen; headings {heading:?}"
    );
    assert!(
        !app.has("[data-testid=nav-calendars]").await?,
        "the sign-in screen has no navigation"
    );
    app.screenshot("sign-in").await?;

    let owner = app.sign_in_practice().await?;
    assert_eq!(owner["role"], json!("owner"), "first sign-in: {owner}");
    let calendar_id = owner_prepares(&app).await?;

    app.sign_out().await?;
    let info = app.invoke("app_info", json!({})).await?;
    assert_eq!(info["actor"], Value::Null, "signed out: {info}");
    app.screenshot("signed-out").await?;

    let support = app.sign_in_practice_as(PRACTICE_SUPPORT).await?;
    assert_eq!(support["role"], json!("support"), "{support}");
    support_reads(&app, &calendar_id).await?;
    support_is_refused(&app, &calendar_id).await?;

    app.sign_out().await?;
    stranger_is_not_a_member(&app).await?;

    app.close().await
}

/// The owner creates a calendar and adds the support person; returns the calendar's id.
async fn owner_prepares(app: &App) -> Result<Value> {
    app.wait_actor("the owner in the header", |a| {
        a.contains(PRACTICE_ADMIN_NAME) && a.contains("Owner")
    })
    .await?;
    app.create_calendar(CALENDAR).await?;
    app.screenshot("owner-calendars").await?;

    app.click("[data-testid=nav-team]").await?;
    app.fill("[data-testid=new-member-email]", PRACTICE_SUPPORT)
        .await?;
    app.fill("[data-testid=new-member-name]", SUPPORT_NAME)
        .await?;
    app.wait_for("[data-testid=new-member-role]")
        .await?
        .select_by_value("support")
        .await?;
    app.click("[data-testid=add-member]").await?;
    let rows = app
        .wait_texts(
            "[data-testid=member-row]",
            "the support person on the Team page",
            |rows| rows.iter().any(|r| r.contains(PRACTICE_SUPPORT)),
        )
        .await?;
    assert!(
        rows.iter()
            .any(|r| r.contains(PRACTICE_SUPPORT) && r.contains("Support")),
        "added as support: {rows:?}"
    );
    assert!(
        rows.iter().any(|r| r.contains(PRACTICE_ADMIN)),
        "the owner is listed too: {rows:?}"
    );
    app.screenshot("owner-team").await?;

    let calendars = app.invoke("calendars_list", json!({})).await?;
    calendars
        .as_array()
        .and_then(|all| all.iter().find(|c| c["name"] == json!(CALENDAR)))
        .map(|c| c["id"].clone())
        .ok_or_else(|| Error::new(format!("calendars_list lacks {CALENDAR:?}: {calendars}")))
}

/// Support sees the calendar and its questions, and nothing that would change them.
async fn support_reads(app: &App, calendar_id: &Value) -> Result<()> {
    app.wait_actor("the support person's role in the header", |a| {
        a.contains(SUPPORT_NAME) && a.contains("Support")
    })
    .await?;
    app.wait_texts(
        "[data-testid=calendar-item]",
        "the calendar to be listed for support",
        |items| items.iter().any(|t| t.contains(CALENDAR)),
    )
    .await?;
    app.wait_for("[data-testid=nav-calendars]").await?;
    for absent in ["[data-testid=nav-team]", "[data-testid=nav-audit]"] {
        assert!(
            !app.has(absent).await?,
            "support has no Team or Audit log section: {absent} is shown"
        );
    }
    assert_no_edit_controls(app, "the calendars page").await?;
    app.screenshot("support-calendars").await?;

    app.open_calendar(CALENDAR).await?;
    let labels = app
        .wait_until("the calendar's 4 questions", async || {
            let labels = app.texts(ROW_LABELS).await?;
            Ok(if labels.len() == 4 {
                Check::Done(labels)
            } else {
                Check::NotYet(format!("question labels {labels:?}"))
            })
        })
        .await?;
    assert!(
        labels[0].to_lowercase().contains("company"),
        "the default questions are readable: {labels:?}"
    );
    let note = app
        .wait_texts("[data-testid=read-only-note]", "the read-only note", |n| {
            n.first().is_some_and(|t| !t.is_empty())
        })
        .await?;
    assert!(
        note[0].to_lowercase().contains("support"),
        "the note should name the role: {note:?}"
    );
    assert_no_edit_controls(app, "the calendar page").await?;
    app.screenshot("support-calendar").await?;

    // Reading through the commands is allowed too.
    let detail = app
        .invoke("calendar_get", json!({ "id": calendar_id }))
        .await?;
    assert_eq!(
        detail["questions"].as_array().map(Vec::len),
        Some(4),
        "{detail}"
    );
    Ok(())
}

/// The core refuses what the page hides: a forbidden command called directly fails with code
/// `forbidden` and changes nothing.
async fn support_is_refused(app: &App, calendar_id: &Value) -> Result<()> {
    let attempts = [
        ("calendar_create", json!({ "name": "Sneaky" })),
        (
            "calendar_rename",
            json!({ "id": calendar_id, "name": "Renamed" }),
        ),
        ("calendar_delete", json!({ "id": calendar_id })),
        (
            "question_add",
            json!({
                "calendar_id": calendar_id,
                "input": { "label": "Budget", "kind": "short_text", "required": false, "choices": [] },
            }),
        ),
        (
            "member_add",
            json!({ "input": { "email": "eve@practice.example", "name": "Eve", "role": "admin" } }),
        ),
        (
            "audit_list",
            json!({ "filter": {}, "limit": 50, "offset": 0 }),
        ),
    ];
    for (command, args) in attempts {
        let rejection = app.invoke_rejected(command, args).await?;
        assert_eq!(
            rejection["code"],
            json!("forbidden"),
            "{command} as support: {rejection}"
        );
    }
    let calendars = app.invoke("calendars_list", json!({})).await?;
    let names: Vec<&str> = calendars
        .as_array()
        .map(|all| all.iter().filter_map(|c| c["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, [CALENDAR], "nothing changed: {calendars}");
    Ok(())
}

/// Someone the practice org knows but the team does not is told to ask the owner.
async fn stranger_is_not_a_member(app: &App) -> Result<()> {
    app.start_practice_sign_in_as(PRACTICE_STRANGER).await?;
    let message = app
        .wait_until_within(SIGN_IN_WAIT, "the not-a-member message", async || {
            let shown = app.texts("[data-testid=not-a-member]").await?;
            Ok(match shown.first() {
                Some(text) if !text.is_empty() => Check::Done(text.clone()),
                _ => {
                    let errors = app.texts("[data-testid=error]").await?;
                    Check::NotYet(format!("not-a-member {shown:?}, errors {errors:?}"))
                }
            })
        })
        .await?;
    assert!(
        message.to_lowercase().contains("ask your team owner"),
        "the message should say what to do: {message:?}"
    );
    assert!(
        message.contains(PRACTICE_STRANGER),
        "the message should say who signed in: {message:?}"
    );
    assert!(
        !app.has("[data-testid=actor]").await?,
        "nobody is signed in: no actor in a header"
    );
    let info = app.invoke("app_info", json!({})).await?;
    assert_eq!(info["actor"], Value::Null, "not signed in: {info}");
    app.screenshot("not-a-member").await?;
    Ok(())
}

async fn assert_no_edit_controls(app: &App, page: &str) -> Result<()> {
    for css in EDIT_CONTROLS {
        assert!(!app.has(css).await?, "support must not see {css} on {page}");
    }
    Ok(())
}
