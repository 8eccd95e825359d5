//! End-to-end check of the Team and Audit log pages as the owner: the practice org's
//! administrator signs in first (and so becomes the owner of the fresh data directory), adds a
//! member, changes their role, is refused demoting the team's last owner (themselves), removes
//! the member, and then finds all of it in the audit log, filters the log down to member actions
//! and exports it as a CSV file into the data directory's `exports/` folder.
//!
//! Run with the app built, under Xvfb:
//! `xvfb-run -a -s "-screen 0 1280x1024x24" cargo test -p leadline-e2e --test team -- --test-threads=1`

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use leadline_e2e::{
    App, Check, Error, PRACTICE_ADMIN, PRACTICE_ADMIN_NAME, Practice, Result, run_with_practice,
};
use serde_json::{Value, json};

const TEST: &str = "owner_manages_the_team_and_reads_the_audit_log";
const OWNER: &str = PRACTICE_ADMIN;
const BOB: &str = "bob@acme.example";
/// Created first so that the audit log holds an entry the "member" filter must leave out.
const CALENDAR: &str = "Team onboarding";
const CSV_HEADER: &str = "id,at,actor_email,action,target,detail";
/// The member actions in the log, newest first: Bob's removal, role change and addition, and
/// the owner's sign-in before them.
const MEMBER_ACTIONS: [&str; 4] = [
    "member.remove",
    "member.role",
    "member.add",
    "member.sign_in",
];

#[tokio::test]
async fn owner_manages_the_team_and_reads_the_audit_log() {
    run_with_practice(TEST, run).await;
}

async fn run(data_dir: &Path, practice: &Practice) -> Result<()> {
    let app = App::launch_signed_in(TEST, data_dir, practice).await?;
    check_header(&app).await?;
    app.create_calendar(CALENDAR).await?;
    app.screenshot("calendars").await?;

    app.click("[data-testid=nav-team]").await?;
    let rows = wait_members(&app, "the Team page listing only the owner", |rows| {
        rows.len() == 1
    })
    .await?;
    let owner = &rows[0];
    assert!(
        owner.text.contains(OWNER) && owner.role == "owner" && owner.you,
        "the only member should be the owner, marked as you: {owner:?}"
    );
    app.screenshot("team").await?;

    add_bob(&app).await?;
    app.screenshot("bob-added").await?;

    let bob = member(&app, BOB).await?;
    set_role(&app, bob.id, "admin").await?;
    let bob = wait_member(&app, "Bob's role to become admin", BOB, |m| {
        m.role == "admin" && m.text.contains("Admin")
    })
    .await?;
    assert!(!bob.you, "Bob is not the acting member: {bob:?}");
    app.screenshot("bob-admin").await?;

    refuse_demoting_last_owner(&app).await?;
    app.screenshot("last-owner-refused").await?;

    remove_member(&app, bob.id).await?;
    let rows = wait_members(&app, "Bob's row to go away", |rows| rows.len() == 1).await?;
    assert!(
        rows[0].text.contains(OWNER) && rows[0].role == "owner",
        "only the owner should be left: {rows:?}"
    );
    app.screenshot("bob-removed").await?;

    app.click("[data-testid=nav-audit]").await?;
    check_audit_log(&app).await?;
    app.screenshot("audit-log").await?;

    let filtered = filter_member_actions(&app).await?;
    app.screenshot("audit-member-actions").await?;

    export_csv(&app, data_dir, filtered).await?;
    app.screenshot("audit-exported").await?;

    app.close().await
}

/// An owner sees every section, and the header says who is acting.
async fn check_header(app: &App) -> Result<()> {
    app.wait_for("[data-testid=nav-team]").await?;
    app.wait_for("[data-testid=nav-audit]").await?;
    app.wait_for("[data-testid=nav-calendars]").await?;
    let actor = app.texts("[data-testid=actor]").await?;
    assert!(
        actor
            .first()
            .is_some_and(|a| a.contains(PRACTICE_ADMIN_NAME) && a.contains("Owner")),
        "the header should name the owner and their role; got {actor:?}"
    );
    Ok(())
}

