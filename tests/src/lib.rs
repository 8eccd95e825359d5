//! Harness for Leadline's end-to-end tests. It owns everything between a test and the built
//! desktop app: finding the app binary, running one `tauri-driver` per session on free ports,
//! opening the WebDriver session on a given data directory, bounded waits on the page,
//! screenshots under `target/e2e-screens/`, and stopping the whole process tree with SIGTERM so
//! that no WebDriver server is left holding a port for the next run.
//!
//! Signing in: each test starts its own practice org ([`Practice`], an in-process
//! `leadline-sfsim` with the practice admin, a support person and a stranger) and hands it to
//! [`App::launch`], which gives the app `LEADLINE_PRACTICE_URL` (so the sign-in screen offers the
//! practice org) and `BROWSER`: a script that plays the person at the browser. It fills the
//! org's login form for whoever the test chose ([`App::sign_in_practice_as`]), allows access on
//! the consent page and delivers the redirect to the app's loopback callback, all with `curl`.
//! What the script did goes to `<target>/e2e-logs/<test>-browser.log`, quoted when a sign-in
//! times out. The same script serves Salesforce connects (another authorize on the same org).
//! [`Practice::inspect`] and [`Practice::set_api_usage`] reach the org's `/__sfsim/` test
//! endpoints, so a test can check what the org itself saw (e.g. which tokens were revoked).
//! [`Practice::start_with`] starts the practice org changed first (a validation rule, say), for
//! tests that need Salesforce to refuse something; [`App::choose_file`] hands a file to an
//! `<input type=file>` as a person picking it would.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use fantoccini::ClientBuilder;
use fantoccini::error::CmdError;
use hyper_util::client::legacy::connect::HttpConnector;
use leadline_sfsim::ids::{self, prefix};
use leadline_sfsim::org::{PRACTICE_PASSWORD, PRACTICE_USERNAME, User};
use leadline_sfsim::{Options, Org};
use serde_json::{Value, json};

pub use fantoccini::elements::Element;
pub use fantoccini::{Client, Locator};

/// Runs one test's `body` on a fresh data directory, beside the practice org started for `test`;
/// panics (failing the test) with the harness's message when the body fails.
pub async fn run_with_practice(test: &str, body: impl AsyncFnOnce(&Path, &Practice) -> Result<()>) {
    let outcome = match (tempfile::tempdir(), Practice::start(test)) {
        (Ok(data), Ok(practice)) => body(data.path(), &practice).await,
        (Err(e), _) => Err(Error::from(e)),
        (_, Err(e)) => Err(e),
    };
    if let Err(e) = outcome {
        panic!("{e:?}");
    }
}

/// Upper bound for any single wait on the page. Generous because a cold WebKit process under
/// Xvfb on a 2-core machine can take seconds for its first paint.
pub const WAIT: Duration = Duration::from_secs(15);
const DRIVER_READY: Duration = Duration::from_secs(20);
const SESSION_START: Duration = Duration::from_secs(60);
const PROCESS_EXIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(100);

const XVFB_HINT: &str = "xvfb-run -a -s \"-screen 0 1280x1024x24\" \
                         cargo test -p leadline-e2e -- --test-threads=1";

/// A harness failure, carrying a message meant for the person reading the test output.
#[derive(Clone, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

// `unwrap()` in tests prints the Debug form: keep it identical to Display so multi-line hints
// (how to build the app, where the logs are) stay readable instead of being escaped.
impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl From<CmdError> for Error {
    fn from(e: CmdError) -> Self {
        Self(format!("WebDriver command failed: {e}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Self(format!("I/O error: {e}"))
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Outcome of one probe in [`App::wait_until`]: `NotYet` says what was seen instead, so that a
/// timeout reports the last observed state rather than just "timed out".
#[derive(Debug)]
pub enum Check<T> {
    Done(T),
    NotYet(String),
}

/// The workspace root (this crate lives in `<root>/tests`).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map_or_else(|| manifest.to_path_buf(), Path::to_path_buf)
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                workspace_root().join(dir)
            }
        }
        None => workspace_root().join("target"),
    }
}

/// Where screenshots go: `<target>/e2e-screens`.
pub fn screens_dir() -> PathBuf {
    target_dir().join("e2e-screens")
}

fn logs_dir() -> PathBuf {
    target_dir().join("e2e-logs")
}

/// The app binary to test: `$LEADLINE_APP_BIN`, else `<target>/debug/leadline`. Fails at once,
/// with build instructions, when it does not exist, so a missing build never looks like a hang.
pub fn app_binary() -> Result<PathBuf> {
    let (path, source) = match std::env::var_os("LEADLINE_APP_BIN") {
        Some(p) => (PathBuf::from(p), "from LEADLINE_APP_BIN"),
        None => (
            target_dir().join("debug").join("leadline"),
            "the default; set LEADLINE_APP_BIN to use another binary",
        ),
    };
    if path.is_file() {
        return Ok(path);
    }
    Err(Error(format!(
        "Leadline app binary not found at {} ({source}).\n\
         Build it first, from {}:  make app\n\
         (or by hand: (cd ui && npm ci && npm run build) && cargo build -p leadline; the UI must be \
         built before the app because its files are embedded at compile time).",
        path.display(),
        workspace_root().display(),
    )))
}

fn tauri_driver_program() -> OsString {
    std::env::var_os("TAURI_DRIVER").unwrap_or_else(|| OsString::from("tauri-driver"))
}

