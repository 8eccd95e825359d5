//! The one-shot loopback listener that receives the provider's redirect at the end of a browser
//! sign-in: `http://localhost:PORT/oauth/callback`, served on 127.0.0.1 only.
//!
//! # Ports
//!
//! Salesforce matches callback URLs exactly, so production uses a fixed port that the connected
//! app registers: [`DEFAULT_PORT`] (17635). When it is busy the listener takes
//! [`FALLBACK_PORT`] (17636) instead, so a connected app should register both
//! `http://localhost:17635/oauth/callback` and `http://localhost:17636/oauth/callback`. Both are
//! configurable through [`CallbackPorts`]; port 0 (any free port) is for tests and for providers
//! that accept any loopback port (Google, Microsoft, the practice org).
//!
//! # What it accepts
//!
//! Exactly one callback, and only with the `state` it was made for. A callback with a missing or
//! different `state` — a stale tab, or a forged link trying to sign the user in as someone else —
//! ends the attempt with [`LoopbackError::WrongState`]: no code is exchanged, and the user starts
//! again. The matching callback ends the wait too: its `code` (or its `error`) is handed over, the
//! browser gets a page saying the tab can be closed (or what went wrong). Either way the listener
//! then closes, so a replay finds nothing listening. The wait also ends after a timeout
//! ([`DEFAULT_TIMEOUT`], 5 minutes, in production) or when its [`CancellationToken`] is
//! cancelled.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tokio::sync::oneshot;
pub use tokio_util::sync::CancellationToken;
use url::Url;

use crate::secret::Secret;

/// The callback path the providers redirect to.
pub const CALLBACK_PATH: &str = "/oauth/callback";
/// The production callback port.
pub const DEFAULT_PORT: u16 = 17635;
/// The port taken when [`DEFAULT_PORT`] is busy.
pub const FALLBACK_PORT: u16 = 17636;
/// How long a sign-in waits for the browser in production.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The page for a callback that does not carry the awaited `state`.
pub const WRONG_STATE_MESSAGE: &str = "This sign-in link is not the one Leadline is waiting for";
/// The page after a successful callback.
pub const DONE_MESSAGE: &str = "You can close this tab and return to Leadline";

/// Which loopback ports to try, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallbackPorts {
    pub primary: u16,
    /// Tried when `primary` is in use.
    pub fallback: Option<u16>,
}

impl CallbackPorts {
    /// [`DEFAULT_PORT`], falling back to [`FALLBACK_PORT`].
    pub const PRODUCTION: CallbackPorts = CallbackPorts {
        primary: DEFAULT_PORT,
        fallback: Some(FALLBACK_PORT),
    };

    /// This port only.
    pub fn fixed(port: u16) -> Self {
        CallbackPorts {
            primary: port,
            fallback: None,
        }
    }

    /// Any free port: for tests and providers that accept any loopback port.
    pub fn any() -> Self {
        Self::fixed(0)
    }
}

impl Default for CallbackPorts {
    fn default() -> Self {
        Self::PRODUCTION
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoopbackError {
    #[error(
        "the sign-in callback port {primary} is in use{}; close the program using it or choose another callback port",
        .fallback.map(|p| format!(" and so is the fallback port {p}")).unwrap_or_default()
    )]
    PortsBusy { primary: u16, fallback: Option<u16> },
    #[error("cannot listen for the sign-in callback on 127.0.0.1:{port}: {source}")]
    Bind {
        port: u16,
        #[source]
        source: std::io::Error,
    },
    #[error("the sign-in was denied: consent was not given in the browser")]
    Denied,
    #[error("the sign-in provider refused: {error}{}", .description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Provider {
        error: String,
        description: Option<String>,
    },
    #[error(
        "the sign-in was stopped: the browser came back {}, as a stale or forged sign-in link would; start the sign-in again",
        if *.present { "with a state Leadline did not issue" } else { "without the state Leadline issued" }
    )]
    WrongState { present: bool },
    #[error("the sign-in callback carried neither a code nor an error")]
    MissingCode,
    #[error("no sign-in came back from the browser within {} seconds", .after.as_secs())]
    Timeout { after: Duration },
    #[error("the sign-in was cancelled")]
    Cancelled,
    #[error("the sign-in callback listener stopped unexpectedly")]
    Closed,
}

type Outcome = Result<Secret, LoopbackError>;

struct Shared {
    expected_state: String,
    sender: Mutex<Option<oneshot::Sender<Outcome>>>,
    done: CancellationToken,
}

/// A callback listener waiting for one sign-in. Dropping it closes the port.
#[derive(Debug)]
pub struct CallbackListener {
    addr: SocketAddr,
    redirect_uri: Url,
    outcome: oneshot::Receiver<Outcome>,
    shutdown: CancellationToken,
    server: tokio::task::JoinHandle<()>,
}

