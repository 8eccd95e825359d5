//! Reads the root `tauri.conf.json` and declares the app's own commands, so that the capability
//! files can allow each one by name and nothing else reaches the webview.

fn main() {
    let commands = &[
        "app_info",
        "calendars_list",
        "calendar_get",
        "calendar_create",
        "calendar_rename",
        "calendar_delete",
        "question_add",
        "question_edit",
        "question_move",
        "question_delete",
        "members_list",
        "member_add",
        "member_role",
        "member_remove",
        "audit_list",
        "audit_export",
        "sign_in",
        "sign_in_cancel",
        "sign_out",
        "settings_get",
        "settings_set_idle_timeout",
        "salesforce_status",
        "salesforce_connect",
        "salesforce_connect_cancel",
        "salesforce_doctor",
        "salesforce_disconnect",
        "integration_get",
        "integration_add",
        "integration_check",
        "integration_save",
        "integration_set",
        "integration_remove",
        "integration_refresh_schema",
        "integration_preview",
        "mapping_export",
        "mapping_import",
        "queue_counts",
        "jobs_list",
        "job_get",
        "jobs_retry",
        "jobs_skip",
        "queue_pause",
        "push_now",
        "sync_log_list",
        "sync_log_export",
        "bookings_import",
        "sync_settings_get",
        "sync_settings_set",
        "webhook_status",
        "webhook_token_set",
    ];
    let attributes = tauri_build::Attributes::new()
        .config_path("../tauri.conf.json")
        .app_manifest(tauri_build::AppManifest::new().commands(commands));
    if let Err(e) = tauri_build::try_build(attributes) {
        println!("cargo::error=tauri build step failed: {e:#}");
    }
}