async fn add_bob(app: &App) -> Result<()> {
    app.fill("[data-testid=new-member-email]", BOB).await?;
    app.fill("[data-testid=new-member-name]", "Bob").await?;
    app.wait_for("[data-testid=new-member-role]")
        .await?
        .select_by_value("support")
        .await?;
    app.click("[data-testid=add-member]").await?;
    let rows = wait_members(app, "2 members, Bob among them", |rows| {
        rows.len() == 2 && rows.iter().any(|m| m.text.contains(BOB))
    })
    .await?;
    let bob = rows.iter().find(|m| m.text.contains(BOB)).unwrap();
    assert_eq!(bob.role, "support", "Bob was added as support: {bob:?}");
    assert!(
        bob.text.contains("Bob") && bob.text.contains("Support"),
        "Bob's row should show his name and role: {bob:?}"
    );
    for (css, what) in [
        ("[data-testid=new-member-email]", "the e-mail input"),
        ("[data-testid=new-member-name]", "the name input"),
    ] {
        let left = app.wait_for(css).await?.prop("value").await?;
        assert_eq!(
            left.as_deref().unwrap_or(""),
            "",
            "{what} should be cleared once the member is added"
        );
    }
    Ok(())
}

/// The owner tries to make themselves support: the core refuses (they are the last owner), the
/// row says why and keeps showing the owner role.
async fn refuse_demoting_last_owner(app: &App) -> Result<()> {
    let owner = member(app, OWNER).await?;
    set_role(app, owner.id, "support").await?;
    let refused = wait_member(
        app,
        "an error about the last owner on the owner's row",
        OWNER,
        |m| m.error.as_deref().is_some_and(|e| e.contains("last owner")),
    )
    .await?;
    assert_eq!(
        refused.role, "owner",
        "the role select should go back to owner: {refused:?}"
    );
    assert!(
        refused.text.contains("Owner"),
        "the row should still show the owner badge: {refused:?}"
    );
    let error = app
        .wait_for(&format!(
            "[data-member-id=\"{}\"] [data-testid=error]",
            owner.id
        ))
        .await?;
    assert!(
        error.is_displayed().await?,
        "the last-owner error should be visible: {refused:?}"
    );
    // Nothing changed behind the page either.
    let info = app.invoke("app_info", json!({})).await?;
    assert_eq!(
        info["actor"]["role"],
        json!("owner"),
        "the owner must stay owner: {info}"
    );
    app.wait_for("[data-testid=nav-team]").await?;
    Ok(())
}

async fn remove_member(app: &App, id: i64) -> Result<()> {
    let row = format!("[data-member-id=\"{id}\"]");
    app.click(&format!("{row} [data-testid=remove-member]"))
        .await?;
    let confirm = format!("{row} [data-testid=confirm-remove]");
    app.wait_for(&confirm).await?;
    app.screenshot("confirm-remove").await?;
    app.click(&confirm).await
}

/// The newest three entries are Bob's removal, role change and addition, by the owner;
/// the refused demotion left no entry. The oldest is the owner's sign-in.
async fn check_audit_log(app: &App) -> Result<()> {
    let rows = wait_audit(app, "the audit log to list the member changes", |rows| {
        rows.len() >= 5
    })
    .await?;
    let newest: Vec<&str> = rows.iter().take(3).map(|r| r.action.as_str()).collect();
    assert_eq!(
        newest,
        ["member.remove", "member.role", "member.add"],
        "newest entries first; got {rows:#?}"
    );
    for (row, (label, detail)) in rows.iter().zip([
        ("Removed member", format!("{BOB} (was Admin)")),
        ("Changed member role", format!("{BOB}: Support → Admin")),
        ("Added member", format!("{BOB} as Support")),
    ]) {
        assert!(
            row.text.contains(label) && row.text.contains(&detail) && row.text.contains(OWNER),
            "expected {label:?} with {detail:?} by {OWNER}; got {row:?}"
        );
    }
    let changes = rows
        .iter()
        .filter(|r| r.action.starts_with("member.") && r.action != "member.sign_in")
        .count();
    assert_eq!(
        changes, 3,
        "the refused demotion must not be logged: {rows:#?}"
    );
    let sign_in = rows.last().filter(|r| r.action == "member.sign_in");
    assert!(
        sign_in.is_some_and(|r| r.text.contains(OWNER)),
        "the oldest entry should be the owner's sign-in: {rows:#?}"
    );
    assert!(
        rows.iter()
            .any(|r| r.action == "calendar.create" && r.text.contains(CALENDAR)),
        "the calendar created first should be logged too: {rows:#?}"
    );
    let range = app.texts("[data-testid=audit-range]").await?;
    assert_eq!(
        range,
        [format!("1–{n} of {n}", n = rows.len())],
        "a single page of entries"
    );
    Ok(())
}

