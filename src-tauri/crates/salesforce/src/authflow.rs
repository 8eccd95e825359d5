//! The OAuth 2.0 authorization-code flow through the system browser, for a public client: PKCE
//! (S256), a random `state` (and a random `nonce` for OpenID Connect), the loopback callback,
//! and the code exchanged at the token endpoint (form-encoded, no client secret). Both team
//! sign-in ([`crate::oidc`]) and the Salesforce connection run on it.
//!
//! The order matters: the callback listener is bound before the browser opens, so a fast
//! provider cannot redirect to a port nobody listens on yet. Nothing reaches the token endpoint
//! unless a callback with the right `state` came back.
//!
//! The token response is returned as received, tokens wrapped in [`Secret`]; Salesforce's own
//! fields (`instance_url`, `id`, `issued_at`, `signature`, …) are kept, the unnamed ones in
//! [`TokenResponse::extra`].

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    ExtraTokenFields, PkceCodeChallenge, RedirectUrl, RefreshToken, RequestTokenError, Scope,
    StandardRevocableToken, StandardTokenResponse, TokenResponse as _, TokenUrl,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;

use crate::browser::{Browser, BrowserError};
use crate::loopback::{CallbackListener, CallbackPorts, CancellationToken, LoopbackError};
use crate::secret::Secret;

/// How long one request to a provider may take.
pub const HTTP_TIMEOUT: Duration = Duration::from_secs(30);

/// One browser sign-in to run.
#[derive(Clone)]
pub struct AuthorizationRequest {
    pub authorize_url: Url,
    pub token_url: Url,
    pub client_id: String,
    /// `None` for a public client — Salesforce and the practice org. Some providers give
    /// installed apps a "secret" that is not secret (Google's desktop clients require it at the
    /// token endpoint); it goes in the form body.
    pub client_secret: Option<Secret>,
    pub scopes: Vec<String>,
    pub callback_ports: CallbackPorts,
    /// How long to wait for the browser to come back.
    pub timeout: Duration,
    /// `prompt`, e.g. `login consent` or `select_account`.
    pub prompt: Option<String>,
    /// `login_hint`: prefills the username.
    pub login_hint: Option<String>,
    /// Send a fresh random `nonce` (OpenID Connect); it is returned in [`Authorized::nonce`].
    pub nonce: bool,
    /// Any other authorize parameters (`display`, `domain_hint`, …).
    pub extra_params: Vec<(String, String)>,
}

impl fmt::Debug for AuthorizationRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthorizationRequest")
            .field("authorize_url", &self.authorize_url.as_str())
            .field("token_url", &self.token_url.as_str())
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("scopes", &self.scopes)
            .field("callback_ports", &self.callback_ports)
            .field("timeout", &self.timeout)
            .field("prompt", &self.prompt)
            .field("login_hint", &self.login_hint)
            .field("nonce", &self.nonce)
            .field("extra_params", &self.extra_params)
            .finish()
    }
}

impl AuthorizationRequest {
    /// A request with the production callback ports and timeout, no scopes and no extras.
    pub fn new(authorize_url: Url, token_url: Url, client_id: impl Into<String>) -> Self {
        AuthorizationRequest {
            authorize_url,
            token_url,
            client_id: client_id.into(),
            client_secret: None,
            scopes: Vec::new(),
            callback_ports: CallbackPorts::PRODUCTION,
            timeout: crate::loopback::DEFAULT_TIMEOUT,
            prompt: None,
            login_hint: None,
            nonce: false,
            extra_params: Vec::new(),
        }
    }
}

