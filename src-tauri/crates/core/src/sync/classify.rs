//! Which way a failed push goes, decided by one table rather than scattered `match`es: a
//! **retryable** failure waits its backoff and is tried again, a **throttled** one pauses the
//! whole queue until the org's daily API usage falls, an **auth** failure waits for the session
//! to be renewed or the admin to connect again, and a **permanent** one stops the job as "needs
//! attention" — it is never retried automatically, because sending the same record again would
//! only be refused again (and cost API requests the org pays for).

use leadline_salesforce::rest::{ApiErrorCode, RestError};

/// What the worker does with a job after a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Transient on Salesforce's side or the network's: back off and try again.
    Retryable,
    /// The org is out of API requests: pause the queue, lose nothing.
    Throttled,
    /// The session or connection is gone: renew or reconnect, then carry on.
    Auth,
    /// The record itself is refused: needs a person, never retried automatically.
    Permanent,
}

/// Every wire code Leadline knows, with what its failure means for the job. The first eighteen
/// are [`ApiErrorCode`]'s named variants; the rest arrive as [`ApiErrorCode::Other`] and are
/// listed because Salesforce documents them as transient.
pub const TABLE: &[(&str, Outcome)] = &[
    ("REQUIRED_FIELD_MISSING", Outcome::Permanent),
    ("INVALID_FIELD", Outcome::Permanent),
    ("STRING_TOO_LONG", Outcome::Permanent),
    ("INVALID_EMAIL_ADDRESS", Outcome::Permanent),
    (
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        Outcome::Permanent,
    ),
    ("INVALID_FIELD_FOR_INSERT_UPDATE", Outcome::Permanent),
    ("FIELD_CUSTOM_VALIDATION_EXCEPTION", Outcome::Permanent),
    // The org's duplicate rule blocked the save: a person decides between merging and skipping.
    ("DUPLICATES_DETECTED", Outcome::Permanent),
    ("DUPLICATE_VALUE", Outcome::Permanent),
    // Leadline built a body Salesforce could not read: sending it again changes nothing.
    ("JSON_PARSER_ERROR", Outcome::Permanent),
    ("MALFORMED_QUERY", Outcome::Permanent),
    // Another transaction held the row (assignment rules, triggers, a parallel load).
    ("UNABLE_TO_LOCK_ROW", Outcome::Retryable),
    ("INVALID_SESSION_ID", Outcome::Auth),
    ("REQUEST_LIMIT_EXCEEDED", Outcome::Throttled),
    ("API_DISABLED_FOR_ORG", Outcome::Permanent),
    ("API_CURRENTLY_DISABLED", Outcome::Permanent),
    // For an update: the Lead was deleted in Salesforce; no retry brings it back.
    ("NOT_FOUND", Outcome::Permanent),
    ("SERVER_UNAVAILABLE", Outcome::Retryable),
    // Salesforce's "internal server error" code; its own docs say to try again.
    ("UNKNOWN_EXCEPTION", Outcome::Retryable),
    ("QUERY_TIMEOUT", Outcome::Retryable),
    ("REQUEST_RUNNING_TOO_LONG", Outcome::Retryable),
    // A record that failed only because another in an all-or-none request did.
    ("ALL_OR_NONE_OPERATION_ROLLED_BACK", Outcome::Retryable),
];

/// The outcome of one error code, by [`TABLE`]. Codes outside the table are permanent — an
/// unknown refusal is safer shown to a person than retried twenty times — except the
/// `HTTP_<status>` codes that [`parse_error_body`](leadline_salesforce::rest::parse_error_body)
/// gives a body that was no Salesforce error (a proxy's page): those follow their status.
pub fn classify_code(code: &ApiErrorCode) -> Outcome {
    let wire = code.as_str();
    if let Some((_, outcome)) = TABLE.iter().find(|(w, _)| *w == wire) {
        return *outcome;
    }
    match wire
        .strip_prefix("HTTP_")
        .and_then(|s| s.parse::<u16>().ok())
    {
        Some(status) => classify_status(status).unwrap_or(Outcome::Permanent),
        None => Outcome::Permanent,
    }
}

/// What a status alone says, when it says enough.
fn classify_status(status: u16) -> Option<Outcome> {
    match status {
        401 => Some(Outcome::Auth),
        // Request Timeout and Too Many Requests never come from Salesforce itself but from a
        // proxy or load balancer in front of it: both mean "later", not "never".
        408 | 429 => Some(Outcome::Retryable),
        500..=599 => Some(Outcome::Retryable),
        _ => None,
    }
}

