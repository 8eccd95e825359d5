//! End-to-end check of issue 7 through the real window: bookings in, Leads out, and a failure
//! explained, fixed and retried. The practice org runs with one validation rule (Lead Company
//! must be written in half-width characters), which is how "the org refuses the mapping" is set
//! up: the simulated org cannot change once it runs.
//!
//! The practice admin signs in and connects Salesforce. On the Queue page a file with one
//! malformed payload is refused whole, naming it by position, and nothing of it is stored. Then
//! they import a JSON-lines
//! file of five TimeRex payloads for a calendar Leadline has not seen: the first payload
//! registers it (its form labels become questions) and all five are held, since the calendar has
//! no integration. On the calendar, adding the integration asks what becomes of the five held
//! bookings; the optional Company question keeps it disabled until its fix makes the question
//! required; enabling then asks again, and "Queue the 5 held bookings" queues them. Push now
//! sends them: the Queue page counts Done 5, the org holds exactly five Leads, and a job's
//! drawer shows the exact record posted, Salesforce's answer and the Lead's link.
//!
//! A sixth payload, whose company is typed in full-width letters, trips the org's rule: the
//! job needs attention, and the Sync log explains the error (title, cause with the rule's own
//! words, fix). The fix is in the mapping: Company's row gets the full-width → half-width
//! transform. "Retry this one" queues it again; the background push sends it and the entry turns
//! Done by itself, with the sixth Lead's Company half-width in the org. Export writes the success
//! and error files. Last, Pause shows the banner and Resume lifts it, and the push settings card
//! saves its values and, with a token, shows the webhook URL to give TimeRex (the token is never
//! shown back).
//!
//! Run with the app built (`make app`), under Xvfb and with a Secret Service keyring:
//! `xvfb-run -a -s "-screen 0 1280x1024x24" cargo test -p leadline-e2e --test queue -- --test-threads=1`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use leadline_e2e::{App, Check, Error, Practice, Result};
use leadline_sfsim::org::ValidationRule;
use serde_json::{Value, json};

const TEST: &str = "bookings_become_leads_and_failures_are_fixed";
const CALENDAR: &str = "Queue demo";
const CALENDAR_PATH: &str = "q7demo01";
const RULE_MESSAGE: &str = "Company must be written in half-width characters.";
const FULL_WIDTH_COMPANY: &str = "Ａｃｍｅ　Ｔｒａｄｉｎｇ";
const ROW: &str = "[data-testid=mapping-row]";
const VALIDATION: &str = "FIELD_CUSTOM_VALIDATION_EXCEPTION";
/// The push runs in the background (woken by an import or a retry, else every 5 s), then the
/// page notices within its 2 s poll; generous for a cold debug build on 2 cores.
const PUSH_WAIT: Duration = Duration::from_secs(45);

#[tokio::test]
async fn bookings_become_leads_and_failures_are_fixed() {
    let data = tempfile::tempdir().unwrap();
    let files = tempfile::tempdir().unwrap();
    let practice = Practice::start_with(TEST, |org| {
        org.validation_rules.push(ValidationRule::Regex {
            object: "Lead".into(),
            name: "Company_half_width".into(),
            field: "Company".into(),
            // Printable ASCII only: full-width letters (and kana, kanji) are refused.
            pattern: "[ -~]+".into(),
            message: RULE_MESSAGE.into(),
        });
    })
    .unwrap();
    run(data.path(), files.path(), &practice).await.unwrap();
}

async fn run(data_dir: &Path, files: &Path, practice: &Practice) -> Result<()> {
    let app = App::launch_signed_in(TEST, data_dir, practice).await?;
    app.connect_salesforce().await?;

    refuse_a_malformed_file(&app, files).await?;
    import_five_held(&app, files).await?;
    add_and_enable_integration(&app).await?;
    push_and_count_leads(&app, practice).await?;
    import_one_the_org_refuses(&app, files).await?;
    read_the_explanation(&app).await?;
    fix_the_mapping(&app).await?;
    retry_and_see_it_done(&app, practice).await?;
    pause_and_resume(&app).await?;
    push_settings_and_webhook(&app).await?;

    app.close().await
}