/// Filters the log to the "member" area; returns how many entries match.
async fn filter_member_actions(app: &App) -> Result<usize> {
    app.wait_for("[data-testid=audit-filter-action]")
        .await?
        .select_by_value("member")
        .await?;
    let rows = wait_audit(app, "only member actions to be listed", |rows| {
        !rows.is_empty() && rows.iter().all(|r| r.action.starts_with("member."))
    })
    .await?;
    let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions, MEMBER_ACTIONS,
        "Bob's three changes after the owner's sign-in: {rows:#?}"
    );
    let range = app
        .wait_texts(
            "[data-testid=audit-range]",
            "the range for 4 entries",
            |r| r.first().is_some_and(|t| t == "1–4 of 4"),
        )
        .await?;
    assert_eq!(range.len(), 1);
    Ok(rows.len())
}

/// "Export CSV" writes the filtered entries into `<data dir>/exports/` and says so.
async fn export_csv(app: &App, data_dir: &Path, expected_rows: usize) -> Result<()> {
    app.click("[data-testid=audit-export]").await?;
    let status = app
        .wait_texts("[data-testid=audit-status]", "the export's status", |s| {
            s.first().is_some_and(|t| t.starts_with("Saved "))
        })
        .await?
        .remove(0);
    let (rows, path) = status
        .strip_prefix("Saved ")
        .and_then(|rest| rest.split_once(" to "))
        .ok_or_else(|| Error::new(format!("unexpected export status {status:?}")))?;
    assert_eq!(
        rows,
        format!("{expected_rows} rows"),
        "the export should hold the filtered entries: {status:?}"
    );

    let path = PathBuf::from(path);
    let file = path
        .canonicalize()
        .map_err(|e| Error::new(format!("the exported file {}: {e}", path.display())))?;
    let exports = data_dir.canonicalize()?.join("exports");
    assert_eq!(
        file.parent(),
        Some(exports.as_path()),
        "the export should be written into the data directory's exports folder: {status:?}"
    );
    assert_eq!(
        file.extension().and_then(|e| e.to_str()),
        Some("csv"),
        "{status:?}"
    );
    let csv = std::fs::read_to_string(&file)?;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines.first().copied(),
        Some(CSV_HEADER),
        "CSV header; file:\n{csv}"
    );
    let records = &lines[1..];
    assert_eq!(records.len(), expected_rows, "one line per entry:\n{csv}");
    for (record, action) in records.iter().zip(MEMBER_ACTIONS) {
        assert!(
            record.contains(&format!(",{OWNER},{action},")),
            "expected {action} by {OWNER}, newest first; got {record:?}"
        );
        assert!(
            action == "member.sign_in" || record.contains(BOB),
            "expected {action} on {BOB}; got {record:?}"
        );
    }
    Ok(())
}

/// One member row as the Team page shows it.
#[derive(Debug)]
struct MemberRow {
    id: i64,
    /// Everything the row shows (e-mail, name, role badge, ...).
    text: String,
    /// The value of the row's role select.
    role: String,
    /// Whether the row carries the "you" marker.
    you: bool,
    /// The row's error message, if one shows.
    error: Option<String>,
}

