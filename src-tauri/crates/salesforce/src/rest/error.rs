//! What a Salesforce REST call can fail with: the API's own error codes as a typed enum, one
//! error of a body ([`SalesforceError`]), and [`RestError`] for a whole call — including the
//! cases where the connection has to be made again and where a write's outcome is unknown.
//!
//! Salesforce's error bodies come in several shapes (an array of `errorCode` objects, a single
//! object, `statusCode` inside collections, HTML from a proxy); [`parse_error_body`] turns any
//! of them into [`SalesforceError`]s so callers match on codes, not on text.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;

use crate::authflow::AuthError;

/// Salesforce's `errorCode` / `statusCode` values Leadline reacts to; the rest are kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ApiErrorCode {
    RequiredFieldMissing,
    InvalidField,
    StringTooLong,
    InvalidEmailAddress,
    InvalidOrNullForRestrictedPicklist,
    InvalidFieldForInsertUpdate,
    FieldCustomValidationException,
    DuplicatesDetected,
    DuplicateValue,
    JsonParserError,
    MalformedQuery,
    UnableToLockRow,
    InvalidSessionId,
    RequestLimitExceeded,
    ApiDisabledForOrg,
    ApiCurrentlyDisabled,
    NotFound,
    ServerUnavailable,
    Other(String),
}

const KNOWN: &[(ApiErrorCode, &str)] = &[
    (ApiErrorCode::RequiredFieldMissing, "REQUIRED_FIELD_MISSING"),
    (ApiErrorCode::InvalidField, "INVALID_FIELD"),
    (ApiErrorCode::StringTooLong, "STRING_TOO_LONG"),
    (ApiErrorCode::InvalidEmailAddress, "INVALID_EMAIL_ADDRESS"),
    (
        ApiErrorCode::InvalidOrNullForRestrictedPicklist,
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    ),
    (
        ApiErrorCode::InvalidFieldForInsertUpdate,
        "INVALID_FIELD_FOR_INSERT_UPDATE",
    ),
    (
        ApiErrorCode::FieldCustomValidationException,
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    ),
    (ApiErrorCode::DuplicatesDetected, "DUPLICATES_DETECTED"),
    (ApiErrorCode::DuplicateValue, "DUPLICATE_VALUE"),
    (ApiErrorCode::JsonParserError, "JSON_PARSER_ERROR"),
    (ApiErrorCode::MalformedQuery, "MALFORMED_QUERY"),
    (ApiErrorCode::UnableToLockRow, "UNABLE_TO_LOCK_ROW"),
    (ApiErrorCode::InvalidSessionId, "INVALID_SESSION_ID"),
    (ApiErrorCode::RequestLimitExceeded, "REQUEST_LIMIT_EXCEEDED"),
    (ApiErrorCode::ApiDisabledForOrg, "API_DISABLED_FOR_ORG"),
    (ApiErrorCode::ApiCurrentlyDisabled, "API_CURRENTLY_DISABLED"),
    (ApiErrorCode::NotFound, "NOT_FOUND"),
    (ApiErrorCode::ServerUnavailable, "SERVER_UNAVAILABLE"),
];

impl ApiErrorCode {
    /// The code as Salesforce writes it, e.g. `REQUIRED_FIELD_MISSING`.
    pub fn as_str(&self) -> &str {
        if let ApiErrorCode::Other(s) = self {
            return s;
        }
        KNOWN.iter().find(|(c, _)| c == self).map_or("", |(_, s)| s)
    }
}

impl FromStr for ApiErrorCode {
    type Err = std::convert::Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(KNOWN
            .iter()
            .find(|(_, w)| *w == s)
            .map_or_else(|| ApiErrorCode::Other(s.to_string()), |(c, _)| c.clone()))
    }
}

impl fmt::Display for ApiErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One error Salesforce reported, for a whole request or for one record of a collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesforceError {
    pub code: ApiErrorCode,
    pub message: String,
    pub fields: Vec<String>,
    /// For `DUPLICATES_DETECTED`: the ids of the matching records, from
    /// `duplicateResut.matchResults[].matchRecords[].record.Id` (Salesforce's spelling).
    pub duplicate_ids: Vec<String>,
}

impl fmt::Display for SalesforceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)?;
        if !self.fields.is_empty() {
            write!(f, " [{}]", self.fields.join(", "))?;
        }
        Ok(())
    }
}