/// A TimeRex confirmation for the test's calendar: Company (optional on the form), Name, Email.
fn payload(n: u32, company: &str) -> Value {
    let day = format!("2026-07-{:02}", n + 1);
    json!({
        "webhook_type": "event_confirmed",
        "calendar_url_path": CALENDAR_PATH,
        "team_url_path": "leadline_e2e",
        "calendar_url": format!("https://timerex.net/s/leadline_e2e/{CALENDAR_PATH}"),
        "calendar_name": CALENDAR,
        "event": {
            "id": format!("q7event{n:04}"),
            "calendar_id": "q7calendar",
            "status": 1,
            "url": format!("https://timerex.net/s/leadline_e2e/{CALENDAR_PATH}"),
            "duration": 30,
            "start_datetime": format!("{day}T01:00:00+00:00"),
            "end_datetime": format!("{day}T01:30:00+00:00"),
            "local_start_datetime": format!("{day}T10:00:00+09:00"),
            "local_end_datetime": format!("{day}T10:30:00+09:00"),
            "calendar_timezone": "Asia/Tokyo",
            "guest_locale": "en",
            "guest_timezone": "Asia/Tokyo",
            "created_at": "2026-06-30T12:00:00+00:00",
            "form": [
                { "field_type": "company_name", "required": false, "label": "Company", "value": company },
                { "field_type": "guest_name", "required": true, "label": "Name", "value": format!("Guest Number{n}") },
                { "field_type": "guest_email", "required": true, "label": "Email", "value": format!("guest{n}@example.com") },
            ],
            "is_changed": false, "old_event_id": null, "new_event_id": null,
        },
    })
}

/// Writes payloads as JSON lines, one per line, the way a webhook log export looks.
fn write_jsonl(dir: &Path, name: &str, payloads: &[Value]) -> Result<PathBuf> {
    let path = dir.join(name);
    let text: String = payloads.iter().map(|p| format!("{p}\n")).collect();
    fs::write(&path, text)?;
    Ok(path)
}

/// The number a count card shows for `state`, if the card is there.
async fn count(app: &App, state: &str) -> Result<Option<i64>> {
    let texts = app
        .texts(&format!(
            "[data-testid=queue-count][data-state={state}] [data-testid=queue-count-n]"
        ))
        .await?;
    Ok(texts.first().and_then(|t| t.parse().ok()))
}

/// Every count card as "state=n", for timeout messages.
async fn counts_seen(app: &App) -> Result<String> {
    let value = app
        .client()
        .execute(
            "return [...document.querySelectorAll('[data-testid=queue-count]')]\
             .map((c) => c.dataset.state + '=' + (c.querySelector('[data-testid=queue-count-n]')?.innerText ?? '?'))\
             .join(' ');",
            vec![],
        )
        .await?;
    Ok(value.as_str().unwrap_or_default().to_owned())
}

/// Waits, up to `limit`, until the Queue page's cards show every `(state, n)` of `want`.
async fn wait_counts(app: &App, want: &[(&str, i64)], limit: Duration) -> Result<()> {
    app.wait_until_within(limit, &format!("the counts {want:?}"), async || {
        for (state, n) in want {
            if count(app, state).await? != Some(*n) {
                let errors = app.texts("[data-testid=error]").await?;
                let status = app.texts("[data-testid=queue-status]").await?;
                return Ok(Check::NotYet(format!(
                    "cards {}; status {status:?}; errors {errors:?}",
                    counts_seen(app).await?
                )));
            }
        }
        Ok(Check::Done(()))
    })
    .await
}

/// The org's Leads, as the org itself holds them.
fn leads(practice: &Practice) -> Result<Vec<Value>> {
    let answer = practice.inspect("/__sfsim/records/Lead")?;
    answer["records"]
        .as_array()
        .cloned()
        .ok_or_else(|| Error::new(format!("/__sfsim/records/Lead: {answer}")))
}

fn field<'a>(record: &'a Value, name: &str) -> &'a Value {
    record
        .get(name)
        .or_else(|| record.get("fields").and_then(|f| f.get(name)))
        .unwrap_or(&Value::Null)
}

