//! Team settings commands.

use leadline_core::ipc::TeamSettings;
use tauri::State;

use super::{Reply, with_core};
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn settings_get(state: State<'_, AppState>) -> Reply<TeamSettings> {
    with_core(&state, |o, actor| o.core.settings(actor))
}

#[tauri::command(rename_all = "snake_case")]
pub fn settings_set_idle_timeout(state: State<'_, AppState>, minutes: i64) -> Reply<TeamSettings> {
    with_core(&state, |o, actor| {
        o.core.set_idle_timeout(actor, minutes)?;
        o.core.settings(actor)
    })
}
