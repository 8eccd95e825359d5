//! Calendar commands.

use leadline_core::ipc::{Calendar, CalendarDetail};
use tauri::State;

use super::{Reply, with_core};
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn calendars_list(state: State<'_, AppState>) -> Reply<Vec<Calendar>> {
    with_core(&state, |o, actor| o.core.calendars(actor))
}

#[tauri::command(rename_all = "snake_case")]
pub fn calendar_get(state: State<'_, AppState>, id: i64) -> Reply<CalendarDetail> {
    with_core(&state, |o, actor| o.core.calendar(actor, id))
}

#[tauri::command(rename_all = "snake_case")]
pub fn calendar_create(state: State<'_, AppState>, name: String) -> Reply<CalendarDetail> {
    with_core(&state, |o, actor| o.core.create_calendar(actor, &name))
}

#[tauri::command(rename_all = "snake_case")]
pub fn calendar_rename(state: State<'_, AppState>, id: i64, name: String) -> Reply<Calendar> {
    with_core(&state, |o, actor| o.core.rename_calendar(actor, id, &name))
}

#[tauri::command(rename_all = "snake_case")]
pub fn calendar_delete(state: State<'_, AppState>, id: i64) -> Reply<()> {
    with_core(&state, |o, actor| o.core.delete_calendar(actor, id))
}
