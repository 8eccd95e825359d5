//! The crash test: `leadline-cli serve` is killed with SIGKILL at random points while 2,000
//! bookings are pushed, and started again until the queue is empty. Every booking must be in
//! Salesforce exactly once, and the SQLite file must pass `PRAGMA integrity_check`. The org
//! answers slowly (so kills land mid-request, after Salesforce committed but before Leadline
//! heard) and no External ID field is configured, so it is the lookup before a resend that keeps
//! Leads single.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use leadline_sfsim::Org;
use rand::Rng;

use common::{Sim, command, connect, json, lead_emails, payload_file, signin};

const BOOKINGS: usize = 2000;

fn unsettled(d: &std::path::Path) -> i64 {
    let c = json(d, &["queue", "--limit", "1"])["counts"].clone();
    ["queued", "in_flight", "retry", "held"]
        .iter()
        .map(|k| c[k].as_i64().unwrap())
        .sum()
}

#[test]
fn killed_mid_push_every_booking_lands_exactly_once() {
    let mut org = Org::practice();
    org.org.auto_approve = Some(leadline_sfsim::org::PRACTICE_USERNAME.into());
    // Each request takes 150–250 ms: a 2,000-booking push spans many kill points.
    org.latency.fixed_ms = 150;
    org.latency.jitter_ms = 100;
    let sim = Sim::start(org);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(signin(d, &["--practice", &sim.url]).status.success());
    assert!(connect(d, &sim).status.success());

    let file = payload_file(d, "crash", BOOKINGS);
    let r = json(d, &["import", file.to_str().unwrap()]);
    assert_eq!(r["held"], BOOKINGS as i64);
    let id = json(d, &["calendars", "list"])[0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    json(d, &["mapping", "init", "--calendar", &id]);
    assert_eq!(unsettled(d), BOOKINGS as i64);

    let mut rng = rand::rng();
    let mut kills = 0;
    let deadline = Instant::now() + Duration::from_secs(600);
    while unsettled(d) > 0 {
        assert!(Instant::now() < deadline, "the queue never emptied");
        let mut child = command(d)
            .args(["serve", "--no-webhook", "--lease-seconds", "1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // The kill point is the test's random input, not a wait for something.
        std::thread::sleep(Duration::from_millis(rng.random_range(50..1500)));
        child.kill().unwrap();
        child.wait().unwrap();
        kills += 1;
        if kills >= 12 {
            // Enough crashes: let one run finish what is left (leases of the last one expire
            // after a second, and `push --until-empty` stops when nothing is due now).
            let out = command(d).args(["push", "--until-empty"]).output().unwrap();
            assert!(out.status.code().is_some());
        }
    }

    let emails = lead_emails(&sim);
    let mut per_booking: HashMap<&str, usize> = HashMap::new();
    for e in &emails {
        *per_booking.entry(e.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = per_booking.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        twice.is_empty(),
        "duplicated Leads after {kills} kills: {twice:?}"
    );
    assert_eq!(emails.len(), BOOKINGS, "after {kills} kills");
    let counts = json(d, &["queue", "--limit", "1"])["counts"].clone();
    assert_eq!(counts["done"], BOOKINGS as i64, "{counts}");

    let conn = rusqlite::Connection::open(d.join("leadline.db")).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    let _ = command(d).arg("signout").output();
}
