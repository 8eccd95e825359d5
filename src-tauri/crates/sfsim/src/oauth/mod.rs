//! OAuth 2.0 and OpenID Connect as Salesforce serves them: the authorize page (login form, then
//! an Allow/Deny consent page), single-use authorization codes, the token endpoint (authorization
//! code and refresh grants, PKCE, refresh-token policies), revoke, UserInfo, the identity URL,
//! and the OpenID Connect discovery document, JWKS and signed `id_token`.
//!
//! # Driving the pages without a browser
//!
//! Everything is plain HTML forms posted as `application/x-www-form-urlencoded`; no cookies.
//! The flow's state travels in a signed hidden field, `request`, that each page hands on.
//!
//! * `GET /services/oauth2/authorize?...` answers the login page: form `#login_form`, posted to
//!   `/services/oauth2/authorize/login` with fields `request` (hidden), `username` (input
//!   `#username`, prefilled from `login_hint`) and `pw` (input `#password`). A failed login answers
//!   the same page with the message in `#error`.
//! * After a good login: the consent page, form `#consent_form`, posted to
//!   `/services/oauth2/authorize/consent` with `request` (hidden) and `decision` — the button
//!   `#oaapprove` sends `allow`, `#oadeny` sends `deny`. The app's name is in `#app_name` and each
//!   requested scope is an `li` in `#scopes` with a `data-scope` attribute.
//! * The answer to Allow (or to an auto-approved or admin-pre-approved authorization) is a `302`
//!   to the callback with `code` and `state`; every other outcome that Salesforce sends back to
//!   the app is a `302` to the callback with `error`, `error_description` and `state`.
//!
//! With unattended approval (the org's `auto_approve` user, `--auto-approve`), authorize answers
//! the callback at once for that user whatever `prompt` says, unless `login_hint` names someone
//! else. `prompt=none` otherwise fails with `login_required`: there is never a browser session.
//!
//! Token requests are counted in the statistics by `grant_type` (`(missing)` when absent), every
//! request in `token_requests` and each success in `token_grants`; successful refreshes and
//! revocations also count in `refreshes` and `revokes`.
//!
//! Where Salesforce's behaviour is odd, the simulator copies it; each such place says so.

mod crypto;
mod identity;
mod oidc;
mod pages;
mod token;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, Uri, header};
use axum::routing::{get, post};

pub use oidc::SigningKeys;

use crate::org::User;
use crate::state::Sim;

/// How long an authorization code stays redeemable (Salesforce: 15 minutes).
pub const CODE_LIFETIME_SECS: i64 = 15 * 60;

/// Salesforce keeps at most five approvals (refresh tokens) per user per connected app; a sixth
/// revokes the oldest.
pub const MAX_REFRESH_TOKENS_PER_APP_USER: usize = 5;

/// How long an `id_token` is valid: the connected app's default "ID Token Valid Duration".
pub const ID_TOKEN_LIFETIME_SECS: i64 = 120;

/// Scopes granted when the authorize request names none (a real connected app grants its
/// configured scopes; the simulator's apps have no scope list, so these stand in).
pub const DEFAULT_SCOPES: &[&str] = &["api", "refresh_token"];

/// Scopes Salesforce knows (from its discovery document); any other scope is refused with
/// `invalid_scope`.
pub const KNOWN_SCOPES: &[&str] = &[
    "address",
    "api",
    "cdp_api",
    "cdp_calculated_insight_api",
    "cdp_identityresolution_api",
    "cdp_ingest_api",
    "cdp_profile_api",
    "cdp_query_api",
    "cdp_segment_api",
    "chatbot_api",
    "chatter_api",
    "content",
    "custom_permissions",
    "eclair_api",
    "einstein_gpt_api",
    "email",
    "forgot_password",
    "full",
    "id",
    "interaction_api",
    "lightning",
    "mcp_api",
    "offline_access",
    "openid",
    "pardot_api",
    "phone",
    "profile",
    "pwdless_login_api",
    "refresh_token",
    "sfap_api",
    "user_registration_api",
    "visualforce",
    "wave_api",
    "web",
];

pub fn routes() -> Router<Sim> {
    Router::new()
        .route(
            "/services/oauth2/authorize",
            get(pages::authorize).post(pages::authorize),
        )
        .route("/services/oauth2/authorize/login", post(pages::login))
        .route("/services/oauth2/authorize/consent", post(pages::consent))
        .route(
            "/setup/secur/RemoteAccessErrorPage.apexp",
            get(pages::remote_access_error),
        )
        .route("/services/oauth2/token", post(token::token))
        .route(
            "/services/oauth2/revoke",
            get(token::revoke).post(token::revoke),
        )
        .route(
            "/services/oauth2/userinfo",
            get(identity::userinfo).post(identity::userinfo),
        )
        .route("/id/keys", get(oidc::jwks))
        .route(
            "/id/{org_id}/{user_id}",
            get(identity::identity).post(identity::identity),
        )
        .route("/.well-known/openid-configuration", get(oidc::discovery))
}

/// Request parameters as Salesforce reads them: the query string and, for a form body, the
/// body (which wins). A JSON body is not read at all — Salesforce ignores it too, which is why a
/// JSON token request fails with `unsupported_grant_type`.
#[derive(Debug, Default)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub(crate) fn read(uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Self {
        let mut pairs: Vec<(String, String)> = uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let content_type = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let form = content_type.starts_with("application/x-www-form-urlencoded")
            || (content_type.is_empty() && !body.starts_with(b"{") && !body.starts_with(b"["));
        if form {
            for (k, v) in form_urlencoded::parse(body).into_owned() {
                pairs.retain(|(existing, _)| existing != &k);
                pairs.push((k, v));
            }
        }
        Params(pairs)
    }

    /// The parameter's value; empty values count as absent.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }
}

/// The endpoints take their parameters as an extractor; a body that cannot be read is refused
/// as axum refuses it.
impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = BytesRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let uri = req.uri().clone();
        let headers = req.headers().clone();
        let body = Bytes::from_request(req, state).await?;
        Ok(Params::read(&uri, &headers, &body))
    }
}

pub(crate) fn now_secs() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// `https://login.salesforce.com/id/<orgId>/<userId>`, with the simulator as the login host.
pub(crate) fn identity_url(sim: &Sim, user: &User) -> String {
    format!("{}/id/{}/{}", sim.base_url(), sim.org().org.id, user.id())
}

/// Splits a `scope` parameter (space-separated; `+` already decoded) keeping the order and
/// dropping repeats.
pub(crate) fn parse_scopes(raw: Option<&str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in raw
        .unwrap_or("")
        .split([' ', ','])
        .filter(|s| !s.is_empty())
    {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    }
    if out.is_empty() {
        out = DEFAULT_SCOPES.iter().map(|s| s.to_string()).collect();
    }
    out
}

/// Whether these scopes earn a refresh token (`offline_access` is Salesforce's synonym).
pub(crate) fn wants_refresh(scopes: &[String]) -> bool {
    scopes
        .iter()
        .any(|s| s == "refresh_token" || s == "offline_access")
}
