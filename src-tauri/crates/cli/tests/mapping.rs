//! A calendar's Salesforce mapping with the real binary: `mapping init` pre-selects the required
//! fields, `mapping show` lists the checks, `mapping export` / `import` move it as a file, and
//! `preview` prints the exact Lead a webhook payload would post — against the practice org.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use serde_json::Value;

use common::{Sim, command, connect, json, json_error, signin};

fn fixture(name: &str) -> String {
    format!(
        "{}/../core/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn init_show_export_import_and_preview() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sim = Sim::practice();
    assert!(signin(d, &["--practice", &sim.url]).status.success());
    assert!(connect(d, &sim).status.success());

    let cal = json(d, &["calendars", "create", "--name", "Product demo"]);
    let id = cal["calendar"]["id"].as_i64().unwrap().to_string();

    let err = json_error(d, &["mapping", "show", "--calendar", &id]);
    assert_eq!(err["code"], "not_found");
    assert!(
        err["message"].as_str().unwrap().contains("mapping init"),
        "{err}"
    );

    let created = json(d, &["mapping", "init", "--calendar", &id]);
    let fields: Vec<&str> = created["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"LastName") && fields.contains(&"Company"),
        "{created}"
    );
    assert_eq!(
        created["enabled"], false,
        "Company is fed by an optional question"
    );
    let shown = json(d, &["mapping", "show", "--calendar", &id]);
    assert_eq!(shown["checks"], created["checks"]);
    let text = String::from_utf8(
        command(d)
            .args(["mapping", "show", "--calendar", &id])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(
        text.contains("[ERROR]") && text.contains("Company"),
        "{text}"
    );

    // The export is the mapping file; importing it into another calendar is checked like a save.
    let file = d.join("mapping.json");
    let out = json(
        d,
        &[
            "mapping",
            "export",
            "--calendar",
            &id,
            "--out",
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(out["path"], file.to_str().unwrap());
    let exported: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(exported["format"], "leadline-mapping");
    let other = json(d, &["calendars", "create", "--name", "Webinar"]);
    let other = other["calendar"]["id"].as_i64().unwrap().to_string();
    let err = json_error(
        d,
        &[
            "mapping",
            "import",
            "--calendar",
            &other,
            file.to_str().unwrap(),
        ],
    );
    assert_eq!(err["code"], "mapping_invalid", "{err}");

    // The preview prints the exact record; errors in it make the exit code 2.
    let payload = fixture("payloads/confirmed_ja.json");
    let out = command(d)
        .args([
            "--json",
            "preview",
            "--calendar",
            &id,
            "--payload",
            &payload,
        ])
        .output()
        .unwrap();
    let preview: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(preview["record"]["attributes"]["type"], "Lead");
    assert!(preview["record"]["LastName"].is_string(), "{preview}");
    // The mapping's own error (Company fed by an optional question) shows in every preview.
    let company_error = preview["checks"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["severity"] == "error" && c["field"] == "Company");
    assert!(company_error, "{preview}");
    assert_eq!(out.status.code(), Some(2));

    let err = json_error(
        d,
        &[
            "preview",
            "--calendar",
            &id,
            "--payload",
            "/nonexistent.json",
        ],
    );
    assert_eq!(err["code"], "invalid_input");
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("/nonexistent.json")
    );

    let _ = command(d).arg("signout").output();
}
