//! Bookings in and Leads out with the real binary, against the practice org: `import` registers
//! the calendar from its first payload and holds its bookings, `mapping init` queues them, `push
//! --until-empty` makes one Lead each, `queue` and `log` report, `retry` and `skip` act, `log
//! export` writes the result files — and `serve` receives webhooks, refusing a wrong token, a
//! malformed payload (naming the field) and an oversized body.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::Stdio;

use serde_json::Value;

use common::{Sim, command, connect, json, json_error, lead_emails, payload, payload_file, signin};

/// A signed-in, connected data directory and its practice org.
fn connected() -> (tempfile::TempDir, Sim) {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::practice();
    assert!(
        signin(dir.path(), &["--practice", &sim.url])
            .status
            .success()
    );
    assert!(connect(dir.path(), &sim).status.success());
    (dir, sim)
}

#[test]
fn import_hold_enable_push_and_report() {
    let (dir, sim) = connected();
    let d = dir.path();
    let file = payload_file(d, "demo1", 25);

    let r = json(d, &["import", file.to_str().unwrap()]);
    assert_eq!(r["payloads"], 25);
    assert_eq!(r["held"], 25, "no integration yet: held, never dropped");
    assert_eq!(r["calendars_registered"], 1);
    let again = json(d, &["import", file.to_str().unwrap()]);
    assert_eq!(again["duplicates"], 25, "redelivery makes nothing new");

    let cals = json(d, &["calendars", "list"]);
    let cal = cals.as_array().unwrap()[0].clone();
    assert_eq!(cal["name"], "Demo demo1");
    assert_eq!(cal["url_path"], "demo1");
    let id = cal["id"].as_i64().unwrap().to_string();

    let init = json(d, &["mapping", "init", "--calendar", &id]);
    assert_eq!(init["enabled"], true, "{init}");
    let q = json(d, &["queue"]);
    assert_eq!(q["counts"]["queued"], 25);
    assert_eq!(q["counts"]["held"], 0);

    let pushed = json(d, &["push", "--until-empty"]);
    assert_eq!(pushed["done"], 25, "{pushed}");
    assert_eq!(
        pushed["requests"], 1,
        "25 records travel in one Collections request"
    );
    let mut emails = lead_emails(&sim);
    emails.sort();
    let mut want: Vec<String> = (0..25).map(|i| format!("guest{i}@example.com")).collect();
    want.sort();
    assert_eq!(emails, want, "one Lead per booking");

    let q = json(d, &["queue", "--state", "done", "--limit", "5"]);
    assert_eq!(q["counts"]["done"], 25);
    assert_eq!(q["jobs"]["total"], 25);
    assert_eq!(q["jobs"]["jobs"].as_array().unwrap().len(), 5);
    let job = q["jobs"]["jobs"][0]["id"].as_i64().unwrap().to_string();
    let detail = json(d, &["queue", "--job", &job]);
    assert_eq!(detail["attempts"][0]["outcome"], "done");
    assert!(
        detail["attempts"][0]["request"]["Email"].is_string(),
        "{detail}"
    );
    assert!(
        detail["lead_url"]
            .as_str()
            .unwrap()
            .contains("/lightning/r/00Q")
    );

    // Nothing failed: the log is empty, retry finds nothing, and the result files list 25.
    let log = json(d, &["log"]);
    assert_eq!(log["total"], 0);
    assert_eq!(json(d, &["retry", "--all"])["queued"], 0);
    let ok = d.join("success.csv");
    let bad = d.join("error.csv");
    let files = json(
        d,
        &[
            "log",
            "export",
            "--successes",
            ok.to_str().unwrap(),
            "--errors",
            bad.to_str().unwrap(),
        ],
    );
    assert_eq!(files["successes"]["rows"], 25);
    assert_eq!(files["errors"]["rows"], 0);
    let csv = std::fs::read_to_string(&ok).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(
        header.contains("Email") && header.contains("ID"),
        "{header}"
    );

    // Naming nothing to retry is a usage error, caught before anything runs.
    let out = command(d).arg("retry").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--code"));
    let _ = command(d).arg("signout").output();
}

/// `serve` on a free port; returns the child and the URL it printed.
fn serve(d: &std::path::Path) -> (std::process::Child, String) {
    let mut child = command(d)
        .args(["serve", "--bind", "127.0.0.1", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("serve printed {line:?}"))
        .to_string();
    (child, url)
}

/// POSTs `body` with curl; returns (status, body).
fn post(url: &str, token: Option<&str>, body: &[u8]) -> (u16, Value) {
    let mut c = std::process::Command::new("curl");
    c.args([
        "-s",
        "-o",
        "-",
        "-w",
        "\n%{http_code}",
        "--max-time",
        "30",
        "-X",
        "POST",
    ])
    .args([
        "-H",
        "content-type: application/json",
        "--data-binary",
        "@-",
    ]);
    if let Some(t) = token {
        c.args(["-H", &format!("x-timerex-authorization: {t}")]);
    }
    let mut child = c
        .arg(url)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(body).unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let (body, status) = text.rsplit_once('\n').unwrap();
    (
        status.parse().unwrap(),
        serde_json::from_str(body).unwrap_or(Value::String(body.to_string())),
    )
}

#[test]
fn serve_receives_webhooks_and_pushes_them() {
    let (dir, sim) = connected();
    let d = dir.path();
    // A calendar with an enabled integration, registered by one imported payload.
    let first = payload_file(d, "hook1", 1);
    json(d, &["import", first.to_str().unwrap()]);
    let id = json(d, &["calendars", "list"])[0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    json(d, &["mapping", "init", "--calendar", &id]);

    let err = json_error(d, &["serve", "--port", "0"]);
    assert!(
        err["message"].as_str().unwrap().contains("webhook token"),
        "{err}"
    );
    let token = "tr-webhook-token-0123456789";
    let mut set = command(d)
        .arg("webhook-token")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(set.stdin.take().unwrap(), "{token}").unwrap();
    assert!(set.wait_with_output().unwrap().status.success());

    let (mut child, url) = serve(d);
    assert!(url.starts_with("http://127.0.0.1:") && url.ends_with("/webhooks/timerex"));
    let body = payload("hook1", 7).to_string();
    let (status, answer) = post(&url, Some("wrong-token-wrong-token"), body.as_bytes());
    assert_eq!(status, 401, "{answer}");
    let (status, _) = post(&url, None, body.as_bytes());
    assert_eq!(status, 401);
    let (status, answer) = post(
        &url,
        Some(token),
        br#"{"webhook_type":"event_confirmed","event":{"id":"x","form":[]}}"#,
    );
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["message"]
            .as_str()
            .unwrap()
            .contains("event.start_datetime"),
        "{answer}"
    );
    let huge = vec![b' '; 1024 * 1024 + 1];
    let (status, _) = post(&url, Some(token), &huge);
    assert_eq!(status, 413, "bodies over 1 MiB are refused");

    let (status, answer) = post(&url, Some(token), body.as_bytes());
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "queued");
    let (status, answer) = post(&url, Some(token), body.as_bytes());
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("duplicate"))
    );

    // The running push makes the Leads (the imported one and the webhook's) without being asked.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while lead_emails(&sim).len() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the push never made the Leads"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let mut emails = lead_emails(&sim);
    emails.sort();
    assert_eq!(emails, ["guest0@example.com", "guest7@example.com"]);
    let _ = command(d).arg("signout").output();
}
