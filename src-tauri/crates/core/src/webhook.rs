//! The webhook receiver: `POST /webhooks/timerex` over HTTP, bound to 127.0.0.1 unless the team
//! chooses another address. The shared token is compared in constant time (from
//! `x-timerex-authorization` or `Authorization: Bearer`), bodies over 1 MiB are refused, and a 2xx
//! answer is sent only after the booking and its job are committed — so a sender that got 2xx can
//! forget the booking, and one that did not will send it again (which creates nothing twice).
//! A malformed payload gets 400 naming the offending field, and nothing is stored.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::Notify;

use crate::Leadline;
use crate::error::{Error, Result};
use crate::intake::{Intake, IntakeSource};
use crate::secrets::SecretStore;

/// Where TimeRex posts.
pub const PATH: &str = "/webhooks/timerex";
/// The largest body accepted; a booking payload is a few kilobytes.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// The keyring entry holding the shared token.
pub const TOKEN_SECRET: &str = "webhook.token";
/// Read the token from here instead of the keyring (headless servers that inject secrets).
pub const TOKEN_ENV: &str = "LEADLINE_WEBHOOK_TOKEN";

/// The token the receiver checks: from the environment when set, else the keyring.
pub fn token(secrets: &dyn SecretStore) -> Result<String> {
    if let Ok(t) = std::env::var(TOKEN_ENV)
        && !t.trim().is_empty()
    {
        return Ok(t.trim().to_string());
    }
    secrets.get(TOKEN_SECRET)?.ok_or_else(|| {
        Error::InvalidInput(format!(
            "webhook token: none is set; paste the token TimeRex generated for the webhook (leadline-cli webhook-token, or Settings in the app), or set {TOKEN_ENV}"
        ))
    })
}

/// Keeps the token TimeRex generated for the webhook (owner and admin).
pub fn set_token(
    core: &Leadline,
    actor: &crate::Actor,
    secrets: &dyn SecretStore,
    token: &str,
) -> Result<()> {
    actor.may(crate::actor::Action::RunSync)?;
    let token = token.trim();
    if token.len() < 16 || token.chars().any(char::is_whitespace) {
        return Err(Error::InvalidInput(
            "webhook token: paste the whole token (at least 16 characters, no spaces)".into(),
        ));
    }
    secrets.set(TOKEN_SECRET, token)?;
    core.note_webhook_token(actor)
}

#[derive(Clone)]
struct Shared {
    core: Arc<Leadline>,
    /// SHA-256 of the token: comparing digests keeps the comparison constant-time whatever the
    /// lengths.
    token_digest: [u8; 32],
    notify: Arc<Notify>,
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

fn presented(headers: &HeaderMap) -> Option<String> {
    if let Some(v) = headers
        .get("x-timerex-authorization")
        .and_then(|v| v.to_str().ok())
    {
        return Some(v.trim().to_string());
    }
    let auth = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = auth.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

fn answer(status: StatusCode, body: serde_json::Value) -> Response {
    (status, axum::Json(body)).into_response()
}

async fn receive(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let ok = presented(&headers).is_some_and(|t| bool::from(digest(&t).ct_eq(&s.token_digest)));
    if !ok {
        tracing::warn!("refused a webhook with a missing or wrong token");
        return answer(
            StatusCode::UNAUTHORIZED,
            json!({ "error": "unauthorized", "message": "missing or wrong token (x-timerex-authorization or Authorization: Bearer)" }),
        );
    }
    let core = s.core.clone();
    let accepted =
        tokio::task::spawn_blocking(move || core.accept_payload(&body, IntakeSource::Webhook))
            .await;
    match accepted {
        Ok(Ok(a)) => {
            s.notify.notify_one();
            let status = match a.intake {
                Intake::Queued => "queued",
                Intake::Held => "held",
                Intake::Duplicate => "duplicate",
                Intake::Cancellation => "cancellation",
            };
            answer(
                StatusCode::OK,
                json!({ "status": status, "booking_id": a.booking_id }),
            )
        }
        Ok(Err(Error::InvalidInput(message))) => answer(
            StatusCode::BAD_REQUEST,
            json!({ "error": "invalid_payload", "message": message }),
        ),
        Ok(Err(e)) => {
            tracing::error!("could not store a webhook payload: {e}");
            answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({ "error": "storage", "message": "not stored; send it again" }),
            )
        }
        Err(e) => {
            tracing::error!("the webhook handler failed: {e}");
            answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({ "error": "internal", "message": "not stored; send it again" }),
            )
        }
    }
}

/// The receiver's routes over `core`, checking `token`; `notify` wakes the push after each
/// stored booking.
pub fn router(core: Arc<Leadline>, token: &str, notify: Arc<Notify>) -> Router {
    let shared = Shared {
        core,
        token_digest: digest(token),
        notify,
    };
    Router::new()
        .route(PATH, post(receive))
        .route("/health", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(shared)
}

/// A running receiver; dropping the handle's token stops it.
#[derive(Debug)]
pub struct Running {
    pub addr: SocketAddr,
    stop: tokio_util::sync::CancellationToken,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    /// Stops accepting, lets requests in flight finish, and waits.
    pub async fn stop(self) -> std::io::Result<()> {
        self.stop.cancel();
        self.task.await.map_err(std::io::Error::other)?
    }

    pub fn url(&self) -> String {
        format!("http://{}{PATH}", self.addr)
    }
}

/// Binds `addr` and serves the receiver in the background of the current runtime.
pub async fn start(
    core: Arc<Leadline>,
    token: &str,
    addr: SocketAddr,
    notify: Arc<Notify>,
) -> Result<Running> {
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        Error::InvalidInput(format!(
            "webhook address {addr}: cannot listen ({e}); choose another port"
        ))
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Storage(format!("cannot read the webhook address: {e}")))?;
    let app = router(core, token, notify);
    let stop = tokio_util::sync::CancellationToken::new();
    let stopped = stop.clone();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move { stopped.cancelled().await })
            .await
    });
    tracing::info!(%addr, "webhook receiver listening");
    Ok(Running { addr, stop, task })
}

impl Leadline {
    /// Records that the webhook token was changed (never the token itself).
    pub fn note_webhook_token(&self, actor: &crate::Actor) -> Result<()> {
        let now = self.now();
        self.store.write(|tx| {
            tx.audit(
                &now,
                actor,
                "webhook.token",
                "settings",
                &json!({ "set": true }),
            )
        })
    }
}