/// A file with one malformed payload is refused whole, each bad payload named by position, and
/// nothing of it is stored (its good first payload included).
async fn refuse_a_malformed_file(app: &App, files: &Path) -> Result<()> {
    app.click("[data-testid=nav-queue]").await?;
    app.wait_for("[data-testid=queue-count][data-state=held]")
        .await?;
    let mut broken = payload(2, "Broken Inc");
    broken["event"]
        .as_object_mut()
        .ok_or_else(|| Error::new("payload without event"))?
        .remove("id");
    let file = write_jsonl(files, "broken.jsonl", &[payload(1, "Fine Inc"), broken])?;
    app.choose_file("[data-testid=queue-import]", &file).await?;
    let errors = app
        .wait_texts("[data-testid=error]", "the refusal", |t| !t.is_empty())
        .await?;
    assert!(
        errors[0].contains("1 of 2 payloads are malformed")
            && errors[0].contains("payload 2")
            && errors[0].contains("event.id"),
        "the refusal names the bad payload and its field: {errors:?}"
    );
    let counts = app.invoke("queue_counts", json!({})).await?;
    assert_eq!(
        (counts["held"].as_i64(), counts["queued"].as_i64()),
        (Some(0), Some(0)),
        "nothing of a refused file is stored: {counts}"
    );
    assert!(
        app.texts("[data-testid=job-row]").await?.is_empty(),
        "no booking listed"
    );
    app.screenshot("malformed-file-refused").await?;
    Ok(())
}

/// Importing the file in the window registers the calendar from the first payload and holds
/// all five bookings: the calendar has no integration yet.
async fn import_five_held(app: &App, files: &Path) -> Result<()> {
    app.click("[data-testid=nav-queue]").await?;
    app.wait_for("[data-testid=queue-count][data-state=held]")
        .await?;
    let payloads: Vec<Value> = (1..=5)
        .map(|n| payload(n, &format!("Acme Trading {n}")))
        .collect();
    let file = write_jsonl(files, "bookings.jsonl", &payloads)?;
    app.choose_file("[data-testid=queue-import]", &file).await?;
    let status = app
        .wait_texts("[data-testid=queue-status]", "the import's report", |t| {
            t.first().is_some_and(|t| t.contains("Imported"))
        })
        .await?;
    assert_eq!(
        status[0],
        "bookings.jsonl: Imported 5 payloads: 5 held until their calendar's integration is enabled, 1 calendar registered.",
        "the report should say what the import did"
    );
    wait_counts(app, &[("held", 5), ("done", 0)], WAIT_SHORT).await?;
    let rows = app.texts("[data-testid=job-row]").await?;
    assert_eq!(
        rows.len(),
        5,
        "the list should show the five bookings: {rows:?}"
    );
    assert!(
        rows.iter()
            .all(|r| r.contains(CALENDAR) && r.contains("Held")),
        "each row names the registered calendar and its state: {rows:?}"
    );
    app.screenshot("imported-held").await?;
    Ok(())
}

const WAIT_SHORT: Duration = Duration::from_secs(15);

