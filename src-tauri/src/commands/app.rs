//! The app's own facts: version, data directory, and who is acting.

use leadline_core::ipc::AppInfo;
use tauri::State;

use super::Reply;
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn app_info(state: State<'_, AppState>) -> Reply<AppInfo> {
    state.info()
}
