//! Connecting Salesforce, its status, the doctor and disconnecting, against the real local
//! Salesforce (`leadline-sfsim`) over HTTP: a fake browser walks sfsim's real login and consent
//! pages, tokens go to a keyring (keyring-core's mock store here; the real Secret Service is
//! exercised by the CLI and end-to-end tests), and every failure Salesforce can answer with is
//! checked to come back explained — and to leave no connection and no live token behind.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use leadline_core::connection::{ACCESS_TOKEN, REFRESH_TOKEN};
use leadline_core::error::Error;
use leadline_core::ipc::{ConnectRequest, ErrorCode, LoginHostKind, NewMember, Role, Severity};
use leadline_core::secrets::SecretStore;
use leadline_core::{Actor, Leadline};
use leadline_salesforce::{AuthFlow, CancellationToken};
use leadline_sfsim::Org;
use leadline_sfsim::org::{PRACTICE_USERNAME, PermittedUsers, RefreshTokenPolicy};
use leadline_sfsim::robot::Consent;

use common::{
    Callback, FakeBrowser, Fixture, connect, connect_with, fixture, practice_with, request,
    sim_json,
};

/// Every token sfsim issued: (kind, value, revoked).
async fn tokens(f: &Fixture) -> Vec<(String, String, bool)> {
    let v = sim_json(f, "/__sfsim/tokens").await;
    v["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["kind"].as_str().unwrap().to_ascii_lowercase(),
                t["value"].as_str().unwrap().to_string(),
                t["revoked"].as_bool().unwrap(),
            )
        })
        .collect()
}

async fn live_tokens(f: &Fixture) -> usize {
    tokens(f).await.iter().filter(|t| !t.2).count()
}