/// A token endpoint's answer. `Debug` shows no token.
#[derive(Clone)]
pub struct TokenResponse {
    pub access_token: Secret,
    /// As sent, e.g. `Bearer`.
    pub token_type: String,
    pub expires_in: Option<Duration>,
    pub refresh_token: Option<Secret>,
    /// The granted scopes, space-separated, as sent.
    pub scope: Option<String>,
    pub id_token: Option<Secret>,
    /// Salesforce: where the org's REST API lives.
    pub instance_url: Option<String>,
    /// Salesforce: the identity URL (`…/id/<orgId>/<userId>`).
    pub id: Option<String>,
    /// Salesforce: milliseconds since the epoch, as a string.
    pub issued_at: Option<String>,
    /// Every other field (Salesforce's `signature`, `token_format`, …).
    pub extra: Map<String, Value>,
}

impl fmt::Debug for TokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenResponse")
            .field("access_token", &self.access_token)
            .field("token_type", &self.token_type)
            .field("expires_in", &self.expires_in)
            .field("refresh_token", &self.refresh_token)
            .field("scope", &self.scope)
            .field("id_token", &self.id_token)
            .field("instance_url", &self.instance_url)
            .field("id", &self.id)
            .field("issued_at", &self.issued_at)
            .field("extra", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A finished browser sign-in.
#[derive(Debug, Clone)]
pub struct Authorized {
    pub tokens: TokenResponse,
    /// The `nonce` sent, when [`AuthorizationRequest::nonce`] asked for one.
    pub nonce: Option<String>,
    /// The `redirect_uri` used (it names the callback port that was free).
    pub redirect_uri: Url,
}

#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("the sign-in was denied: consent was not given in the browser")]
    Denied,
    #[error("the sign-in provider refused: {error}{}", .description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    Provider {
        error: String,
        description: Option<String>,
    },
    #[error("no sign-in came back from the browser within {} seconds", .after.as_secs())]
    Timeout { after: Duration },
    #[error("the sign-in was cancelled")]
    Cancelled,
    /// The callback port could not be opened, or the listener broke.
    #[error(transparent)]
    Callback(LoopbackError),
    #[error(transparent)]
    Browser(#[from] BrowserError),
    /// The token endpoint answered with an OAuth error, e.g. `invalid_grant`.
    #[error("the token endpoint refused: {error}{}", .description.as_deref().map(|d| format!(" ({d})")).unwrap_or_default())]
    TokenEndpoint {
        error: String,
        description: Option<String>,
    },
    #[error("cannot reach the token endpoint: {0}")]
    Http(String),
    /// The token endpoint answered something that is neither a token nor an OAuth error.
    #[error("the token endpoint's answer is not a token response: {0}")]
    BadTokenResponse(String),
    #[error("the {what} URL {url:?} is not usable: {why}")]
    BadUrl {
        what: &'static str,
        url: String,
        why: String,
    },
}

impl From<LoopbackError> for AuthError {
    fn from(e: LoopbackError) -> Self {
        match e {
            LoopbackError::Denied => AuthError::Denied,
            LoopbackError::Provider { error, description } => {
                AuthError::Provider { error, description }
            }
            LoopbackError::Timeout { after } => AuthError::Timeout { after },
            LoopbackError::Cancelled => AuthError::Cancelled,
            other => AuthError::Callback(other),
        }
    }
}

/// An HTTP client fit for OAuth: no redirects followed (as the `oauth2` crate asks, so a
/// token request cannot be bounced elsewhere), bounded time.
pub fn http_client() -> Result<reqwest::Client, AuthError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(HTTP_TIMEOUT)
        .build()
        .map_err(|e| AuthError::Http(e.to_string()))
}

/// Runs browser sign-ins.
#[derive(Debug, Clone)]
pub struct AuthFlow {
    http: reqwest::Client,
    browser: Arc<dyn Browser>,
}

impl AuthFlow {
    pub fn new(browser: Arc<dyn Browser>) -> Result<Self, AuthError> {
        Ok(AuthFlow {
            http: http_client()?,
            browser,
        })
    }