async fn members(app: &App) -> Result<Vec<MemberRow>> {
    let value = app
        .client()
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=member-row]')).map(row => {\
               const error = row.querySelector('[data-testid=error]');\
               const select = row.querySelector('[data-testid=member-role]');\
               return {\
                 id: Number(row.dataset.memberId),\
                 text: (row.innerText || row.textContent || '').trim(),\
                 role: select ? select.value : '',\
                 you: row.querySelector('[data-testid=member-you]') !== null,\
                 error: error ? (error.innerText || error.textContent || '').trim() : null,\
               };\
             });",
            vec![],
        )
        .await?;
    rows_of(&value, "member rows", |row| {
        Some(MemberRow {
            id: row["id"].as_i64()?,
            text: row["text"].as_str()?.to_owned(),
            role: row["role"].as_str()?.to_owned(),
            you: row["you"].as_bool()?,
            error: row["error"].as_str().map(str::to_owned),
        })
    })
}

/// Reads the array a page script returned, one item per row.
fn rows_of<T>(value: &Value, what: &str, read: impl Fn(&Value) -> Option<T>) -> Result<Vec<T>> {
    value
        .as_array()
        .and_then(|rows| rows.iter().map(read).collect())
        .ok_or_else(|| Error::new(format!("unexpected {what}: {value}")))
}

async fn wait_members(
    app: &App,
    what: &str,
    ready: impl Fn(&[MemberRow]) -> bool,
) -> Result<Vec<MemberRow>> {
    app.wait_until(what, async || {
        let rows = members(app).await?;
        Ok(if ready(&rows) {
            Check::Done(rows)
        } else {
            Check::NotYet(format!("member rows {rows:?}"))
        })
    })
    .await
}

async fn wait_member(
    app: &App,
    what: &str,
    email: &str,
    ready: impl Fn(&MemberRow) -> bool,
) -> Result<MemberRow> {
    app.wait_until(what, async || {
        let rows = members(app).await?;
        let found = rows.into_iter().find(|m| m.text.contains(email));
        Ok(match found {
            Some(m) if ready(&m) => Check::Done(m),
            other => Check::NotYet(format!("{email}'s row {other:?}")),
        })
    })
    .await
}

async fn member(app: &App, email: &str) -> Result<MemberRow> {
    wait_member(app, &format!("a member row for {email}"), email, |_| true).await
}

/// Picks `role` in a member's role select, which applies it at once.
async fn set_role(app: &App, id: i64, role: &str) -> Result<()> {
    let select = format!("[data-member-id=\"{id}\"] [data-testid=member-role]");
    app.wait_until("the member's role select to be enabled", async || {
        let element = app.wait_for(&select).await?;
        Ok(if element.is_enabled().await? {
            Check::Done(())
        } else {
            Check::NotYet("a disabled select (an operation in flight)".to_owned())
        })
    })
    .await?;
    app.wait_for(&select).await?.select_by_value(role).await?;
    Ok(())
}

/// One row of the audit table.
#[derive(Debug)]
struct AuditRow {
    /// The recorded action, e.g. `member.add` (the row shows its human label).
    action: String,
    text: String,
}

async fn audit_rows(app: &App) -> Result<Vec<AuditRow>> {
    let value = app
        .client()
        .execute(
            "return Array.from(document.querySelectorAll('[data-testid=audit-row]')).map(row => ({\
               action: row.dataset.action || '',\
               text: (row.innerText || row.textContent || '').trim(),\
             }));",
            vec![],
        )
        .await?;
    rows_of(&value, "audit rows", |row| {
        Some(AuditRow {
            action: row["action"].as_str()?.to_owned(),
            text: row["text"].as_str()?.to_owned(),
        })
    })
}

async fn wait_audit(
    app: &App,
    what: &str,
    ready: impl Fn(&[AuditRow]) -> bool,
) -> Result<Vec<AuditRow>> {
    app.wait_until(what, async || {
        let rows = audit_rows(app).await?;
        Ok(if ready(&rows) {
            Check::Done(rows)
        } else {
            Check::NotYet(format!("audit rows {rows:?}"))
        })
    })
    .await
}
