//! The REST query resources: `GET /services/data/vXX.X/query?q=…` and `…/queryAll?q=…`, and
//! `GET …/query/{locator}` for the pages after the first. A query's result is snapshotted when
//! it runs (as a Salesforce cursor is) and served in pages of 2,000 records, or of the
//! `Sforce-Query-Options: batchSize=N` size (200–2,000); every page but the last carries a
//! `nextRecordsUrl`. Cursors are per user, at most ten open at once (the oldest closes), and
//! expire after fifteen idle minutes, as Salesforce's do; an unknown or closed locator answers
//! INVALID_QUERY_LOCATOR.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use axum::{Extension, Router};
use serde::Serialize;

use crate::error::{ApiError, JSON, with_content_type};
use crate::ids;
use crate::rest::allow;
use crate::schema::{ObjectDef, Schema};
use crate::session::Session;
use crate::soql::{self, Catalog, FieldInfo, FieldKind, ObjectSchema, Selection};
use crate::state::Sim;

/// Records a page holds unless the client asks for fewer.
pub const DEFAULT_BATCH: usize = 2000;
const MIN_BATCH: usize = 200;
/// Open cursors a user may hold; opening another closes the least recently used.
const CURSORS_PER_USER: usize = 10;
const CURSOR_IDLE: Duration = Duration::from_secs(15 * 60);
/// Salesforce's key prefix for query locators.
const LOCATOR_PREFIX: &str = "01g";

pub fn routes() -> Router<Sim> {
    // One handler serves both resources (the route says which one it is); other methods get
    // Salesforce's 405.
    let serve = |handler: MethodRouter<Sim>, resource: Resource| {
        allow(handler, "GET,HEAD").layer(Extension(resource))
    };
    Router::new()
        .route(
            "/services/data/{version}/query",
            serve(get(query), Resource::Query),
        )
        .route(
            "/services/data/{version}/queryAll",
            serve(get(query), Resource::QueryAll),
        )
        .route(
            "/services/data/{version}/query/{locator}",
            serve(get(more), Resource::Query),
        )
        .route(
            "/services/data/{version}/queryAll/{locator}",
            serve(get(more), Resource::QueryAll),
        )
        .layer(Extension(Cursors::default()))
}

impl Catalog for Schema {
    fn object(&self, name: &str) -> Option<&dyn ObjectSchema> {
        Schema::object(self, name).map(|o| o as &dyn ObjectSchema)
    }
}

impl ObjectSchema for ObjectDef {
    fn api_name(&self) -> &str {
        &self.name
    }

    fn field(&self, name: &str) -> Option<FieldInfo<'_>> {
        ObjectDef::field(self, name).map(|f| FieldInfo {
            name: &f.name,
            kind: FieldKind::from_describe(f.kind.as_str()),
            filterable: f.filterable,
            sortable: f.sortable,
        })
    }
}

/// The versions `rest` serves (v31.0 … v66.0); others are Salesforce's 404.
fn supported_version(segment: &str) -> bool {
    crate::rest::parse_version(segment).is_some()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Resource {
    Query,
    QueryAll,
}

impl Resource {
    fn path(self) -> &'static str {
        match self {
            Resource::Query => "query",
            Resource::QueryAll => "queryAll",
        }
    }
}

/// A snapshot of a query's rows (each already JSON), served page by page.
#[derive(Debug)]
struct Cursor {
    username: String,
    rows: Arc<Vec<String>>,
    last_used: Instant,
}

#[derive(Debug, Clone, Default)]
struct Cursors(Arc<Mutex<HashMap<String, Cursor>>>);

impl Cursors {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Cursor>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn open(&self, username: &str, rows: Vec<String>) -> String {
        let id = ids::id18(LOCATOR_PREFIX, rand::random::<u64>());
        let now = Instant::now();
        let mut open = self.lock();
        open.retain(|_, c| now.duration_since(c.last_used) < CURSOR_IDLE);
        let mine: Vec<(String, Instant)> = open
            .iter()
            .filter(|(_, c)| c.username == username)
            .map(|(k, c)| (k.clone(), c.last_used))
            .collect();
        if mine.len() >= CURSORS_PER_USER
            && let Some((oldest, _)) = mine.iter().min_by_key(|(_, used)| *used)
        {
            open.remove(oldest);
        }
        open.insert(
            id.clone(),
            Cursor {
                username: username.to_string(),
                rows: Arc::new(rows),
                last_used: now,
            },
        );
        id
    }

