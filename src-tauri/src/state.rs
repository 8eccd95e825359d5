//! What the shell keeps between commands: the opened core, the keyring the session lives in, the
//! sign-in providers and browser flow, and the sign-in in progress — or the reason the data
//! directory could not be opened, which every command then returns so the window can show it.
//! Who is acting is never cached here: each command reads the session anew, so a role change,
//! a removal or the idle timeout takes effect on the very next click.

use std::path::Path;
use std::sync::{Arc, Mutex};

use leadline_core::ipc::{AppInfo, ErrorPayload};
use leadline_core::secrets::{Keyring, SecretStore};
use leadline_core::signin::SignInConfig;
use leadline_core::{Actor, Error, Leadline, data_dir};
use leadline_salesforce::{AuthFlow, CancellationToken, SystemBrowser};

#[derive(Debug)]
pub struct Opened {
    /// Shared with the background push and the webhook receiver.
    pub core: Arc<Leadline>,
    keyring: Result<Arc<Keyring>, ErrorPayload>,
    pub signin: SignInConfig,
    pub flow: AuthFlow,
    /// The sign-in waiting for its browser, if any.
    pub signing_in: Pending,
    /// The Salesforce connection waiting for its browser, if any.
    pub connecting: Pending,
    /// Wakes the background push (a booking arrived, someone asked).
    pub wake: Arc<tokio::sync::Notify>,
    pub receiver: crate::background::Receiver,
}

/// One browser flow at a time: starting another cancels the one still waiting.
#[derive(Debug, Default)]
pub struct Pending(Mutex<Option<CancellationToken>>);

impl Pending {
    /// Registers a new flow, cancelling one still waiting for its browser.
    pub fn begin(&self) -> CancellationToken {
        let token = CancellationToken::new();
        let mut pending = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = pending.replace(token.clone()) {
            old.cancel();
        }
        token
    }

    pub fn cancel(&self) {
        let mut pending = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(token) = pending.take() {
            token.cancel();
        }
    }
}

impl Opened {
    fn open(dir: &Path) -> leadline_core::Result<Self> {
        let core = Arc::new(Leadline::open(dir)?);
        let keyring = core
            .team_id()
            .and_then(|id| Keyring::platform(&id))
            .map(Arc::new)
            .map_err(|e| {
                tracing::warn!("no keyring: {e}");
                e.payload()
            });
        let flow = AuthFlow::new(Arc::new(SystemBrowser::from_env()))
            .map_err(|e| Error::Storage(format!("cannot prepare the sign-in: {e}")))?;
        Ok(Self {
            core,
            keyring,
            signin: SignInConfig::from_env(),
            flow,
            signing_in: Pending::default(),
            connecting: Pending::default(),
            wake: Arc::new(tokio::sync::Notify::new()),
            receiver: crate::background::Receiver::default(),
        })
    }

    /// The keyring, or why there is none (`keyring_unavailable`).
    pub fn keyring(&self) -> Result<&Keyring, ErrorPayload> {
        self.keyring.as_deref().map_err(Clone::clone)
    }

    /// The keyring as the Salesforce connection holds it (it outlives the command).
    pub fn secrets(&self) -> Result<Arc<dyn SecretStore>, ErrorPayload> {
        match &self.keyring {
            Ok(k) => Ok(k.clone()),
            Err(e) => Err(e.clone()),
        }
    }

    /// The signed-in member, or `not_signed_in`.
    pub fn actor(&self) -> Result<Actor, ErrorPayload> {
        let keyring = self.keyring()?;
        match self.core.resume_session(keyring) {
            Ok(Some(actor)) => Ok(actor),
            Ok(None) => Err(Error::NotSignedIn(
                "nobody is signed in, or the session ended; sign in again".into(),
            )
            .payload()),
            Err(e) => Err(e.payload()),
        }
    }
}

#[derive(Debug)]
pub struct AppState {
    data_dir: String,
    opened: Result<Opened, ErrorPayload>,
}

impl AppState {
    pub fn open(explicit: Option<&Path>) -> Self {
        let dir = data_dir::resolve(explicit);
        let data_dir = match &dir {
            Ok(d) => d.display().to_string(),
            Err(_) => String::new(),
        };
        let opened = dir.and_then(|d| Opened::open(&d)).map_err(|e| {
            tracing::error!(code = ?e.code(), "cannot open the data directory: {e}");
            e.payload()
        });
        if opened.is_ok() {
            tracing::info!(data_dir = %data_dir, "data directory open");
        }
        Self { data_dir, opened }
    }

    /// The open core, or the error that kept it closed.
    pub fn opened(&self) -> Result<&Opened, ErrorPayload> {
        self.opened.as_ref().map_err(Clone::clone)
    }

    pub fn info(&self) -> Result<AppInfo, ErrorPayload> {
        let o = self.opened()?;
        Ok(AppInfo {
            version: env!("CARGO_PKG_VERSION").to_string(),
            data_dir: self.data_dir.clone(),
            actor: o.actor().ok().map(|a| a.member),
            providers: o.signin.providers(),
        })
    }
}
