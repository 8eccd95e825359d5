//! End-to-end check of Team settings → Integrations → Salesforce through the real window, against
//! the practice org. The practice admin signs in (and so owns the team), opens Integrations and
//! finds the local practice org preselected with its client id. A first Connect waits on a browser
//! that never gets past the login page and is cancelled from the waiting state; a second one goes
//! through the practice org's login and consent pages (the harness's browser script) and ends on
//! the connected card, whose org, user and API version must be what the core reports. The doctor
//! then finds nothing wrong; with the org pushed past 90% of its daily API requests, it warns and
//! the usage bar turns to its warning style. A support member sees the same card but none of the
//! controls, and the core refuses them a disconnect. Back as the admin, Disconnect, after its
//! confirmation step (whose Cancel keeps the connection), brings the form back.
//! Last, the practice org itself must have revoked every refresh token it issued to Leadline, and
//! no token value it issued may be anywhere in the app's data directory.
//!
//! Run with the app built (`make app`), under Xvfb and with a Secret Service keyring (the tokens
//! go there; `make e2e` sets both up):
//! `xvfb-run -a -s "-screen 0 1280x1024x24" cargo test -p leadline-e2e --test salesforce -- --test-threads=1`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

use leadline_e2e::{
    App, Check, Error, PRACTICE_ADMIN, PRACTICE_SUPPORT, Practice, Result, run_with_practice,
};
use serde_json::{Value, json};

const TEST: &str = "admin_connects_and_disconnects_salesforce";
const CLIENT_ID: &str = "leadline-practice";
/// The name `Org::practice()` gives the org; the card must show it.
const ORG_NAME: &str = "Leadline Practice Org";
/// Not a user of the practice org: the browser script's login is refused and the app keeps
/// waiting, which is what the Cancel button is for.
const NOBODY: &str = "nobody@practice.example";

#[tokio::test]
async fn admin_connects_and_disconnects_salesforce() {
    run_with_practice(TEST, run).await;
}

async fn run(data_dir: &Path, practice: &Practice) -> Result<()> {
    let app = App::launch_signed_in(TEST, data_dir, practice).await?;

    app.click("[data-testid=nav-integrations]").await?;
    app.wait_for("[data-testid=integrations-title]").await?;
    check_form_defaults(&app, practice).await?;
    app.screenshot("connect-form").await?;

    cancel_waiting_connect(&app, practice).await?;

    let connection = connect(&app, practice).await?;
    app.screenshot("connected").await?;

    run_doctor(&app).await?;
    scroll_to(&app, "[data-testid=sf-doctor]").await?;
    app.screenshot("doctor").await?;

    near_limit(&app, practice, &connection).await?;
    app.screenshot("near-limit").await?;

    support_reads_only(&app, &connection).await?;

    disconnect(&app, &connection).await?;

    app.close().await?;
    check_tokens(practice, data_dir)
}

/// The form as a newcomer finds it with `make run`: the practice org chosen, its URL and client id
/// filled in, and the callback URLs to register listed.
async fn check_form_defaults(app: &App, practice: &Practice) -> Result<()> {
    app.wait_for("[data-testid=sf-connect-form]").await?;
    assert!(
        !app.has("[data-testid=sf-card]").await?,
        "a fresh team has no connection to show"
    );
    let custom = app.wait_for("[data-testid=sf-login-host-custom]").await?;
    assert_eq!(
        custom.prop("checked").await?.as_deref(),
        Some("true"),
        "the local practice org should be preselected"
    );
    let chosen = app
        .texts("[data-testid=sf-connect-form] .host--chosen")
        .await?;
    assert!(
        chosen.len() == 1 && chosen[0].contains("Local practice org"),
        "exactly the practice org's choice should be highlighted: {chosen:?}"
    );
    let hosts = app
        .texts("[data-testid=sf-connect-form] .host__label")
        .await?;
    assert_eq!(
        hosts,
        [
            "Production",
            "Sandbox",
            "My Domain",
            "Local practice org / custom URL"
        ],
        "the four login host choices"
    );
    assert_eq!(
        value(app, "[data-testid=sf-login-url]").await?,
        practice.base_url(),
        "the login URL should be the practice org's"
    );
    assert_eq!(value(app, "[data-testid=sf-client-id]").await?, CLIENT_ID);
    let callbacks = app.texts("[data-testid=sf-callback-url]").await?;
    assert!(
        callbacks.len() == 2
            && callbacks
                .iter()
                .all(|u| u.starts_with("http://localhost:") && u.ends_with("/oauth/callback")),
        "the default and fallback callback URLs should be listed: {callbacks:?}"
    );
    Ok(())
}

