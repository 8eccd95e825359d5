//! Shared by the CLI's tests: running the real binary, and a signed-in data directory. Signing in
//! goes the real way — the practice org (`leadline-sfsim`) runs in-process with unattended
//! approval, and `BROWSER` points at a script that follows the authorize redirect to the CLI's
//! loopback callback with curl. The session lands in the OS keyring, so these tests need a
//! reachable Secret Service (`make unit` provides one) and fail, naming it, without one.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use leadline_sfsim::org::{PRACTICE_USERNAME, User};
use leadline_sfsim::{Options, Org, Running};
use serde_json::Value;

/// A user of the practice org who is not on any Leadline team until an owner adds them.
pub const STRANGER: &str = "stranger@elsewhere.example";

/// The CLI on `dir`, with no sign-in configuration inherited from the environment.
pub fn command(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_leadline-cli"));
    c.arg("--data-dir")
        .arg(dir)
        .env_remove("LEADLINE_DATA_DIR")
        .env_remove("LEADLINE_PRACTICE_URL")
        .env_remove("LEADLINE_GOOGLE_CLIENT_ID")
        .env_remove("LEADLINE_MICROSOFT_CLIENT_ID")
        .env_remove("BROWSER");
    c
}

/// Runs the CLI; a missing keyring fails the test right here, saying so.
pub fn cli(dir: &Path, args: &[&str]) -> Output {
    let out = command(dir).args(args).output().unwrap();
    require_keyring(&out);
    out
}

