//! The queue's three benchmarks from issue 7, against the practice org (`leadline-sfsim`)
//! in-process, with real SQLite files (WAL, synchronous=FULL):
//!
//! (a) push N queued bookings (default 10,000) through an org answering every request after a
//!     fixed latency (default 100 ms), against the ideal ceil(N/200) × latency ÷ concurrency;
//! (b) webhook intake: payloads POSTed to the receiver by concurrent clients, each answered
//!     only after its commit — payloads a second;
//! (c) importing N payloads from a JSON-lines file;
//! (d) the Queue page's queries over `--scale` bookings (default 100,000): counts, the first
//!     page, a filtered page, a search.
//!
//! `cargo run --release -p leadline-core --example bench_queue -- --bookings 10000 --latency-ms 100`
//! The last line is one `key=value` summary for scripts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use keyring_core::CredentialStore;
use leadline_core::ipc::{ConnectRequest, LoginHostKind, VerifiedIdentity};
use leadline_core::secrets::{Keyring, SecretStore};
use leadline_core::{Actor, Leadline};
use leadline_salesforce::{AuthFlow, Browser, BrowserError, CallbackPorts, CancellationToken};
use leadline_sfsim::org::{PRACTICE_PASSWORD, PRACTICE_USERNAME};
use leadline_sfsim::robot::{Consent, Robot};
use leadline_sfsim::{Options, Org};
use url::Url;

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map(|v| {
            v.parse()
                .unwrap_or_else(|_| panic!("{name} takes a number, not {v:?}"))
        })
        .unwrap_or(default)
}

/// Walks sfsim's authorize pages and visits the callback, as a person's browser would.
#[derive(Debug)]
struct RobotBrowser(tokio::runtime::Handle);

impl Browser for RobotBrowser {
    fn open(&self, url: &Url) -> Result<(), BrowserError> {
        let url = url.clone();
        self.0.spawn(async move {
            let robot = Robot::new(PRACTICE_USERNAME, PRACTICE_PASSWORD, Consent::Allow);
            let callback = robot.walk(&url).await.unwrap();
            reqwest::get(callback).await.unwrap();
        });
        Ok(())
    }
}

fn payload(i: u64) -> serde_json::Value {
    serde_json::json!({
        "webhook_type": "event_confirmed",
        "calendar_url_path": "bench",
        "calendar_name": "Bench",
        "calendar_url": "https://timerex.net/s/acme/bench?utm_source=bench",
        "event": {
            "id": format!("bench{i:08}"),
            "start_datetime": "2026-12-01T08:00:00+00:00",
            "end_datetime": "2026-12-01T09:00:00+00:00",
            "guest_locale": "en",
            "form": [
                { "field_type": "company_name", "required": true, "label": "Company", "value": format!("Acme {i}") },
                { "field_type": "guest_name", "required": true, "label": "Name", "value": format!("Guest{i} Bench") },
                { "field_type": "guest_email", "required": true, "label": "Email", "value": format!("g{i}@bench.example") }
            ]
        }
    })
}

struct Team {
    _dir: tempfile::TempDir,
    app: Arc<Leadline>,
    secrets: Arc<dyn SecretStore>,
    owner: Actor,
}

fn team() -> Team {
    let dir = tempfile::tempdir().unwrap();
    let app = Arc::new(Leadline::open(dir.path()).unwrap());
    let store: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
    let secrets: Arc<dyn SecretStore> =
        Arc::new(Keyring::in_store(store, "bench", &app.team_id().unwrap()));
    let owner = app
        .sign_in(&VerifiedIdentity {
            email: "owner@bench.example".into(),
            name: "Owner".into(),
        })
        .unwrap();
    Team {
        _dir: dir,
        app,
        secrets,
        owner,
    }
}

