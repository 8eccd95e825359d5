//! Running headless or in the app's background: the push loop that wakes when a booking
//! arrives (or someone asks) and otherwise looks for retries come due every few seconds, and the
//! lease setting a supervisor may shorten so a killed run's jobs are taken over sooner.

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::Notify;

use crate::Leadline;
use crate::actor::{Action, Actor};
use crate::error::{Error, Result};
use crate::secrets::SecretStore;
use crate::sync::worker::LEASE_SETTING;

/// How often the push looks for retries that came due while nothing woke it.
pub const IDLE_CHECK: Duration = Duration::from_secs(5);

/// Pushes whenever woken, and every [`IDLE_CHECK`] otherwise, until `stop` is cancelled.
pub async fn push_forever(
    core: Arc<Leadline>,
    secrets: Arc<dyn SecretStore>,
    wake: Arc<Notify>,
    stop: tokio_util::sync::CancellationToken,
) {
    while !stop.is_cancelled() {
        match core.push_once(secrets.clone()).await {
            // More may be due right away (a round claims a bounded number of jobs).
            Ok(r) if r.sent > 0 && r.paused.is_none() => continue,
            Ok(_) => {}
            Err(e) => tracing::warn!("the push failed: {e}"),
        }
        tokio::select! {
            () = stop.cancelled() => return,
            _ = tokio::time::timeout(IDLE_CHECK, wake.notified()) => {}
        }
    }
}

impl Leadline {
    /// Sets how long a push holds its claimed jobs before another run may take them over (owner
    /// and admin): 1 second to an hour.
    pub fn set_lease_seconds(&self, actor: &Actor, seconds: i64) -> Result<()> {
        actor.may(Action::RunSync)?;
        if !(1..=3600).contains(&seconds) {
            return Err(Error::InvalidInput(format!(
                "lease: must be 1 to 3600 seconds (got {seconds})"
            )));
        }
        let now = self.now();
        self.store.write(|tx| {
            tx.set_setting(LEASE_SETTING, &json!(seconds))?;
            tx.audit(
                &now,
                actor,
                "settings.lease",
                "settings",
                &json!({ "seconds": seconds }),
            )
        })
    }
}