/// The outcome of a whole request that failed. A transport failure is retryable; whether the
/// write may have happened (`outcome_unknown`) is the caller's to read from the error, because
/// it changes how the job is retried (look the Lead up first), not whether.
pub fn classify_error(e: &RestError) -> Outcome {
    match e {
        RestError::Api { status, errors } => {
            // The daily limit comes as 403; checked before the status so a proxy-wrapped one is
            // still a pause, not a permanent failure of every job in the request.
            if errors
                .iter()
                .any(|e| e.code == ApiErrorCode::RequestLimitExceeded)
            {
                return Outcome::Throttled;
            }
            if let Some(outcome) = classify_status(*status) {
                return outcome;
            }
            errors
                .first()
                .map_or(Outcome::Permanent, |e| classify_code(&e.code))
        }
        RestError::ReconnectRequired { .. } | RestError::TokenStore(_) => Outcome::Auth,
        // The token endpoint did not answer or answered oddly; `invalid_grant` arrives as
        // ReconnectRequired instead, so what is left here is worth another try.
        RestError::Refresh(_) | RestError::Transport { .. } => Outcome::Retryable,
        RestError::BadResponse(_) | RestError::TooManyRecords(_) | RestError::Revoke { .. } => {
            Outcome::Permanent
        }
    }
}

