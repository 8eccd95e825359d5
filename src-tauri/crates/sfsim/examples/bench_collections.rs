//! How fast the simulator serves sObject Collections creates, so benchmarks that use it know it
//! is not their bottleneck: starts the practice org in-process with no latency, mints a token,
//! and sends `--requests N` (default 2,000) `POST …/composite/sobjects` requests of 200 Leads
//! each from `--clients C` (default 4) concurrent clients, then prints requests a minute,
//! records a second and latency percentiles. The last line is one `key=value` summary for
//! scripts. Every request must answer 200 with every record saved, or the run fails.
//!
//! `cargo run --release -p leadline-sfsim --example bench_collections -- --requests 2000 --clients 4`
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use leadline_sfsim::Options;

const BATCH: usize = 200;
/// The target from the issue: 2,000 collection requests of 200 records a minute.
const TARGET_PER_MINUTE: f64 = 2000.0;

fn arg(name: &str, default: usize) -> usize {
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

fn body(request: usize) -> String {
    let records: Vec<serde_json::Value> = (0..BATCH)
        .map(|i| {
            serde_json::json!({
                "attributes": {"type": "Lead"},
                "LastName": format!("Bench {request}-{i}"),
                "FirstName": "Load",
                "Company": "Bench Co",
                "Email": format!("bench{request}x{i}@bench.example"),
                "Status": "Open - Not Contacted",
            })
        })
        .collect();
    serde_json::json!({"allOrNone": false, "records": records}).to_string()
}

#[tokio::main]
async fn main() {
    let requests = arg("--requests", 2000);
    let clients = arg("--clients", 4).max(1);
    let running = leadline_sfsim::start(Options::practice())
        .await
        .expect("the simulator starts");
    let (token, _) = running.sim.mint_tokens(
        "admin@practice.example",
        "leadline-practice",
        &["api".into()],
        false,
    );
    let url = format!(
        "{}/services/data/v64.0/composite/sobjects",
        running.base_url
    );
    let http = reqwest::Client::new();
    // Bodies are built before the clock starts: the client's JSON work is not the server's.
    let bodies: Arc<Vec<String>> = Arc::new((0..requests).map(body).collect());
    let next = Arc::new(AtomicUsize::new(0));

    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients {
        let (http, url, token, bodies, next) = (
            http.clone(),
            url.clone(),
            token.clone(),
            bodies.clone(),
            next.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= bodies.len() {
                    return latencies;
                }
                let sent = Instant::now();
                let resp = http
                    .post(&url)
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(bodies[i].clone())
                    .send()
                    .await
                    .expect("the request is answered");
                let status = resp.status();
                let text = resp.text().await.expect("the answer has a body");
                latencies.push(sent.elapsed());
                assert!(status.is_success(), "request {i}: HTTP {status}: {text}");
                assert!(
                    !text.contains("\"success\":false"),
                    "request {i}: a record was not saved: {text}"
                );
            }
        }));
    }
    let mut latencies: Vec<Duration> = Vec::with_capacity(requests);
    for t in tasks {
        latencies.extend(t.await.expect("a client task panicked"));
    }
    let elapsed = started.elapsed();

    let stored = running
        .sim
        .read(|w| w.records.get("Lead").map_or(0, |m| m.len()));
    assert_eq!(stored, requests * BATCH, "every record was stored");
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    let secs = elapsed.as_secs_f64();
    let per_minute = requests as f64 / secs * 60.0;
    let records_per_second = (requests * BATCH) as f64 / secs;
    println!(
        "{requests} collection requests of {BATCH} Leads from {clients} clients in {secs:.2} s"
    );
    println!(
        "{per_minute:.0} requests/minute, {records_per_second:.0} records/second (target {TARGET_PER_MINUTE:.0} requests/minute: {})",
        if per_minute >= TARGET_PER_MINUTE {
            "met"
        } else {
            "MISSED"
        }
    );
    println!(
        "latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.90).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        latencies.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
    println!(
        "bench_collections requests={requests} records={} clients={clients} seconds={secs:.3} requests_per_minute={per_minute:.0} records_per_second={records_per_second:.0}",
        requests * BATCH
    );
    running.stop().await.expect("the simulator stops");
    if per_minute < TARGET_PER_MINUTE {
        std::process::exit(1);
    }
}
