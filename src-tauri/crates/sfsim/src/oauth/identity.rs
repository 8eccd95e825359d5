//! Who a token belongs to: the OpenID Connect UserInfo endpoint and Salesforce's identity URL
//! (`/id/<orgId>/<userId>`). Both take the access token as `Authorization: Bearer` or as the
//! `oauth_token` parameter, and both fail the way Salesforce's identity service does: a status
//! and a bare code word as plain text (`403 Bad_OAuth_Token`, `404 Bad_Id`, …), not JSON.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Params, identity_url};
use crate::error::{json as sf_json, with_content_type};
use crate::org::User;
use crate::server::DATA_PREFIX;
use crate::state::{Sim, TokenKind};

pub(crate) const TIMEZONE: &str = "America/Los_Angeles";
pub(crate) const UTC_OFFSET_MS: i64 = -28_800_000;
pub(crate) const LOCALE: &str = "en_US";
/// The simulator's users never change, so their last-modified time is fixed.
pub(crate) const UPDATED_AT: &str = "2025-01-01T00:00:00Z";
const LATEST_VERSION: &str = "66.0";

/// Salesforce's default community nickname: the username's local part.
pub(crate) fn nickname(user: &User) -> String {
    user.username
        .split('@')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The identity service's errors: a status and a code word as plain text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Denied(StatusCode, &'static str);

impl IntoResponse for Denied {
    fn into_response(self) -> Response {
        with_content_type(self.0, "text/plain;charset=UTF-8", self.1)
    }
}

struct Caller {
    user: User,
    scopes: Vec<String>,
}

fn caller(sim: &Sim, headers: &HeaderMap, params: &Params) -> Result<Caller, Denied> {
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| {
            scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth")
        })
        .map(|(_, t)| t.trim().to_string())
        .filter(|t| !t.is_empty());
    let Some(token) = from_header.or_else(|| params.get("oauth_token").map(str::to_string)) else {
        return Err(Denied(StatusCode::FORBIDDEN, "Missing_OAuth_Token"));
    };
    let found = sim.read(|w| {
        w.token(&token)
            .filter(|t| t.kind == TokenKind::Access && !t.revoked)
            .map(|t| (t.username.clone(), t.scopes.clone()))
    });
    let (username, scopes) = found.ok_or(Denied(StatusCode::FORBIDDEN, "Bad_OAuth_Token"))?;
    // A deactivated user's sessions end with the deactivation.
    let user = sim
        .org()
        .user(&username)
        .filter(|u| u.active)
        .cloned()
        .ok_or(Denied(StatusCode::FORBIDDEN, "Bad_OAuth_Token"))?;
    Ok(Caller { user, scopes })
}

/// The `urls` map: `{version}` stays literal unless the caller asked for a `version`.
fn urls(sim: &Sim, user: &User, version: Option<&str>) -> Value {
    let base = sim.base_url();
    let org15 = &sim.org().org.id[..15];
    let v = match version {
        Some("latest") => LATEST_VERSION,
        Some(v) => v,
        None => "{version}",
    };
    let data = format!("{base}{DATA_PREFIX}/v{v}");
    json!({
        "enterprise": format!("{base}/services/Soap/c/{v}/{org15}"),
        "metadata": format!("{base}/services/Soap/m/{v}/{org15}"),
        "partner": format!("{base}/services/Soap/u/{v}/{org15}"),
        "rest": format!("{data}/"),
        "sobjects": format!("{data}/sobjects/"),
        "search": format!("{data}/search/"),
        "query": format!("{data}/query/"),
        "recent": format!("{data}/recent/"),
        "tooling_soap": format!("{base}/services/Soap/T/{v}/{org15}"),
        "tooling_rest": format!("{data}/tooling/"),
        "profile": format!("{base}/{}", user.id()),
        "feeds": format!("{data}/chatter/feeds"),
        "groups": format!("{data}/chatter/groups"),
        "users": format!("{data}/chatter/users"),
        "feed_items": format!("{data}/chatter/feed-items"),
        "feed_elements": format!("{data}/chatter/feed-elements"),
        "custom_domain": base,
    })
}

