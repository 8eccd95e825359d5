//! The token and revoke endpoints. Token requests are form-encoded (a JSON body is not read,
//! so it fails as `unsupported_grant_type`, as on Salesforce); the client may name itself in the
//! body or with HTTP Basic. Every failure is HTTP 400 with `{"error","error_description"}` in
//! Salesforce's words, and the success body has no `expires_in`, an `issued_at` in epoch
//! milliseconds as a string, and a `signature` over `id` + `issued_at`.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;

use super::{
    MAX_REFRESH_TOKENS_PER_APP_USER, Params, crypto, identity_url, now_secs, oidc, wants_refresh,
};
use crate::error::{OAuthError, json as sf_json, with_content_type};
use crate::org::{ConnectedApp, PermittedUsers, RefreshTokenPolicy, User};
use crate::state::{Sim, TokenKind, World};

/// The token response, fields in Salesforce's order.
#[derive(Debug, Serialize)]
struct Grant {
    access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    signature: String,
    scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
    instance_url: String,
    id: String,
    token_type: &'static str,
    issued_at: String,
}

fn invalid_client_id() -> OAuthError {
    OAuthError::bad_request("invalid_client_id", "client identifier invalid")
}

fn invalid_grant(description: &str) -> OAuthError {
    OAuthError::bad_request("invalid_grant", description)
}

fn expired_token() -> OAuthError {
    invalid_grant("expired access/refresh token")
}

/// The client as it identified itself: body parameters, else HTTP Basic (whose parts are
/// form-encoded, RFC 6749 §2.3.1).
struct Client {
    id: String,
    secret: Option<String>,
}

fn client(params: &Params, headers: &HeaderMap) -> Option<Client> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, b64)| STANDARD.decode(b64.trim()).ok())
        .and_then(|raw| String::from_utf8(raw).ok())
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            let decode = |s: &str| -> String {
                form_urlencoded::parse(format!("x={s}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            Some((decode(id), decode(secret)))
        });
    let id = params
        .get("client_id")
        .map(str::to_string)
        .or_else(|| basic.as_ref().map(|(id, _)| id.clone()))
        .filter(|id| !id.is_empty())?;
    let secret = params
        .get("client_secret")
        .map(str::to_string)
        .or_else(|| basic.map(|(_, s)| s))
        .filter(|s| !s.is_empty());
    Some(Client { id, secret })
}

fn app_for(sim: &Sim, client: Option<&Client>) -> Result<ConnectedApp, OAuthError> {
    let app = client
        .and_then(|c| sim.org().app(&c.id))
        .cloned()
        .ok_or_else(invalid_client_id)?;
    if app.blocked {
        return Err(OAuthError::bad_request(
            "invalid_client",
            "app must be installed into org",
        ));
    }
    if app.ip_restricted {
        return Err(invalid_grant("ip restricted"));
    }
    Ok(app)
}

/// The user a grant is for, if Salesforce would still issue tokens to them.
fn grantee(sim: &Sim, app: &ConnectedApp, username: &str) -> Result<User, OAuthError> {
    let user = sim
        .org()
        .user(username)
        .filter(|u| u.active)
        .cloned()
        .ok_or_else(|| invalid_grant("inactive user"))?;
    if app.permitted_users == PermittedUsers::AdminApproved
        && !app
            .approved_users
            .iter()
            .any(|u| u.eq_ignore_ascii_case(&user.username))
    {
        return Err(invalid_grant("user hasn't approved this consumer"));
    }
    Ok(user)
}

/// Revokes a refresh token and every access token minted from it.
pub(crate) fn revoke_family(w: &mut World, refresh: &str, reason: &str) {
    for t in w.tokens.iter_mut() {
        let hit = t.value == refresh || t.refresh_token.as_deref() == Some(refresh);
        if hit && !t.revoked {
            t.revoked = true;
            t.revoked_reason = Some(reason.to_string());
        }
    }
}

/// What happens to refresh tokens when a grant issues an access token.
enum Refresh {
    /// A new authorization: a refresh token if the scopes ask for one.
    New,
    /// A refresh that keeps the refresh token: the access token hangs off it.
    Keep(String),
    /// Rotation: a new refresh token replaces this one.
    Rotate(String),
}

