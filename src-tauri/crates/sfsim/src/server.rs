//! Assembles the HTTP surface: the OAuth, REST, query and inspection routes, and around them the
//! behaviour every Salesforce response shares — request statistics, `Sforce-Limit-Info` on every
//! REST answer, the org's latency, its scripted faults, and Salesforce's own 404 body instead of
//! an empty page.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::state::Sim;
use crate::{inspect, oauth, query, rest};

/// Salesforce's REST resources live under this prefix.
pub const DATA_PREFIX: &str = "/services/data";

/// The router with every route and the shared behaviour; trailing slashes are trimmed by the
/// caller (see `lib.rs`) before routing.
pub fn router(sim: Sim) -> Router {
    Router::new()
        .merge(oauth::routes())
        .merge(rest::routes())
        .merge(query::routes())
        .merge(inspect::routes())
        .fallback(|| async { ApiError::not_found() })
        .layer(middleware::from_fn_with_state(sim.clone(), observe))
        .with_state(sim)
}

fn fault_for<'a>(sim: &'a Sim, path: &str) -> Option<&'a crate::org::Fault> {
    sim.org()
        .faults
        .iter()
        .find(|f| !f.endpoint.is_empty() && path.contains(&f.endpoint))
}

async fn observe(State(sim): State<Sim>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", MatchedPath::as_str)
        .to_string();
    let key = format!("{} {route}", req.method());
    let path = req.uri().path().to_string();
    let rest = path.starts_with(DATA_PREFIX);

    let mut drop_connection = false;
    let mut response = None;
    if rest {
        let latency = sim.org().latency;
        let wait = latency.fixed_ms + sim.jitter(latency.jitter_ms);
        if wait > 0 {
            tokio::time::sleep(Duration::from_millis(wait)).await;
        }
        if let Some(fault) = fault_for(&sim, &path) {
            if sim.chance(fault.unavailable) {
                response = Some(ApiError::unavailable().into_response());
            } else if sim.chance(fault.unable_to_lock_row) {
                response = Some(
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        "UNABLE_TO_LOCK_ROW",
                        "unable to obtain exclusive access to this record or 1 records",
                    )
                    .into_response(),
                );
            } else {
                drop_connection = sim.chance(fault.drop_after_commit);
            }
        }
    }
    let mut response = match response {
        Some(r) => r,
        None => next.run(req).await,
    };
    let status = response.status().as_u16();
    sim.count(|w| {
        *w.stats
            .requests
            .entry(key)
            .or_default()
            .entry(status)
            .or_default() += 1;
    });
    if rest {
        let used = sim.read(|w| w.api_used);
        let limit = sim.org().org.daily_api_limit;
        if let Ok(v) = HeaderValue::from_str(&format!("api-usage={used}/{limit}")) {
            response.headers_mut().insert("Sforce-Limit-Info", v);
        }
    }
    if drop_connection {
        // The work is committed; now fail the body mid-flight so the client never learns the
        // outcome, as when a connection drops after Salesforce commits.
        let (parts, _) = response.into_parts();
        let broken = futures_body_error();
        return Response::from_parts(parts, broken);
    }
    response
}

fn futures_body_error() -> Body {
    Body::from_stream(futures_util::stream::once(async {
        Err::<Vec<u8>, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "sfsim: connection dropped after commit (scripted fault)",
        ))
    }))
}
