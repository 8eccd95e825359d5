//! Sign-in commands: start a browser sign-in, cancel it, sign out.

use leadline_core::ipc::{Member, SignInRequest};
use tauri::State;

use super::Reply;
use crate::state::AppState;

/// Resolves once the person has finished in the browser (or it failed, was cancelled or timed out).
#[tauri::command(rename_all = "snake_case")]
pub async fn sign_in(state: State<'_, AppState>, request: SignInRequest) -> Reply<Member> {
    let o = state.opened()?;
    let provider = o.signin.provider(&request).map_err(|e| e.payload())?;
    let keyring = o.keyring()?;
    let cancel = o.signing_in.begin();
    let result = o
        .core
        .sign_in_through_browser(&o.flow, &provider, &cancel, keyring)
        .await;
    result.map(|actor| actor.member).map_err(|e| e.payload())
}

#[tauri::command(rename_all = "snake_case")]
pub fn sign_in_cancel(state: State<'_, AppState>) -> Reply<()> {
    state.opened()?.signing_in.cancel();
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub fn sign_out(state: State<'_, AppState>) -> Reply<()> {
    let o = state.opened()?;
    match o.actor() {
        Ok(actor) => o
            .core
            .end_session(o.keyring()?, &actor)
            .map_err(|e| e.payload()),
        // Nobody signed in: signing out is already done.
        Err(_) => Ok(()),
    }
}