/// Connect while the browser never finishes (its login is refused): the page waits, with
/// Cancel; cancelling returns to the form and connects nothing.
async fn cancel_waiting_connect(app: &App, practice: &Practice) -> Result<()> {
    practice.choose(NOBODY)?;
    app.click("[data-testid=sf-connect]").await?;
    let waiting = app
        .wait_texts("[data-testid=sf-waiting]", "the waiting state", |t| {
            t.first()
                .is_some_and(|t| t.contains("Waiting for Salesforce in your browser"))
        })
        .await?;
    assert!(
        !app.has("[data-testid=sf-connect-form]").await?,
        "the form should give way to the waiting state: {waiting:?}"
    );
    // Wait until the browser gave up, so the cancel below is what ends the wait, not a race.
    app.wait_until("the browser script's login to be refused", async || {
        let log = fs::read_to_string(practice.browser_log()).unwrap_or_default();
        Ok(if log.contains("login refused") {
            Check::Done(())
        } else {
            Check::NotYet(format!("browser log: {log}"))
        })
    })
    .await?;
    assert!(
        app.has("[data-testid=sf-waiting]").await?,
        "the app should still be waiting after the browser stopped at the login page"
    );
    app.screenshot("waiting").await?;

    app.click("[data-testid=sf-connect-cancel]").await?;
    app.wait_texts(
        "[data-testid=sf-status]",
        "the status to say connecting was cancelled",
        |t| t.first().is_some_and(|t| t.contains("cancelled")),
    )
    .await?;
    app.wait_for("[data-testid=sf-connect-form]").await?;
    let errors = app.texts("[data-testid=error]").await?;
    assert!(errors.is_empty(), "cancelling is not an error: {errors:?}");
    let status = app.invoke("salesforce_status", json!({})).await?;
    assert_eq!(
        status["connection"],
        Value::Null,
        "a cancelled connect must connect nothing: {status}"
    );
    app.screenshot("cancelled").await?;
    Ok(())
}

