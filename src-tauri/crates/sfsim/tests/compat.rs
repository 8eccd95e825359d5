//! Compatibility: jsforce, a widely used Salesforce client from npm, runs unchanged against an
//! in-process simulator (compat/jsforce-check.mjs) — describe, create, collection create, query
//! with paging, errors, refresh on 401, revoke — and the simulator's own records, statistics and
//! token states must agree with what jsforce reports. Nothing is skipped: without node or the
//! installed packages this test fails and says how to set them up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use common::inspect;
use leadline_sfsim::Options;
use serde_json::Value;

const SETUP: &str = "run `npm ci --prefix src-tauri/crates/sfsim/compat` (Node 20+) first";

fn compat_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("compat")
}

#[tokio::test]
async fn jsforce_works_unchanged_against_the_simulator() {
    let dir = compat_dir();
    assert!(
        dir.join("node_modules/jsforce/package.json").is_file(),
        "jsforce is not installed in {}: {SETUP}",
        dir.display()
    );
    let running = leadline_sfsim::start(Options::practice()).await.unwrap();
    let (access, refresh) = running.sim.mint_tokens(
        "admin@practice.example",
        "leadline-practice",
        &["api".into(), "refresh_token".into()],
        true,
    );
    let refresh = refresh.unwrap();

    let child = tokio::process::Command::new("node")
        .arg("jsforce-check.mjs")
        .current_dir(&dir)
        .env("SFSIM_BASE_URL", &running.base_url)
        .env("SFSIM_ACCESS_TOKEN", &access)
        .env("SFSIM_REFRESH_TOKEN", &refresh)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node ({e}): install Node 20+ and {SETUP}"));
    let out = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("jsforce-check.mjs did not finish within two minutes")
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let s: Value = serde_json::from_str(&stdout).unwrap_or_else(|_| {
        panic!(
            "no JSON summary (exit {:?})\nstdout:\n{stdout}\nstderr:\n{stderr}",
            out.status
        )
    });
    assert!(
        out.status.success(),
        "a step threw:\n{stdout}\nstderr:\n{stderr}"
    );
    // Shown with `--nocapture`: what jsforce saw, for the record.
    println!("jsforce summary:\n{s:#}");
    let all = [
        "describe",
        "createOne",
        "createMany",
        "createBulk",
        "query",
        "queryMore",
        "find",
        "error",
        "refreshOn401",
        "revokeRefresh",
    ];
    assert_eq!(s["steps"], serde_json::json!(all), "{s:#}");

    // What jsforce saw.
    assert_eq!(s["describe"]["name"], "Lead", "{s:#}");
    assert_eq!(s["describe"]["keyPrefix"], "00Q");
    assert_eq!(s["describe"]["lastNameRequired"], true);
    assert_eq!(s["createOne"]["success"], true);
    let first_id = s["createOne"]["id"].as_str().unwrap().to_string();
    assert!(
        first_id.starts_with("00Q") && first_id.len() == 18,
        "{first_id}"
    );
    assert_eq!(s["createMany"]["count"], 3);
    assert_eq!(s["createMany"]["allSuccess"], true);
    assert_eq!(s["createBulk"]["count"], 250);
    assert_eq!(s["createBulk"]["allSuccess"], true);
    assert_eq!(s["query"]["totalSize"], 4);
    assert_eq!(s["query"]["done"], true);
    assert_eq!(
        s["query"]["lastNames"],
        serde_json::json!(["Compat A", "Compat B", "Compat C", "O'Compat"])
    );
    assert_eq!(s["query"]["types"], serde_json::json!(["Lead"]));
    assert_eq!(s["query"]["firstEmail"], "one@compat.example");
    assert_eq!(s["queryMore"]["totalSize"], 250);
    assert_eq!(s["queryMore"]["fetched"], 250);
    assert_eq!(s["queryMore"]["unique"], 250);
    assert_eq!(s["find"]["found"], serde_json::json!(["O'Compat"]));
    assert_eq!(s["find"]["count"], 4);
    assert_eq!(s["error"]["single"]["threw"], true);
    assert_eq!(
        s["error"]["single"]["errorCode"], "REQUIRED_FIELD_MISSING",
        "{s:#}"
    );
    assert_eq!(s["error"]["collection"]["goodSuccess"], true);
    assert_eq!(s["error"]["collection"]["badSuccess"], false);
    assert_eq!(
        s["error"]["collection"]["badErrors"][0]["statusCode"], "REQUIRED_FIELD_MISSING",
        "{s:#}"
    );
    assert_eq!(s["error"]["badQuery"]["errorCode"], "INVALID_FIELD");
    assert_eq!(s["refreshOn401"]["revokeStatus"], 200);
    assert_eq!(s["refreshOn401"]["refreshEvents"], 1);
    assert_eq!(s["refreshOn401"]["tokenChanged"], true);
    assert_eq!(s["refreshOn401"]["newTokenFromEvent"], true);
    assert_eq!(s["refreshOn401"]["totalSize"], 1);
    assert_eq!(s["revokeRefresh"]["after"]["threw"], true, "{s:#}");
    assert_eq!(
        s["revokeRefresh"]["refreshEvents"], 1,
        "no refresh succeeds after revoke"
    );

    // What the simulator holds.
    let leads = running
        .sim
        .read(|w| w.records.get("Lead").cloned().unwrap_or_default());
    assert_eq!(
        leads.len(),
        1 + 3 + 250 + 1,
        "the rejected records were not stored"
    );
    assert_eq!(leads[&first_id]["LastName"], "O'Compat");
    assert!(
        leads
            .values()
            .all(|r| r.get("LastName").is_some_and(|v| !v.is_null()))
    );

    let stats = inspect(&running.base_url, "stats").await;
    assert_eq!(stats["refreshes"], 1, "{stats:#}");
    assert_eq!(stats["revokes"], 2, "{stats:#}");
    let requests = stats["requests"].as_object().unwrap();
    let count = |needle: &str| -> u64 {
        requests
            .iter()
            .filter(|(k, _)| k.contains(needle))
            .flat_map(|(_, by_status)| by_status.as_object().unwrap().values())
            .map(|n| n.as_u64().unwrap())
            .sum()
    };
    assert_eq!(
        count("/composite/sobjects"),
        4,
        "one array, two for 250 records, one mixed: {stats:#}"
    );
    assert!(
        count("/query/{locator}") >= 1,
        "jsforce followed nextRecordsUrl: {stats:#}"
    );

    let tokens = inspect(&running.base_url, "tokens").await;
    let tokens = tokens["tokens"].as_array().unwrap();
    let state = |value: &str| {
        tokens
            .iter()
            .find(|t| t["value"] == value)
            .map(|t| t["revoked"].clone())
    };
    assert_eq!(
        state(&access),
        Some(Value::Bool(true)),
        "the first access token was revoked"
    );
    assert_eq!(
        state(&refresh),
        Some(Value::Bool(true)),
        "the refresh token was revoked"
    );
    let refreshed: Vec<&Value> = tokens
        .iter()
        .filter(|t| t["kind"] == "access" && t["value"] != access.as_str())
        .collect();
    assert_eq!(
        refreshed.len(),
        1,
        "one access token came from the refresh: {tokens:#?}"
    );
    assert_eq!(
        refreshed[0]["revoked"], true,
        "revoking the refresh token revoked it too"
    );
    running.stop().await.unwrap();
}
