//! The REST resources under `/services/data`: the version list and per-version resource map,
//! limits, global and per-object describe, records by id and by external id (create, read,
//! update, upsert, delete), and sObject Collections. Everything shared by those handlers lives
//! here: the API version in the path, reading a JSON body the way Salesforce does (content type,
//! size, syntax), the per-request save context from Salesforce's headers, and Salesforce's 405.

mod collections;
mod meta;
mod sobjects;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::routing::{MethodRouter, get, patch, post};
use serde_json::Value;

use crate::error::{ApiError, ErrorItem};
use crate::records::{self, AutoAssign, BodyError, Ctx, RecordError};
use crate::server::DATA_PREFIX;
use crate::session::Session;
use crate::state::Sim;

/// The oldest and newest API versions served (Summer '14 to Spring '26).
pub const MIN_VERSION: u32 = 31;
pub const MAX_VERSION: u32 = 66;

/// Request bodies larger than this are refused before parsing.
pub const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

pub fn routes() -> Router<Sim> {
    let v = "/services/data/{version}";
    let at = |tail: &str| format!("{v}{tail}");
    Router::new()
        .route(DATA_PREFIX, allow(get(meta::versions), "GET,HEAD"))
        .route(v, allow(get(meta::resources), "GET,HEAD"))
        .route(&at("/limits"), allow(get(meta::limits), "GET,HEAD"))
        .route(&at("/sobjects"), allow(get(sobjects::global), "GET,HEAD"))
        .route(
            &at("/sobjects/{object}"),
            allow(
                get(sobjects::basic_info).post(sobjects::create),
                "GET,HEAD,POST",
            ),
        )
        .route(
            &at("/sobjects/{object}/describe"),
            allow(get(sobjects::describe), "GET,HEAD"),
        )
        .route(
            &at("/sobjects/{object}/{id}"),
            allow(
                get(sobjects::read)
                    .patch(sobjects::update)
                    .delete(sobjects::delete)
                    .post(sobjects::create_by_id),
                "GET,HEAD,PATCH,DELETE",
            ),
        )
        .route(
            &at("/sobjects/{object}/{field}/{value}"),
            allow(
                get(sobjects::read_by_key)
                    .patch(sobjects::upsert)
                    .delete(sobjects::delete_by_key),
                "GET,HEAD,PATCH,DELETE",
            ),
        )
        .route(
            &at("/composite/sobjects"),
            allow(
                post(collections::create)
                    .patch(collections::update)
                    .delete(collections::delete),
                "POST,PATCH,DELETE",
            ),
        )
        .route(
            &at("/composite/sobjects/{object}"),
            allow(
                get(collections::retrieve).post(collections::retrieve_post),
                "GET,HEAD,POST",
            ),
        )
        .route(
            &at("/composite/sobjects/{object}/{field}"),
            allow(patch(collections::upsert), "PATCH"),
        )
}

/// Salesforce's 405 for the methods a resource lacks (rather than an empty one), naming the
/// ones it allows.
pub(crate) fn allow(methods: MethodRouter<Sim>, allowed: &'static str) -> MethodRouter<Sim> {
    methods.fallback(
        move |method: Method| async move { ApiError::method_not_allowed(method, allowed) },
    )
}

/// `vNN.0` → `NN`, for the versions served.
pub fn parse_version(segment: &str) -> Option<u32> {
    segment
        .strip_prefix('v')?
        .strip_suffix(".0")?
        .parse::<u32>()
        .ok()
        .filter(|v| (MIN_VERSION..=MAX_VERSION).contains(v))
}

/// The API version named in the path; an unknown one answers 404 before anything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiVersion(pub u32);

impl ApiVersion {
    /// `59.0`.
    pub fn number(self) -> String {
        format!("{}.0", self.0)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ApiVersion {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .uri
            .path()
            .strip_prefix(DATA_PREFIX)
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|rest| rest.split('/').next())
            .and_then(parse_version)
            .map(ApiVersion)
            .ok_or_else(ApiError::not_found)
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The save context of a request: who, when, and Salesforce's assignment and duplicate headers.
fn ctx(session: &Session, version: ApiVersion, headers: &HeaderMap) -> Ctx {
    Ctx {
        user_id: session.user_id.clone(),
        version: version.0,
        now: records::values::now(),
        assign: AutoAssign::parse(header(headers, "sforce-auto-assign")),
        allow_save: records::allow_save(header(headers, "sforce-duplicate-rule-header")),
    }
}

/// A JSON body checked as Salesforce checks it: JSON content type (or none), size, syntax.
async fn json_body(headers: &HeaderMap, body: Body) -> Result<(Bytes, Value), ApiError> {
    if let Some(ct) = headers.get(header::CONTENT_TYPE) {
        let ct = ct.to_str().unwrap_or_default();
        let media = ct
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        if !(media == "application/json" || media.ends_with("+json") || media == "text/json") {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                format!("MediaType of '{media}' is not supported by this resource"),
            ));
        }
    }
    let bytes = axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "REQUEST_ENTITY_TOO_LARGE",
                format!("The request body is larger than the maximum of {MAX_BODY_BYTES} bytes"),
            )
        })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::json_parser(
            "No content to map to Object due to end of input",
        ));
    }
    let value = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::json_parser(jackson_message(&bytes, &e)))?;
    Ok((bytes, value))
}