    /// The rows behind a locator id, if it is open and the user's.
    fn rows(&self, id: &str, username: &str) -> Option<Arc<Vec<String>>> {
        let now = Instant::now();
        let mut open = self.lock();
        let cursor = open.get_mut(id)?;
        if cursor.username != username || now.duration_since(cursor.last_used) >= CURSOR_IDLE {
            return None;
        }
        cursor.last_used = now;
        Some(cursor.rows.clone())
    }

    fn close(&self, id: &str) {
        self.lock().remove(id);
    }
}

fn invalid_locator() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "INVALID_QUERY_LOCATOR",
        "invalid query locator",
    )
}

/// `Sforce-Query-Options: batchSize=N`, held to Salesforce's 200–2,000.
fn batch_size(parts: &Parts) -> usize {
    parts
        .headers
        .get("sforce-query-options")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',').find_map(|opt| {
                let (k, val) = opt.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case("batchSize")
                    .then(|| val.trim().parse::<usize>().ok())
                    .flatten()
            })
        })
        .map_or(DEFAULT_BATCH, |n| n.clamp(MIN_BATCH, DEFAULT_BATCH))
}

fn to_json(v: &impl Serialize) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_string())
}

/// One result record, keys in Salesforce's order: `attributes`, then the SELECT list.
fn row_json(
    version: &str,
    object: &str,
    fields: &[(&str, serde_json::Value)],
    id: Option<&str>,
) -> String {
    let mut out = String::with_capacity(64 + fields.len() * 24);
    out.push_str("{\"attributes\":{\"type\":");
    out.push_str(&to_json(&object));
    out.push_str(",\"url\":");
    let url = match id {
        Some(id) => format!("/services/data/{version}/sobjects/{object}/{id}"),
        None => format!("/services/data/{version}/sobjects/{object}"),
    };
    out.push_str(&to_json(&url));
    out.push('}');
    for (name, value) in fields {
        out.push(',');
        out.push_str(&to_json(name));
        out.push(':');
        out.push_str(&to_json(value));
    }
    out.push('}');
    out
}

/// `{"totalSize","done","nextRecordsUrl"?,"records"}` in Salesforce's key order.
fn page(total: usize, next: Option<&str>, rows: &[String]) -> Response {
    let mut body = String::with_capacity(64 + rows.iter().map(|r| r.len() + 1).sum::<usize>());
    body.push_str(&format!(
        "{{\"totalSize\":{total},\"done\":{}",
        next.is_none()
    ));
    if let Some(url) = next {
        body.push_str(",\"nextRecordsUrl\":");
        body.push_str(&to_json(&url));
    }
    body.push_str(",\"records\":[");
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(r);
    }
    body.push_str("]}");
    with_content_type(StatusCode::OK, JSON, body)
}

async fn query(
    State(sim): State<Sim>,
    Extension(cursors): Extension<Cursors>,
    Extension(resource): Extension<Resource>,
    Path(version): Path<String>,
    RawQuery(raw): RawQuery,
    parts: Parts,
) -> Response {
    run(sim, cursors, version, raw, parts, resource)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn run(
    sim: Sim,
    cursors: Cursors,
    version: String,
    raw: Option<String>,
    mut parts: Parts,
    resource: Resource,
) -> Result<Response, ApiError> {
    if !supported_version(&version) {
        return Err(ApiError::not_found());
    }
    let session = Session::from_request_parts(&mut parts, &sim).await?;
    let q = raw.as_deref().and_then(|raw| {
        form_urlencoded::parse(raw.as_bytes())
            .find(|(k, _)| k == "q")
            .map(|(_, v)| v.into_owned())
    });
    let Some(q) = q.filter(|q| !q.trim().is_empty()) else {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "A query string has to be specified",
        ));
    };
    let compiled = soql::compile(&q, sim.schema())
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, e.code, e.message))?;
    let batch = batch_size(&parts);
    let object = compiled.object.clone();
    // Select and render under the lock, so the snapshot is consistent; rendering is cheap
    // next to a client's round trip.
    let result = sim.read(|w| {
        let records = w.records.get(&object).into_iter().flat_map(|m| m.values());
        let hits = compiled.run(records);
        match compiled.selection {
            Selection::Count => Err(hits.len()),
            Selection::Fields(_) => Ok(hits
                .into_iter()
                .map(|r| {
                    let id = soql::get(r, "Id").and_then(|v| v.as_str());
                    row_json(&version, &object, &compiled.project(r), id)
                })
                .collect::<Vec<_>>()),
        }
    });
    let rows = match result {
        Err(count) => return Ok(page(count, None, &[])),
        Ok(rows) => rows,
    };
    if rows.len() <= batch {
        return Ok(page(rows.len(), None, &rows));
    }
    let total = rows.len();
    let first: Vec<String> = rows[..batch].to_vec();
    let id = cursors.open(&session.username, rows);
    let next = format!("/services/data/{version}/{}/{id}-{batch}", resource.path());
    Ok(page(total, Some(&next), &first))
}