/// Adding the integration asks about the held bookings; its optional Company question keeps it
/// disabled until the fix makes the question required; enabling asks again and queues them.
async fn add_and_enable_integration(app: &App) -> Result<()> {
    app.click("[data-testid=nav-calendars]").await?;
    app.wait_calendar_listed(CALENDAR).await?;
    app.open_calendar(CALENDAR).await?;
    let held = app
        .wait_texts(
            "[data-testid=integration-held]",
            "the held bookings noted",
            |t| !t.is_empty(),
        )
        .await?;
    assert!(held[0].starts_with("5 bookings"), "{held:?}");

    app.click("[data-testid=integration-add]").await?;
    let choice = app
        .wait_texts(
            "[data-testid=held-choice]",
            "the held-bookings choice",
            |t| !t.is_empty(),
        )
        .await?;
    assert!(
        choice[0].contains("5 bookings of this calendar are held")
            && choice[0].contains("Leave them out"),
        "{choice:?}"
    );
    app.screenshot("add-asks-about-held").await?;
    app.click("[data-testid=held-queue]").await?;
    app.wait_texts(
        "[data-testid=integration-status]",
        "the integration added, disabled",
        |t| t.first().is_some_and(|t| t.contains("stays disabled")),
    )
    .await?;
    // Disabled, so nothing was released: the five still wait.
    let held = app
        .wait_texts("[data-testid=integration-held]", "the held note", |t| {
            !t.is_empty()
        })
        .await?;
    assert!(held[0].starts_with("5 bookings"), "{held:?}");

    app.click(&format!(
        "{ROW}[data-field=Company] [data-testid=check-fix][data-fix=make_question_required]"
    ))
    .await?;
    app.wait_until("Company's error to go", async || {
        let fixes = app
            .texts(&format!(
                "{ROW}[data-field=Company] [data-testid=check-fix]"
            ))
            .await?;
        let summary = app.texts("[data-testid=integration-summary]").await?;
        Ok(
            if fixes.is_empty() && summary.first().is_some_and(|s| s != "Checking…") {
                Check::Done(())
            } else {
                Check::NotYet(format!("fixes {fixes:?}, summary {summary:?}"))
            },
        )
    })
    .await?;

    app.click("[data-testid=integration-enabled]").await?;
    let choice = app
        .wait_texts("[data-testid=held-choice]", "the choice on enabling", |t| {
            !t.is_empty()
        })
        .await?;
    assert!(
        choice[0].contains("Queue the 5 held bookings"),
        "{choice:?}"
    );
    let enabled = app
        .client()
        .execute(
            "return document.querySelector('[data-testid=integration-enabled]').checked;",
            vec![],
        )
        .await?;
    assert_eq!(
        enabled,
        json!(false),
        "the switch stays off until the admin chooses"
    );
    app.screenshot("enable-asks-about-held").await?;
    app.click("[data-testid=held-queue]").await?;
    let status = app
        .wait_texts(
            "[data-testid=integration-status]",
            "the integration enabled",
            |t| t.first().is_some_and(|t| t.starts_with("Enabled")),
        )
        .await?;
    assert!(
        status[0].contains("The 5 held bookings are queued"),
        "{status:?}"
    );
    Ok(())
}

/// Push now sends the five: the cards count Done 5 and the org holds exactly five Leads; a job's
/// drawer shows the record posted, Salesforce's answer and the Lead's link.
async fn push_and_count_leads(app: &App, practice: &Practice) -> Result<()> {
    app.click("[data-testid=nav-queue]").await?;
    app.wait_for("[data-testid=queue-push]").await?;
    app.click("[data-testid=queue-push]").await?;
    wait_counts(
        app,
        &[("done", 5), ("held", 0), ("needs_attention", 0)],
        PUSH_WAIT,
    )
    .await?;
    let summary = app.texts("[data-testid=queue-summary]").await?;
    assert_eq!(summary, ["Up to date: 5 done"], "the progress line");
    let in_org = leads(practice)?;
    assert_eq!(in_org.len(), 5, "exactly one Lead per booking: {in_org:?}");
    app.screenshot("done-5").await?;

    let opened = app
        .wait_for("[data-testid=job-row][data-state=done] [data-testid=job-open]")
        .await?;
    opened.click().await?;
    let record_text = app
        .wait_texts("[data-testid=job-record]", "the record posted", |t| {
            !t.is_empty()
        })
        .await?;
    let record: Value = serde_json::from_str(&record_text[0])
        .map_err(|e| Error::new(format!("the record is not JSON ({e}): {record_text:?}")))?;
    let sf_id = app.texts("[data-testid=job-salesforce-id]").await?;
    let sf_id = sf_id.first().cloned().unwrap_or_default();
    assert!(
        sf_id.starts_with("00Q"),
        "a Lead id (00Q…) is shown: {sf_id:?}"
    );
    let lead = in_org
        .iter()
        .find(|l| field(l, "Id") == &json!(sf_id))
        .ok_or_else(|| Error::new(format!("no Lead {sf_id} in the org: {in_org:?}")))?;
    for name in ["LastName", "Company", "Email"] {
        assert_eq!(
            field(&record, name),
            field(lead, name),
            "the drawer's record is what the org stored ({name}): {record} vs {lead}"
        );
    }
    let answer = app.texts("[data-testid=job-attempt-response]").await?;
    assert!(
        answer.first().is_some_and(|a| a.contains(&sf_id)),
        "Salesforce's answer names the Lead: {answer:?}"
    );
    let href = app
        .client()
        .execute(
            "return document.querySelector('[data-testid=job-open-lead]')?.getAttribute('href') ?? null;",
            vec![],
        )
        .await?;
    assert!(
        href.as_str()
            .is_some_and(|h| h.starts_with(practice.base_url()) && h.contains(&sf_id)),
        "Open in Salesforce links the Lead on the org: {href}"
    );
    app.screenshot("job-detail").await?;
    app.click("[data-testid=job-drawer] [data-testid=drawer-close]")
        .await?;
    Ok(())
}

