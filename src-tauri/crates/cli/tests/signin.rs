//! Signing in and out with the real binary: through the system browser (`BROWSER`) against the
//! practice org in-process, the session kept in the OS keyring, and every acting command refusing
//! with `not_signed_in` when there is no session.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use leadline_sfsim::org::PRACTICE_USERNAME;
use serde_json::Value;

use common::{STRANGER, Sim, cli, command, json, json_error, require_keyring, signin};

const NOT_SIGNED_IN: &str = "nobody is signed in; run leadline-cli signin first";

fn text(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn signin_whoami_signout_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sim = Sim::practice();

    let out = signin(d, &["--practice", &sim.url]);
    require_keyring(&out);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_eq!(
        stdout,
        format!("signed in as {PRACTICE_USERNAME} (owner)\n")
    );

    let me = json(d, &["whoami"]);
    assert_eq!(me["email"], PRACTICE_USERNAME);
    assert_eq!(me["role"], "owner");
    assert_eq!(me["name"], "Pat Practice");
    let (stdout, _) = text(&cli(d, &["whoami"]));
    assert_eq!(
        stdout,
        format!("signed in as {PRACTICE_USERNAME} (owner)\n")
    );

    // The session carries across processes: an acting command works.
    assert_eq!(json(d, &["calendars", "list"]), serde_json::json!([]));

    let out = cli(d, &["signout"]);
    assert!(out.status.success());
    assert_eq!(text(&out).0, format!("signed out {PRACTICE_USERNAME}\n"));

    let err = json_error(d, &["whoami"]);
    assert_eq!(err["code"], "not_signed_in");
    assert_eq!(err["message"], NOT_SIGNED_IN);
    let out = cli(d, &["whoami"]);
    assert!(!out.status.success());
    assert!(
        text(&out)
            .1
            .contains(&format!("error [not_signed_in]: {NOT_SIGNED_IN}")),
        "{:?}",
        text(&out)
    );
    // Signing out again is not an error.
    assert_eq!(json(d, &["signout"])["signed_out"], Value::Null);

    // Both ends are in the audit log, once signed in again.
    let out = command(d)
        .args(["--json", "signin"])
        .env("LEADLINE_PRACTICE_URL", &sim.url)
        .env("BROWSER", common::curl_browser(dir.path()))
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", text(&out));
    let page = json(d, &["audit", "--action", "member"]);
    let actions: Vec<_> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["member.sign_in", "member.sign_out", "member.sign_in"]
    );
    cli(d, &["signout"]);
}

#[test]
fn commands_without_a_session_refuse_with_not_signed_in() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for args in [
        &["calendars", "list"][..],
        &["calendars", "create", "--name", "Demo"],
        &["members", "list"],
        &["audit"],
        &["whoami"],
    ] {
        let out = cli(d, args);
        require_keyring(&out);
        let err = json_error(d, args);
        assert_eq!(err["code"], "not_signed_in", "{args:?}");
        assert_eq!(err["message"], NOT_SIGNED_IN, "{args:?}");
        let out = cli(d, args);
        assert!(!out.status.success());
        assert!(out.stdout.is_empty());
        assert!(
            text(&out)
                .1
                .contains(&format!("error [not_signed_in]: {NOT_SIGNED_IN}")),
            "{args:?}: {:?}",
            text(&out)
        );
    }
    // Nobody acted, so nobody was made owner behind the scenes.
    let sim = Sim::practice();
    let out = signin(d, &["--json", "--practice", &sim.url]);
    assert!(out.status.success(), "{:?}", text(&out));
    let members = json(d, &["members", "list"]);
    assert_eq!(members.as_array().unwrap().len(), 1, "{members}");
    assert_eq!(members[0]["email"], PRACTICE_USERNAME);
    assert!(
        json(d, &["calendars", "list"])
            .as_array()
            .unwrap()
            .is_empty(),
        "the refused create left nothing"
    );
    cli(d, &["signout"]);
}

#[test]
fn a_stranger_is_not_a_member_and_gets_no_session() {
    let team = common::signed_in();
    let d = team.path();
    let strangers = Sim::strangers();

    let out = signin(d, &["--json", "--practice", &strangers.url]);
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "not_a_member");
    let msg = v["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains(STRANGER) && msg.contains("ask your team owner to add you"),
        "{msg}"
    );
    // The owner's session is untouched by the failed attempt.
    assert_eq!(json(d, &["whoami"])["email"], PRACTICE_USERNAME);

    cli(d, &["signout"]);
    let out = signin(d, &["--practice", &strangers.url]);
    assert!(!out.status.success());
    assert!(
        text(&out).1.contains("error [not_a_member]"),
        "{:?}",
        text(&out)
    );
    assert_eq!(json_error(d, &["whoami"])["code"], "not_signed_in");
    assert_eq!(
        json_error(d, &["calendars", "list"])["code"],
        "not_signed_in"
    );

    // Once the owner adds them, the same sign-in works.
    let practice = Sim::practice();
    assert!(signin(d, &["--practice", &practice.url]).status.success());
    json(
        d,
        &["members", "add", "--email", STRANGER, "--role", "support"],
    );
    cli(d, &["signout"]);
    let out = signin(d, &["--practice", &strangers.url]);
    assert!(out.status.success(), "{:?}", text(&out));
    assert_eq!(text(&out).0, format!("signed in as {STRANGER} (support)\n"));
    assert_eq!(json(d, &["whoami"])["role"], "support");
}

#[test]
fn signin_options_are_checked_before_any_browser_opens() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // No practice org configured and none named.
    let err = json_error(d, &["signin"]);
    assert_eq!(err["code"], "invalid_input");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("no practice org is running"),
        "{err}"
    );
    // Google without a client id anywhere.
    let err = json_error(d, &["signin", "--provider", "google"]);
    assert_eq!(err["code"], "invalid_input");
    assert!(
        err["message"].as_str().unwrap().contains("client id"),
        "{err}"
    );
    // A client id for no provider in particular.
    let err = json_error(d, &["signin", "--client-id", "abc"]);
    assert_eq!(err["code"], "invalid_input");
    // An issuer needs a client id (clap refuses before anything runs).
    let out = cli(d, &["signin", "--issuer", "https://id.example"]);
    assert!(!out.status.success());
    assert!(text(&out).1.contains("--client-id"), "{:?}", text(&out));
}

#[test]
fn interrupting_a_pending_signin_cancels_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sim = Sim::practice();
    // A browser that notes the URL and never visits it.
    let opened = dir.path().join("opened.txt");
    let browser = dir.path().join("noop-browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\nprintf '%s' \"$1\" > '{}'\n", opened.display()),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let mut child = command(d)
        .args(["--json", "signin", "--practice", &sim.url])
        .env("BROWSER", &browser)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !opened.exists() || std::fs::read_to_string(&opened).unwrap().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the browser was never opened"
        );
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            require_keyring(&out);
            panic!("signin ended early ({status}): {:?}", text(&out));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let url = std::fs::read_to_string(&opened).unwrap();
    assert!(
        url.starts_with(&format!("{}/services/oauth2/authorize?", sim.url)),
        "{url}"
    );
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    require_keyring(&out);
    assert!(!out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["error"]["code"], "sign_in_cancelled", "{:?}", text(&out));
    assert_eq!(json_error(d, &["whoami"])["code"], "not_signed_in");
}