impl SalesforceError {
    /// One error object, with `errorCode` (whole-request errors) or `statusCode` (collections).
    pub fn from_json(v: &Value) -> Option<Self> {
        let obj = v.as_object()?;
        let code = obj
            .get("errorCode")
            .or_else(|| obj.get("statusCode"))
            .and_then(Value::as_str)?;
        let message = obj
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let fields = obj
            .get("fields")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let duplicate_ids = obj
            .get("duplicateResut")
            .or_else(|| obj.get("duplicateResult"))
            .and_then(|d| d.get("matchResults"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|m| m.get("matchRecords").and_then(Value::as_array))
            .flatten()
            .filter_map(|r| r.get("record")?.get("Id")?.as_str())
            .map(str::to_string)
            .collect();
        let Ok(code) = code.parse();
        Some(SalesforceError {
            code,
            message,
            fields,
            duplicate_ids,
        })
    }
}

/// How long a non-JSON error body may be when kept as a message.
const TEXT_BODY_LIMIT: usize = 300;

/// Any whole-request error body: a JSON array of errors, a single error object, or text (a
/// proxy's HTML page, a plain message), which becomes one `Other` error with the text trimmed.
pub fn parse_error_body(status: u16, body: &str) -> Vec<SalesforceError> {
    let parsed = match serde_json::from_str::<Value>(body) {
        Ok(Value::Array(items)) => items
            .iter()
            .filter_map(SalesforceError::from_json)
            .collect(),
        Ok(v @ Value::Object(_)) => SalesforceError::from_json(&v).into_iter().collect(),
        _ => Vec::new(),
    };
    if !parsed.is_empty() {
        return parsed;
    }
    let text = body.trim();
    let message = if text.is_empty() {
        format!("HTTP {status} with an empty body")
    } else {
        text.chars().take(TEXT_BODY_LIMIT).collect()
    };
    vec![SalesforceError {
        code: ApiErrorCode::Other(format!("HTTP_{status}")),
        message,
        fields: Vec::new(),
        duplicate_ids: Vec::new(),
    }]
}

fn describe_errors(errors: &[SalesforceError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

fn with_description(description: &Option<String>) -> String {
    description
        .as_deref()
        .map(|d| format!(" ({d})"))
        .unwrap_or_default()
}

/// A failed REST call. No message carries a token.
#[derive(Debug, thiserror::Error)]
pub enum RestError {
    /// Salesforce refused the whole request.
    #[error("Salesforce answered HTTP {status}: {}", describe_errors(.errors))]
    Api {
        status: u16,
        errors: Vec<SalesforceError>,
    },
    /// The session is gone and cannot be renewed: the admin has to connect again.
    #[error("the Salesforce connection must be made again: {error}{}", with_description(.description))]
    ReconnectRequired {
        error: String,
        description: Option<String>,
    },
    #[error("renewing the Salesforce session failed: {0}")]
    Refresh(AuthError),
    #[error("saving the renewed Salesforce tokens failed: {0}")]
    TokenStore(String),
    /// The request did not complete. `outcome_unknown`: it may have reached Salesforce (a
    /// write may have happened), so a retry must be able to tell.
    #[error("cannot reach Salesforce: {message}{}", if *.outcome_unknown { " (the request may have been processed)" } else { "" })]
    Transport {
        message: String,
        outcome_unknown: bool,
    },
    #[error("Salesforce's answer is not what was expected: {0}")]
    BadResponse(String),
    #[error("{0} records in one request: Salesforce takes at most 200")]
    TooManyRecords(usize),
    #[error("Salesforce refused to revoke the token: {error}{}", with_description(.description))]
    Revoke {
        error: String,
        description: Option<String>,
    },
}

impl RestError {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            RestError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The first error code of an API error.
    pub fn first_code(&self) -> Option<&ApiErrorCode> {
        match self {
            RestError::Api { errors, .. } => errors.first().map(|e| &e.code),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn codes_round_trip_the_wire_text() {
        for (code, wire) in KNOWN {
            assert_eq!(code.as_str(), *wire);
            assert_eq!(code.to_string(), *wire);
            assert_eq!(wire.parse::<ApiErrorCode>().unwrap(), *code);
        }
        let other: ApiErrorCode = "INVALID_CROSS_REFERENCE_KEY".parse().unwrap();
        assert_eq!(
            other,
            ApiErrorCode::Other("INVALID_CROSS_REFERENCE_KEY".into())
        );
        assert_eq!(other.as_str(), "INVALID_CROSS_REFERENCE_KEY");
    }

    #[test]
    fn parses_an_array_body() {
        let body = r#"[{"message":"Required fields are missing: [LastName, Company]","errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName","Company"]}]"#;
        let e = parse_error_body(400, body);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].code, ApiErrorCode::RequiredFieldMissing);
        assert_eq!(e[0].fields, ["LastName", "Company"]);
        assert!(e[0].message.starts_with("Required fields are missing"));
    }

    #[test]
    fn parses_a_single_object_body() {
        let body =
            r#"{"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}"#;
        let e = parse_error_body(403, body);
        assert_eq!(e[0].code, ApiErrorCode::RequestLimitExceeded);
        assert!(e[0].fields.is_empty());
    }

    #[test]
    fn parses_the_documented_codes_sfsim_cannot_produce() {
        for (wire, code, status) in [
            ("JSON_PARSER_ERROR", ApiErrorCode::JsonParserError, 400),
            ("UNABLE_TO_LOCK_ROW", ApiErrorCode::UnableToLockRow, 500),
            ("INVALID_SESSION_ID", ApiErrorCode::InvalidSessionId, 401),
            ("SERVER_UNAVAILABLE", ApiErrorCode::ServerUnavailable, 503),
            (
                "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                ApiErrorCode::FieldCustomValidationException,
                400,
            ),
        ] {
            let body = format!(r#"[{{"message":"m","errorCode":"{wire}","fields":[]}}]"#);
            let e = parse_error_body(status, &body);
            assert_eq!(e[0].code, code, "{wire}");
        }
    }

    #[test]
    fn duplicates_keep_the_matching_ids_under_salesforces_misspelt_key() {
        let body = r#"[{"duplicateResut":{"allowSave":false,"duplicateRule":"Standard_Lead_Duplicate_Rule","duplicateRuleEntityType":"Lead","errorMessage":"Use one of these records?","matchResults":[{"entityType":"Lead","errors":[],"matchEngine":"FuzzyMatchEngine","matchRecords":[{"additionalInformation":[],"fieldDiffs":[],"matchConfidence":100.0,"record":{"attributes":{"type":"Lead","url":"/services/data/v62.0/sobjects/Lead/00Q5e00000AbCdEAAV"},"Id":"00Q5e00000AbCdEAAV"}},{"record":{"Id":"00Q5e00000AbCdFAAV"}}],"rule":"Standard_Lead_Match_Rule_v1_0","size":2,"success":true}]},"errorCode":"DUPLICATES_DETECTED","message":"Use one of these records?"}]"#;
        let e = parse_error_body(400, body);
        assert_eq!(e[0].code, ApiErrorCode::DuplicatesDetected);
        assert_eq!(
            e[0].duplicate_ids,
            ["00Q5e00000AbCdEAAV", "00Q5e00000AbCdFAAV"]
        );
    }

    #[test]
    fn collection_errors_use_status_code() {
        let v = serde_json::json!({"statusCode":"DUPLICATE_VALUE","message":"duplicate value found: Booking_Id__c duplicates value on record with id: 00Q000000000001","fields":["Booking_Id__c"]});
        let e = SalesforceError::from_json(&v).unwrap();
        assert_eq!(e.code, ApiErrorCode::DuplicateValue);
        assert_eq!(e.fields, ["Booking_Id__c"]);
    }

    #[test]
    fn html_and_empty_bodies_become_one_other_error() {
        let html = format!("<html><body>{}</body></html>", "x".repeat(1000));
        let e = parse_error_body(502, &html);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].code, ApiErrorCode::Other("HTTP_502".into()));
        assert_eq!(e[0].message.chars().count(), TEXT_BODY_LIMIT);
        assert!(e[0].message.starts_with("<html>"));
        let e = parse_error_body(500, "  ");
        assert!(e[0].message.contains("500"));
        // JSON that is no error list is kept as text too.
        let e = parse_error_body(400, r#"{"unexpected":true}"#);
        assert_eq!(e[0].code, ApiErrorCode::Other("HTTP_400".into()));
    }

    #[test]
    fn status_and_first_code() {
        let e = RestError::Api {
            status: 404,
            errors: parse_error_body(
                404,
                r#"[{"errorCode":"NOT_FOUND","message":"The requested resource does not exist"}]"#,
            ),
        };
        assert_eq!(e.status(), Some(404));
        assert_eq!(e.first_code(), Some(&ApiErrorCode::NotFound));
        assert!(e.to_string().contains("NOT_FOUND"), "{e}");
        assert_eq!(RestError::TooManyRecords(201).status(), None);
        assert!(RestError::TooManyRecords(201).to_string().contains("201"));
    }
}
