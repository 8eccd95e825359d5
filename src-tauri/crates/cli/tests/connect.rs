//! Connecting Salesforce with the real binary: `connect` through the system browser (`BROWSER`)
//! against the practice org in-process, the tokens kept in the OS keyring, then `status`,
//! `doctor` and `disconnect` — which revokes the tokens at Salesforce — with `--json`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use leadline_sfsim::org::PRACTICE_USERNAME;
use serde_json::Value;

use common::{Sim, command, connect, json, json_error, signin, sim_get};

/// The values of every live refresh token sfsim has issued.
fn live_refresh_tokens(sim: &Sim) -> Vec<String> {
    sim_get(sim, "/__sfsim/tokens")["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"].as_str().unwrap().eq_ignore_ascii_case("refresh"))
        .filter(|t| !t["revoked"].as_bool().unwrap())
        .map(|t| t["value"].as_str().unwrap().to_string())
        .collect()
}

fn all_token_values(sim: &Sim) -> Vec<String> {
    sim_get(sim, "/__sfsim/tokens")["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["value"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn connect_status_doctor_disconnect() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sim = Sim::practice();

    let err = json_error(d, &["status"]);
    assert_eq!(err["code"], "not_signed_in");

    let out = signin(d, &["--practice", &sim.url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let before = live_refresh_tokens(&sim);

    let status = json(d, &["status"]);
    assert_eq!(status["connection"], Value::Null);

    let out = connect(d, &sim);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let connected: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(connected["username"], PRACTICE_USERNAME);
    assert_eq!(connected["instance_url"], sim.url.as_str());
    assert_eq!(connected["connected_by"], PRACTICE_USERNAME);
    assert_eq!(live_refresh_tokens(&sim).len(), before.len() + 1);

    let status = json(d, &["status"]);
    assert_eq!(status["connection"]["org_id"], connected["org_id"]);
    assert!(status["connection"]["api_usage"]["limit"].as_i64().unwrap() > 0);

    let report = json(d, &["doctor"]);
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.len() >= 4, "{report}");
    assert!(findings.iter().all(|f| f["severity"] == "ok"), "{report}");

    // No token the org issued is in the data directory's files, WAL included.
    let tokens = all_token_values(&sim);
    for entry in std::fs::read_dir(d).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        for t in &tokens {
            assert!(
                !bytes.windows(t.len()).any(|w| w == t.as_bytes()),
                "a token is in {}",
                path.display()
            );
        }
    }

    let done = json(d, &["disconnect"]);
    assert_eq!(done["revoked"], true);
    assert_eq!(done["warning"], Value::Null);
    assert_eq!(
        live_refresh_tokens(&sim),
        before,
        "the connection's token was revoked"
    );
    assert_eq!(json(d, &["status"])["connection"], Value::Null);

    let err = json_error(d, &["disconnect"]);
    assert_eq!(err["code"], "not_connected");
    // The doctor still answers, and its exit code tells a script something is wrong.
    let out = command(d).args(["--json", "doctor"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"][0]["severity"], "error");
    assert!(
        report["findings"][0]["fix"]
            .as_str()
            .unwrap()
            .contains("Connect"),
        "{report}"
    );

    let _ = command(d).arg("signout").output();
}

#[test]
fn connect_names_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sim = Sim::practice();
    let out = signin(d, &["--practice", &sim.url]);
    assert!(out.status.success());
    let err = json_error(
        d,
        &["connect", "--login-url", "https://login.salesforce.com"],
    );
    assert_eq!(err["code"], "invalid_input");
    assert!(
        err["message"].as_str().unwrap().contains("--client-id"),
        "{err}"
    );
    let err = json_error(
        d,
        &[
            "connect",
            "--login-url",
            "http://example.com",
            "--client-id",
            "x",
        ],
    );
    assert_eq!(err["code"], "invalid_input");
    assert!(
        err["message"].as_str().unwrap().contains("login URL"),
        "{err}"
    );
    let _ = command(d).arg("signout").output();
}