    /// With a given client, which must not follow redirects (see [`http_client`]).
    pub fn with_http_client(http: reqwest::Client, browser: Arc<dyn Browser>) -> Self {
        AuthFlow { http, browser }
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The whole flow: listen, open the browser, await the callback, exchange the code.
    pub async fn run(
        &self,
        request: &AuthorizationRequest,
        cancel: &CancellationToken,
    ) -> Result<Authorized, AuthError> {
        let state = CsrfToken::new_random();
        let listener = CallbackListener::bind(request.callback_ports, state.secret()).await?;
        let redirect_uri = listener.redirect_uri().clone();
        let client = oauth_client(request, &redirect_uri)?;

        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let nonce = request.nonce.then(|| CsrfToken::new_random().into_secret());
        let mut authorize = client
            .authorize_url(|| state.clone())
            .add_scopes(request.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge);
        if let Some(prompt) = &request.prompt {
            authorize = authorize.add_extra_param("prompt", prompt);
        }
        if let Some(hint) = &request.login_hint {
            authorize = authorize.add_extra_param("login_hint", hint);
        }
        if let Some(nonce) = &nonce {
            authorize = authorize.add_extra_param("nonce", nonce);
        }
        for (k, v) in &request.extra_params {
            authorize = authorize.add_extra_param(k, v);
        }
        let (url, _) = authorize.url();

        let browser = Arc::clone(&self.browser);
        tokio::task::spawn_blocking(move || browser.open(&url))
            .await
            .map_err(|e| AuthError::Browser(BrowserError::System(e.to_string())))??;

        let code = listener.wait(request.timeout, cancel).await?;

        let exchange = client
            .exchange_code(AuthorizationCode::new(code.into_exposed()))
            .set_pkce_verifier(verifier)
            .request_async(&self.http);
        let answer = tokio::select! {
            answer = exchange => answer,
            () = cancel.cancelled() => return Err(AuthError::Cancelled),
        };
        let tokens = answer.map_err(token_error)?.into();
        Ok(Authorized {
            tokens,
            nonce,
            redirect_uri,
        })
    }

    /// The refresh-token grant at `token_url`, for a public client.
    pub async fn refresh(
        &self,
        token_url: &Url,
        client_id: &str,
        refresh_token: &Secret,
    ) -> Result<TokenResponse, AuthError> {
        let client = Client::new(ClientId::new(client_id.to_string()))
            .set_token_uri(TokenUrl::from_url(token_url.clone()));
        let refresh = RefreshToken::new(refresh_token.expose().to_string());
        let answer = client
            .exchange_refresh_token(&refresh)
            .request_async(&self.http)
            .await;
        Ok(answer.map_err(token_error)?.into())
    }
}

type Client<HasAuthUrl = EndpointNotSet, HasTokenUrl = EndpointNotSet> = oauth2::Client<
    BasicErrorResponse,
    RawTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    HasAuthUrl,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    HasTokenUrl,
>;

fn oauth_client(
    request: &AuthorizationRequest,
    redirect_uri: &Url,
) -> Result<Client<EndpointSet, EndpointSet>, AuthError> {
    for (what, url) in [
        ("authorize", &request.authorize_url),
        ("token", &request.token_url),
    ] {
        let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
            return Err(AuthError::BadUrl {
                what,
                url: url.to_string(),
                why: "must use https (plain http only on loopback)".into(),
            });
        }
    }
    let mut client = Client::new(ClientId::new(request.client_id.clone()))
        .set_auth_uri(AuthUrl::from_url(request.authorize_url.clone()))
        .set_token_uri(TokenUrl::from_url(request.token_url.clone()))
        .set_redirect_uri(RedirectUrl::from_url(redirect_uri.clone()))
        .set_auth_type(oauth2::AuthType::RequestBody);
    if let Some(secret) = &request.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose().to_string()));
    }
    Ok(client)
}

