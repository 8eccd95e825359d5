//! Tauri commands: each takes the state, calls one core use-case as the acting member, and maps
//! the core's error to the `{ code, message }` payload the UI branches on.

pub mod app;
pub mod audit;
pub mod calendars;
pub mod questions;
pub mod team;

use leadline_core::ipc::ErrorPayload;

/// What every command returns across IPC.
pub type Reply<T> = Result<T, ErrorPayload>;

/// Runs a use-case against the open core.
fn with_core<T>(
    state: &crate::state::AppState,
    f: impl FnOnce(&crate::state::Opened) -> leadline_core::Result<T>,
) -> Reply<T> {
    let opened = state.opened()?;
    f(opened).map_err(|e| e.payload())
}
