//! Salesforce's error bodies, byte for byte: REST errors are a JSON array of
//! `{"message","errorCode","fields"}` (`statusCode` inside sObject Collections results), OAuth
//! errors an object of `{"error","error_description"}`; both sent as
//! `application/json;charset=UTF-8`. Other answers with an exact content type (pages, plain-text
//! and form-encoded errors) go through the same helper.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;

pub const JSON: &str = "application/json;charset=UTF-8";

/// A response with exactly this content type: clients compare Salesforce's, charset and all.
pub fn with_content_type(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Body>,
) -> Response {
    let mut r = (status, body.into()).into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

/// A JSON response with Salesforce's content type.
pub fn json(status: StatusCode, body: &impl Serialize) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"null".to_vec());
    with_content_type(status, JSON, bytes)
}

/// One REST error as Salesforce writes it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ErrorItem {
    pub message: String,
    #[serde(rename = "errorCode")]
    pub error_code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
    /// Extra keys some errors carry (`duplicateResut` on DUPLICATES_DETECTED).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

/// A whole-request REST error: an HTTP status and Salesforce's error array.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub items: Vec<ErrorItem>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            items: vec![ErrorItem {
                message: message.into(),
                error_code: code.into(),
                fields: None,
                extra: Default::default(),
            }],
        }
    }

    pub fn with_fields(mut self, fields: Vec<String>) -> Self {
        if let Some(item) = self.items.first_mut() {
            item.fields = Some(fields);
        }
        self
    }

    pub fn invalid_session() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "INVALID_SESSION_ID",
            "Session expired or invalid",
        )
    }

    pub fn not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        )
    }

    pub fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVER_UNAVAILABLE",
            "Server is temporarily unavailable. Please try again later.",
        )
    }

    /// Salesforce's 405, naming the methods the resource allows.
    pub fn method_not_allowed(method: impl std::fmt::Display, allowed: &str) -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "METHOD_NOT_ALLOWED",
            format!("HTTP Method '{method}' not allowed. Allowed are {allowed}"),
        )
    }

    pub fn json_parser(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "JSON_PARSER_ERROR", message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json(self.status, &self.items)
    }
}

/// An OAuth endpoint's error: `{"error","error_description"}`.
#[derive(Debug, Clone)]
pub struct OAuthError {
    pub status: StatusCode,
    pub error: String,
    pub description: String,
}

impl OAuthError {
    pub fn new(status: StatusCode, error: &str, description: impl Into<String>) -> Self {
        Self {
            status,
            error: error.into(),
            description: description.into(),
        }
    }

    pub fn bad_request(error: &str, description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, error, description)
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        json(
            self.status,
            &serde_json::json!({ "error": self.error, "error_description": self.description }),
        )
    }
}
