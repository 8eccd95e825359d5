//! Opening a URL in the user's browser: the [`Browser`] trait the sign-in flows call, and
//! [`SystemBrowser`], the real one.
//!
//! [`SystemBrowser`] honours the `BROWSER` environment variable first, the way Python's
//! `webbrowser` and `xdg-open` read it: a list of commands separated by `:` (`;` on Windows),
//! tried in order. Each command is split like a shell would (quotes allowed, no expansion); a `%s`
//! in it is replaced by the URL, otherwise the URL is appended as the last argument. A command
//! counts as having opened the URL when it exits with status 0, or is still running after
//! [`LAUNCH_GRACE`] (a browser that stays in the foreground); a command that cannot start or
//! exits with another status hands over to the next one. Without `BROWSER` (or with an empty
//! one) the platform's opener is used through the `open` crate.
//!
//! Tests use their own [`Browser`] that drives the provider's pages over HTTP.

use std::fmt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use url::Url;

/// How long a `BROWSER` command may run before it is taken to have opened the URL.
pub const LAUNCH_GRACE: Duration = Duration::from_secs(3);

/// Something that shows a URL to the user. Called from a blocking thread, so an implementation
/// may wait for a process; it must not wait for the user.
pub trait Browser: Send + Sync + fmt::Debug {
    fn open(&self, url: &Url) -> Result<(), BrowserError>;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrowserError {
    /// Every command in `BROWSER` failed; each entry says which command and how.
    #[error(
        "no command in the BROWSER environment variable opened the sign-in page ({}); fix or unset BROWSER",
        .0.join("; ")
    )]
    BrowserVar(Vec<String>),
    #[error("the system browser could not be opened: {0}")]
    System(String),
}

/// The user's browser: `BROWSER` first, else the platform's opener.
#[derive(Debug, Clone, Default)]
pub struct SystemBrowser {
    browser_var: Option<String>,
}

impl SystemBrowser {
    /// Reads `BROWSER` now.
    pub fn from_env() -> Self {
        SystemBrowser {
            browser_var: std::env::var("BROWSER").ok(),
        }
    }

    /// As if `BROWSER` had this value (`None`: unset).
    pub fn with_browser_var(value: Option<&str>) -> Self {
        SystemBrowser {
            browser_var: value.map(str::to_string),
        }
    }
}

impl Browser for SystemBrowser {
    fn open(&self, url: &Url) -> Result<(), BrowserError> {
        match self.browser_var.as_deref().filter(|v| !v.trim().is_empty()) {
            Some(list) => open_with_browser_var(list, url.as_str()),
            // The error names the launchers tried, not the URL.
            None => open::that(url.as_str()).map_err(|e| {
                BrowserError::System(e.to_string().replace(url.as_str(), "<the sign-in page>"))
            }),
        }
    }
}

const LIST_SEPARATOR: char = if cfg!(windows) { ';' } else { ':' };

fn open_with_browser_var(list: &str, url: &str) -> Result<(), BrowserError> {
    let mut failures = Vec::new();
    for entry in list
        .split(LIST_SEPARATOR)
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        let Some(words) = shlex::split(entry).filter(|w| !w.is_empty()) else {
            failures.push(format!("{entry:?} cannot be split into a command"));
            continue;
        };
        match launch(&words, url) {
            Ok(()) => return Ok(()),
            Err(why) => failures.push(format!("{:?} {why}", words[0])),
        }
    }
    if failures.is_empty() {
        failures.push("it lists no command".into());
    }
    Err(BrowserError::BrowserVar(failures))
}

/// Runs one command; `Err` says why it did not count as opening the URL.
fn launch(words: &[String], url: &str) -> Result<(), String> {
    let mut args: Vec<String> = words[1..].to_vec();
    if words.iter().any(|w| w.contains("%s")) {
        for a in &mut args {
            *a = a.replace("%s", url);
        }
    } else {
        args.push(url.to_string());
    }
    let program = words[0].replace("%s", url);
    let mut child = Command::new(&program)
        .args(&args)
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start: {e}"))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("exited with {status}")),
            Ok(None) if started.elapsed() >= LAUNCH_GRACE => {
                // Still running: a browser in the foreground. Reap it whenever it ends.
                std::thread::spawn(move || {
                    let _ = child.wait();
                });
                return Ok(());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(25)),
            Err(e) => return Err(format!("could not be waited for: {e}")),
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::os::unix::fs::PermissionsExt;
    use std::path::{Path, PathBuf};

    use super::*;

    /// A script that writes its arguments to `out`, one per line, and exits with `status`.
    fn script(dir: &Path, name: &str, out: &Path, status: i32) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\" >> '{}'; done\nexit {status}\n",
                out.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    fn url() -> Url {
        Url::parse("http://127.0.0.1:9/services/oauth2/authorize?state=abc&x=1").unwrap()
    }

    #[test]
    fn browser_var_command_receives_the_url() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.txt");
        let cmd = script(dir.path(), "fake-browser", &out, 0);
        SystemBrowser::with_browser_var(Some(cmd.to_str().unwrap()))
            .open(&url())
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            format!("{}\n", url())
        );
    }

    #[test]
    fn browser_var_list_falls_through_to_a_working_command() {
        let dir = tempfile::tempdir().unwrap();
        let failing_out = dir.path().join("failing.txt");
        let out = dir.path().join("out.txt");
        let failing = script(dir.path(), "failing", &failing_out, 3);
        let good = script(dir.path(), "good browser", &out, 0);
        let var = format!(
            "/nonexistent/browser:{}:'{}' --new-tab %s",
            failing.display(),
            good.display()
        );
        SystemBrowser::with_browser_var(Some(&var))
            .open(&url())
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            format!("--new-tab\n{}\n", url())
        );
        // The failing one ran too (and got the URL) before the next was tried.
        assert!(failing_out.exists());
    }

    #[test]
    fn browser_var_with_no_working_command_is_an_error_naming_them() {
        let err = SystemBrowser::with_browser_var(Some("/nonexistent/a:/nonexistent/b"))
            .open(&url())
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("/nonexistent/a") && msg.contains("/nonexistent/b"),
            "{msg}"
        );
        assert!(
            !msg.contains("state=abc"),
            "the URL stays out of errors: {msg}"
        );
    }
}
