//! Inspection endpoints for tests, outside Salesforce's namespace: every record of an object, the
//! request statistics, every token issued with its state, and a knob to set the API usage.

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use crate::error::json as sf_json;
use crate::state::Sim;

pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/__sfsim/records/{object}", get(records))
        .route("/__sfsim/stats", get(stats))
        .route("/__sfsim/tokens", get(tokens))
        .route("/__sfsim/usage", post(set_usage))
}

async fn records(State(sim): State<Sim>, Path(object): Path<String>) -> Response {
    let list: Vec<_> = sim.read(|w| {
        w.records
            .get(&object)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    });
    sf_json(
        StatusCode::OK,
        &json!({ "object": object, "totalSize": list.len(), "records": list }),
    )
}

async fn stats(State(sim): State<Sim>) -> Response {
    let (stats, used) = sim.read(|w| (w.stats.clone(), w.api_used));
    sf_json(
        StatusCode::OK,
        &json!({
            "requests": stats.requests,
            "token_requests": stats.token_requests,
            "token_grants": stats.token_grants,
            "refreshes": stats.refreshes,
            "revokes": stats.revokes,
            "api_usage": { "used": used, "limit": sim.org().org.daily_api_limit },
        }),
    )
}

async fn tokens(State(sim): State<Sim>) -> Response {
    let tokens = sim.read(|w| w.tokens.clone());
    sf_json(StatusCode::OK, &json!({ "tokens": tokens }))
}

#[derive(Debug, Deserialize)]
struct Usage {
    used: u64,
}

async fn set_usage(State(sim): State<Sim>, axum::Json(u): axum::Json<Usage>) -> Response {
    sim.count(|w| w.api_used = u.used);
    sf_json(StatusCode::OK, &json!({ "used": u.used }))
}