/// Runs `--json ARGS`, which must succeed, and returns what it printed.
pub fn json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = cli(dir, &all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Runs `--json ARGS`, which must fail, and returns the error object.
pub fn json_error(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = cli(dir, &all);
    assert!(
        !out.status.success(),
        "{args:?} should have failed: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["error"].clone()
}

/// A simulated org serving on its own runtime for as long as this lives.
pub struct Sim {
    pub url: String,
    running: Option<Running>,
    runtime: tokio::runtime::Runtime,
}

impl Sim {
    /// The practice org, approving its admin without a page.
    pub fn practice() -> Self {
        Self::start(org_approving(PRACTICE_USERNAME))
    }

    /// The practice org plus [`STRANGER`], approving the stranger without a page.
    pub fn strangers() -> Self {
        Self::start(org_approving(STRANGER))
    }

    pub fn start(org: Org) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let running = runtime
            .block_on(leadline_sfsim::start(Options {
                org,
                ..Options::practice()
            }))
            .unwrap();
        Sim {
            url: running.base_url.clone(),
            running: Some(running),
            runtime,
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            let _ = self.runtime.block_on(running.stop());
        }
    }
}

fn org_approving(username: &str) -> Org {
    let mut org = Org::practice();
    org.users.push(User {
        username: STRANGER.into(),
        password: "stranger".into(),
        email: STRANGER.into(),
        first_name: "Sam".into(),
        last_name: "Stranger".into(),
        id: None,
        active: true,
        api_enabled: true,
        email_verified: true,
    });
    org.org.auto_approve = Some(username.into());
    org
}

/// A `BROWSER` command that "opens" the sign-in page by following its redirects with curl, all
/// the way to the CLI's loopback callback.
pub fn curl_browser(dir: &Path) -> PathBuf {
    let path = dir.join("browser.sh");
    std::fs::write(
        &path,
        "#!/bin/sh\nexec curl -s -o /dev/null --max-time 30 -L \"$1\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

/// `signin ARGS` on `dir` with the curl browser; returns the finished process.
pub fn signin(dir: &Path, args: &[&str]) -> Output {
    let scripts = tempfile::tempdir().unwrap();
    let browser = curl_browser(scripts.path());
    let out = command(dir)
        .arg("signin")
        .args(args)
        .env("BROWSER", &browser)
        .output()
        .unwrap();
    require_keyring(&out);
    out
}

/// Fails the test, saying what to do, when the CLI reported that no keyring is reachable.
pub fn require_keyring(out: &Output) {
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !all.contains("keyring_unavailable"),
        "no OS keyring is reachable, and the CLI keeps its session only there. Run these tests \
         with `make unit`, or inside `dbus-run-session` with an unlocked gnome-keyring-daemon \
         (see the Makefile's WITH_KEYRING). The CLI said: {all}"
    );
}

/// A data directory whose first member (its owner) is signed in; signs out when dropped so the
/// keyring is left as found.
pub struct SignedIn {
    dir: tempfile::TempDir,
}

impl SignedIn {
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for SignedIn {
    fn drop(&mut self) {
        let _ = cli(self.dir.path(), &["signout"]);
    }
}

/// Signs the practice org's admin in on a fresh data directory, making them its owner.
pub fn signed_in() -> SignedIn {
    let dir = tempfile::tempdir().unwrap();
    let sim = Sim::practice();
    let out = signin(dir.path(), &["--json", "--practice", &sim.url]);
    require_keyring(&out);
    assert!(
        out.status.success(),
        "signing in failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let member: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (member["email"].as_str(), member["role"].as_str()),
        (Some(PRACTICE_USERNAME), Some("owner"))
    );
    SignedIn { dir }
}

/// A port nothing listens on right now, for the Salesforce callback: tests run side by side, so
/// the documented default cannot be shared.
pub fn free_port() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port().to_string()
}

/// `connect` to the practice org at `sim` with the curl browser; returns the finished process.
pub fn connect(dir: &Path, sim: &Sim) -> Output {
    let scripts = tempfile::tempdir().unwrap();
    let out = command(dir)
        .args([
            "--json",
            "connect",
            "--login-url",
            &sim.url,
            "--client-id",
            "leadline-practice",
            "--callback-port",
            &free_port(),
        ])
        .env("BROWSER", curl_browser(scripts.path()))
        .output()
        .unwrap();
    require_keyring(&out);
    out
}

/// A confirmed booking on the calendar at URL path `path`, guest number `i`: every booking's
/// e-mail is unique, so Leads can be counted per booking. Company is required on the form, so
/// the calendar registered from these payloads maps cleanly.
pub fn payload(path: &str, i: usize) -> Value {
    serde_json::json!({
        "webhook_type": "event_confirmed",
        "calendar_url_path": path,
        "team_url_path": "acme_7618",
        "calendar_url": format!("https://timerex.net/s/acme_7618/{path}?utm_source=ads"),
        "calendar_name": format!("Demo {path}"),
        "event": {
            "id": format!("ev{path}{i:06}"),
            "status": 1,
            "start_datetime": "2026-12-01T08:00:00+00:00",
            "end_datetime": "2026-12-01T09:00:00+00:00",
            "guest_locale": "en",
            "guest_timezone": "Asia/Tokyo",
            "form": [
                { "field_type": "company_name", "required": true, "label": "Company", "value": format!("Acme {i}") },
                { "field_type": "guest_name", "required": true, "label": "Name", "value": format!("Guest{i} Yamada") },
                { "field_type": "guest_email", "required": true, "label": "Email", "value": format!("guest{i}@example.com") }
            ],
            "is_changed": false
        }
    })
}

/// Writes `n` payloads for calendar `path` as JSON lines and returns the file.
pub fn payload_file(dir: &Path, path: &str, n: usize) -> PathBuf {
    let file = dir.join(format!("payloads-{path}.jsonl"));
    let text: String = (0..n).map(|i| format!("{}\n", payload(path, i))).collect();
    std::fs::write(&file, text).unwrap();
    file
}

/// GET on the simulator's inspection endpoints, with curl (these tests have no async runtime).
pub fn sim_get(sim: &Sim, path: &str) -> Value {
    let out = Command::new("curl")
        .args(["-s", "--max-time", "30", &format!("{}{path}", sim.url)])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The e-mail of every Lead in the simulated org.
pub fn lead_emails(sim: &Sim) -> Vec<String> {
    sim_get(sim, "/__sfsim/records/Lead")["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["Email"].as_str().map(String::from))
        .collect()
}