fn token_error<RE: std::error::Error + 'static>(
    e: RequestTokenError<RE, BasicErrorResponse>,
) -> AuthError {
    match e {
        RequestTokenError::ServerResponse(r) => AuthError::TokenEndpoint {
            error: r.error().as_ref().to_string(),
            description: r.error_description().cloned(),
        },
        // reqwest's message names the URL (which carries no secret: the code is in the body).
        RequestTokenError::Request(e) => AuthError::Http(error_chain(&e)),
        // The body itself may hold tokens, so only the place of the mismatch is told.
        RequestTokenError::Parse(e, _body) => {
            AuthError::BadTokenResponse(format!("unexpected content at `{}`", e.path()))
        }
        RequestTokenError::Other(msg) => AuthError::BadTokenResponse(msg),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}

/// The token response as `oauth2` parses it.
type RawTokenResponse = StandardTokenResponse<RawFields, BasicTokenType>;

/// The fields past RFC 6749's, as received.
#[derive(Clone, Serialize, Deserialize)]
struct RawFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    instance_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    issued_at: Option<Value>,
    #[serde(flatten)]
    other: Map<String, Value>,
}

impl fmt::Debug for RawFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawFields").finish_non_exhaustive()
    }
}

impl ExtraTokenFields for RawFields {}

impl From<RawTokenResponse> for TokenResponse {
    fn from(raw: RawTokenResponse) -> Self {
        let extra = raw.extra_fields().clone();
        let token_type = match raw.token_type() {
            BasicTokenType::Bearer => "Bearer".to_string(),
            other => other.as_ref().to_string(),
        };
        TokenResponse {
            access_token: Secret::new(raw.access_token().secret().clone()),
            token_type,
            expires_in: raw.expires_in(),
            refresh_token: raw.refresh_token().map(|t| Secret::new(t.secret().clone())),
            scope: raw
                .scopes()
                .map(|s| s.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(" ")),
            id_token: extra.id_token.map(Secret::new),
            instance_url: extra.instance_url,
            id: extra.id,
            issued_at: extra.issued_at.map(|v| match v {
                Value::String(s) => s,
                other => other.to_string(),
            }),
            extra: extra.other,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn salesforce_token_response_keeps_its_fields_and_hides_tokens() {
        let body = serde_json::json!({
            "access_token": "00Dxx!canary-access",
            "refresh_token": "5Aep-canary-refresh",
            "signature": "sig=",
            "scope": "refresh_token api",
            "id_token": "eyJ.canary.id",
            "instance_url": "https://acme.my.salesforce.com",
            "id": "https://login.salesforce.com/id/00D/005",
            "token_type": "Bearer",
            "issued_at": "1700000000000"
        });
        let raw: RawTokenResponse = serde_json::from_value(body).unwrap();
        let t = TokenResponse::from(raw);
        assert_eq!(t.access_token.expose(), "00Dxx!canary-access");
        assert_eq!(
            t.refresh_token.as_ref().unwrap().expose(),
            "5Aep-canary-refresh"
        );
        assert_eq!(t.id_token.as_ref().unwrap().expose(), "eyJ.canary.id");
        assert_eq!(t.token_type, "Bearer");
        assert_eq!(t.scope.as_deref(), Some("refresh_token api"));
        assert_eq!(
            t.instance_url.as_deref(),
            Some("https://acme.my.salesforce.com")
        );
        assert_eq!(t.issued_at.as_deref(), Some("1700000000000"));
        assert_eq!(t.extra.get("signature"), Some(&Value::from("sig=")));
        let debug = format!("{t:?}");
        assert!(!debug.contains("canary"), "{debug}");
    }

    #[test]
    fn refuses_plain_http_off_loopback() {
        let req = AuthorizationRequest::new(
            Url::parse("http://example.com/authorize").unwrap(),
            Url::parse("https://example.com/token").unwrap(),
            "client",
        );
        let redirect = Url::parse("http://localhost:1/oauth/callback").unwrap();
        assert!(matches!(
            oauth_client(&req, &redirect),
            Err(AuthError::BadUrl {
                what: "authorize",
                ..
            })
        ));
    }
}
