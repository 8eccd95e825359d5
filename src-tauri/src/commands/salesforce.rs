//! Salesforce connection commands: status, connect through the browser (and cancel it), the
//! doctor, disconnect. Tokens never cross here: the core keeps them in the keyring.

use leadline_core::ipc::{
    ConnectRequest, ConnectionStatus, Disconnected, DoctorReport, SalesforceConnection,
};
use tauri::State;

use super::{Reply, acting, with_core};
use crate::state::AppState;

#[tauri::command(rename_all = "snake_case")]
pub fn salesforce_status(state: State<'_, AppState>) -> Reply<ConnectionStatus> {
    with_core(&state, |o, actor| {
        o.core
            .connection_status(actor, o.signin.practice_url.as_deref())
    })
}

/// Resolves once the admin has finished in the browser and the connection proved itself (or it
/// failed, was cancelled or timed out).
#[tauri::command(rename_all = "snake_case")]
pub async fn salesforce_connect(
    state: State<'_, AppState>,
    request: ConnectRequest,
) -> Reply<SalesforceConnection> {
    let (o, actor, secrets) = acting(&state)?;
    let cancel = o.connecting.begin();
    o.core
        .connect_salesforce(&actor, &o.flow, &request, &cancel, secrets)
        .await
        .map_err(|e| e.payload())
}

#[tauri::command(rename_all = "snake_case")]
pub fn salesforce_connect_cancel(state: State<'_, AppState>) -> Reply<()> {
    state.opened()?.connecting.cancel();
    Ok(())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn salesforce_doctor(state: State<'_, AppState>) -> Reply<DoctorReport> {
    let (o, actor, secrets) = acting(&state)?;
    o.core
        .salesforce_doctor(&actor, secrets)
        .await
        .map_err(|e| e.payload())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn salesforce_disconnect(state: State<'_, AppState>) -> Reply<Disconnected> {
    let (o, actor, secrets) = acting(&state)?;
    o.core
        .disconnect_salesforce(&actor, secrets)
        .await
        .map_err(|e| e.payload())
}