fn photos(sim: &Sim) -> Value {
    let base = sim.base_url();
    json!({
        "picture": format!("{base}/profilephoto/005/F"),
        "thumbnail": format!("{base}/profilephoto/005/T"),
    })
}

pub(super) async fn userinfo(
    State(sim): State<Sim>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, Denied> {
    let Caller { user, .. } = caller(&sim, &headers, &params)?;
    let base = sim.base_url();
    Ok(sf_json(
        StatusCode::OK,
        &json!({
            "sub": identity_url(&sim, &user),
            "user_id": user.id(),
            "organization_id": sim.org().org.id,
            "preferred_username": user.username,
            "nickname": nickname(&user),
            "name": user.display_name(),
            "email": user.email,
            "email_verified": user.email_verified,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "zoneinfo": TIMEZONE,
            "photos": photos(&sim),
            "profile": format!("{base}/{}", user.id()),
            "picture": format!("{base}/profilephoto/005/F"),
            "address": { "country": "US" },
            "is_salesforce_integration_user": false,
            "urls": urls(&sim, &user, params.get("version")),
            "active": user.active,
            "user_type": "STANDARD",
            "language": LOCALE,
            "locale": LOCALE,
            "utcOffset": UTC_OFFSET_MS,
            "updated_at": UPDATED_AT,
            "is_app_installed": true,
        }),
    ))
}

/// Ids compare on their case-sensitive 15-character form, so either length is accepted.
fn same_id(a: &str, b: &str) -> bool {
    (a.len() == 15 || a.len() == 18)
        && (b.len() == 15 || b.len() == 18)
        && a.get(..15) == b.get(..15)
}

pub(super) async fn identity(
    State(sim): State<Sim>,
    Path((org_id, user_id)): Path<(String, String)>,
    headers: HeaderMap,
    params: Params,
) -> Result<Response, Denied> {
    let Caller { user: me, scopes } = caller(&sim, &headers, &params)?;
    if !same_id(&org_id, &sim.org().org.id) {
        return Err(Denied(StatusCode::FORBIDDEN, "Wrong_Org"));
    }
    let Some(user) = sim
        .org()
        .users
        .iter()
        .find(|u| same_id(&user_id, u.id()))
        .cloned()
    else {
        return Err(Denied(StatusCode::NOT_FOUND, "Bad_Id"));
    };
    // Another user's identity needs the api or full scope (and an internal user, which every
    // simulated user is).
    if user.id() != me.id() && !scopes.iter().any(|s| s == "api" || s == "full") {
        return Err(Denied(StatusCode::NOT_FOUND, "No_Access"));
    }
    if !user.active {
        return Err(Denied(StatusCode::NOT_FOUND, "Inactive"));
    }
    Ok(sf_json(
        StatusCode::OK,
        &json!({
            "id": identity_url(&sim, &user),
            "asserted_user": user.id() == me.id(),
            "user_id": user.id(),
            "organization_id": sim.org().org.id,
            "username": user.username,
            "nick_name": nickname(&user),
            "display_name": user.display_name(),
            "email": user.email,
            "email_verified": user.email_verified,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "timezone": TIMEZONE,
            "photos": photos(&sim),
            "addr_street": null,
            "addr_city": null,
            "addr_state": null,
            "addr_country": "US",
            "addr_zip": null,
            "mobile_phone": null,
            "mobile_phone_verified": false,
            "is_lightning_login_user": false,
            "status": { "created_date": null, "body": null },
            "urls": urls(&sim, &user, params.get("version")),
            "active": user.active,
            "user_type": "STANDARD",
            "language": LOCALE,
            "locale": LOCALE,
            "utcOffset": UTC_OFFSET_MS,
            "last_modified_date": UPDATED_AT,
            "is_app_installed": true,
        }),
    ))
}