/// Connect as the practice admin and check that the card shows what the core keeps.
async fn connect(app: &App, practice: &Practice) -> Result<Value> {
    practice.choose(PRACTICE_ADMIN)?;
    app.click_connect().await?;

    let status = app.invoke("salesforce_status", json!({})).await?;
    let connection = status["connection"].clone();
    assert_eq!(connection["org_name"], json!(ORG_NAME), "{status}");
    assert_eq!(connection["username"], json!(PRACTICE_ADMIN), "{status}");
    assert_eq!(connection["client_id"], json!(CLIENT_ID), "{status}");
    assert_eq!(
        connection["connected_by"],
        json!(PRACTICE_ADMIN),
        "{status}"
    );
    let api_version = connection["api_version"].as_str().unwrap_or_default();
    assert!(
        api_version.ends_with(".0") && api_version.len() >= 4,
        "an API version like 62.0: {status}"
    );

    assert_eq!(one(app, "[data-testid=sf-org-name]").await?, ORG_NAME);
    assert_eq!(one(app, "[data-testid=sf-username]").await?, PRACTICE_ADMIN);
    assert_eq!(one(app, "[data-testid=sf-api-version]").await?, api_version);
    assert_eq!(
        one(app, "[data-testid=sf-instance]").await?,
        connection["instance_url"].as_str().unwrap_or_default()
    );
    assert!(
        one(app, "[data-testid=sf-connected-by]")
            .await?
            .starts_with(PRACTICE_ADMIN),
        "the card should say who connected"
    );
    let status_line = one(app, "[data-testid=sf-status]").await?;
    assert!(
        status_line.contains(ORG_NAME) && status_line.contains(PRACTICE_ADMIN),
        "the status should name the org and user: {status_line:?}"
    );

    // The connect's own REST calls carried Sforce-Limit-Info: the usage bar shows it.
    let usage = &connection["api_usage"];
    let (used, limit) = (usage["used"].as_i64(), usage["limit"].as_i64());
    let (Some(used), Some(limit)) = (used, limit) else {
        return Err(Error::new(format!(
            "the connection should report API usage: {status}"
        )));
    };
    let bar = app.wait_for("[data-testid=sf-usage-bar]").await?;
    assert_eq!(bar.attr("max").await?, Some(limit.to_string()));
    assert_eq!(bar.attr("value").await?, Some(used.min(limit).to_string()));
    let text = one(app, "[data-testid=sf-usage-text]").await?;
    assert!(
        text.contains("API requests used today") && text.contains('%'),
        "the usage line should give used, limit and percent: {text:?}"
    );
    assert_eq!(
        app.wait_for("[data-testid=sf-usage]")
            .await?
            .attr("data-warn")
            .await?
            .as_deref(),
        Some(if used * 10 >= limit * 9 {
            "true"
        } else {
            "false"
        }),
        "the warning style should follow the 90% threshold ({used} of {limit})"
    );
    Ok(connection)
}

/// The doctor checks the fresh connection and finds nothing wrong.
async fn run_doctor(app: &App) -> Result<()> {
    app.click("[data-testid=sf-run-doctor]").await?;
    let findings = app
        .wait_until("the doctor's findings", async || {
            let found = findings(app).await?;
            Ok(if found.is_empty() {
                Check::NotYet("no findings yet".into())
            } else {
                Check::Done(found)
            })
        })
        .await?;
    let checks: Vec<&str> = findings
        .iter()
        .map(|(check, _, _)| check.as_str())
        .collect();
    for expected in ["keyring", "reachable", "refresh_token", "api_access"] {
        assert!(
            checks.contains(&expected),
            "the doctor should report on {expected}: {findings:?}"
        );
    }
    let not_ok: Vec<_> = findings.iter().filter(|(_, sev, _)| sev != "ok").collect();
    assert!(
        not_ok.is_empty(),
        "a fresh practice connection should pass every check: {not_ok:?}"
    );
    let summary = one(app, "[data-testid=sf-doctor-summary]").await?;
    assert!(
        summary.contains(&format!("All {} checks passed", findings.len())),
        "the summary should agree with the findings: {summary:?}"
    );
    Ok(())
}

/// With the org at 93% of its daily API requests, the doctor warns about the limit (and only
/// about that) and the usage bar, refreshed by the doctor's calls, shows the warning style.
async fn near_limit(app: &App, practice: &Practice, connection: &Value) -> Result<()> {
    let limit = connection["api_usage"]["limit"]
        .as_u64()
        .ok_or_else(|| Error::new(format!("no API limit: {connection}")))?;
    practice.set_api_usage(limit * 93 / 100)?;
    app.click("[data-testid=sf-run-doctor]").await?;
    let findings = app
        .wait_until("the doctor to warn about the API limit", async || {
            let found = findings(app).await?;
            Ok(if found.iter().any(|(_, sev, _)| sev == "warning") {
                Check::Done(found)
            } else {
                Check::NotYet(format!("findings {found:?}"))
            })
        })
        .await?;
    let warnings: Vec<_> = findings.iter().filter(|(_, sev, _)| sev != "ok").collect();
    assert!(
        warnings.len() == 1
            && warnings[0].0 == "api_usage"
            && warnings[0].1 == "warning"
            && warnings[0].2.contains("near its daily API request limit"),
        "only the API usage should warn: {findings:?}"
    );

    let status = app.invoke("salesforce_status", json!({})).await?;
    let usage = &status["connection"]["api_usage"];
    let (used, limit) = (
        usage["used"].as_u64().unwrap_or_default(),
        usage["limit"].as_u64().unwrap_or_default(),
    );
    assert!(
        used * 100 >= limit * 90 && used <= limit,
        "the core should have the org's new usage: {status}"
    );
    let bar = app.wait_for("[data-testid=sf-usage]").await?;
    assert_eq!(
        bar.attr("data-warn").await?.as_deref(),
        Some("true"),
        "the usage bar should warn at {used} of {limit}"
    );
    let text = one(app, "[data-testid=sf-usage-text]").await?;
    let percent = used * 100 / limit;
    assert!(
        text.contains("Near the limit") && text.contains(&format!("({percent}%)")),
        "the usage line should say {percent}% and flag it: {text:?}"
    );
    Ok(())
}

