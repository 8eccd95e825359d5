//! What the app runs while it is open besides the push (`leadline_core::serve::push_forever`):
//! the webhook receiver, when the team enabled it and a token is kept. It acts for the team, not
//! for a member, so it runs whoever is signed in, and restarts when its settings change.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use leadline_core::Leadline;
use leadline_core::ipc::WebhookStatus;
use leadline_core::secrets::SecretStore;
use leadline_core::webhook;
use tokio::sync::{Mutex, Notify};

/// The webhook receiver's slot: at most one running, restarted when its settings change.
#[derive(Debug, Default)]
pub struct Receiver {
    running: Mutex<Option<webhook::Running>>,
    error: std::sync::Mutex<Option<String>>,
}

impl Receiver {
    /// Starts (or restarts, or stops) the receiver as the team's settings say.
    pub async fn apply(&self, core: &Arc<Leadline>, secrets: &dyn SecretStore, wake: &Arc<Notify>) {
        let mut slot = self.running.lock().await;
        if let Some(r) = slot.take()
            && let Err(e) = r.stop().await
        {
            tracing::warn!("the webhook receiver stopped badly: {e}");
        }
        let outcome = self.start(core, secrets, wake).await;
        let mut error = self.error.lock().unwrap_or_else(|p| p.into_inner());
        match outcome {
            Ok(running) => {
                *slot = running;
                *error = None;
            }
            Err(e) => *error = Some(e.to_string()),
        }
    }

    async fn start(
        &self,
        core: &Arc<Leadline>,
        secrets: &dyn SecretStore,
        wake: &Arc<Notify>,
    ) -> leadline_core::Result<Option<webhook::Running>> {
        let settings = core.raw_sync_settings()?;
        if !settings.webhook_enabled {
            return Ok(None);
        }
        let token = webhook::token(secrets)?;
        let ip: IpAddr = settings.webhook_bind.parse().map_err(|_| {
            leadline_core::Error::InvalidInput(format!(
                "webhook address {:?} is not an IP address",
                settings.webhook_bind
            ))
        })?;
        let port = u16::try_from(settings.webhook_port).unwrap_or(0);
        let running = webhook::start(
            core.clone(),
            &token,
            SocketAddr::new(ip, port),
            wake.clone(),
        )
        .await?;
        Ok(Some(running))
    }

    pub async fn status(&self, core: &Leadline, secrets: &dyn SecretStore) -> WebhookStatus {
        let url = self
            .running
            .lock()
            .await
            .as_ref()
            .map(webhook::Running::url);
        WebhookStatus {
            enabled: core
                .raw_sync_settings()
                .map(|s| s.webhook_enabled)
                .unwrap_or(false),
            url,
            token_set: webhook::token(secrets).is_ok(),
            error: self.error.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        }
    }
}