/// Every named [`ApiErrorCode`] variant. The exhaustive `match` makes a variant added to the
/// salesforce crate fail to compile here until it is listed, so the tests below (and the
/// diagnosis tests) keep covering every code.
#[cfg(test)]
pub(crate) fn every_named_code() -> Vec<ApiErrorCode> {
    use ApiErrorCode as C;
    let all = vec![
        C::RequiredFieldMissing,
        C::InvalidField,
        C::StringTooLong,
        C::InvalidEmailAddress,
        C::InvalidOrNullForRestrictedPicklist,
        C::InvalidFieldForInsertUpdate,
        C::FieldCustomValidationException,
        C::DuplicatesDetected,
        C::DuplicateValue,
        C::JsonParserError,
        C::MalformedQuery,
        C::UnableToLockRow,
        C::InvalidSessionId,
        C::RequestLimitExceeded,
        C::ApiDisabledForOrg,
        C::ApiCurrentlyDisabled,
        C::NotFound,
        C::ServerUnavailable,
    ];
    for c in &all {
        match c {
            C::RequiredFieldMissing
            | C::InvalidField
            | C::StringTooLong
            | C::InvalidEmailAddress
            | C::InvalidOrNullForRestrictedPicklist
            | C::InvalidFieldForInsertUpdate
            | C::FieldCustomValidationException
            | C::DuplicatesDetected
            | C::DuplicateValue
            | C::JsonParserError
            | C::MalformedQuery
            | C::UnableToLockRow
            | C::InvalidSessionId
            | C::RequestLimitExceeded
            | C::ApiDisabledForOrg
            | C::ApiCurrentlyDisabled
            | C::NotFound
            | C::ServerUnavailable
            | C::Other(_) => {}
        }
    }
    all
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use leadline_salesforce::AuthError;
    use leadline_salesforce::rest::{SalesforceError, parse_error_body};

    fn api(status: u16, body: &str) -> RestError {
        RestError::Api {
            status,
            errors: parse_error_body(status, body),
        }
    }

    fn coded(status: u16, code: &str) -> RestError {
        api(
            status,
            &format!(r#"[{{"errorCode":"{code}","message":"m","fields":[]}}]"#),
        )
    }

    #[test]
    fn the_table_covers_every_named_code_once() {
        for code in every_named_code() {
            let hits = TABLE.iter().filter(|(w, _)| *w == code.as_str()).count();
            assert_eq!(hits, 1, "{code} should be in TABLE exactly once");
        }
        let mut wires: Vec<&str> = TABLE.iter().map(|(w, _)| *w).collect();
        wires.sort_unstable();
        wires.dedup();
        assert_eq!(wires.len(), TABLE.len(), "a code is listed twice");
    }

    #[test]
    fn codes_follow_the_issue() {
        use ApiErrorCode as C;
        assert_eq!(classify_code(&C::UnableToLockRow), Outcome::Retryable);
        assert_eq!(classify_code(&C::ServerUnavailable), Outcome::Retryable);
        assert_eq!(classify_code(&C::RequestLimitExceeded), Outcome::Throttled);
        assert_eq!(classify_code(&C::InvalidSessionId), Outcome::Auth);
        for permanent in [
            C::RequiredFieldMissing,
            C::InvalidField,
            C::StringTooLong,
            C::InvalidEmailAddress,
            C::InvalidOrNullForRestrictedPicklist,
            C::InvalidFieldForInsertUpdate,
            C::FieldCustomValidationException,
            C::DuplicatesDetected,
            C::DuplicateValue,
            C::JsonParserError,
            C::MalformedQuery,
            C::ApiDisabledForOrg,
            C::ApiCurrentlyDisabled,
            C::NotFound,
        ] {
            assert_eq!(classify_code(&permanent), Outcome::Permanent, "{permanent}");
        }
    }

    #[test]
    fn other_codes_are_permanent_unless_known_transient() {
        let other = |s: &str| ApiErrorCode::Other(s.into());
        assert_eq!(
            classify_code(&other("UNKNOWN_EXCEPTION")),
            Outcome::Retryable
        );
        assert_eq!(classify_code(&other("QUERY_TIMEOUT")), Outcome::Retryable);
        assert_eq!(
            classify_code(&other("INVALID_CROSS_REFERENCE_KEY")),
            Outcome::Permanent
        );
        assert_eq!(classify_code(&other("")), Outcome::Permanent);
        // The synthetic codes of non-Salesforce bodies follow their status.
        assert_eq!(classify_code(&other("HTTP_502")), Outcome::Retryable);
        assert_eq!(classify_code(&other("HTTP_429")), Outcome::Retryable);
        assert_eq!(classify_code(&other("HTTP_400")), Outcome::Permanent);
        assert_eq!(classify_code(&other("HTTP_x")), Outcome::Permanent);
    }

    #[test]
    fn whole_request_failures_by_status_then_code() {
        assert_eq!(
            classify_error(&coded(503, "SERVER_UNAVAILABLE")),
            Outcome::Retryable
        );
        assert_eq!(
            classify_error(&api(502, "<html>bad gateway</html>")),
            Outcome::Retryable
        );
        // 5xx wins over a permanent-looking code: the server, not the record, failed.
        assert_eq!(
            classify_error(&coded(500, "INVALID_FIELD")),
            Outcome::Retryable
        );
        assert_eq!(
            classify_error(&coded(401, "INVALID_SESSION_ID")),
            Outcome::Auth
        );
        assert_eq!(classify_error(&api(401, "")), Outcome::Auth);
        assert_eq!(
            classify_error(&coded(403, "REQUEST_LIMIT_EXCEEDED")),
            Outcome::Throttled
        );
        assert_eq!(
            classify_error(&coded(403, "API_DISABLED_FOR_ORG")),
            Outcome::Permanent
        );
        assert_eq!(
            classify_error(&coded(400, "UNABLE_TO_LOCK_ROW")),
            Outcome::Retryable
        );
        assert_eq!(
            classify_error(&coded(400, "JSON_PARSER_ERROR")),
            Outcome::Permanent
        );
        assert_eq!(classify_error(&coded(404, "NOT_FOUND")), Outcome::Permanent);
        assert_eq!(classify_error(&api(429, "slow down")), Outcome::Retryable);
        // Only the first code decides among 4xx codes.
        let two = RestError::Api {
            status: 400,
            errors: vec![
                SalesforceError {
                    code: ApiErrorCode::InvalidField,
                    message: String::new(),
                    fields: vec![],
                    duplicate_ids: vec![],
                },
                SalesforceError {
                    code: ApiErrorCode::UnableToLockRow,
                    message: String::new(),
                    fields: vec![],
                    duplicate_ids: vec![],
                },
            ],
        };
        assert_eq!(classify_error(&two), Outcome::Permanent);
        let none = RestError::Api {
            status: 400,
            errors: vec![],
        };
        assert_eq!(classify_error(&none), Outcome::Permanent);
    }

    #[test]
    fn failures_outside_the_api() {
        let reconnect = RestError::ReconnectRequired {
            error: "invalid_grant".into(),
            description: Some("expired access/refresh token".into()),
        };
        assert_eq!(classify_error(&reconnect), Outcome::Auth);
        assert_eq!(
            classify_error(&RestError::TokenStore("locked".into())),
            Outcome::Auth
        );
        assert_eq!(
            classify_error(&RestError::Refresh(AuthError::Http("reset".into()))),
            Outcome::Retryable
        );
        for outcome_unknown in [false, true] {
            let t = RestError::Transport {
                message: "connection reset".into(),
                outcome_unknown,
            };
            assert_eq!(classify_error(&t), Outcome::Retryable);
        }
        assert_eq!(
            classify_error(&RestError::BadResponse("not json".into())),
            Outcome::Permanent
        );
        assert_eq!(
            classify_error(&RestError::TooManyRecords(201)),
            Outcome::Permanent
        );
        let revoke = RestError::Revoke {
            error: "invalid_token".into(),
            description: None,
        };
        assert_eq!(classify_error(&revoke), Outcome::Permanent);
    }
}
