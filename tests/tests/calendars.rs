//! End-to-end check that calendars and their questions, created through the UI, are stored
//! durably: a calendar and an added question are still there, in order and with their settings,
//! after the app is closed and started again on the same data directory. Also checks that the
//! add-question form reports an empty label instead of saving it.
//!
//! The app starts on its sign-in screen; the practice org's administrator signs in first and,
//! being the first on a fresh data directory, becomes the owner. After the restart the app
//! resumes that session from the keyring: no sign-in screen, the header names the owner.
//!
//! Run with the app built, under Xvfb:
//! `xvfb-run -a -s "-screen 0 1280x1024x24" cargo test -p leadline-e2e -- --test-threads=1`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use leadline_e2e::{App, Check, Error, PRACTICE_ADMIN, PRACTICE_ADMIN_NAME, Practice, Result};
use serde_json::{Value, json};

const TEST: &str = "calendar_and_question_survive_a_restart";
const CALENDAR: &str = "Product demo";
const ROW_LABELS: &str = "[data-testid=question-row] [data-testid=question-label]";

#[tokio::test]
async fn calendar_and_question_survive_a_restart() {
    let data = tempfile::tempdir().unwrap();
    let practice = Practice::start(TEST).unwrap();
    create_calendar_and_question(data.path(), &practice)
        .await
        .unwrap();
    check_after_restart(data.path(), &practice).await.unwrap();
}

async fn create_calendar_and_question(data_dir: &Path, practice: &Practice) -> Result<()> {
    let app = App::launch(TEST, data_dir, practice).await?;
    app.assert_data_dir(data_dir).await?;

    app.wait_for("[data-testid=signin-practice]").await?;
    app.screenshot("sign-in").await?;
    let owner = app.sign_in_practice().await?;
    assert_eq!(
        owner["role"],
        json!("owner"),
        "the first to sign in on a fresh data directory becomes the owner: {owner}"
    );
    check_header(&app).await?;

    app.wait_for("[data-testid=new-calendar-name]").await?;
    app.screenshot("calendars-empty").await?;
    app.create_calendar(CALENDAR).await?;
    assert_cleared(&app, "[data-testid=new-calendar-name]", "the name input").await?;
    app.screenshot("calendar-created").await?;

    app.open_calendar(CALENDAR).await?;
    let defaults = wait_labels(&app, "the 4 default questions", |labels| labels.len() == 4).await?;
    for (label, word) in defaults.iter().zip(["company", "name", "email", "comment"]) {
        assert!(
            label.to_lowercase().contains(word),
            "default questions should be Company, Name, Email, Comment in that order; got {defaults:?}"
        );
    }
    app.screenshot("default-questions").await?;

    let required = app.fill_new_question("Budget", "short_text").await?;
    if !required.is_selected().await? {
        required.click().await?;
    }
    app.click("[data-testid=add-question]").await?;
    wait_labels(&app, "5 questions with \"Budget\" last", |labels| {
        labels.len() == 5 && labels.last().is_some_and(|l| l == "Budget")
    })
    .await?;
    assert_cleared(&app, "[data-testid=new-question-label]", "the label input").await?;
    app.screenshot("budget-added").await?;

    app.fill("[data-testid=new-question-label]", "").await?;
    app.click("[data-testid=add-question]").await?;
    let message = app
        .wait_until(
            "a visible [data-testid=error] about the empty label",
            async || {
                let shown = app.texts("[data-testid=error]").await?;
                Ok(match shown.iter().find(|t| !t.is_empty()) {
                    Some(text) if text.to_lowercase().contains("label") => {
                        Check::Done(text.clone())
                    }
                    _ => Check::NotYet(format!("error texts {shown:?}")),
                })
            },
        )
        .await?;
    let error = app.wait_for("[data-testid=error]").await?;
    assert!(
        error.is_displayed().await?,
        "the error {message:?} should be visible"
    );
    let labels = app.texts(ROW_LABELS).await?;
    assert_eq!(
        labels.len(),
        5,
        "an empty label must not add a question; got {labels:?}"
    );
    app.screenshot("empty-label-error").await?;

    app.close().await
}

async fn check_after_restart(data_dir: &Path, practice: &Practice) -> Result<()> {
    let app = App::launch(TEST, data_dir, practice).await?;
    app.assert_data_dir(data_dir).await?;

    // The session is in the keyring: the app opens signed in, straight on the calendars.
    check_header(&app).await?;
    assert!(
        !app.has("[data-testid=signin-practice]").await?,
        "the app should reopen signed in, without the sign-in screen"
    );
    let info = app.invoke("app_info", json!({})).await?;
    assert_eq!(
        info["actor"]["email"],
        json!(PRACTICE_ADMIN),
        "the session should survive the restart: {info}"
    );
    app.wait_calendar_listed(CALENDAR).await?;
    app.screenshot("calendars-after-restart").await?;

    app.open_calendar(CALENDAR).await?;
    let labels = wait_labels(&app, "5 questions with \"Budget\" last", |labels| {
        labels.len() == 5 && labels.last().is_some_and(|l| l == "Budget")
    })
    .await?;
    assert!(
        labels[0].to_lowercase().contains("company"),
        "default questions should keep their order; got {labels:?}"
    );
    app.screenshot("questions-after-restart").await?;

    // The page need not show kind and required-ness, so ask the app what it stored.
    let budget = stored_question(&app, "Budget").await?;
    assert_eq!(budget["kind"], json!("short_text"), "stored: {budget}");
    assert_eq!(budget["required"], json!(true), "stored: {budget}");
    assert_eq!(budget["position"], json!(5), "stored: {budget}");

    app.click("[data-testid=back-to-calendars]").await?;
    app.wait_calendar_listed(CALENDAR).await?;
    app.screenshot("back-to-calendars").await?;

    app.close().await
}

/// The header names the signed-in administrator and their role.
async fn check_header(app: &App) -> Result<()> {
    app.wait_actor("the header to name the owner", |a| {
        a.contains(PRACTICE_ADMIN_NAME) && a.contains("Owner")
    })
    .await?;
    Ok(())
}

async fn wait_labels(
    app: &App,
    what: &str,
    ready: impl Fn(&[String]) -> bool,
) -> Result<Vec<String>> {
    app.wait_texts(ROW_LABELS, what, ready).await
}

async fn stored_question(app: &App, label: &str) -> Result<Value> {
    let calendars = app.invoke("calendars_list", json!({})).await?;
    let id = calendars
        .as_array()
        .and_then(|all| all.iter().find(|c| c["name"] == json!(CALENDAR)))
        .map(|c| c["id"].clone())
        .ok_or_else(|| Error::new(format!("calendars_list lacks {CALENDAR:?}: {calendars}")))?;
    let detail = app.invoke("calendar_get", json!({ "id": id })).await?;
    detail["questions"]
        .as_array()
        .and_then(|qs| qs.iter().find(|q| q["label"] == json!(label)))
        .cloned()
        .ok_or_else(|| Error::new(format!("calendar_get lacks question {label:?}: {detail}")))
}

/// A form's input is emptied once what was typed into it has been saved.
async fn assert_cleared(app: &App, css: &str, what: &str) -> Result<()> {
    let left = app.wait_for(css).await?.prop("value").await?;
    assert_eq!(
        left.as_deref().unwrap_or(""),
        "",
        "{what} should be cleared after saving"
    );
    Ok(())
}