/// serde_json's complaint in the words of Jackson, the reader behind Salesforce's REST API.
fn jackson_message(src: &[u8], e: &serde_json::Error) -> String {
    let (line, column) = (e.line(), e.column());
    if e.classify() == serde_json::error::Category::Eof {
        return format!(
            "Unexpected end-of-input: expected close marker for OBJECT (from [line:1, column:1]) at [line:{line}, column:{}]",
            column + 1
        );
    }
    let offset = src
        .split(|&b| b == b'\n')
        .take(line.saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum::<usize>()
        + column.saturating_sub(1);
    let text = String::from_utf8_lossy(src.get(offset..).unwrap_or_default());
    match text.chars().next() {
        Some(c) => format!(
            "Unexpected character ('{c}' (code {})): expected a valid value (number, String, array, object, \
             'true', 'false' or 'null') at [line:{line}, column:{column}]",
            u32::from(c)
        ),
        None => format!("Unexpected end-of-input at [line:{line}, column:{column}]"),
    }
}

/// The body must be a JSON object (one record).
fn object_body<'a>(
    value: &'a Value,
    type_name: &str,
) -> Result<&'a serde_json::Map<String, Value>, ApiError> {
    match value {
        Value::Object(m) => Ok(m),
        other => {
            let (token, text) = match other {
                Value::Array(_) => ("START_ARRAY", "["),
                Value::String(_) => ("VALUE_STRING", "\""),
                Value::Number(_) => ("VALUE_NUMBER_INT", "0"),
                Value::Bool(_) => ("VALUE_TRUE", "true"),
                _ => ("VALUE_NULL", "null"),
            };
            Err(ApiError::json_parser(format!(
                "Cannot deserialize instance of {} from {token} value {text} or request may be missing a required \
                 field at [line:1, column:1]",
                type_name.to_lowercase()
            )))
        }
    }
}

impl From<BodyError> for ApiError {
    fn from(e: BodyError) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, e.code, e.message)
    }
}

/// A failed single-record save as the whole answer: 400 with every error, 404 when the
/// record is gone.
fn record_errors(errors: &[RecordError]) -> ApiError {
    let status = match errors.first().map(|e| e.code) {
        Some("ENTITY_IS_DELETED" | "NOT_FOUND") => StatusCode::NOT_FOUND,
        _ => StatusCode::BAD_REQUEST,
    };
    ApiError {
        status,
        items: errors
            .iter()
            .map(RecordError::to_item)
            .collect::<Vec<ErrorItem>>(),
    }
}

fn unknown_object() -> ApiError {
    ApiError::not_found()
}

/// The message Salesforce gives for an unknown `sObject` in a type attribute or query.
fn unsupported_type(name: &str) -> String {
    format!(
        "sObject type '{name}' is not supported. If you are attempting to use a custom object, be sure to append \
         the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
    )
}

/// The message for an unknown field in `fields=`.
fn no_such_column(field: &str, object: &str) -> String {
    format!(
        "No such column '{field}' on entity '{object}'. If you are attempting to use a custom field, be sure to \
         append the '__c' after the custom field name. Please reference your WSDL or the describe call for the \
         appropriate names."
    )
}

/// Resolves `fields=A,B` against an object.
fn select_fields(obj: &crate::schema::ObjectDef, list: &str) -> Result<Vec<usize>, ApiError> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|name| {
            obj.field_index(name).ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "INVALID_FIELD",
                    no_such_column(name, &obj.name),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_v31_to_v66() {
        assert_eq!(parse_version("v59.0"), Some(59));
        assert_eq!(parse_version("v31.0"), Some(31));
        assert_eq!(parse_version("v66.0"), Some(66));
        assert_eq!(parse_version("v30.0"), None);
        assert_eq!(parse_version("v67.0"), None);
        assert_eq!(parse_version("v59"), None);
        assert_eq!(parse_version("59.0"), None);
    }

    #[test]
    fn syntax_errors_read_like_jackson() {
        let src = b"{\"a\": }";
        let e = serde_json::from_slice::<Value>(src).unwrap_err();
        let m = jackson_message(src, &e);
        assert!(
            m.starts_with("Unexpected character ('}' (code 125))"),
            "{m}"
        );
        let src = b"{\"a\": 1";
        let e = serde_json::from_slice::<Value>(src).unwrap_err();
        assert!(jackson_message(src, &e).starts_with("Unexpected end-of-input"));
    }
}