fn issue(
    sim: &Sim,
    user: &User,
    client: &Client,
    scopes: &[String],
    nonce: Option<&str>,
    refresh: Refresh,
) -> Result<Grant, OAuthError> {
    let username = user.username.as_str();
    let client_id = client.id.as_str();
    let with_refresh = match &refresh {
        Refresh::New => wants_refresh(scopes),
        Refresh::Keep(_) => false,
        Refresh::Rotate(_) => true,
    };
    let (access, new_refresh) = sim.mint_tokens(username, client_id, scopes, with_refresh);
    let issued_at = sim.write(|w| {
        match &refresh {
            Refresh::Keep(old) => {
                if let Some(t) = w.token_mut(&access) {
                    t.refresh_token = Some(old.clone());
                }
            }
            Refresh::Rotate(old) => {
                if let Some(t) = w.token_mut(old) {
                    t.revoked = true;
                    t.revoked_reason = Some("rotated".into());
                }
            }
            Refresh::New => {}
        }
        if new_refresh.is_some() {
            let live: Vec<String> = w
                .tokens
                .iter()
                .filter(|t| t.kind == TokenKind::Refresh && !t.revoked)
                .filter(|t| t.client_id == client_id && t.username.eq_ignore_ascii_case(username))
                .map(|t| t.value.clone())
                .collect();
            let excess = live.len().saturating_sub(MAX_REFRESH_TOKENS_PER_APP_USER);
            for oldest in &live[..excess] {
                revoke_family(w, oldest, "limit");
            }
        }
        w.token(&access).map(|t| t.issued_at).unwrap_or_default()
    });
    let id = identity_url(sim, user);
    let issued_at = issued_at.to_string();
    // Salesforce keys the signature with the consumer secret; a public client has none, so its
    // client id stands in (stable, and checkable by the client).
    let key = client.secret.as_deref().unwrap_or(client_id);
    let signature = crypto::token_signature(key, &id, &issued_at);
    let id_token = if scopes.iter().any(|s| s == "openid") {
        Some(
            oidc::id_token(sim, user, client_id, scopes, &access, nonce).map_err(|e| {
                OAuthError::new(StatusCode::INTERNAL_SERVER_ERROR, "server_error", e)
            })?,
        )
    } else {
        None
    };
    Ok(Grant {
        access_token: access,
        refresh_token: new_refresh,
        signature,
        scope: scopes.join(" "),
        id_token,
        instance_url: sim.base_url(),
        id,
        token_type: "Bearer",
        issued_at,
    })
}

fn authorization_code(
    sim: &Sim,
    params: &Params,
    headers: &HeaderMap,
) -> Result<Grant, OAuthError> {
    let client = client(params, headers);
    let app = app_for(sim, client.as_ref())?;
    let client = client.ok_or_else(invalid_client_id)?;
    let invalid_code = || invalid_grant("invalid authorization code");
    let code = params.get("code").ok_or_else(invalid_code)?;
    // Single use: the first attempt consumes the code whatever its outcome.
    let entry = sim
        .write(|w| w.codes.remove(code))
        .ok_or_else(invalid_code)?;
    if entry.client_id != app.client_id {
        return Err(invalid_code());
    }
    if entry.expires_at <= now_secs() {
        return Err(invalid_grant("expired authorization code"));
    }
    if params.get("redirect_uri") != Some(entry.redirect_uri.as_str()) {
        return Err(OAuthError::bad_request(
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        ));
    }
    match &entry.code_challenge {
        Some(challenge) => {
            // Salesforce refuses any verifier containing `~`, although RFC 7636 allows it.
            let ok = params
                .get("code_verifier")
                .is_some_and(|v| !v.contains('~') && crypto::s256(v) == *challenge);
            if !ok {
                return Err(invalid_grant("invalid code verifier"));
            }
        }
        None if app.require_pkce => {
            return Err(OAuthError::bad_request(
                "invalid_request",
                "missing required code challenge",
            ));
        }
        None => {}
    }
    let user = grantee(sim, &app, &entry.username)?;
    issue(
        sim,
        &user,
        &client,
        &entry.scopes,
        entry.nonce.as_deref(),
        Refresh::New,
    )
}

