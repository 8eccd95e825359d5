//! Resources about the API itself: the versions served (no session needed, as in Salesforce),
//! the resource map of one version, and the org's limits.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::{ApiVersion, MAX_VERSION, MIN_VERSION};
use crate::error::json as sf_json;
use crate::session::Session;
use crate::state::Sim;

/// The release that introduced an API version: v31.0 was Summer '14, and three a year since.
pub fn release_label(version: u32) -> String {
    let k = version.saturating_sub(31);
    let season = ["Summer", "Winter", "Spring"][(k % 3) as usize];
    let year = 14 + k.div_ceil(3);
    format!("{season} '{year:02}")
}

pub async fn versions() -> Response {
    let list: Vec<Value> = (MIN_VERSION..=MAX_VERSION)
        .map(|v| {
            json!({
                "label": release_label(v),
                "url": format!("/services/data/v{v}.0"),
                "version": format!("{v}.0"),
            })
        })
        .collect();
    sf_json(StatusCode::OK, &list)
}

const RESOURCES: &[&str] = &[
    "tooling",
    "metadata",
    "eclair",
    "folders",
    "prechatForms",
    "contact-tracing",
    "chatter",
    "tabs",
    "appMenu",
    "quickActions",
    "queryAll",
    "commerce",
    "wave",
    "iot",
    "analytics",
    "search",
    "composite",
    "parameterizedSearch",
    "fingerprint",
    "theme",
    "nouns",
    "domino",
    "event",
    "serviceTemplates",
    "recent",
    "connect",
    "licensing",
    "limits",
    "process",
    "dedupe",
    "async-queries",
    "query",
    "jsonxform",
    "match",
    "emailConnect",
    "compactLayouts",
    "knowledgeManagement",
    "sobjects",
    "actions",
    "support",
];

pub async fn resources(version: ApiVersion, State(sim): State<Sim>, session: Session) -> Response {
    let mut m = Map::new();
    for r in RESOURCES {
        m.insert(
            (*r).into(),
            json!(format!("/services/data/v{}/{r}", version.number())),
        );
    }
    m.insert(
        "identity".into(),
        json!(format!(
            "{}/id/{}/{}",
            sim.base_url(),
            sim.org().org.id,
            session.user_id
        )),
    );
    sf_json(StatusCode::OK, &Value::Object(m))
}

pub async fn limits(_: ApiVersion, State(sim): State<Sim>, _: Session) -> Response {
    let max = sim.org().org.daily_api_limit;
    let used = sim.read(|w| w.api_used);
    let fixed = |max: u64| json!({ "Max": max, "Remaining": max });
    let body = json!({
        "ConcurrentAsyncGetReportInstances": fixed(200),
        "ConcurrentSyncReportRuns": fixed(20),
        "DailyApiRequests": { "Max": max, "Remaining": max.saturating_sub(used) },
        "DailyAsyncApexExecutions": fixed(250_000),
        "DailyBulkApiBatches": fixed(15_000),
        "DailyBulkV2QueryFileStorageMB": fixed(976_562),
        "DailyBulkV2QueryJobs": fixed(10_000),
        "DailyGenericStreamingApiEvents": fixed(10_000),
        "DailyStreamingApiEvents": fixed(10_000),
        "DailyWorkflowEmails": fixed(390),
        "DataStorageMB": fixed(5),
        "FileStorageMB": fixed(20),
        "HourlyAsyncReportRuns": fixed(1_200),
        "HourlyDashboardRefreshes": fixed(200),
        "HourlyDashboardResults": fixed(5_000),
        "HourlyDashboardStatuses": fixed(999_999_999),
        "HourlyODataCallout": fixed(10_000),
        "HourlySyncReportRuns": fixed(500),
        "HourlyTimeBasedWorkflow": fixed(50),
        "MassEmail": fixed(10),
        "SingleEmail": fixed(15),
    });
    sf_json(StatusCode::OK, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_labels_follow_the_calendar() {
        assert_eq!(release_label(31), "Summer '14");
        assert_eq!(release_label(59), "Winter '24");
        assert_eq!(release_label(63), "Spring '25");
        assert_eq!(release_label(64), "Summer '25");
        assert_eq!(release_label(65), "Winter '26");
        assert_eq!(release_label(66), "Spring '26");
    }
}