fn check_display() -> Result<()> {
    let has = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    if has("DISPLAY") || has("WAYLAND_DISPLAY") {
        Ok(())
    } else {
        Err(Error(format!(
            "no display (DISPLAY and WAYLAND_DISPLAY are unset): the app needs one.\n\
             Run the end-to-end tests under Xvfb:\n    {XVFB_HINT}"
        )))
    }
}

/// Two distinct free ports. Both listeners are held until both are known so the OS cannot hand
/// out the same port twice; the small window before tauri-driver binds them is acceptable
/// because the tests run one at a time.
fn free_ports() -> Result<(u16, u16)> {
    let a = TcpListener::bind("127.0.0.1:0")?;
    let b = TcpListener::bind("127.0.0.1:0")?;
    Ok((a.local_addr()?.port(), b.local_addr()?.port()))
}

fn safe_file_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn log_tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    let start = all.len().saturating_sub(lines);
    all[start..].join("\n")
}

/// Plain-HTTP `GET /status`; `Some(ready)` when the driver answered at all.
/// Whether something accepts TCP connections on 127.0.0.1:`port`.
fn accepts(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&addr, Duration::from_millis(500)).is_ok()
}

fn driver_status(port: u16) -> Option<bool> {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream
        .set_write_timeout(Some(Duration::from_secs(2)))
        .ok()?;
    let request =
        format!("GET /status HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let body = response.split_once("\r\n\r\n")?.1;
    let status: Value = serde_json::from_str(body).ok()?;
    Some(status["value"]["ready"].as_bool().unwrap_or(false))
}

fn send_sigterm(target: &str) {
    // `kill(1)` rather than libc: the workspace forbids unsafe code, and a TERM (never KILL) is
    // what lets tauri-driver shut WebKitWebDriver down instead of orphaning it on its port.
    let _ = Command::new("kill")
        .args(["-TERM", "--", target])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Live (non-zombie) processes in process group `pgid`, with their executable paths.
fn group_members(pgid: u32) -> Vec<(u32, PathBuf)> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let Ok(stat) = fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // The command name in field 2 may contain spaces and parentheses: parse after the last ')'.
        let Some((_, rest)) = stat.rsplit_once(')') else {
            continue;
        };
        let mut fields = rest.split_whitespace();
        let state = fields.next();
        let pgrp = fields.nth(1).and_then(|s| s.parse::<u32>().ok());
        if pgrp == Some(pgid) && state != Some("Z") {
            let exe = fs::read_link(entry.path().join("exe")).unwrap_or_default();
            found.push((pid, exe));
        }
    }
    found
}

fn is_same_binary(exe: &Path, bin: &Path) -> bool {
    // A binary rebuilt while running shows up as "<path> (deleted)".
    let exe = exe.to_string_lossy();
    let bin = bin.to_string_lossy();
    exe == bin || exe.strip_suffix(" (deleted)") == Some(&*bin)
}

/// One `tauri-driver` process (and, below it, WebKitWebDriver and the app) in its own process
/// group, so that stopping it can also reach anything it leaves behind.
#[derive(Debug)]
pub struct Driver {
    child: Child,
    port: u16,
    /// WebKitWebDriver's port behind tauri-driver.
    native_port: u16,
    log: PathBuf,
    stopped: bool,
}

impl Driver {
    /// Starts tauri-driver on free ports with `env` added to its environment (WebKitWebDriver and
    /// the app inherit it), and waits until it reports ready.
    pub fn start(test: &str, env: &[(&str, &OsStr)]) -> Result<Self> {
        let (port, native_port) = free_ports()?;
        fs::create_dir_all(logs_dir())?;
        clean_logs_once(test)?;
        let log = logs_dir().join(format!("{}-driver-{port}.log", safe_file_part(test)));
        let out = File::create(&log)?;
        let err = out.try_clone()?;
        let program = tauri_driver_program();
        let mut command = Command::new(&program);
        command
            .args(["--port", &port.to_string()])
            .args(["--native-port", &native_port.to_string()])
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        for (key, value) in env {
            command.env(key, value);
        }
        let child = command.spawn().map_err(|e| {
            Error(format!(
                "could not start tauri-driver ({}): {e}.\n\
                 Install it with `cargo install tauri-driver --version ^2 --locked`, \
                 or set TAURI_DRIVER to its path.",
                program.to_string_lossy()
            ))
        })?;
        let mut driver = Self {
            child,
            port,
            native_port,
            log,
            stopped: false,
        };
        driver.wait_ready()?;
        Ok(driver)
    }