async fn token_requests(f: &Fixture) -> u64 {
    let stats = sim_json(f, "/__sfsim/stats").await;
    stats["token_requests"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum()
}

fn assert_not_connected(f: &Fixture) {
    let status = f.app.connection_status(&f.owner, None).unwrap();
    assert!(status.connection.is_none(), "{status:?}");
    assert_eq!(f.secrets.get(ACCESS_TOKEN).unwrap(), None);
    assert_eq!(f.secrets.get(REFRESH_TOKEN).unwrap(), None);
}

fn connect_failed(result: Result<impl std::fmt::Debug, Error>, needles: &[&str]) -> String {
    let err = result.unwrap_err();
    assert_eq!(err.code(), ErrorCode::ConnectFailed, "{err}");
    let text = err.to_string();
    for n in needles {
        assert!(text.contains(n), "{n:?} missing from: {text}");
    }
    assert!(text.contains("Fix:"), "{text}");
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connects_checks_and_disconnects() {
    let f = fixture(Org::practice()).await;
    let c = connect(&f, Consent::Allow).await.unwrap();
    assert_eq!(c.username, PRACTICE_USERNAME);
    assert_eq!(
        c.org_name.as_deref(),
        Some(Org::practice().org.name.as_str())
    );
    assert_eq!(c.org_id, Org::practice().org.id);
    assert_eq!(c.instance_url, f.sim.base_url);
    assert_eq!(c.login_url, f.sim.base_url);
    assert_eq!(c.connected_by.as_deref(), Some("owner@acme.example"));
    assert!(!c.api_version.is_empty());
    assert!(c.api_usage.is_some(), "usage read from Sforce-Limit-Info");

    let status = f.app.connection_status(&f.owner, None).unwrap();
    assert_eq!(status.connection.as_ref(), Some(&c));
    let access = f.secrets.get(ACCESS_TOKEN).unwrap().unwrap();
    let refresh = f.secrets.get(REFRESH_TOKEN).unwrap().unwrap();
    let issued = tokens(&f).await;
    assert!(
        issued.iter().any(|t| t.1 == refresh && !t.2),
        "the kept refresh token is live"
    );

    let report = f
        .app
        .salesforce_doctor(&f.owner, f.secrets.clone())
        .await
        .unwrap();
    let bad: Vec<_> = report
        .findings
        .iter()
        .filter(|x| x.severity != Severity::Ok)
        .collect();
    assert!(bad.is_empty(), "{bad:?}");
    for check in [
        "keyring",
        "reachable",
        "refresh_token",
        "api_access",
        "api_usage",
    ] {
        assert!(
            report.findings.iter().any(|x| x.check == check),
            "{check} missing from {report:?}"
        );
    }

    let done = f
        .app
        .disconnect_salesforce(&f.owner, f.secrets.clone())
        .await
        .unwrap();
    assert!(done.revoked && done.warning.is_none(), "{done:?}");
    assert_not_connected(&f);
    assert_eq!(
        live_tokens(&f).await,
        0,
        "every token revoked at Salesforce"
    );

    // The old access token is dead at Salesforce.
    let answer = reqwest::Client::new()
        .get(format!("{}/services/data/v62.0/limits", f.sim.base_url))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 401);

    // The doctor says to connect again.
    let report = f
        .app
        .salesforce_doctor(&f.owner, f.secrets.clone())
        .await
        .unwrap();
    assert_eq!(report.findings.len(), 1);
    assert_eq!(report.findings[0].severity, Severity::Error);
    assert!(report.findings[0].fix.contains("Connect"), "{report:?}");

    let audit: Vec<String> = f
        .app
        .audit_log(&f.owner, &Default::default(), 100, 0)
        .unwrap()
        .entries
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        audit.contains(&"salesforce.connect".to_string()),
        "{audit:?}"
    );
    assert!(
        audit.contains(&"salesforce.disconnect".to_string()),
        "{audit:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denied_consent_connects_nothing() {
    let f = fixture(Org::practice()).await;
    connect_failed(connect(&f, Consent::Deny).await, &["Deny", "Allow"]);
    assert_not_connected(&f);
    assert_eq!(live_tokens(&f).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_state_stops_before_any_token_request() {
    let f = fixture(Org::practice()).await;
    let browser = FakeBrowser::new(Consent::Allow, Callback::ForgeState);
    let err = connect_with(&f, browser, &f.owner, f.secrets.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::ConnectFailed, "{err}");
    assert!(err.to_string().contains("state"), "{err}");
    assert_eq!(token_requests(&f).await, 0);
    assert_not_connected(&f);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_app_is_explained() {
    let f = fixture(practice_with(|o| o.connected_apps[0].blocked = true)).await;
    connect_failed(
        connect(&f, Consent::Allow).await,
        &["blocked", "Connected Apps OAuth Usage", "Unblock"],
    );
    assert_not_connected(&f);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_approved_only_is_explained() {
    let f = fixture(practice_with(|o| {
        o.connected_apps[0].permitted_users = PermittedUsers::AdminApproved;
    }))
    .await;
    connect_failed(
        connect(&f, Consent::Allow).await,
        &["pre-authorized", "All users may self-authorize"],
    );
    assert_not_connected(&f);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expire_immediately_policy_is_caught_at_connect() {
    let f = fixture(practice_with(|o| {
        o.connected_apps[0].refresh_token_policy = RefreshTokenPolicy::ExpireImmediately;
    }))
    .await;
    connect_failed(
        connect(&f, Consent::Allow).await,
        &["Immediately expire refresh token", "valid until revoked"],
    );
    assert_not_connected(&f);
    assert_eq!(
        live_tokens(&f).await,
        0,
        "the granted tokens were revoked again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ip_restrictions_are_explained() {
    let f = fixture(practice_with(|o| o.connected_apps[0].ip_restricted = true)).await;
    connect_failed(
        connect(&f, Consent::Allow).await,
        &["IP", "Relax IP restrictions"],
    );
    assert_not_connected(&f);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_user_without_api_access_is_explained() {
    let f = fixture(practice_with(|o| o.users[0].api_enabled = false)).await;
    connect_failed(connect(&f, Consent::Allow).await, &["API Enabled"]);
    assert_not_connected(&f);
    assert_eq!(live_tokens(&f).await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rotated_refresh_tokens_are_kept_before_use() {
    let f = fixture(practice_with(|o| {
        o.connected_apps[0].refresh_token_policy = RefreshTokenPolicy::Rotate;
    }))
    .await;
    connect(&f, Consent::Allow).await.unwrap();
    let first = f.secrets.get(REFRESH_TOKEN).unwrap().unwrap();
    // The doctor refreshes; under rotation that replaces the refresh token.
    let report = f
        .app
        .salesforce_doctor(&f.owner, f.secrets.clone())
        .await
        .unwrap();
    assert!(
        report.findings.iter().all(|x| x.severity == Severity::Ok),
        "{report:?}"
    );
    let second = f.secrets.get(REFRESH_TOKEN).unwrap().unwrap();
    assert_ne!(first, second, "the rotated token replaced the old one");
    let issued = tokens(&f).await;
    let state = |v: &str| issued.iter().find(|t| t.1 == v).map(|t| t.2);
    assert_eq!(state(&first), Some(true), "the old one is dead");
    assert_eq!(state(&second), Some(false), "the kept one is live");
    // And it still works after the app reopens (a new client reads the keyring).
    let again = Leadline::open(f.dir.path()).unwrap();
    let report = again
        .salesforce_doctor(&f.owner, f.secrets.clone())
        .await
        .unwrap();
    assert!(
        report.findings.iter().all(|x| x.severity == Severity::Ok),
        "{report:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_revoked_in_salesforce_makes_the_doctor_ask_for_a_reconnect() {
    let f = fixture(Org::practice()).await;
    connect(&f, Consent::Allow).await.unwrap();
    let refresh = f.secrets.get(REFRESH_TOKEN).unwrap().unwrap();
    let revoked = reqwest::Client::new()
        .post(format!("{}/services/oauth2/revoke", f.sim.base_url))
        .form(&[("token", refresh.as_str())])
        .send()
        .await
        .unwrap();
    assert!(revoked.status().is_success());
    let report = f
        .app
        .salesforce_doctor(&f.owner, f.secrets.clone())
        .await
        .unwrap();
    let finding = report
        .findings
        .iter()
        .find(|x| x.check == "refresh_token")
        .unwrap();
    assert_eq!(finding.severity, Severity::Error);
    assert!(finding.title.contains("no longer accepts"), "{finding:?}");
    assert!(finding.fix.contains("Connect again"), "{finding:?}");
    let status = f.app.connection_status(&f.owner, None).unwrap();
    let reason = status.connection.unwrap().reconnect_reason.unwrap();
    assert!(reason.contains("Connect again"), "{reason}");

    // Connecting again to the same org replaces the connection and clears the flag.
    let c = connect(&f, Consent::Allow).await.unwrap();
    assert_eq!(c.reconnect_reason, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn near_the_daily_limit_the_doctor_warns() {
    let f = fixture(Org::practice()).await;
    connect(&f, Consent::Allow).await.unwrap();
    let limit = Org::practice().org.daily_api_limit;
    reqwest::Client::new()
        .post(format!("{}/__sfsim/usage", f.sim.base_url))
        .json(&serde_json::json!({ "used": limit * 95 / 100 }))
        .send()
        .await
        .unwrap();
    let report = f
        .app
        .salesforce_doctor(&f.owner, f.secrets.clone())
        .await
        .unwrap();
    let usage = report
        .findings
        .iter()
        .find(|x| x.check == "api_usage")
        .unwrap();
    assert_eq!(usage.severity, Severity::Warning, "{usage:?}");
    assert!(usage.cause.contains("95%"), "{usage:?}");
    let kept = report.connection.unwrap().api_usage.unwrap();
    assert!(kept.used >= (limit * 95 / 100) as i64, "{kept:?}");
}

/// A keyring that cannot be reached, as on a machine without a Secret Service.
#[derive(Debug)]
struct NoKeyring;

impl SecretStore for NoKeyring {
    fn get(&self, _: &str) -> leadline_core::Result<Option<String>> {
        Err(Error::KeyringUnavailable(
            "no Secret Service on this bus".into(),
        ))
    }
    fn set(&self, _: &str, _: &str) -> leadline_core::Result<()> {
        Err(Error::KeyringUnavailable(
            "no Secret Service on this bus".into(),
        ))
    }
    fn delete(&self, _: &str) -> leadline_core::Result<()> {
        Err(Error::KeyringUnavailable(
            "no Secret Service on this bus".into(),
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_keyring_nothing_is_connected() {
    let f = fixture(Org::practice()).await;
    let browser = FakeBrowser::new(Consent::Allow, Callback::Visit);
    let err = connect_with(&f, browser.clone(), &f.owner, Arc::new(NoKeyring))
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::KeyringUnavailable, "{err}");
    assert_eq!(browser.opened(), 0, "no browser opened");
    assert_eq!(token_requests(&f).await, 0);
    assert!(
        f.app
            .connection_status(&f.owner, None)
            .unwrap()
            .connection
            .is_none()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn support_may_look_but_not_connect() {
    let f = fixture(Org::practice()).await;
    let support = f
        .app
        .add_member(
            &f.owner,
            &NewMember {
                email: "sam@acme.example".into(),
                name: "Sam".into(),
                role: Role::Support,
            },
        )
        .unwrap();
    let support = Actor::new(support);
    let browser = FakeBrowser::new(Consent::Allow, Callback::Visit);
    let err = connect_with(&f, browser.clone(), &support, f.secrets.clone())
        .await
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden, "{err}");
    assert_eq!(browser.opened(), 0);
    connect(&f, Consent::Allow).await.unwrap();
    assert!(
        f.app
            .connection_status(&support, None)
            .unwrap()
            .connection
            .is_some()
    );
    for err in [
        f.app
            .salesforce_doctor(&support, f.secrets.clone())
            .await
            .unwrap_err(),
        f.app
            .disconnect_salesforce(&support, f.secrets.clone())
            .await
            .unwrap_err(),
    ] {
        assert_eq!(err.code(), ErrorCode::Forbidden, "{err}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_named_before_any_browser_opens() {
    let f = fixture(Org::practice()).await;
    let flow = AuthFlow::new(FakeBrowser::new(Consent::Allow, Callback::Visit)).unwrap();
    let base = request(&f);
    let cases = [
        (
            ConnectRequest {
                client_id: "  ".into(),
                ..base.clone()
            },
            "client id",
        ),
        (
            ConnectRequest {
                login_url: Some("http://example.com".into()),
                ..base.clone()
            },
            "login URL",
        ),
        (
            ConnectRequest {
                login_host: LoginHostKind::MyDomain,
                my_domain: None,
                ..base.clone()
            },
            "My Domain",
        ),
        (
            ConnectRequest {
                callback_port: Some(80),
                ..base.clone()
            },
            "callback port",
        ),
    ];
    for (req, needle) in cases {
        let err = f
            .app
            .connect_salesforce(
                &f.owner,
                &flow,
                &req,
                &CancellationToken::new(),
                f.secrets.clone(),
            )
            .await
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput, "{req:?}: {err}");
        assert!(err.to_string().contains(needle), "{needle}: {err}");
    }
    assert_eq!(token_requests(&f).await, 0);
}

/// Collects every log line the core writes.
#[derive(Clone, Default)]
struct LogSink(Arc<Mutex<Vec<u8>>>);

impl Write for LogSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn no_token_reaches_sqlite_logs_or_ipc() {
    let sink = LogSink::default();
    let writer = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let f = fixture(practice_with(|o| {
            o.connected_apps[0].refresh_token_policy = RefreshTokenPolicy::Rotate;
        }))
        .await;
        let mut ipc = Vec::new();
        let c = connect(&f, Consent::Allow).await.unwrap();
        ipc.push(serde_json::to_string(&c).unwrap());
        let status = f.app.connection_status(&f.owner, None).unwrap();
        ipc.push(serde_json::to_string(&status).unwrap());
        let report = f
            .app
            .salesforce_doctor(&f.owner, f.secrets.clone())
            .await
            .unwrap();
        ipc.push(serde_json::to_string(&report).unwrap());
        let bad = connect_with(
            &f,
            FakeBrowser::new(Consent::Deny, Callback::Visit),
            &f.owner,
            f.secrets.clone(),
        )
        .await
        .unwrap_err();
        ipc.push(serde_json::to_string(&bad.payload()).unwrap());

        let issued = tokens(&f).await;
        assert!(
            issued.len() >= 4,
            "access and refresh tokens, rotated: {issued:?}"
        );
        let mut files = Vec::new();
        for entry in std::fs::read_dir(f.dir.path()).unwrap() {
            let path = entry.unwrap().path();
            files.push((path.display().to_string(), std::fs::read(&path).unwrap()));
        }
        assert!(
            files.iter().any(|(p, _)| p.ends_with("-wal")),
            "the WAL is checked too"
        );
        let logs = sink.0.lock().unwrap().clone();
        assert!(!logs.is_empty(), "the connection logs what it does");
        for (_, value, _) in &issued {
            let needle = value.as_bytes();
            for (path, bytes) in &files {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle),
                    "a token is in {path}"
                );
            }
            assert!(
                !logs.windows(needle.len()).any(|w| w == needle),
                "a token is in the logs"
            );
            for answer in &ipc {
                assert!(!answer.contains(value.as_str()), "a token is in {answer}");
            }
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_doctor_checks_the_external_id_field() {
    let f = fixture(practice_with(|o| {
        o.custom_fields.push(common::booking_id_field());
    }))
    .await;
    connect(&f, Consent::Allow).await.unwrap();
    let external_id = |r: &leadline_core::ipc::DoctorReport| {
        r.findings
            .iter()
            .find(|x| x.check == "external_id")
            .cloned()
            .unwrap()
    };
    let set = |name: Option<&str>| {
        let mut s = f.app.sync_settings(&f.owner).unwrap();
        s.external_id_field = name.map(String::from);
        f.app.set_sync_settings(&f.owner, &s).unwrap();
    };

    // None named: retries are guarded by a lookup, and the doctor names the field to use.
    let r = f
        .app
        .salesforce_doctor(&f.owner, f.secrets.clone())
        .await
        .unwrap();
    let x = external_id(&r);
    assert_eq!(x.severity, Severity::Ok);
    assert!(x.fix.contains("Booking_Id__c"), "{x:?}");

    set(Some("Booking_Id__c"));
    let x = external_id(
        &f.app
            .salesforce_doctor(&f.owner, f.secrets.clone())
            .await
            .unwrap(),
    );
    assert_eq!(x.severity, Severity::Ok);
    assert!(x.title.contains("upserted on Booking_Id__c"), "{x:?}");

    // A field that is not External ID + Unique would fail every upsert.
    set(Some("Description"));
    let x = external_id(
        &f.app
            .salesforce_doctor(&f.owner, f.secrets.clone())
            .await
            .unwrap(),
    );
    assert_eq!(x.severity, Severity::Error);
    assert!(x.fix.contains("Booking_Id__c"), "{x:?}");
}
