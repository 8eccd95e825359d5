//! Tauri commands: each takes the state, calls one core use-case as the signed-in member, and
//! maps the core's error to the `{ code, message }` payload the UI branches on.

pub mod app;
pub mod audit;
pub mod calendars;
pub mod questions;
pub mod salesforce;
pub mod session;
pub mod settings;
pub mod team;

use leadline_core::Actor;
use leadline_core::ipc::ErrorPayload;

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