/// A sixth booking with a full-width company name: the org's rule refuses it, so it needs
/// attention (a permanent error is never retried by itself).
async fn import_one_the_org_refuses(app: &App, files: &Path) -> Result<()> {
    let file = write_jsonl(files, "sixth.jsonl", &[payload(6, FULL_WIDTH_COMPANY)])?;
    app.choose_file("[data-testid=queue-import]", &file).await?;
    app.wait_texts(
        "[data-testid=queue-status]",
        "the second import's report",
        |t| {
            t.first()
                .is_some_and(|t| t == "sixth.jsonl: Imported 1 payload: 1 queued.")
        },
    )
    .await?;
    wait_counts(app, &[("needs_attention", 1), ("done", 5)], PUSH_WAIT).await?;
    app.screenshot("needs-attention").await?;
    Ok(())
}

/// The Sync log explains the refusal: what it is, why (with the rule's own words), and the fix.
async fn read_the_explanation(app: &App) -> Result<()> {
    app.click("[data-testid=nav-sync-log]").await?;
    let row = format!("[data-testid=log-row][data-code={VALIDATION}]");
    let rows = app
        .wait_texts(&row, "the validation failure in the log", |t| !t.is_empty())
        .await?;
    assert_eq!(rows.len(), 1, "one failure: {rows:?}");
    assert!(
        rows[0].contains("Guest Number6") && rows[0].contains(CALENDAR),
        "the row names the guest and the calendar: {rows:?}"
    );
    app.click(&format!("{row} [data-testid=log-open]")).await?;
    let title = app
        .wait_texts("[data-testid=log-drawer] h2", "the drawer", |t| {
            !t.is_empty()
        })
        .await?;
    assert_eq!(title, ["A validation rule in the org refused the Lead"]);
    let cause = app.texts("[data-testid=log-drawer-cause]").await?;
    assert!(
        cause.first().is_some_and(|c| c.contains(RULE_MESSAGE)),
        "the cause quotes the org's rule: {cause:?}"
    );
    let fix = app.texts("[data-testid=log-drawer-fix]").await?;
    assert!(
        fix.first().is_some_and(|f| f.contains("Then retry")),
        "the fix says what to do: {fix:?}"
    );
    assert_eq!(
        app.texts("[data-testid=log-drawer-fields]").await?,
        ["Company"]
    );
    assert_eq!(drawer_state(app).await?, json!("needs_attention"));
    app.screenshot("sync-log-explained").await?;
    Ok(())
}

/// The job's state as the sync-log drawer shows it.
async fn drawer_state(app: &App) -> Result<Value> {
    Ok(app
        .client()
        .execute(
            "return document.querySelector('[data-testid=log-drawer-state] [data-testid=state-badge]')?.dataset.state ?? null;",
            vec![],
        )
        .await?)
}