fn jsonl(n: u64) -> String {
    (0..n).map(|i| format!("{}\n", payload(i))).collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let n = arg("--bookings", 10_000);
    let latency = arg("--latency-ms", 100);
    let webhooks = arg("--webhooks", 2_000);
    let clients = arg("--clients", 8);

    // (c) import N payloads from a file.
    let t = team();
    let text = jsonl(n);
    let started = Instant::now();
    let report = t.app.import_payloads(&t.owner, &text).unwrap();
    let import_s = started.elapsed().as_secs_f64();
    assert_eq!(report.held as u64, n);
    println!("(c) import {n} payloads from a file: {import_s:.2} s (target < 5 s)");

    // (a) push them through an org with `latency` ms per request.
    let mut org = Org::practice();
    org.latency.fixed_ms = latency;
    let sim = leadline_sfsim::start(Options {
        org,
        ..Options::practice()
    })
    .await
    .unwrap();
    let flow = AuthFlow::new(Arc::new(RobotBrowser(tokio::runtime::Handle::current()))).unwrap();
    let request = ConnectRequest {
        login_host: LoginHostKind::Custom,
        my_domain: None,
        login_url: Some(sim.base_url.clone()),
        client_id: "leadline-practice".into(),
        callback_port: None,
    };
    t.app
        .connect_salesforce_on(
            &t.owner,
            &flow,
            &request,
            CallbackPorts::any(),
            &CancellationToken::new(),
            t.secrets.clone(),
        )
        .await
        .unwrap();
    let calendar = t.app.calendars(&t.owner).unwrap()[0].id;
    let d = t
        .app
        .add_integration(&t.owner, calendar, false, t.secrets.clone())
        .await
        .unwrap();
    assert!(d.enabled, "{:?}", d.checks);
    let concurrency = t.app.sync_settings(&t.owner).unwrap().concurrency as u64;
    let started = Instant::now();
    let pushed = t.app.push_until_empty(t.secrets.clone()).await.unwrap();
    let push_s = started.elapsed().as_secs_f64();
    assert_eq!(pushed.done as u64, n, "{pushed:?}");
    let ideal = leadline_core::sync::batch::ideal(
        n as usize,
        std::time::Duration::from_millis(latency),
        concurrency as usize,
    )
    .as_secs_f64();
    println!(
        "(a) push {n} bookings, {latency} ms a request, {concurrency} at once: {push_s:.2} s in {} requests; ideal {ideal:.2} s; ratio {:.2} (target ≤ 1.3)",
        pushed.requests,
        push_s / ideal
    );

    // (b) webhook intake: every payload committed before its 200.
    let w = team();
    let wake = Arc::new(tokio::sync::Notify::new());
    let token = "bench-token-0123456789abcdef";
    let receiver =
        leadline_core::webhook::start(w.app.clone(), token, "127.0.0.1:0".parse().unwrap(), wake)
            .await
            .unwrap();
    let url = receiver.url();
    let http = reqwest::Client::new();
    let next = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, url, next) = (http.clone(), url.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if i >= webhooks {
                    return;
                }
                let r = http
                    .post(&url)
                    .header("x-timerex-authorization", token)
                    .json(&payload(1_000_000 + i))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let intake_s = started.elapsed().as_secs_f64();
    let per_s = webhooks as f64 / intake_s;
    let counts = w.app.queue_counts(&w.owner).unwrap();
    assert_eq!(counts.held as u64, webhooks, "every payload committed");
    receiver.stop().await.unwrap();
    println!(
        "(b) webhook intake, {clients} clients: {webhooks} payloads in {intake_s:.2} s = {per_s:.0} payloads/s (target ≥ 500)"
    );
    // (d) the Queue page over `scale` bookings.
    let scale = arg("--scale", 100_000);
    let q = team();
    for chunk in 0..scale.div_ceil(10_000) {
        let text: String = (chunk * 10_000..((chunk + 1) * 10_000).min(scale))
            .map(|i| format!("{}\n", payload(2_000_000 + i)))
            .collect();
        q.app.import_payloads(&q.owner, &text).unwrap();
    }
    let time = |what: &str, f: &dyn Fn()| {
        let started = Instant::now();
        f();
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        println!("(d) {what} over {scale} bookings: {ms:.1} ms");
        ms
    };
    let counts_ms = time("queue counts", &|| {
        q.app.queue_counts(&q.owner).unwrap();
    });
    let page_ms = time("first page of 50 jobs", &|| {
        let p = q.app.jobs(&q.owner, &Default::default()).unwrap();
        assert_eq!(p.total as u64, scale);
    });
    let state_ms = time("page 100 of held jobs", &|| {
        q.app
            .jobs(
                &q.owner,
                &leadline_core::ipc::JobFilter {
                    state: Some(leadline_core::ipc::JobState::Held),
                    offset: Some(4950),
                    ..Default::default()
                },
            )
            .unwrap();
    });
    let search_ms = time("search by e-mail", &|| {
        let p = q
            .app
            .jobs(
                &q.owner,
                &leadline_core::ipc::JobFilter {
                    search: Some("g2050000@bench".into()),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(p.total, 1);
    });
    println!(
        "bookings={n} latency_ms={latency} push_s={push_s:.3} ideal_s={ideal:.3} ratio={:.3} intake_per_s={per_s:.0} import_s={import_s:.3} scale={scale} counts_ms={counts_ms:.1} page_ms={page_ms:.1} state_page_ms={state_ms:.1} search_ms={search_ms:.1}",
        push_s / ideal
    );
}