    fn wait_ready(&mut self) -> Result<()> {
        let deadline = Instant::now() + DRIVER_READY;
        loop {
            if let Some(status) = self.child.try_wait()? {
                self.stopped = true;
                return Err(Error(format!(
                    "tauri-driver exited early ({status}); its log {}:\n{}",
                    self.log.display(),
                    log_tail(&self.log, 40)
                )));
            }
            // tauri-driver answers /status itself, possibly before the WebKitWebDriver it starts
            // listens; a session request forwarded too early is reset. Ready means both.
            if driver_status(self.port) == Some(true) && accepts(self.native_port) {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(Error(format!(
                    "tauri-driver did not report ready on port {} within {}s; its log {}:\n{}",
                    self.port,
                    DRIVER_READY.as_secs(),
                    self.log.display(),
                    log_tail(&self.log, 40)
                )));
            }
            std::thread::sleep(POLL);
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The process group id, which is tauri-driver's pid since it leads its own group.
    pub fn pgid(&self) -> u32 {
        self.child.id()
    }

    pub fn log_path(&self) -> &Path {
        &self.log
    }

    /// SIGTERM to tauri-driver, then to whatever is left in its group (an app orphaned by a
    /// failed session). Waits for both with a deadline; never escalates to SIGKILL.
    pub fn stop(&mut self) -> Result<()> {
        if self.stopped {
            return Ok(());
        }
        self.stopped = true;
        let pgid = self.pgid();
        send_sigterm(&pgid.to_string());
        let deadline = Instant::now() + PROCESS_EXIT;
        let mut exited = false;
        while Instant::now() < deadline {
            if self.child.try_wait()?.is_some() {
                exited = true;
                break;
            }
            std::thread::sleep(POLL);
        }
        if !group_members(pgid).is_empty() {
            send_sigterm(&format!("-{pgid}"));
            while Instant::now() < deadline && !group_members(pgid).is_empty() {
                std::thread::sleep(POLL);
            }
        }
        let left = group_members(pgid);
        if exited && left.is_empty() {
            Ok(())
        } else {
            Err(Error(format!(
                "tauri-driver (pid {pgid}) {} after SIGTERM; processes still in its group: {left:?}",
                if exited { "exited" } else { "did not exit" }
            )))
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Err(e) = self.stop() {
            eprintln!("leadline-e2e: {e}");
        }
    }
}

/// Per-test screenshot counters, so numbering continues across app restarts within a test.
static SHOTS: Mutex<Option<HashMap<String, u32>>> = Mutex::new(None);
/// Tests whose driver logs from earlier runs were already removed in this process.
static LOGS_CLEANED: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Removes `<dir>/<test>-*<suffix>` left by an earlier run, so each directory only ever shows
/// one consistent set of files per test.
fn remove_previous_run(dir: &Path, test: &str, suffix: &str) {
    let prefix = format!("{test}-");
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(&prefix) && name.ends_with(suffix) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn next_shot(test: &str) -> Result<u32> {
    let mut guard = SHOTS
        .lock()
        .map_err(|_| Error::new("screenshot counter lock poisoned"))?;
    let map = guard.get_or_insert_with(HashMap::new);
    if !map.contains_key(test) {
        remove_previous_run(&screens_dir(), test, ".png");
    }
    let n = map.entry(test.to_owned()).or_insert(0);
    *n += 1;
    Ok(*n)
}

fn clean_logs_once(test: &str) -> Result<()> {
    let mut cleaned = LOGS_CLEANED
        .lock()
        .map_err(|_| Error::new("log cleanup lock poisoned"))?;
    if !cleaned.iter().any(|t| t == test) {
        remove_previous_run(&logs_dir(), test, ".log");
        cleaned.push(test.to_owned());
    }
    Ok(())
}

/// The practice org's administrator (`admin@practice.example`, "Pat Practice"): the first to
/// sign in on a fresh data directory becomes the team's owner.
pub const PRACTICE_ADMIN: &str = PRACTICE_USERNAME;
/// The name the practice org gives its administrator.
pub const PRACTICE_ADMIN_NAME: &str = "Pat Practice";
/// A practice-org user that tests add to the team as support.
pub const PRACTICE_SUPPORT: &str = "support@practice.example";
/// A practice-org user that no test adds to the team.
pub const PRACTICE_STRANGER: &str = "stranger@practice.example";
/// How long a sign-in may take from the click to the signed-in header: the browser script's four
/// requests, the token exchange and the keyring write.
pub const SIGN_IN_WAIT: Duration = Duration::from_secs(30);
const PRACTICE_START: Duration = Duration::from_secs(20);

/// The practice org of [`Org::practice`] plus a support person and a stranger, all with the
/// practice password.
fn practice_org() -> Org {
    let mut org = Org::practice();
    let extra = [
        (PRACTICE_SUPPORT, "Sam", "Support"),
        (PRACTICE_STRANGER, "Stevie", "Stranger"),
    ];
    for (username, first, last) in extra {
        let sequence = org.users.len() as u64 + 1;
        org.users.push(User {
            username: username.into(),
            password: PRACTICE_PASSWORD.into(),
            email: username.into(),
            first_name: first.into(),
            last_name: last.into(),
            id: Some(ids::id18(prefix::USER, sequence)),
            active: true,
            api_enabled: true,
            email_verified: true,
        });
    }
    org
}

/// Tells the browser script whom to sign in as: every practice user has the practice password.
fn write_account(path: &Path, username: &str) -> Result<()> {
    fs::write(path, format!("{username}\n{PRACTICE_PASSWORD}\n"))?;
    Ok(())
}

/// Quotes `s` for a POSIX shell.
fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The `BROWSER` command the app runs with the authorize URL. It must return at once (the app
/// treats a command still running after 3 s as a browser left open, but exiting 0 is the clear
/// answer), so the page flow runs in the background and reports to the log.
fn browser_script(base_url: &str, account: &Path, log: &Path) -> String {
    format!(
        r#"#!/bin/sh
# Leadline end-to-end tests' "system browser": signs in on the practice org's pages as the
# account named in {account} (line 1 username, line 2 password), allows access, and hands
# the redirect to the app's loopback callback. Runs in the background; see the log.
url="$1"
base={base}
account={account}
(
  request_field() {{ sed -n 's/.*name="request" value="\([^"]*\)".*/\1/p'; }}
  user=$(sed -n 1p "$account")
  pw=$(sed -n 2p "$account")
  echo "$(date -u +%H:%M:%S) signing in as $user: $url"
  page=$(curl -s --max-time 20 "$url") || {{ echo "GET authorize failed: curl exit $?"; exit 1; }}
  request=$(printf '%s\n' "$page" | request_field)
  [ -n "$request" ] || {{ echo "no login form on the authorize page: $page"; exit 1; }}
  page=$(curl -s --max-time 20 --data-urlencode "request=$request" --data-urlencode "username=$user" \
    --data-urlencode "pw=$pw" "$base/services/oauth2/authorize/login") \
    || {{ echo "POST login failed: curl exit $?"; exit 1; }}
  case "$page" in
    *consent_form*) ;;
    *) why=$(printf '%s\n' "$page" | sed -n 's/.*<p id="error"[^>]*>\([^<]*\)<.*/\1/p')
       echo "login refused: ${{why:-$page}}"; exit 1 ;;
  esac
  request=$(printf '%s\n' "$page" | request_field)
  callback=$(curl -s --max-time 20 -o /dev/null -w '%{{redirect_url}}' \
    --data-urlencode "request=$request" --data-urlencode decision=allow \
    "$base/services/oauth2/authorize/consent") || {{ echo "POST consent failed: curl exit $?"; exit 1; }}
  [ -n "$callback" ] || {{ echo "the consent page did not redirect"; exit 1; }}
  echo "consent given; redirected to ${{callback%%\?*}}"
  status=$(curl -s --max-time 20 -o /dev/null -w '%{{http_code}}' "$callback") \
    || {{ echo "GET callback failed: curl exit $?"; exit 1; }}
  echo "$(date -u +%H:%M:%S) the app's callback answered HTTP $status"
) >>{log} 2>&1 </dev/null &
exit 0
"#,
        base = sh_quote(base_url),
        account = sh_quote(&account.to_string_lossy()),
        log = sh_quote(&log.to_string_lossy()),
    )
}

/// A practice org (in-process `leadline-sfsim` on a free port, on its own thread and runtime so
/// it answers whatever the test's runtime is doing) and the `BROWSER` script that signs in on it.
/// Stopped when dropped.
#[derive(Debug)]
pub struct Practice {
    base_url: String,
    /// Holds the script and the account file.
    dir: tempfile::TempDir,
    browser_log: PathBuf,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Practice {
    /// Starts the org for the test named `test` (which names the browser script's log); the
    /// next sign-in is the administrator's.
    pub fn start(test: &str) -> Result<Self> {
        Self::start_with(test, |_| {})
    }

    /// Starts the org with `change` applied to it first (the simulated org is fixed once it
    /// runs, so anything Salesforce should refuse is set up here).
    pub fn start_with(test: &str, change: impl FnOnce(&mut Org)) -> Result<Self> {
        let test = safe_file_part(test);
        let mut org = practice_org();
        change(&mut org);
        let (ready_tx, ready_rx) =
            std::sync::mpsc::channel::<std::result::Result<String, String>>();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("practice-org".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready_tx.send(Err(format!("no Tokio runtime: {e}")));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let options = Options {
                        org,
                        port: 0,
                        tls: false,
                        state_file: None,
                    };
                    match leadline_sfsim::start(options).await {
                        Ok(running) => {
                            let _ = ready_tx.send(Ok(running.base_url.clone()));
                            let _ = stop_rx.await;
                            if let Err(e) = running.stop().await {
                                eprintln!("leadline-e2e: stopping the practice org: {e}");
                            }
                        }
                        Err(e) => {
                            let _ = ready_tx.send(Err(e.to_string()));
                        }
                    }
                });
            })?;
        let base_url = match ready_rx.recv_timeout(PRACTICE_START) {
            Ok(Ok(url)) => url,
            Ok(Err(e)) => return Err(Error(format!("the practice org did not start: {e}"))),
            Err(e) => {
                return Err(Error(format!(
                    "the practice org did not start within {}s: {e}",
                    PRACTICE_START.as_secs()
                )));
            }
        };
        fs::create_dir_all(logs_dir())?;
        clean_logs_once(&test)?;
        let dir = tempfile::Builder::new()
            .prefix("leadline-e2e-browser")
            .tempdir()?;
        let browser_log = logs_dir().join(format!("{test}-browser.log"));
        let practice = Self {
            base_url,
            dir,
            browser_log,
            stop: Some(stop_tx),
            thread: Some(thread),
        };
        practice.choose(PRACTICE_ADMIN)?;
        let script = practice.script();
        fs::write(
            &script,
            browser_script(
                &practice.base_url,
                &practice.account(),
                &practice.browser_log,
            ),
        )?;
        fs::set_permissions(&script, fs::Permissions::from_mode(0o755))?;
        Ok(practice)
    }

    /// `http://127.0.0.1:PORT`, the org's base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The browser script's log: one block per sign-in it drove.
    pub fn browser_log(&self) -> &Path {
        &self.browser_log
    }

    /// The JSON one of the org's test-inspection endpoints answers, e.g. `/__sfsim/tokens`
    /// (every token issued, with its fate): what the org itself saw, not what the app says.
    pub fn inspect(&self, path: &str) -> Result<Value> {
        self.request("GET", path, None)
    }

    /// Sets the org's daily API requests used so far, which every later response's
    /// `Sforce-Limit-Info` reports, e.g. to bring the org near its limit.
    pub fn set_api_usage(&self, used: u64) -> Result<()> {
        self.request("POST", "/__sfsim/usage", Some(&json!({ "used": used })))
            .map(|_| ())
    }

    /// One request to the org, answered with JSON and 200.
    fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let authority = self.base_url.strip_prefix("http://").ok_or_else(|| {
            Error(format!(
                "the practice org is not plain HTTP: {}",
                self.base_url
            ))
        })?;
        let addr: SocketAddr = authority
            .parse()
            .map_err(|e| Error(format!("practice org address {authority}: {e}")))?;
        let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let content = if body.is_empty() {
            String::new()
        } else {
            format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            )
        };
        // HTTP/1.0 so the answer arrives whole and ends with the connection, never chunked.
        let request =
            format!("{method} {path} HTTP/1.0\r\nHost: {authority}\r\n{content}\r\n{body}");
        stream.write_all(request.as_bytes())?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        let (head, answer) = response
            .split_once("\r\n\r\n")
            .ok_or_else(|| Error(format!("{method} {path}: malformed response {response:?}")))?;
        if !head.starts_with("HTTP/1.0 200") && !head.starts_with("HTTP/1.1 200") {
            return Err(Error(format!("{method} {path}: {head}\n{answer}")));
        }
        serde_json::from_str(answer)
            .map_err(|e| Error(format!("{method} {path}: not JSON ({e}): {answer}")))
    }

    fn script(&self) -> PathBuf {
        self.dir.path().join("browser.sh")
    }

    fn account(&self) -> PathBuf {
        self.dir.path().join("account")
    }

    /// Makes `username` the one the browser script signs in as next.
    pub fn choose(&self, username: &str) -> Result<()> {
        write_account(&self.account(), username)
    }

    /// What the app needs to offer and complete a practice sign-in.
    fn env(&self) -> Vec<(&'static str, OsString)> {
        vec![
            ("LEADLINE_PRACTICE_URL", OsString::from(&self.base_url)),
            ("BROWSER", self.script().into_os_string()),
        ]
    }
}