/// The fix, in the mapping: Company's row turns full-width letters half-width.
async fn fix_the_mapping(app: &App) -> Result<()> {
    app.click("[data-testid=nav-calendars]").await?;
    app.wait_for("[data-testid=calendar-item]").await?;
    app.open_calendar(CALENDAR).await?;
    let company = format!("{ROW}[data-field=Company]");
    app.click(&format!("{company} [data-testid=toggle-transform]"))
        .await?;
    app.click(&format!("{company} [data-testid=transform-half-width]"))
        .await?;
    app.wait_until("the transform checked and savable", async || {
        let summary = app.texts("[data-testid=integration-summary]").await?;
        let disabled = app
            .client()
            .execute(
                "return document.querySelector('[data-testid=integration-save]')?.disabled ?? null;",
                vec![],
            )
            .await?;
        Ok(if disabled == json!(false) {
            Check::Done(())
        } else {
            Check::NotYet(format!("save disabled {disabled}, summary {summary:?}"))
        })
    })
    .await?;
    app.click("[data-testid=integration-save]").await?;
    app.wait_texts("[data-testid=integration-status]", "the rows saved", |t| {
        t.first().is_some_and(|t| t == "Saved 3 rows.")
    })
    .await?;
    app.screenshot("mapping-fixed").await?;
    Ok(())
}

/// "Retry this one" queues the job again; the background push sends it, and the drawer's state
/// turns Done by itself. The org now holds six Leads, the sixth with a half-width Company.
async fn retry_and_see_it_done(app: &App, practice: &Practice) -> Result<()> {
    app.click("[data-testid=nav-sync-log]").await?;
    let row = format!("[data-testid=log-row][data-code={VALIDATION}]");
    app.wait_for(&row).await?;
    app.click(&format!("{row} [data-testid=log-open]")).await?;
    app.click("[data-testid=log-retry-one]").await?;
    app.wait_texts(
        "[data-testid=log-drawer-status]",
        "the retry's answer",
        |t| {
            t.first()
                .is_some_and(|t| t.starts_with("Queued 1 booking again"))
        },
    )
    .await?;
    app.wait_until_within(PUSH_WAIT, "the entry's job to be done", async || {
        let state = drawer_state(app).await?;
        Ok(if state == json!("done") {
            Check::Done(())
        } else {
            // What the core says, so a timeout tells a stale page from a stuck job.
            let counts = app.invoke("queue_counts", json!({})).await?;
            Check::NotYet(format!("drawer state {state}; queue_counts {counts}"))
        })
    })
    .await?;
    let resolved = app
        .texts(&format!("{row} [data-testid=log-resolved]"))
        .await?;
    assert_eq!(resolved, ["resolved"], "the failure is marked resolved");
    app.screenshot("retried-done").await?;

    let in_org = leads(practice)?;
    assert_eq!(in_org.len(), 6, "one more Lead, none twice: {in_org:?}");
    let sixth = in_org
        .iter()
        .find(|l| field(l, "Email") == &json!("guest6@example.com"))
        .ok_or_else(|| Error::new(format!("no Lead for guest 6: {in_org:?}")))?;
    assert_eq!(field(sixth, "Company"), &json!("Acme Trading"), "{sixth}");

    app.click("[data-testid=log-drawer] [data-testid=drawer-close]")
        .await?;
    export_result_files(app).await?;
    app.click("[data-testid=nav-queue]").await?;
    wait_counts(app, &[("done", 6), ("needs_attention", 0)], WAIT_SHORT).await?;
    app.screenshot("done-6").await?;
    Ok(())
}

