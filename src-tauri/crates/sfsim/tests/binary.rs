//! The `leadline-sfsim` binary and the library's lifecycle: the first stdout line scripts rely on,
//! a clean stop on SIGTERM, HTTPS trusted through the CA file it writes, an org file it refuses
//! with the reason, and records kept across restarts with `--state`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::inspect;
use leadline_sfsim::Options;
use serde_json::{Value, json};

struct Server {
    child: Child,
    url: String,
}

fn spawn(args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_leadline-sfsim"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let url = first
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line should announce the address, got {first:?}"))
        .to_string();
    Server { child, url }
}

impl Server {
    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        self.child.wait().unwrap()
    }
}

#[tokio::test]
async fn announces_its_address_and_stops_cleanly_on_sigterm() {
    let server = spawn(&["--port", "0"]);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
    let port: u16 = server.url.rsplit(':').next().unwrap().parse().unwrap();
    assert_ne!(port, 0);
    let stats = inspect(&server.url, "stats").await;
    assert_eq!(stats["api_usage"]["limit"], 15000);
    let status = server.terminate();
    assert!(
        status.success(),
        "SIGTERM should end it with success, got {status}"
    );
}

#[tokio::test]
async fn serves_https_trusted_through_the_ca_file() {
    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("ca.pem");
    let server = spawn(&["--tls", "--ca-out", ca.to_str().unwrap()]);
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    let pem = std::fs::read(&ca).unwrap();
    assert!(String::from_utf8_lossy(&pem).starts_with("-----BEGIN CERTIFICATE-----"));

    let trusting = reqwest::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let r = trusting
        .get(format!("{}/__sfsim/stats", server.url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // A client that does not trust the CA must refuse the certificate.
    let untrusting = reqwest::Client::new();
    assert!(
        untrusting
            .get(format!("{}/__sfsim/stats", server.url))
            .send()
            .await
            .is_err()
    );
    // Closing the kept-alive connections lets the graceful stop finish at once.
    drop((trusting, untrusting));
    assert!(server.terminate().success());
}

#[test]
fn refuses_a_bad_org_file_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let org = dir.path().join("org.toml");
    std::fs::write(&org, "[org]\nname = \"Acme\"\nedition = \"Platinum\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_leadline-sfsim"))
        .args(["--org", org.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "nothing announced");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("org.toml") && err.contains("Platinum"),
        "{err}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_leadline-sfsim"))
        .args(["--auto-approve", "nobody@example.com"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nobody@example.com"));
}

#[tokio::test]
async fn records_survive_a_restart_with_a_state_file() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let options = || Options {
        state_file: Some(state.clone()),
        ..Options::practice()
    };
    let first = leadline_sfsim::start(options()).await.unwrap();
    let id = first.sim.write(|w| {
        let id = w.new_id("00Q");
        let record = json!({ "Id": id, "LastName": "Yamada", "Company": "Acme" });
        let Value::Object(record) = record else {
            unreachable!()
        };
        w.objects("Lead").insert(id.clone(), record);
        id
    });
    first.stop().await.unwrap();
    assert!(state.exists());

    let second = leadline_sfsim::start(options()).await.unwrap();
    let listed = inspect(&second.base_url, "records/Lead").await;
    assert_eq!(listed["totalSize"], 1);
    assert_eq!(listed["records"][0]["Id"], id.as_str());
    // New ids keep counting where the last run stopped.
    let next = second.sim.write(|w| w.new_id("00Q"));
    assert_ne!(next, id);
    second.stop().await.unwrap();

    let without = leadline_sfsim::start(Options::practice()).await.unwrap();
    let listed = inspect(&without.base_url, "records/Lead").await;
    assert_eq!(
        listed["totalSize"], 0,
        "without --state, records live in memory only"
    );
    without.stop().await.unwrap();
}