fn refresh_token(sim: &Sim, params: &Params, headers: &HeaderMap) -> Result<Grant, OAuthError> {
    let client = client(params, headers);
    let app = app_for(sim, client.as_ref())?;
    let client = client.ok_or_else(invalid_client_id)?;
    let presented = params.get("refresh_token").ok_or_else(expired_token)?;
    let record = sim
        .read(|w| w.token(presented).cloned())
        .filter(|t| t.kind == TokenKind::Refresh && !t.revoked && t.client_id == app.client_id)
        .ok_or_else(expired_token)?;
    if app.refresh_token_policy == RefreshTokenPolicy::ExpireImmediately {
        sim.write(|w| {
            if let Some(t) = w.token_mut(presented) {
                t.revoked = true;
                t.revoked_reason = Some("policy".into());
            }
        });
        return Err(expired_token());
    }
    let user = grantee(sim, &app, &record.username)?;
    let refresh = match app.refresh_token_policy {
        RefreshTokenPolicy::Rotate => Refresh::Rotate(presented.to_string()),
        _ => Refresh::Keep(presented.to_string()),
    };
    issue(sim, &user, &client, &record.scopes, None, refresh)
}

fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache,must-revalidate,max-age=0,no-store,private"),
    );
    r
}

pub(super) async fn token(State(sim): State<Sim>, headers: HeaderMap, params: Params) -> Response {
    let grant_type = params.get("grant_type").unwrap_or("(missing)").to_string();
    sim.count(|w| {
        *w.stats
            .token_requests
            .entry(grant_type.clone())
            .or_default() += 1
    });
    let outcome = match grant_type.as_str() {
        "authorization_code" => authorization_code(&sim, &params, &headers),
        "refresh_token" => refresh_token(&sim, &params, &headers),
        _ => Err(OAuthError::bad_request(
            "unsupported_grant_type",
            "grant type not supported",
        )),
    };
    let response = match outcome {
        Ok(grant) => {
            sim.count(|w| {
                *w.stats.token_grants.entry(grant_type.clone()).or_default() += 1;
                if grant_type == "refresh_token" {
                    w.stats.refreshes += 1;
                }
            });
            sf_json(StatusCode::OK, &grant)
        }
        Err(e) => e.into_response(),
    };
    no_store(response)
}

/// Revoke's errors come back form-encoded unless the client asks for JSON — a Salesforce quirk
/// (its token endpoint answers JSON either way).
fn revoke_error(headers: &HeaderMap, error: &str, description: &str) -> Response {
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("json"));
    if wants_json {
        return OAuthError::bad_request(error, description).into_response();
    }
    let body = format!(
        "error={error}&error_description={}",
        description.replace(' ', "%20")
    );
    with_content_type(
        StatusCode::BAD_REQUEST,
        "application/x-www-form-urlencoded;charset=UTF-8",
        body,
    )
}

pub(super) async fn revoke(State(sim): State<Sim>, headers: HeaderMap, params: Params) -> Response {
    let Some(presented) = params.get("token") else {
        return revoke_error(
            &headers,
            "unsupported_token_type",
            "this token type is not supported",
        );
    };
    let outcome = sim.write(|w| {
        let (kind, revoked) = w.token(presented).map(|t| (t.kind, t.revoked))?;
        if revoked {
            return Some(false);
        }
        match kind {
            TokenKind::Refresh => revoke_family(w, presented, "revoked"),
            TokenKind::Access => {
                if let Some(t) = w.token_mut(presented) {
                    t.revoked = true;
                    t.revoked_reason = Some("revoked".into());
                }
            }
        }
        Some(true)
    });
    match outcome {
        None => revoke_error(
            &headers,
            "unsupported_token_type",
            "this token type is not supported",
        ),
        Some(false) => revoke_error(&headers, "invalid_token", "invalid token"),
        Some(true) => {
            sim.count(|w| w.stats.revokes += 1);
            StatusCode::OK.into_response()
        }
    }
}