/// What only owners and admins may use on the Integrations page.
const MANAGE_CONTROLS: [&str; 5] = [
    "[data-testid=sf-connect-form]",
    "[data-testid=sf-connect]",
    "[data-testid=sf-run-doctor]",
    "[data-testid=sf-disconnect]",
    "[data-testid=sf-reconnect]",
];

/// A support member sees the connection but no control, and the core refuses them a
/// disconnect. The admin then signs in again and returns to the page.
async fn support_reads_only(app: &App, connection: &Value) -> Result<()> {
    app.invoke(
        "member_add",
        json!({ "input": { "email": PRACTICE_SUPPORT, "name": "", "role": "support" } }),
    )
    .await?;
    app.sign_out().await?;
    app.sign_in_practice_as(PRACTICE_SUPPORT).await?;
    app.click("[data-testid=nav-integrations]").await?;
    app.wait_for("[data-testid=sf-card]").await?;
    assert_eq!(one(app, "[data-testid=sf-org-name]").await?, ORG_NAME);
    assert_eq!(
        one(app, "[data-testid=sf-org-id]").await?,
        connection["org_id"].as_str().unwrap_or_default()
    );
    for control in MANAGE_CONTROLS {
        assert!(
            !app.has(control).await?,
            "support should not be offered {control}"
        );
    }
    let note = one(app, "[data-testid=read-only-note]").await?;
    assert!(
        note.contains("owner or admin"),
        "the read-only note should say who may change the connection: {note:?}"
    );
    app.screenshot("support-read-only").await?;

    let refused = app
        .invoke_rejected("salesforce_disconnect", json!({}))
        .await?;
    assert_eq!(refused["code"], json!("forbidden"), "{refused}");
    let still = app.invoke("salesforce_status", json!({})).await?;
    assert_eq!(
        still["connection"]["org_id"], connection["org_id"],
        "the refused disconnect must leave the connection: {still}"
    );

    app.sign_out().await?;
    app.sign_in_practice().await?;
    app.click("[data-testid=nav-integrations]").await?;
    app.wait_for("[data-testid=sf-disconnect]").await?;
    Ok(())
}

