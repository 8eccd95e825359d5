//! The real `leadline-cli` binary on a real data directory: JSON on stdout, human text otherwise,
//! and failures that exit non-zero with the error's code and message. Each test works as the
//! owner, signed in through the practice org (see `common`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::Value;

use common::{cli, json, signed_in};

#[test]
fn calendars_and_questions_round_trip_as_json() {
    let dir = signed_in();
    let d = dir.path();
    let created = json(d, &["calendars", "create", "--name", "Product demo"]);
    let id = created["calendar"]["id"].as_i64().unwrap();
    assert_eq!(created["questions"].as_array().unwrap().len(), 4);
    let cal = id.to_string();
    let q = json(
        d,
        &[
            "questions",
            "add",
            "--calendar",
            &cal,
            "--label",
            "Plan",
            "--kind",
            "single_choice",
            "--choice",
            "Free",
            "--choice",
            "Pro",
            "--required",
        ],
    );
    assert_eq!(q["choices"], serde_json::json!(["Free", "Pro"]));
    assert_eq!(q["kind"], "single_choice");
    let qid = q["id"].as_i64().unwrap().to_string();
    let edited = json(
        d,
        &[
            "questions",
            "edit",
            &qid,
            "--calendar",
            &cal,
            "--required",
            "false",
        ],
    );
    assert_eq!(edited["required"], false);
    assert_eq!(
        edited["choices"],
        serde_json::json!(["Free", "Pro"]),
        "unchanged fields stay"
    );
    let order = json(
        d,
        &[
            "questions",
            "move",
            &qid,
            "--calendar",
            &cal,
            "--position",
            "1",
        ],
    );
    assert_eq!(order[0]["label"], "Plan");
    json(d, &["calendars", "rename", &cal, "--name", "Demo call"]);
    let list = json(d, &["calendars", "list"]);
    assert_eq!(list[0]["name"], "Demo call");
    assert_eq!(list[0]["question_count"], 5);
    json(d, &["questions", "delete", &qid, "--calendar", &cal]);
    json(d, &["calendars", "delete", &cal]);
    assert_eq!(json(d, &["calendars", "list"]), serde_json::json!([]));
}

#[test]
fn failures_exit_non_zero_with_code_and_message() {
    let dir = signed_in();
    let d = dir.path();
    let out = cli(d, &["--json", "calendars", "rename", "7", "--name", "X"]);
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "not_found");
    assert_eq!(v["error"]["message"], "calendar 7 does not exist");

    let out = cli(d, &["calendars", "create", "--name", " "]);
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("error [invalid_input]: calendar name: must not be empty"),
        "{err}"
    );
}

#[test]
fn human_output_lists_calendars() {
    let dir = signed_in();
    let d = dir.path();
    let empty = cli(d, &["calendars", "list"]);
    assert!(String::from_utf8_lossy(&empty.stdout).contains("No calendars yet"));
    cli(d, &["calendars", "create", "--name", "Onboarding"]);
    let out = String::from_utf8(cli(d, &["calendars", "list"]).stdout).unwrap();
    assert!(
        out.contains("Onboarding") && out.contains("QUESTIONS"),
        "{out}"
    );
}

#[test]
fn a_database_from_a_newer_build_is_refused() {
    let dir = signed_in();
    let d = dir.path();
    cli(d, &["calendars", "list"]);
    // Pretend a newer Leadline migrated it.
    let conn = rusqlite::Connection::open(d.join("leadline.db")).unwrap();
    conn.pragma_update(None, "user_version", 999).unwrap();
    drop(conn);
    let out = cli(d, &["--json", "calendars", "list"]);
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "database_too_new");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("schema version 999")
    );
}

#[test]
fn members_and_the_audit_log() {
    let dir = signed_in();
    let d = dir.path();
    let bob = json(
        d,
        &[
            "members",
            "add",
            "--email",
            "Bob@Acme.example",
            "--role",
            "support",
        ],
    );
    assert_eq!(
        (bob["email"].as_str(), bob["role"].as_str()),
        (Some("bob@acme.example"), Some("support"))
    );
    let bob_id = bob["id"].to_string();
    assert_eq!(
        json(d, &["members", "role", &bob_id, "--role", "admin"])["role"],
        "admin"
    );
    let members = json(d, &["members", "list"]);
    assert_eq!(members.as_array().unwrap().len(), 2);

    // The signed-in owner is the last owner: demoting them is refused with the reason.
    let owner_id = members[0]["id"].to_string();
    let out = cli(
        d,
        &["--json", "members", "role", &owner_id, "--role", "support"],
    );
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "conflict");

    json(d, &["members", "remove", &bob_id]);
    let page = json(d, &["audit", "--action", "member"]);
    let actions: Vec<_> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "member.remove",
            "member.role",
            "member.add",
            "member.sign_in"
        ]
    );
    assert_eq!(page["total"], 4);

    let csv = d.join("audit.csv");
    let written = json(d, &["audit", "--csv", csv.to_str().unwrap()]);
    assert_eq!(written["rows"], 4);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(
        text.starts_with("id,at,actor_email,action,target,detail\n"),
        "{text}"
    );

    let out = cli(d, &["--json", "audit", "--since", "last week"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "invalid_input");
}

#[test]
fn the_idle_timeout_is_shown_and_set() {
    let dir = signed_in();
    let d = dir.path();
    assert_eq!(json(d, &["settings", "show"])["idle_timeout_minutes"], 480);
    assert_eq!(
        json(d, &["settings", "idle-timeout", "--minutes", "45"])["idle_timeout_minutes"],
        45
    );
    let out = cli(d, &["--json", "settings", "idle-timeout", "--minutes", "2"]);
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "invalid_input");
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("between 5 and")
    );
    assert_eq!(json(d, &["settings", "show"])["idle_timeout_minutes"], 45);
}