async fn more(
    State(sim): State<Sim>,
    Extension(cursors): Extension<Cursors>,
    Extension(resource): Extension<Resource>,
    Path((version, locator)): Path<(String, String)>,
    parts: Parts,
) -> Response {
    next_page(sim, cursors, version, locator, parts, resource)
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

async fn next_page(
    sim: Sim,
    cursors: Cursors,
    version: String,
    locator: String,
    mut parts: Parts,
    resource: Resource,
) -> Result<Response, ApiError> {
    if !supported_version(&version) {
        return Err(ApiError::not_found());
    }
    let session = Session::from_request_parts(&mut parts, &sim).await?;
    let (id, offset) = locator.rsplit_once('-').ok_or_else(invalid_locator)?;
    let offset: usize = offset.parse().map_err(|_| invalid_locator())?;
    let rows = cursors
        .rows(id, &session.username)
        .ok_or_else(invalid_locator)?;
    if offset >= rows.len() {
        return Err(invalid_locator());
    }
    let batch = batch_size(&parts);
    let end = (offset + batch).min(rows.len());
    if end == rows.len() {
        // Salesforce closes a cursor once its last page is read.
        cursors.close(id);
        return Ok(page(rows.len(), None, &rows[offset..end]));
    }
    let next = format!("/services/data/{version}/{}/{id}-{end}", resource.path());
    Ok(page(rows.len(), Some(&next), &rows[offset..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_size_comes_from_the_header_within_salesforce_bounds() {
        let parts = |h: Option<&str>| {
            let mut b = axum::http::Request::builder();
            if let Some(h) = h {
                b = b.header("Sforce-Query-Options", h);
            }
            b.body(()).unwrap().into_parts().0
        };
        assert_eq!(batch_size(&parts(None)), 2000);
        assert_eq!(batch_size(&parts(Some("batchSize=500"))), 500);
        assert_eq!(batch_size(&parts(Some("batchsize = 250"))), 250);
        assert_eq!(batch_size(&parts(Some("foo=1, batchSize=300"))), 300);
        assert_eq!(batch_size(&parts(Some("batchSize=10"))), 200);
        assert_eq!(batch_size(&parts(Some("batchSize=99999"))), 2000);
        assert_eq!(batch_size(&parts(Some("batchSize=x"))), 2000);
    }

    #[test]
    fn rows_keep_attributes_first_and_select_order() {
        let row = row_json(
            "v64.0",
            "Lead",
            &[
                ("Email", serde_json::Value::Null),
                ("Company", "A \"B\"".into()),
            ],
            Some("00Q000000000001AAA"),
        );
        assert_eq!(
            row,
            r#"{"attributes":{"type":"Lead","url":"/services/data/v64.0/sobjects/Lead/00Q000000000001AAA"},"Email":null,"Company":"A \"B\""}"#
        );
    }

    #[test]
    fn cursors_are_per_user_capped_and_closable() {
        let c = Cursors::default();
        let first = c.open("a", vec!["1".into()]);
        assert!(c.rows(&first, "a").is_some());
        assert!(c.rows(&first, "b").is_none());
        let later: Vec<String> = (0..CURSORS_PER_USER).map(|_| c.open("a", vec![])).collect();
        assert!(
            c.rows(&first, "a").is_none(),
            "the least recently used cursor closes"
        );
        assert!(later.iter().all(|id| c.rows(id, "a").is_some()));
        assert!(
            later
                .iter()
                .all(|id| id.starts_with("01g") && id.len() == 18)
        );
        c.close(&later[0]);
        assert!(c.rows(&later[0], "a").is_none());
    }
}