/// Disconnect asks first (saying mappings stay), and Cancel there keeps the connection.
async fn disconnect(app: &App, connection: &Value) -> Result<()> {
    app.click("[data-testid=sf-disconnect]").await?;
    let confirm = app
        .wait_texts(
            "[data-testid=sf-confirm]",
            "the disconnect confirmation",
            |t| !t.is_empty(),
        )
        .await?;
    assert!(
        confirm[0].contains(ORG_NAME)
            && confirm[0].contains("mappings")
            && confirm[0].contains("stay"),
        "the confirmation should name the org and say mappings stay: {confirm:?}"
    );
    app.click("[data-testid=sf-cancel-disconnect]").await?;
    app.wait_for("[data-testid=sf-disconnect]").await?;
    let still = app.invoke("salesforce_status", json!({})).await?;
    assert_eq!(
        still["connection"]["org_id"], connection["org_id"],
        "cancelling the confirmation must keep the connection: {still}"
    );

    app.click("[data-testid=sf-disconnect]").await?;
    app.wait_for("[data-testid=sf-confirm]").await?;
    app.screenshot("confirm-disconnect").await?;
    app.click("[data-testid=sf-confirm-disconnect]").await?;
    app.wait_texts(
        "[data-testid=sf-status]",
        "the status to say Salesforce revoked the access",
        |t| t.first().is_some_and(|t| t.contains("revoked")),
    )
    .await?;
    app.wait_for("[data-testid=sf-connect-form]").await?;
    assert!(
        !app.has("[data-testid=sf-card]").await?,
        "the card should be gone after disconnecting"
    );
    assert_eq!(
        app.wait_for("[data-testid=sf-login-host-custom]")
            .await?
            .prop("checked")
            .await?
            .as_deref(),
        Some("true"),
        "the form should offer the practice org again"
    );
    let errors = app.texts("[data-testid=error]").await?;
    assert!(
        errors.is_empty(),
        "disconnecting reported errors: {errors:?}"
    );
    let status = app.invoke("salesforce_status", json!({})).await?;
    assert_eq!(status["connection"], Value::Null, "{status}");
    app.screenshot("disconnected").await?;
    Ok(())
}

/// The practice org revoked every refresh token it gave Leadline, and none of the tokens it
/// issued (refresh or access, the doctor's refresh included) is anywhere in the data directory.
fn check_tokens(practice: &Practice, data_dir: &Path) -> Result<()> {
    let answer = practice.inspect("/__sfsim/tokens")?;
    let tokens: Vec<&Value> = answer["tokens"]
        .as_array()
        .ok_or_else(|| Error::new(format!("no token list: {answer}")))?
        .iter()
        .filter(|t| t["client_id"] == json!(CLIENT_ID))
        .collect();
    let refresh: Vec<&&Value> = tokens
        .iter()
        .filter(|t| t["kind"] == json!("refresh"))
        .collect();
    assert!(
        !refresh.is_empty(),
        "connecting should have obtained a refresh token: {answer}"
    );
    for t in &refresh {
        assert_eq!(
            t["revoked"],
            json!(true),
            "every refresh token issued to Leadline must be revoked after disconnecting: {t}"
        );
    }

    let files = files_under(data_dir)?;
    // Every file is read, not just the database: its WAL, logs and exports must not hold them either.
    assert!(
        files.iter().any(|f| f.ends_with("leadline.db")),
        "the data directory should hold the app's database: {files:?}"
    );
    for file in &files {
        let bytes = fs::read(file)?;
        for t in &tokens {
            let value = t["value"].as_str().unwrap_or_default();
            assert!(
                value.len() >= 16,
                "a token value this short proves nothing: {t}"
            );
            assert!(
                !contains(&bytes, value.as_bytes()),
                "{} holds a {} token's value",
                file.display(),
                t["kind"]
            );
        }
    }
    Ok(())
}

/// Brings the element matching `css` into the window, for a screenshot that shows it.
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

/// `(check, severity, title)` of every finding the page lists.
async fn findings(app: &App) -> Result<Vec<(String, String, String)>> {
    let value = app
        .client()
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=sf-finding]'))\
             .map(e => [e.dataset.check || '', e.dataset.severity || '', (e.innerText || '').trim()]);",
            vec![],
        )
        .await?;
    serde_json::from_value(value).map_err(|e| Error::new(format!("unexpected findings: {e}")))
}

/// The text of the one element matching `css`.
async fn one(app: &App, css: &str) -> Result<String> {
    let texts = app.texts(css).await?;
    match texts.as_slice() {
        [text] => Ok(text.clone()),
        _ => Err(Error::new(format!(
            "expected one element matching `{css}`, found {texts:?}"
        ))),
    }
}

async fn value(app: &App, css: &str) -> Result<String> {
    Ok(app
        .wait_for(css)
        .await?
        .prop("value")
        .await?
        .unwrap_or_default())
}

fn files_under(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    Ok(found)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}
