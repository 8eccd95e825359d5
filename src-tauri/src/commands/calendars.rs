//! Calendar commands.

use leadline_core::ipc::{Calendar, CalendarDetail};
use tauri::State;

use super::{Reply, with_core};
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn calendars_list(state: State<'_, AppState>) -> Reply<Vec<Calendar>> {
    with_core(&state, |o| o.core.calendars(&o.actor))
}

#[tauri::command(rename_all = "snake_case")]
pub fn calendar_get(state: State<'_, AppState>, id: i64) -> Reply<CalendarDetail> {
    with_core(&state, |o| o.core.calendar(&o.actor, id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn calendar_create(state: State<'_, AppState>, name: String) -> Reply<CalendarDetail> {
    with_core(&state, |o| o.core.create_calendar(&o.actor, &name))
}

#[tauri::command(rename_all = "snake_case")]
pub fn calendar_rename(state: State<'_, AppState>, id: i64, name: String) -> Reply<Calendar> {
    with_core(&state, |o| o.core.rename_calendar(&o.actor, id, &name))
}

#[tauri::command(rename_all = "snake_case")]
pub fn calendar_delete(state: State<'_, AppState>, id: i64) -> Reply<()> {
    with_core(&state, |o| o.core.delete_calendar(&o.actor, id))
}
