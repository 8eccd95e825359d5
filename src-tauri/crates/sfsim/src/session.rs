//! The REST API's gatekeeper: a handler that takes a [`Session`] only runs for a live access
//! token of an active, API-enabled user in an edition with API access, and only while the org's
//! daily request limit lasts. Each admitted request counts against that limit.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;

use crate::error::ApiError;
use crate::state::{Sim, TokenKind};

/// The user and app behind an admitted REST request.
#[derive(Debug, Clone)]
pub struct Session {
    pub username: String,
    pub user_id: String,
    pub client_id: String,
    pub access_token: String,
}

/// The token from `Authorization: Bearer …` (or the older `OAuth …` scheme Salesforce accepts).
pub fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<Sim> for Session {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, sim: &Sim) -> Result<Self, Self::Rejection> {
        let token = bearer(parts)
            .ok_or_else(ApiError::invalid_session)?
            .to_string();
        let org = sim.org();
        let (username, client_id) = sim
            .read(|w| {
                w.token(&token)
                    .filter(|t| t.kind == TokenKind::Access && !t.revoked)
                    .map(|t| (t.username.clone(), t.client_id.clone()))
            })
            .ok_or_else(ApiError::invalid_session)?;
        let user = org
            .user(&username)
            .filter(|u| u.active)
            .ok_or_else(ApiError::invalid_session)?;
        if !org.org.edition.has_api() {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "API_DISABLED_FOR_ORG",
                "The REST API is not enabled for this Organization.",
            ));
        }
        if !user.api_enabled {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "API_CURRENTLY_DISABLED",
                "API is disabled for this User",
            ));
        }
        let limit = org.org.daily_api_limit;
        let admitted = sim.count(|w| {
            if w.api_used >= limit {
                false
            } else {
                w.api_used += 1;
                true
            }
        });
        if !admitted {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "REQUEST_LIMIT_EXCEEDED",
                "TotalRequests Limit exceeded.",
            ));
        }
        Ok(Session {
            username: user.username.clone(),
            user_id: user.id().to_string(),
            client_id,
            access_token: token,
        })
    }
}
