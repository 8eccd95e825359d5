//! The Organization object: read-only, described like any standard object, and one record —
//! the org itself — that SOQL reaches through the normal query path.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestSim, V};
use leadline_sfsim::Org;
use leadline_sfsim::org::Edition;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let r = req.send().await.unwrap();
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn organization_is_queryable_with_the_orgs_own_record() {
    let mut org = Org::practice();
    org.org.name = "Acme Practice".into();
    org.org.edition = Edition::Enterprise;
    let org_id = org.org.id.clone();
    let sim = TestSim::with_org(org).await;

    let q = "SELECT Id, Name, OrganizationType, InstanceName FROM Organization";
    let (status, body) = send(sim.get(&format!("{V}/query")).query(&[("q", q)])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["totalSize"], 1);
    let rec = &body["records"][0];
    assert_eq!(rec["attributes"]["type"], "Organization");
    assert_eq!(rec["Id"], org_id);
    assert!(org_id.starts_with("00D"));
    assert_eq!(rec["Name"], "Acme Practice");
    assert_eq!(rec["OrganizationType"], "Enterprise Edition");
    assert_eq!(rec["InstanceName"], "SIM1");
}

#[tokio::test]
async fn organization_is_described_and_read_only() {
    let sim = TestSim::practice().await;
    let (_, global) = send(sim.get(&format!("{V}/sobjects"))).await;
    let entry = global["sobjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "Organization")
        .unwrap()
        .clone();
    assert_eq!(entry["keyPrefix"], "00D");
    assert_eq!(entry["createable"], false);
    assert_eq!(entry["updateable"], false);

    let (status, d) = send(sim.get(&format!("{V}/sobjects/Organization/describe"))).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = d["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for n in ["Id", "Name", "OrganizationType", "InstanceName"] {
        assert!(names.contains(&n), "{names:?}");
    }

    let (status, body) = send(
        sim.post(&format!("{V}/sobjects/Organization"))
            .json(&json!({ "Name": "Hijack" })),
    )
    .await;
    assert!(status.is_client_error(), "{status} {body}");
    let (_, body) = send(
        sim.get(&format!("{V}/query"))
            .query(&[("q", "SELECT Name FROM Organization")]),
    )
    .await;
    assert_eq!(body["records"][0]["Name"], Org::practice().org.name);
}