impl Drop for Practice {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            eprintln!("leadline-e2e: the practice org's thread panicked");
        }
    }
}

/// A running Leadline app under WebDriver control.
#[derive(Debug)]
pub struct App {
    client: Client,
    driver: Driver,
    test: String,
    binary: PathBuf,
    /// The practice org's account file and browser log, for signing in.
    account: PathBuf,
    browser_log: PathBuf,
}

impl App {
    /// Starts the app on `data_dir` for the test named `test` (used in screenshot and log names),
    /// offering `practice` on its sign-in screen. The directory is passed both as `--data-dir`
    /// (tauri-driver forwards `tauri:options.args` to the app) and as `LEADLINE_DATA_DIR`, so the
    /// app can never fall back to a real profile. The practice org's URL and the `BROWSER`
    /// script reach the app through tauri-driver's environment, which the app inherits.
    pub async fn launch(test: &str, data_dir: &Path, practice: &Practice) -> Result<Self> {
        let binary = app_binary()?;
        check_display()?;
        let test = safe_file_part(test);
        let mut env = practice.env();
        env.push(("LEADLINE_DATA_DIR", data_dir.as_os_str().to_owned()));
        let env: Vec<(&str, &OsStr)> = env.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
        // WebKitWebDriver now and then resets the very first request of a new session (seen on
        // a second launch within one test process). That is the driver's start-up, not the app:
        // a fresh driver is started and the session asked for again, at most three times.
        let mut attempt = 1;
        let (client, driver) = loop {
            let mut driver = Driver::start(&test, &env)?;
            match start_session(&binary, data_dir, &driver).await {
                Ok(client) => break (client, driver),
                Err(e) if attempt < SESSION_ATTEMPTS => {
                    eprintln!(
                        "{test}: WebDriver session attempt {attempt} failed, retrying with a fresh driver: {e}"
                    );
                    let _ = driver.stop();
                    attempt += 1;
                }
                Err(e) => return Err(e),
            }
        };
        Ok(Self {
            client,
            driver,
            test,
            binary,
            account: practice.account(),
            browser_log: practice.browser_log.clone(),
        })
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Waits (bounded by [`WAIT`]) for an element matching `css` and returns it.
    pub async fn wait_for(&self, css: &str) -> Result<Element> {
        let found = self
            .client
            .wait()
            .at_most(WAIT)
            .every(POLL)
            .for_element(Locator::Css(css))
            .await;
        match found {
            Ok(element) => Ok(element),
            Err(CmdError::WaitTimeout) => Err(self
                .timeout_error(WAIT, format!("an element matching `{css}` to appear"), "")
                .await),
            Err(e) => Err(e.into()),
        }
    }

    /// Polls `probe` until it returns [`Check::Done`], for at most [`WAIT`].
    pub async fn wait_until<T>(
        &self,
        what: &str,
        probe: impl AsyncFnMut() -> Result<Check<T>>,
    ) -> Result<T> {
        self.wait_until_within(WAIT, what, probe).await
    }

    /// Polls `probe` until it returns [`Check::Done`], for at most `limit`.
    pub async fn wait_until_within<T>(
        &self,
        limit: Duration,
        what: &str,
        mut probe: impl AsyncFnMut() -> Result<Check<T>>,
    ) -> Result<T> {
        let deadline = Instant::now() + limit;
        loop {
            let last = match probe().await? {
                Check::Done(value) => return Ok(value),
                Check::NotYet(seen) => seen,
            };
            if Instant::now() >= deadline {
                return Err(self.timeout_error(limit, what.to_owned(), &last).await);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn timeout_error(&self, limit: Duration, what: String, last: &str) -> Error {
        // Best effort: a picture of the page at the moment of failure is worth more than the
        // error text, but failing to take it must not hide the original failure.
        let shot = match self.screenshot("timeout").await {
            Ok(path) => format!("; screenshot {}", path.display()),
            Err(e) => format!("; no screenshot ({e})"),
        };
        let last = if last.is_empty() {
            String::new()
        } else {
            format!("; last seen: {last}")
        };
        Error(format!(
            "timed out after {}s waiting for {what}{last}{shot}",
            limit.as_secs()
        ))
    }

    /// Asserts the app runs on `data_dir`, the test's own directory, never on a real profile.
    pub async fn assert_data_dir(&self, data_dir: &Path) -> Result<()> {
        let info = self.invoke("app_info", json!({})).await?;
        let reported = info["data_dir"]
            .as_str()
            .ok_or_else(|| Error(format!("app_info has no data_dir: {info}")))?;
        let reported = Path::new(reported)
            .canonicalize()
            .map_err(|e| Error(format!("app_info data_dir {reported}: {e}")))?;
        assert_eq!(
            reported,
            data_dir.canonicalize()?,
            "the app should use the data directory passed with --data-dir"
        );
        Ok(())
    }

    /// Opens the calendar called `name` from the calendars page and waits for its page.
    pub async fn open_calendar(&self, name: &str) -> Result<()> {
        let items = self.texts("[data-testid=calendar-item]").await?;
        let index = items
            .iter()
            .position(|t| t.contains(name))
            .ok_or_else(|| Error(format!("no calendar item contains {name:?}: {items:?}")))?;
        let elements = self
            .client
            .find_all(Locator::Css("[data-testid=calendar-item]"))
            .await?;
        let item = elements
            .get(index)
            .ok_or_else(|| Error("the calendar list changed while opening an item".into()))?;
        item.click().await?;
        self.wait_texts(
            "[data-testid=calendar-title]",
            "the calendar page title",
            |titles| titles.first().is_some_and(|t| t == name),
        )
        .await?;
        Ok(())
    }

    /// Waits until the texts of the elements matching `css` satisfy `ready`, and returns them;
    /// `what` names the awaited state in the timeout error.
    pub async fn wait_texts(
        &self,
        css: &str,
        what: &str,
        ready: impl Fn(&[String]) -> bool,
    ) -> Result<Vec<String>> {
        self.wait_until(what, async || {
            let texts = self.texts(css).await?;
            Ok(if ready(&texts) {
                Check::Done(texts)
            } else {
                Check::NotYet(format!("`{css}` texts {texts:?}"))
            })
        })
        .await
    }

    /// The visible text of every element matching `css`, in document order. Read in one script
    /// call so a re-render between "find" and "read" cannot produce stale-element errors.
    pub async fn texts(&self, css: &str) -> Result<Vec<String>> {
        let value = self
            .client
            .execute(
                "return Array.from(document.querySelectorAll(arguments[0]))\
                 .map(e => (e.innerText || e.textContent || '').trim());",
                vec![json!(css)],
            )
            .await?;
        serde_json::from_value(value)
            .map_err(|e| Error(format!("unexpected texts for `{css}`: {e}")))
    }

    /// Replaces the content of the input matching `css` with `text`.
    pub async fn fill(&self, css: &str, text: &str) -> Result<()> {
        let input = self.wait_for(css).await?;
        input.clear().await?;
        if !text.is_empty() {
            input.send_keys(text).await?;
        }
        Ok(())
    }

    /// Chooses `path` in the `<input type=file>` matching `css`, as the file picker would: the
    /// page's change handler then reads the file. The input may be visually hidden behind its
    /// label (WebDriver does not require a file input to be interactable).
    pub async fn choose_file(&self, css: &str, path: &Path) -> Result<()> {
        let input = self.wait_for(css).await?;
        let path = path
            .to_str()
            .ok_or_else(|| Error(format!("not a UTF-8 path: {}", path.display())))?;
        input.send_keys(path).await?;
        Ok(())
    }

    pub async fn click(&self, css: &str) -> Result<()> {
        self.wait_for(css).await?.click().await?;
        Ok(())
    }

    /// Whether an element matching `css` is in the page now (no waiting).
    pub async fn has(&self, css: &str) -> Result<bool> {
        Ok(!self.client.find_all(Locator::Css(css)).await?.is_empty())
    }

    /// Clicks the practice org on the sign-in screen with the browser script set to sign in as
    /// `username`, without waiting for the outcome (see [`App::sign_in_practice_as`]).
    pub async fn start_practice_sign_in_as(&self, username: &str) -> Result<()> {
        write_account(&self.account, username)?;
        self.click("[data-testid=signin-practice]").await
    }

    /// Signs in on the practice org as its administrator; see [`App::sign_in_practice_as`].
    pub async fn sign_in_practice(&self) -> Result<Value> {
        self.sign_in_practice_as(PRACTICE_ADMIN).await
    }

    /// Signs in on the practice org as `username` (a member of the team) and waits, up to
    /// [`SIGN_IN_WAIT`], until the sign-in screen gave way to the app with the header naming the
    /// signed-in member. Returns that member as `app_info` reports it, after checking it is
    /// `username`. Fails at once when the app says `username` is not on the team; a timeout
    /// quotes the browser script's log.
    pub async fn sign_in_practice_as(&self, username: &str) -> Result<Value> {
        self.start_practice_sign_in_as(username).await?;
        let signed_in = self
            .wait_until_within(
                SIGN_IN_WAIT,
                &format!("{username} to be signed in (the header's actor)"),
                async || {
                    let actor = self.texts("[data-testid=actor]").await?;
                    let screen = self.has("[data-testid=signin-practice]").await?
                        || self.has("[data-testid=signin-cancel]").await?;
                    if !screen && actor.first().is_some_and(|a| !a.is_empty()) {
                        return Ok(Check::Done(()));
                    }
                    let not_member = self.texts("[data-testid=not-a-member]").await?;
                    if let Some(message) = not_member.first() {
                        return Err(Error(format!(
                            "{username} is not on the team; the app says: {message}"
                        )));
                    }
                    let errors = self.texts("[data-testid=error]").await?;
                    Ok(Check::NotYet(format!(
                        "actor {actor:?}, sign-in screen showing: {screen}, errors {errors:?}"
                    )))
                },
            )
            .await;
        if let Err(e) = signed_in {
            return Err(Error(format!(
                "{e}\nthe browser script's log {}:\n{}",
                self.browser_log.display(),
                log_tail(&self.browser_log, 20)
            )));
        }
        let info = self.invoke("app_info", json!({})).await?;
        let actor = info["actor"].clone();
        if actor["email"] != json!(username) {
            return Err(Error(format!(
                "signed in as {username}, but app_info reports the actor {actor}"
            )));
        }
        Ok(actor)
    }

    /// Clicks Sign out in the header and waits for the sign-in screen.
    pub async fn sign_out(&self) -> Result<()> {
        self.click("[data-testid=sign-out]").await?;
        self.wait_until("the sign-in screen after signing out", async || {
            let screen = self.has("[data-testid=signin-practice]").await?;
            let actor = self.texts("[data-testid=actor]").await?;
            Ok(if screen && actor.is_empty() {
                Check::Done(())
            } else {
                Check::NotYet(format!("sign-in screen showing: {screen}, actor {actor:?}"))
            })
        })
        .await
    }

    /// Launches the app for `test` (see [`App::launch`]), checks it runs on `data_dir`, and signs
    /// in as the practice org's administrator: the first steps of most tests.
    pub async fn launch_signed_in(
        test: &str,
        data_dir: &Path,
        practice: &Practice,
    ) -> Result<Self> {
        let app = Self::launch(test, data_dir, practice).await?;
        app.assert_data_dir(data_dir).await?;
        app.sign_in_practice().await?;
        Ok(app)
    }

    /// Connects the practice org from Team settings → Integrations, whose form the practice org
    /// preselects; the browser script walks its login and consent pages.
    pub async fn connect_salesforce(&self) -> Result<()> {
        self.click("[data-testid=nav-integrations]").await?;
        self.wait_for("[data-testid=sf-connect-form]").await?;
        self.click_connect().await
    }

    /// Clicks Connect on the Integrations page's form and waits, up to [`SIGN_IN_WAIT`], for the
    /// connected card. A timeout quotes the browser script's log.
    pub async fn click_connect(&self) -> Result<()> {
        self.click("[data-testid=sf-connect]").await?;
        let connected = self
            .wait_until_within(SIGN_IN_WAIT, "the connected card", async || {
                if self.has("[data-testid=sf-card]").await? {
                    return Ok(Check::Done(()));
                }
                let errors = self.texts("[data-testid=error]").await?;
                let waiting = self.has("[data-testid=sf-waiting]").await?;
                Ok(Check::NotYet(format!(
                    "waiting: {waiting}, errors {errors:?}"
                )))
            })
            .await;
        connected.map_err(|e| {
            Error(format!(
                "{e}\nthe browser script's log {}:\n{}",
                self.browser_log.display(),
                fs::read_to_string(&self.browser_log).unwrap_or_default()
            ))
        })
    }

    /// Creates a calendar named `name` from the Calendars page's form and waits until the list
    /// shows it.
    pub async fn create_calendar(&self, name: &str) -> Result<()> {
        self.fill("[data-testid=new-calendar-name]", name).await?;
        self.click("[data-testid=create-calendar]").await?;
        self.wait_calendar_listed(name).await
    }

    /// Waits until the Calendars page lists a calendar whose item contains `name`.
    pub async fn wait_calendar_listed(&self, name: &str) -> Result<()> {
        self.wait_texts(
            "[data-testid=calendar-item]",
            &format!("the calendar {name:?} to be listed"),
            |items| items.iter().any(|t| t.contains(name)),
        )
        .await?;
        Ok(())
    }

    /// Fills the open calendar's add-question form with `label` and `kind` (a kind's value, e.g.
    /// `short_text`), without adding it yet; returns the form's Required checkbox.
    pub async fn fill_new_question(&self, label: &str, kind: &str) -> Result<Element> {
        self.fill("[data-testid=new-question-label]", label).await?;
        self.wait_for("[data-testid=new-question-kind]")
            .await?
            .select_by_value(kind)
            .await?;
        self.wait_for("[data-testid=new-question-required]").await
    }

    /// Waits until the header's actor satisfies `ready`, and returns it.
    pub async fn wait_actor(&self, what: &str, ready: impl Fn(&str) -> bool) -> Result<String> {
        let texts = self
            .wait_texts("[data-testid=actor]", what, |a| {
                a.first().is_some_and(|t| ready(t))
            })
            .await?;
        Ok(texts[0].clone())
    }

    /// Calls a Tauri command from the page, as the UI would.
    pub async fn invoke(&self, command: &str, args: Value) -> Result<Value> {
        match self.invoke_outcome(command, args).await? {
            Ok(value) => Ok(value),
            Err(rejection) => Err(Error(format!("command {command} failed: {rejection}"))),
        }
    }

    /// Calls a Tauri command that must be refused and returns its rejection (the app's
    /// `ErrorPayload`, `{ code, message }`); a command that succeeds is an error.
    pub async fn invoke_rejected(&self, command: &str, args: Value) -> Result<Value> {
        match self.invoke_outcome(command, args).await? {
            Ok(value) => Err(Error(format!(
                "command {command} should have been refused but answered {value}"
            ))),
            Err(rejection) => Ok(rejection),
        }
    }

    /// A command's answer (`Ok`) or rejection (`Err`), as the page's `invoke` settled.
    async fn invoke_outcome(
        &self,
        command: &str,
        args: Value,
    ) -> Result<std::result::Result<Value, Value>> {
        let outcome = self
            .client
            .execute_async(
                "const [cmd, args, done] = arguments;\
                 window.__TAURI_INTERNALS__.invoke(cmd, args)\
                 .then(v => done({ ok: v === undefined ? null : v }), e => done({ err: e }));",
                vec![json!(command), args],
            )
            .await?;
        match (outcome.get("ok"), outcome.get("err")) {
            (Some(value), _) => Ok(Ok(value.clone())),
            (None, Some(rejection)) => Ok(Err(rejection.clone())),
            (None, None) => Err(Error(format!(
                "command {command} settled with neither answer nor rejection: {outcome}"
            ))),
        }
    }

    /// Saves a PNG of the window as `<target>/e2e-screens/<test>-<NN>-<name>.png`.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        self.settle().await?;
        let png = self.client.screenshot().await?;
        let dir = screens_dir();
        fs::create_dir_all(&dir)?;
        let n = next_shot(&self.test)?;
        let path = dir.join(format!("{}-{n:02}-{}.png", self.test, safe_file_part(name)));
        fs::write(&path, png)?;
        println!("screenshot: {}", path.display());
        Ok(path)
    }

    /// Lets the page paint what the DOM already holds: waits for fonts and two animation frames
    /// (the first runs before the next paint, the second after it). The in-page timer only
    /// bounds the wait for a window that is not painting at all.
    async fn settle(&self) -> Result<()> {
        self.client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 let finished = false;\
                 const finish = () => { if (!finished) { finished = true; done(true); } };\
                 setTimeout(finish, 1000);\
                 (document.fonts ? document.fonts.ready : Promise.resolve())\
                 .then(() => requestAnimationFrame(() => requestAnimationFrame(finish)));",
                vec![],
            )
            .await?;
        Ok(())
    }

    /// Ends the WebDriver session, checks that the app process went away, and stops
    /// tauri-driver. A test that restarts the app calls this before launching again.
    pub async fn close(self) -> Result<()> {
        let Self {
            client,
            mut driver,
            binary,
            ..
        } = self;
        let closed = match tokio::time::timeout(WAIT, client.close()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(Error(format!("closing the WebDriver session failed: {e}"))),
            Err(_) => Err(Error(format!(
                "closing the WebDriver session took more than {}s",
                WAIT.as_secs()
            ))),
        };
        let pgid = driver.pgid();
        let app_running = || {
            group_members(pgid)
                .into_iter()
                .any(|(_, exe)| is_same_binary(&exe, &binary))
        };
        let deadline = Instant::now() + PROCESS_EXIT;
        while app_running() && Instant::now() < deadline {
            tokio::time::sleep(POLL).await;
        }
        let exited = if app_running() {
            Err(Error(format!(
                "the app ({}) was still running {}s after its WebDriver session closed",
                binary.display(),
                PROCESS_EXIT.as_secs()
            )))
        } else {
            Ok(())
        };
        let stopped = driver.stop();
        closed.and(exited).and(stopped)
    }
}

/// How many fresh drivers a launch tries before giving up.
const SESSION_ATTEMPTS: u32 = 3;

/// Asks the driver for a session running the app on `data_dir`.
async fn start_session(binary: &Path, data_dir: &Path, driver: &Driver) -> Result<Client> {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "tauri:options".into(),
        json!({
            "application": binary,
            "args": ["--data-dir", data_dir],
        }),
    );
    let mut builder = ClientBuilder::new(HttpConnector::new());
    builder.capabilities(caps);
    match tokio::time::timeout(SESSION_START, builder.connect(&driver.url())).await {
        Ok(Ok(client)) => Ok(client),
        Ok(Err(e)) => Err(session_error(&e.to_string(), driver)),
        Err(_) => Err(session_error(
            &format!("no answer within {}s", SESSION_START.as_secs()),
            driver,
        )),
    }
}

fn session_error(why: &str, driver: &Driver) -> Error {
    Error(format!(
        "could not start a WebDriver session with the app: {why}\ntauri-driver log {}:\n{}",
        driver.log_path().display(),
        log_tail(driver.log_path(), 40)
    ))
}
