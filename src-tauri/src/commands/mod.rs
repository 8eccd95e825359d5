//! Tauri commands: each takes the state, calls one core use-case as the signed-in member, and
//! maps the core's error to the `{ code, message }` payload the UI branches on.

pub mod app;
pub mod audit;
pub mod calendars;
pub mod integrations;
pub mod questions;
pub mod queue;
pub mod salesforce;
pub mod session;
pub mod settings;
pub mod team;

use std::sync::Arc;

use leadline_core::Actor;
use leadline_core::ipc::ErrorPayload;
use leadline_core::secrets::SecretStore;

use crate::state::{AppState, Opened};

/// What every command returns across IPC.
pub type Reply<T> = Result<T, ErrorPayload>;

/// Runs a use-case as the signed-in member (`not_signed_in` when there is none).
fn with_core<T>(
    state: &AppState,
    f: impl FnOnce(&Opened, &Actor) -> leadline_core::Result<T>,
) -> Reply<T> {
    let opened = state.opened()?;
    let actor = opened.actor()?;
    f(opened, &actor).map_err(|e| e.payload())
}

/// The open core, the signed-in member and the keyring, for the async commands that outlive a
/// borrow of the state's closure.
fn acting(state: &AppState) -> Reply<(&Opened, Actor, Arc<dyn SecretStore>)> {
    let opened = state.opened()?;
    let actor = opened.actor()?;
    let secrets = opened.secrets()?;
    Ok((opened, actor, secrets))
}