/// The push settings card saves what it shows (the share as a percentage), and the webhook
/// receiver, once enabled and given a token, shows the URL to give TimeRex; the token is never
/// shown back.
async fn push_settings_and_webhook(app: &App) -> Result<()> {
    let port = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0")?;
        probe.local_addr()?.port()
    };
    let card = app.wait_for("[data-testid=push-settings]").await?;
    app.client()
        .execute(
            "arguments[0].scrollIntoView({ block: 'start' });",
            vec![serde_json::to_value(&card).map_err(|e| Error::new(e.to_string()))?],
        )
        .await?;
    app.wait_for("[data-testid=push-concurrency]").await?;
    app.fill("[data-testid=push-concurrency]", "2").await?;
    app.fill("[data-testid=push-pause-share]", "80").await?;
    app.click("[data-testid=push-webhook-enabled]").await?;
    app.fill("[data-testid=push-webhook-port]", &port.to_string())
        .await?;
    app.click("[data-testid=push-settings-save]").await?;
    app.wait_texts(
        "[data-testid=push-settings-status]",
        "the settings saved",
        |t| t.first().is_some_and(|t| t == "Push settings saved."),
    )
    .await?;
    let saved = app.invoke("sync_settings_get", json!({})).await?;
    assert_eq!(saved["concurrency"], json!(2), "{saved}");
    assert_eq!(saved["pause_share"], json!(0.8), "{saved}");
    assert_eq!(saved["webhook_enabled"], json!(true), "{saved}");
    assert_eq!(saved["webhook_port"], json!(port), "{saved}");
    let hook = app.texts("[data-testid=webhook-status]").await?;
    assert!(
        hook.first().is_some_and(|h| h.starts_with("Not listening")),
        "no token yet, so the receiver cannot listen: {hook:?}"
    );

    let token = "e2e-webhook-token-0123456789";
    app.fill("[data-testid=push-webhook-token]", token).await?;
    app.click("[data-testid=push-webhook-token-save]").await?;
    let url = app
        .wait_texts("[data-testid=webhook-url]", "the webhook URL", |t| {
            !t.is_empty()
        })
        .await?;
    assert_eq!(url, [format!("http://127.0.0.1:{port}/webhooks/timerex")]);
    let typed = app
        .client()
        .execute(
            "return document.querySelector('[data-testid=push-webhook-token]').value;",
            vec![],
        )
        .await?;
    assert_eq!(typed, json!(""), "the token is not kept in the page");
    let page = app
        .client()
        .execute("return document.body.innerText;", vec![])
        .await?;
    assert!(
        !page.as_str().unwrap_or_default().contains(token),
        "the token is never shown back"
    );
    app.screenshot("push-settings").await?;
    Ok(())
}

/// Export writes the success and the error file and says where; both exist on disk.
async fn export_result_files(app: &App) -> Result<()> {
    app.click("[data-testid=log-export]").await?;
    let said = app
        .wait_texts(
            "[data-testid=log-export-paths]",
            "the export's paths",
            |t| !t.is_empty(),
        )
        .await?;
    assert!(
        said[0].starts_with("Wrote 6 successes to "),
        "six Leads were made: {said:?}"
    );
    let paths: Vec<&str> = said[0]
        .split_whitespace()
        .filter(|w| w.starts_with('/'))
        .map(|w| w.trim_end_matches('.'))
        .collect();
    assert_eq!(paths.len(), 2, "two paths: {said:?}");
    for path in paths {
        assert!(
            path.ends_with(".csv") && Path::new(path).is_file(),
            "{path} should be a CSV file on disk"
        );
    }
    Ok(())
}

/// Pause shows the banner with who paused; Resume takes it away.
async fn pause_and_resume(app: &App) -> Result<()> {
    app.click("[data-testid=queue-pause]").await?;
    let banner = app
        .wait_texts("[data-testid=queue-paused]", "the paused banner", |t| {
            !t.is_empty()
        })
        .await?;
    assert!(
        banner[0].contains("Pushing is paused") && banner[0].contains("admin@practice.example"),
        "the banner says who paused: {banner:?}"
    );
    let button = app.texts("[data-testid=queue-pause]").await?;
    assert_eq!(button, ["Resume"]);
    let counts = app.invoke("queue_counts", json!({})).await?;
    assert!(counts["paused"].is_string(), "{counts}");
    app.screenshot("paused").await?;
    app.click("[data-testid=queue-pause]").await?;
    app.wait_until("the banner to go", async || {
        Ok(if app.has("[data-testid=queue-paused]").await? {
            Check::NotYet("the banner still shows".into())
        } else {
            Check::Done(())
        })
    })
    .await?;
    let counts = app.invoke("queue_counts", json!({})).await?;
    assert_eq!(counts["paused"], Value::Null, "{counts}");
    Ok(())
}
