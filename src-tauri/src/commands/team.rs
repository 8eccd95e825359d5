//! Team commands: members and their roles.

use leadline_core::ipc::{Member, NewMember, Role};
use tauri::State;

use super::{Reply, with_core};
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn members_list(state: State<'_, AppState>) -> Reply<Vec<Member>> {
    with_core(&state, |o, actor| o.core.members(actor))
}

#[tauri::command(rename_all = "snake_case")]
pub fn member_add(state: State<'_, AppState>, input: NewMember) -> Reply<Member> {
    with_core(&state, |o, actor| o.core.add_member(actor, &input))
}

#[tauri::command(rename_all = "snake_case")]
pub fn member_role(state: State<'_, AppState>, member_id: i64, role: Role) -> Reply<Member> {
    with_core(&state, |o, actor| {
        o.core.change_role(actor, member_id, role)
    })
}

#[tauri::command(rename_all = "snake_case")]
pub fn member_remove(state: State<'_, AppState>, member_id: i64) -> Reply<()> {
    with_core(&state, |o, actor| o.core.remove_member(actor, member_id))
}