impl CallbackListener {
    /// Binds 127.0.0.1 on `ports.primary`, or on `ports.fallback` when the first is in use, and
    /// starts serving the callback path for the given `state`.
    pub async fn bind(ports: CallbackPorts, expected_state: &str) -> Result<Self, LoopbackError> {
        let listener = match bind_port(ports.primary).await {
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => match ports.fallback {
                Some(fallback) => bind_port(fallback).await.map_err(|e| {
                    if e.kind() == std::io::ErrorKind::AddrInUse {
                        LoopbackError::PortsBusy {
                            primary: ports.primary,
                            fallback: ports.fallback,
                        }
                    } else {
                        LoopbackError::Bind {
                            port: fallback,
                            source: e,
                        }
                    }
                })?,
                None => {
                    return Err(LoopbackError::PortsBusy {
                        primary: ports.primary,
                        fallback: None,
                    });
                }
            },
            Err(e) => {
                return Err(LoopbackError::Bind {
                    port: ports.primary,
                    source: e,
                });
            }
            Ok(l) => l,
        };
        let addr = listener.local_addr().map_err(|e| LoopbackError::Bind {
            port: ports.primary,
            source: e,
        })?;
        let redirect_uri = Url::parse(&format!("http://localhost:{}{CALLBACK_PATH}", addr.port()))
            .map_err(|e| LoopbackError::Bind {
                port: addr.port(),
                source: std::io::Error::other(e),
            })?;
        let (tx, rx) = oneshot::channel();
        let shutdown = CancellationToken::new();
        let shared = Arc::new(Shared {
            expected_state: expected_state.to_string(),
            sender: Mutex::new(Some(tx)),
            done: shutdown.clone(),
        });
        let app = Router::new()
            .route(CALLBACK_PATH, get(callback))
            .fallback(not_found)
            .with_state(shared);
        let stop = shutdown.clone();
        let server = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await;
            if let Err(e) = served {
                tracing::warn!("sign-in callback listener failed: {e}");
            }
        });
        tracing::debug!(%addr, "listening for the sign-in callback");
        Ok(CallbackListener {
            addr,
            redirect_uri,
            outcome: rx,
            shutdown,
            server,
        })
    }

    /// The bound address (always 127.0.0.1).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://localhost:PORT/oauth/callback`, the `redirect_uri` to send.
    pub fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    /// Waits for the matching callback and returns its authorization code; the listener is
    /// closed when this returns, whatever the outcome.
    pub async fn wait(
        mut self,
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Result<Secret, LoopbackError> {
        let outcome = tokio::select! {
            received = &mut self.outcome => received.unwrap_or(Err(LoopbackError::Closed)),
            () = tokio::time::sleep(timeout) => Err(LoopbackError::Timeout { after: timeout }),
            () = cancel.cancelled() => Err(LoopbackError::Cancelled),
        };
        self.close().await;
        outcome
    }

    /// Stops listening and waits (briefly) until the port is closed.
    pub async fn close(mut self) {
        self.shutdown.cancel();
        let server = &mut self.server;
        if tokio::time::timeout(Duration::from_secs(5), server)
            .await
            .is_err()
        {
            self.server.abort();
        }
    }
}

impl Drop for CallbackListener {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn bind_port(port: u16) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await
}

async fn not_found() -> Response {
    page(StatusCode::NOT_FOUND, "Not found", "There is nothing here.")
}

async fn callback(State(shared): State<Arc<Shared>>, RawQuery(query): RawQuery) -> Response {
    let mut state = None;
    let mut code = None;
    let mut error = None;
    let mut description = None;
    for (k, v) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        let slot = match k.as_ref() {
            "state" => &mut state,
            "code" => &mut code,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => continue,
        };
        *slot = Some(v.into_owned());
    }
    let matches = state
        .as_deref()
        .is_some_and(|s| constant_time_eq(s.as_bytes(), shared.expected_state.as_bytes()));
    let Some(sender) = shared.sender.lock().ok().and_then(|mut s| s.take()) else {
        return page(
            StatusCode::BAD_REQUEST,
            "Sign-in link already used",
            "This sign-in link has already been used. Start the sign-in again from Leadline.",
        );
    };
    if !matches {
        tracing::warn!(
            state_present = state.is_some(),
            "stopped a sign-in: the callback's state is not the awaited one"
        );
        let _ = sender.send(Err(LoopbackError::WrongState {
            present: state.is_some(),
        }));
        shared.done.cancel();
        return page(
            StatusCode::BAD_REQUEST,
            "Sign-in link not recognised",
            &format!(
                "{WRONG_STATE_MESSAGE}, so the sign-in was stopped. Start it again from Leadline."
            ),
        );
    }
    let (outcome, response) = match (error, code) {
        (Some(error), _) => {
            let err = if error == "access_denied" || error == "access-denied" {
                LoopbackError::Denied
            } else {
                LoopbackError::Provider {
                    error,
                    description: description.filter(|d| !d.is_empty()),
                }
            };
            let text = format!("{err}. You can close this tab and return to Leadline.");
            (
                Err(err),
                page(StatusCode::BAD_REQUEST, "Sign-in did not complete", &text),
            )
        }
        (None, Some(code)) if !code.is_empty() => (
            Ok(Secret::new(code)),
            page(StatusCode::OK, "Signed in", DONE_MESSAGE),
        ),
        (None, _) => {
            let err = LoopbackError::MissingCode;
            let text = format!("{err}. You can close this tab and return to Leadline.");
            (
                Err(err),
                page(StatusCode::BAD_REQUEST, "Sign-in did not complete", &text),
            )
        }
    };
    let _ = sender.send(outcome);
    shared.done.cancel();
    response
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Leadline — {}</title></head>\
         <body style=\"font-family: system-ui, sans-serif; margin: 3em;\"><h1>{}</h1><p id=\"message\">{}</p></body></html>",
        escape(title),
        escape(title),
        escape(message)
    );
    let mut response = (status, Html(body)).into_response();
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    response
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn escapes_html() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn compares_states() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}
