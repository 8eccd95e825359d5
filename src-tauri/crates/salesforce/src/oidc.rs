//! OpenID Connect on top of [`crate::authflow`]: which provider (Google, Microsoft, any issuer
//! by URL, the local practice org), discovery, the JWKS, verification of the `id_token`, and the
//! identity Leadline signs people in with — a verified email and a name.
//!
//! # What is checked
//!
//! * Discovery (`{issuer}/.well-known/openid-configuration`) must name the issuer asked for.
//! * The `id_token` must be signed with RS256 or ES256 by a key from the provider's JWKS (chosen
//!   by `kid`; a key's own `alg` and `use`, when given, must agree), name the issuer, have the
//!   client id as audience (and as `azp` when there are several audiences), not be expired
//!   (with [`ID_TOKEN_LEEWAY`] for clock skew), and carry the `nonce` this sign-in sent.
//! * Microsoft's multi-tenant issuer is a template, `https://login.microsoftonline.com/{tenantid}/v2.0`:
//!   a token's tenant-specific issuer is accepted when its tenant is the token's `tid`.
//! * The email must be verified: `email_verified` true in the `id_token`, or, when the token
//!   does not say, in the UserInfo answer (whose `sub` must be the token's). Microsoft sends no
//!   `email_verified`; there the optional claim `xms_edov` (email domain owner verified) counts,
//!   so a Microsoft app registration must add the optional claims `email` and `xms_edov`.
//!   An email not known to be verified ends the sign-in with [`OidcError::EmailNotVerified`].

use std::time::Duration;

use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::Value;
use url::Url;

pub use jsonwebtoken::jwk::Jwk;

use crate::authflow::{AuthError, AuthFlow, AuthorizationRequest, TokenResponse};
use crate::loopback::{CallbackPorts, CancellationToken, DEFAULT_TIMEOUT};
use crate::secret::Secret;

pub const GOOGLE_ISSUER: &str = "https://accounts.google.com";
/// Microsoft's multi-tenant (work, school and personal accounts) issuer.
pub const MICROSOFT_ISSUER: &str = "https://login.microsoftonline.com/common/v2.0";
/// The practice org's connected app.
pub const PRACTICE_CLIENT_ID: &str = "leadline-practice";
/// Clock skew allowed on `exp` and `nbf`.
pub const ID_TOKEN_LEEWAY: Duration = Duration::from_secs(60);
/// The scopes a sign-in asks for.
pub const SIGN_IN_SCOPES: &[&str] = &["openid", "email", "profile"];

const TENANT_TEMPLATE: &str = "{tenantid}";

/// Which kind of provider, for labels and the provider-specific rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    Google,
    Microsoft,
    /// Any OpenID Connect issuer, found by discovery.
    Issuer,
    /// The local practice org (`leadline-sfsim`).
    Practice,
}

/// An OpenID Connect provider and Leadline's client there.
#[derive(Debug, Clone)]
pub struct Provider {
    pub kind: ProviderKind,
    /// The issuer URL, without a trailing slash.
    pub issuer: String,
    pub client_id: String,
    /// Only for providers that give installed apps a non-secret "secret" (Google's desktop
    /// clients); `None` otherwise.
    pub client_secret: Option<Secret>,
}

impl Provider {
    pub fn google(client_id: impl Into<String>) -> Self {
        Self::preset(ProviderKind::Google, GOOGLE_ISSUER, client_id)
    }

    pub fn microsoft(client_id: impl Into<String>) -> Self {
        Self::preset(ProviderKind::Microsoft, MICROSOFT_ISSUER, client_id)
    }

    /// Any issuer: https, or plain http on loopback.
    pub fn issuer(issuer: &str, client_id: impl Into<String>) -> Result<Self, OidcError> {
        let issuer = checked_issuer(issuer)?;
        Ok(Self::preset(ProviderKind::Issuer, &issuer, client_id))
    }

    /// The practice org served at `base_url` (e.g. `http://127.0.0.1:8443`).
    pub fn practice(base_url: &str) -> Result<Self, OidcError> {
        let issuer = checked_issuer(base_url)?;
        Ok(Self::preset(
            ProviderKind::Practice,
            &issuer,
            PRACTICE_CLIENT_ID,
        ))
    }

    pub fn with_client_secret(mut self, secret: Secret) -> Self {
        self.client_secret = Some(secret);
        self
    }

    fn preset(kind: ProviderKind, issuer: &str, client_id: impl Into<String>) -> Self {
        Provider {
            kind,
            issuer: issuer.trim_end_matches('/').to_string(),
            client_id: client_id.into(),
            client_secret: None,
        }
    }

    /// `{issuer}/.well-known/openid-configuration`.
    pub fn discovery_url(&self) -> Result<Url, OidcError> {
        let url = format!("{}/.well-known/openid-configuration", self.issuer);
        Url::parse(&url).map_err(|e| OidcError::BadIssuer {
            url: self.issuer.clone(),
            why: e.to_string(),
        })
    }
}

fn checked_issuer(issuer: &str) -> Result<String, OidcError> {
    let trimmed = issuer.trim().trim_end_matches('/');
    let bad = |why: &str| OidcError::BadIssuer {
        url: trimmed.to_string(),
        why: why.to_string(),
    };
    let url = Url::parse(trimmed).map_err(|e| bad(&e.to_string()))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        return Err(bad("must use https (plain http only on loopback)"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must have no query or fragment"));
    }
    Ok(trimmed.to_string())
}

/// The discovery document's fields Leadline uses.
#[derive(Debug, Clone, Deserialize)]
pub struct ProviderMetadata {
    /// May hold Microsoft's `{tenantid}` template.
    pub issuer: String,
    pub authorization_endpoint: Url,
    pub token_endpoint: Url,
    #[serde(default)]
    pub userinfo_endpoint: Option<Url>,
    pub jwks_uri: Url,
    #[serde(default)]
    pub id_token_signing_alg_values_supported: Vec<String>,
}

/// Who signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The token's issuer (tenant-specific for Microsoft).
    pub issuer: String,
    /// The provider's stable id for the person (`sub`).
    pub subject: String,
    /// Verified.
    pub email: String,
    pub name: String,
}

/// A finished sign-in: the verified identity and the provider's tokens.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub identity: Identity,
    pub tokens: TokenResponse,
}

/// How to run a sign-in.
#[derive(Debug, Clone)]
pub struct SignInOptions {
    pub callback_ports: CallbackPorts,
    pub timeout: Duration,
    pub login_hint: Option<String>,
    pub prompt: Option<String>,
    /// [`SIGN_IN_SCOPES`] by default; `openid` is always sent.
    pub scopes: Vec<String>,
}

impl Default for SignInOptions {
    fn default() -> Self {
        SignInOptions {
            callback_ports: CallbackPorts::PRODUCTION,
            timeout: DEFAULT_TIMEOUT,
            login_hint: None,
            prompt: None,
            scopes: SIGN_IN_SCOPES.iter().map(|s| s.to_string()).collect(),
        }
    }
}

/// The claims of a verified `id_token` that Leadline reads.
#[derive(Debug, Clone, Deserialize)]
pub struct IdTokenClaims {
    pub iss: String,
    pub sub: String,
    pub aud: Value,
    pub exp: i64,
    #[serde(default)]
    pub azp: Option<String>,
    #[serde(default)]
    pub nonce: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// A boolean, or `"true"`/`"false"` from some providers.
    #[serde(default)]
    pub email_verified: Option<Value>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub given_name: Option<String>,
    #[serde(default)]
    pub family_name: Option<String>,
    /// Microsoft: the tenant.
    #[serde(default)]
    pub tid: Option<String>,
    /// Microsoft: the email's domain is verified by the tenant.
    #[serde(default)]
    pub xms_edov: Option<Value>,
}

/// What the `id_token` must say.
#[derive(Debug, Clone, Copy)]
pub struct IdTokenExpectations<'a> {
    /// The discovered issuer (may hold `{tenantid}`).
    pub issuer: &'a str,
    pub client_id: &'a str,
    pub nonce: &'a str,
    pub leeway: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error(transparent)]
    Auth(#[from] AuthError),
    #[error("the issuer URL {url:?} is not usable: {why}")]
    BadIssuer { url: String, why: String },
    #[error("cannot read the provider's OpenID configuration at {url}: {why}")]
    Discovery { url: String, why: String },
    #[error("the OpenID configuration names issuer {found:?}, not {expected:?}")]
    IssuerMismatch { expected: String, found: String },
    #[error("cannot read the provider's signing keys at {url}: {why}")]
    Jwks { url: String, why: String },
    #[error("the provider's token response has no id_token (was the openid scope granted?)")]
    NoIdToken,
    #[error("the id_token is malformed: {0}")]
    IdToken(String),
    #[error("the id_token is signed with {0}; only RS256 and ES256 are accepted")]
    UnsupportedAlgorithm(String),
    #[error("none of the provider's signing keys matches the id_token (key id {kid:?})")]
    NoMatchingKey { kid: Option<String> },
    #[error("the id_token's signature does not verify")]
    BadSignature,
    #[error("the id_token was issued by {found:?}, not {expected:?}")]
    WrongIssuer { expected: String, found: String },
    #[error("the id_token was issued for another application (audience is not {client_id:?})")]
    WrongAudience { client_id: String },
    #[error("the id_token has expired (is the computer's clock right?)")]
    Expired,
    #[error("the id_token's nonce is not the one this sign-in sent")]
    WrongNonce,
    #[error("cannot read the provider's UserInfo: {0}")]
    Userinfo(String),
    #[error("the provider's UserInfo describes someone other than the id_token")]
    UserinfoSubjectMismatch,
    #[error(
        "the email address {email} is not verified by the sign-in provider; verify it there, or sign in with another account"
    )]
    EmailNotVerified { email: String },
    #[error("the sign-in provider did not share an email address (was the email scope granted?)")]
    NoEmail,
}

/// Signs someone in: discovery, the browser flow with a nonce, then the verified identity.
/// Cancelling `cancel` ends it at any step with [`AuthError::Cancelled`].
pub async fn sign_in(
    flow: &AuthFlow,
    provider: &Provider,
    options: &SignInOptions,
    cancel: &CancellationToken,
) -> Result<SignedIn, OidcError> {
    tokio::select! {
        done = sign_in_steps(flow, provider, options, cancel) => done,
        () = cancel.cancelled() => Err(OidcError::Auth(AuthError::Cancelled)),
    }
}

async fn sign_in_steps(
    flow: &AuthFlow,
    provider: &Provider,
    options: &SignInOptions,
    cancel: &CancellationToken,
) -> Result<SignedIn, OidcError> {
    let metadata = discover(flow.http(), provider).await?;
    let mut request = AuthorizationRequest::new(
        metadata.authorization_endpoint.clone(),
        metadata.token_endpoint.clone(),
        provider.client_id.clone(),
    );
    request.client_secret = provider.client_secret.clone();
    request.scopes = options.scopes.clone();
    if !request.scopes.iter().any(|s| s == "openid") {
        request.scopes.insert(0, "openid".into());
    }
    request.callback_ports = options.callback_ports;
    request.timeout = options.timeout;
    request.login_hint = options.login_hint.clone();
    request.prompt = options.prompt.clone();
    request.nonce = true;
    let authorized = flow.run(&request, cancel).await?;
    let tokens = authorized.tokens;
    let id_token = tokens.id_token.as_ref().ok_or(OidcError::NoIdToken)?;
    let nonce = authorized.nonce.unwrap_or_default();
    let keys = fetch_jwks(flow.http(), &metadata.jwks_uri).await?;
    let claims = verify_id_token(
        id_token.expose(),
        &keys,
        &IdTokenExpectations {
            issuer: &metadata.issuer,
            client_id: &provider.client_id,
            nonce: &nonce,
            leeway: ID_TOKEN_LEEWAY,
        },
    )?;
    let identity = identity(
        flow.http(),
        &claims,
        metadata.userinfo_endpoint.as_ref(),
        &tokens.access_token,
    )
    .await?;
    Ok(SignedIn { identity, tokens })
}

/// Reads and checks the provider's discovery document.
pub async fn discover(
    http: &reqwest::Client,
    provider: &Provider,
) -> Result<ProviderMetadata, OidcError> {
    let url = provider.discovery_url()?;
    let body = get_json(http, &url, None)
        .await
        .map_err(|why| OidcError::Discovery {
            url: url.to_string(),
            why,
        })?;
    let metadata: ProviderMetadata =
        serde_json::from_value(body).map_err(|e| OidcError::Discovery {
            url: url.to_string(),
            why: e.to_string(),
        })?;
    let found = metadata.issuer.trim_end_matches('/');
    if issuer_tenant(found, &provider.issuer).is_none() {
        return Err(OidcError::IssuerMismatch {
            expected: provider.issuer.clone(),
            found: metadata.issuer.clone(),
        });
    }
    Ok(metadata)
}

/// The provider's signing keys; keys of a kind this crate cannot read are skipped.
pub async fn fetch_jwks(http: &reqwest::Client, jwks_uri: &Url) -> Result<Vec<Jwk>, OidcError> {
    let err = |why: String| OidcError::Jwks {
        url: jwks_uri.to_string(),
        why,
    };
    let body = get_json(http, jwks_uri, None).await.map_err(err)?;
    let keys = body
        .get("keys")
        .and_then(Value::as_array)
        .ok_or_else(|| err("the answer has no keys list".into()))?;
    Ok(keys
        .iter()
        .filter_map(|k| serde_json::from_value::<Jwk>(k.clone()).ok())
        .collect())
}

/// Checks an `id_token` against the provider's keys and what this sign-in expects.
pub fn verify_id_token(
    id_token: &str,
    keys: &[Jwk],
    expect: &IdTokenExpectations<'_>,
) -> Result<IdTokenClaims, OidcError> {
    // Pick the RustCrypto backend explicitly (as the simulator does); a second install is fine.
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    let header =
        jsonwebtoken::decode_header(id_token).map_err(|e| OidcError::IdToken(e.to_string()))?;
    let alg = header.alg;
    if !matches!(alg, Algorithm::RS256 | Algorithm::ES256) {
        return Err(OidcError::UnsupportedAlgorithm(format!("{alg:?}")));
    }
    let key = pick_key(keys, header.kid.as_deref(), alg).ok_or(OidcError::NoMatchingKey {
        kid: header.kid.clone(),
    })?;
    let key = DecodingKey::from_jwk(key).map_err(|_| OidcError::NoMatchingKey {
        kid: header.kid.clone(),
    })?;
    let mut validation = Validation::new(alg);
    validation.set_audience(&[expect.client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = expect.leeway.as_secs();
    validation.validate_exp = true;
    validation.validate_nbf = true;
    let claims = jsonwebtoken::decode::<IdTokenClaims>(id_token, &key, &validation)
        .map_err(|e| {
            use jsonwebtoken::errors::ErrorKind as K;
            match e.kind() {
                K::InvalidSignature => OidcError::BadSignature,
                K::ExpiredSignature => OidcError::Expired,
                K::InvalidAudience => OidcError::WrongAudience {
                    client_id: expect.client_id.to_string(),
                },
                _ => OidcError::IdToken(e.to_string()),
            }
        })?
        .claims;

    let tenant = issuer_tenant(expect.issuer.trim_end_matches('/'), &claims.iss);
    let tenant_ok = match tenant {
        None => false,
        Some(None) => true,
        Some(Some(t)) => claims.tid.as_deref() == Some(t),
    };
    if !tenant_ok {
        return Err(OidcError::WrongIssuer {
            expected: expect.issuer.to_string(),
            found: claims.iss.clone(),
        });
    }
    if let Value::Array(auds) = &claims.aud
        && auds.len() > 1
        && claims.azp.as_deref() != Some(expect.client_id)
    {
        return Err(OidcError::WrongAudience {
            client_id: expect.client_id.to_string(),
        });
    }
    let nonce_ok = claims.nonce.as_deref().is_some_and(|n| {
        !expect.nonce.is_empty()
            && n.len() == expect.nonce.len()
            && n.bytes()
                .zip(expect.nonce.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    });
    if !nonce_ok {
        return Err(OidcError::WrongNonce);
    }
    Ok(claims)
}

/// The key for this token: by `kid` when the token names one, else the only key of the right
/// type. A key's own `alg` and `use`, when present, must fit.
fn pick_key<'k>(keys: &'k [Jwk], kid: Option<&str>, alg: Algorithm) -> Option<&'k Jwk> {
    let fits = |k: &&Jwk| {
        let type_ok = match (&k.algorithm, alg) {
            (AlgorithmParameters::RSA(_), Algorithm::RS256) => true,
            (AlgorithmParameters::EllipticCurve(p), Algorithm::ES256) => {
                p.curve == EllipticCurve::P256
            }
            _ => false,
        };
        let alg_ok = matches!(
            (&k.common.key_algorithm, alg),
            (None, _)
                | (Some(KeyAlgorithm::RS256), Algorithm::RS256)
                | (Some(KeyAlgorithm::ES256), Algorithm::ES256)
        );
        let use_ok = matches!(
            k.common.public_key_use,
            None | Some(PublicKeyUse::Signature)
        );
        type_ok && alg_ok && use_ok
    };
    match kid {
        Some(kid) => keys
            .iter()
            .filter(fits)
            .find(|k| k.common.key_id.as_deref() == Some(kid)),
        None => {
            let mut candidates = keys.iter().filter(fits);
            let only = candidates.next()?;
            candidates.next().is_none().then_some(only)
        }
    }
}

/// Whether `actual` is the issuer `template` names: `None` if not; `Some(None)` when equal;
/// `Some(Some(tenant))` when the template holds `{tenantid}` and `actual` has `tenant` there.
fn issuer_tenant<'a>(template: &str, actual: &'a str) -> Option<Option<&'a str>> {
    let actual = actual.trim_end_matches('/');
    match template.split_once(TENANT_TEMPLATE) {
        None => (template == actual).then_some(None),
        Some((prefix, suffix)) => {
            let middle = actual.strip_prefix(prefix)?.strip_suffix(suffix)?;
            (!middle.is_empty() && !middle.contains('/')).then_some(Some(middle))
        }
    }
}

fn truthy(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        Value::Number(n) => n.as_i64().map(|n| n != 0),
        _ => None,
    }
}

fn is_microsoft(issuer: &str) -> bool {
    Url::parse(issuer)
        .ok()
        .and_then(|u| u.host_str().map(|h| h == "login.microsoftonline.com"))
        .unwrap_or(false)
}

/// The verified email and the name, from the claims, completed from UserInfo when they fall
/// short.
async fn identity(
    http: &reqwest::Client,
    claims: &IdTokenClaims,
    userinfo_endpoint: Option<&Url>,
    access_token: &Secret,
) -> Result<Identity, OidcError> {
    let microsoft = is_microsoft(&claims.iss);
    let verified_in = |email_verified: Option<&Value>, edov: Option<&Value>| {
        email_verified
            .and_then(truthy)
            .or_else(|| microsoft.then(|| edov.and_then(truthy)).flatten())
    };
    let mut email = claims.email.clone().filter(|e| !e.is_empty());
    let mut verified = verified_in(claims.email_verified.as_ref(), claims.xms_edov.as_ref());
    let mut name = claims.name.clone().filter(|n| !n.is_empty()).or_else(|| {
        let full = [claims.given_name.as_deref(), claims.family_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        (!full.is_empty()).then_some(full)
    });

    if (email.is_none() || verified.is_none() || name.is_none())
        && let Some(endpoint) = userinfo_endpoint
    {
        let info = get_json(http, endpoint, Some(access_token))
            .await
            .map_err(OidcError::Userinfo)?;
        if info.get("sub").and_then(Value::as_str) != Some(claims.sub.as_str()) {
            return Err(OidcError::UserinfoSubjectMismatch);
        }
        // UserInfo's email counts only with its own verification, and only when the id_token
        // named no email or the same one.
        if (email.is_none() || verified.is_none())
            && let Some(e) = info
                .get("email")
                .and_then(Value::as_str)
                .filter(|e| !e.is_empty())
            && (email.is_none() || email.as_deref() == Some(e))
        {
            email = Some(e.to_string());
            verified = verified.or(verified_in(
                info.get("email_verified"),
                info.get("xms_edov"),
            ));
        }
        if name.is_none() {
            name = info
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty())
                .map(str::to_string);
        }
    }

    let email = email.ok_or(OidcError::NoEmail)?;
    if verified != Some(true) {
        return Err(OidcError::EmailNotVerified { email });
    }
    Ok(Identity {
        issuer: claims.iss.clone(),
        subject: claims.sub.clone(),
        name: name.unwrap_or_else(|| email.clone()),
        email,
    })
}

/// A GET answered with JSON; the error says what went wrong without any token.
async fn get_json(
    http: &reqwest::Client,
    url: &Url,
    bearer: Option<&Secret>,
) -> Result<Value, String> {
    let mut request = http
        .get(url.clone())
        .header(reqwest::header::ACCEPT, "application/json");
    if let Some(token) = bearer {
        request = request.bearer_auth(token.expose());
    }
    let response = request.send().await.map_err(|e| {
        let mut msg = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            msg.push_str(": ");
            msg.push_str(&s.to_string());
            source = s.source();
        }
        msg
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("the server answered {status}"));
    }
    response
        .json::<Value>()
        .await
        .map_err(|e| format!("the answer is not JSON: {e}"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use jsonwebtoken::{EncodingKey, Header};
    use serde_json::json;

    use super::*;

    struct Signer {
        key: EncodingKey,
        jwk: Jwk,
    }

    fn signer(kid: &str) -> Signer {
        let pair = rcgen::KeyPair::generate().unwrap();
        let key = EncodingKey::from_ec_pem(pair.serialize_pem().as_bytes()).unwrap();
        let mut jwk = Jwk::from_encoding_key(&key, Algorithm::ES256).unwrap();
        jwk.common.key_id = Some(kid.to_string());
        Signer { key, jwk }
    }

    fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    }

    fn sign(s: &Signer, kid: &str, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(kid.to_string());
        jsonwebtoken::encode(&header, claims, &s.key).unwrap()
    }

    fn claims() -> Value {
        json!({
            "iss": "https://issuer.example",
            "sub": "user-1",
            "aud": "leadline-client",
            "exp": now() + 300,
            "iat": now(),
            "nonce": "n-0S6_WzA2Mj",
            "email": "pat@example.com",
            "email_verified": true,
            "name": "Pat Example",
        })
    }

    fn expect() -> IdTokenExpectations<'static> {
        IdTokenExpectations {
            issuer: "https://issuer.example",
            client_id: "leadline-client",
            nonce: "n-0S6_WzA2Mj",
            leeway: ID_TOKEN_LEEWAY,
        }
    }

    #[test]
    fn accepts_a_good_token() {
        let s = signer("k1");
        let token = sign(&s, "k1", &claims());
        let c = verify_id_token(&token, std::slice::from_ref(&s.jwk), &expect()).unwrap();
        assert_eq!(c.sub, "user-1");
        assert_eq!(c.email.as_deref(), Some("pat@example.com"));
    }

    #[test]
    fn refuses_a_wrong_nonce_or_a_missing_one() {
        let s = signer("k1");
        let mut c = claims();
        c["nonce"] = json!("another-nonce");
        let token = sign(&s, "k1", &c);
        let err = verify_id_token(&token, std::slice::from_ref(&s.jwk), &expect()).unwrap_err();
        assert!(matches!(err, OidcError::WrongNonce), "{err:?}");
        c.as_object_mut().unwrap().remove("nonce");
        let token = sign(&s, "k1", &c);
        let err = verify_id_token(&token, std::slice::from_ref(&s.jwk), &expect()).unwrap_err();
        assert!(matches!(err, OidcError::WrongNonce), "{err:?}");
    }

    #[test]
    fn refuses_another_audience() {
        let s = signer("k1");
        let mut c = claims();
        c["aud"] = json!("someone-else");
        let token = sign(&s, "k1", &c);
        let err = verify_id_token(&token, std::slice::from_ref(&s.jwk), &expect()).unwrap_err();
        assert!(matches!(err, OidcError::WrongAudience { .. }), "{err:?}");
        // Several audiences need azp to be Leadline.
        c["aud"] = json!(["leadline-client", "someone-else"]);
        c["azp"] = json!("someone-else");
        let token = sign(&s, "k1", &c);
        let err = verify_id_token(&token, std::slice::from_ref(&s.jwk), &expect()).unwrap_err();
        assert!(matches!(err, OidcError::WrongAudience { .. }), "{err:?}");
    }

    #[test]
    fn refuses_another_issuer_an_expired_token_and_a_foreign_key() {
        let s = signer("k1");
        let mut c = claims();
        c["iss"] = json!("https://evil.example");
        let token = sign(&s, "k1", &c);
        let err = verify_id_token(&token, std::slice::from_ref(&s.jwk), &expect()).unwrap_err();
        assert!(matches!(err, OidcError::WrongIssuer { .. }), "{err:?}");

        let mut c = claims();
        c["exp"] = json!(now() - 3600);
        let token = sign(&s, "k1", &c);
        let err = verify_id_token(&token, std::slice::from_ref(&s.jwk), &expect()).unwrap_err();
        assert!(matches!(err, OidcError::Expired), "{err:?}");

        // Within the leeway an expired token still passes.
        let mut c = claims();
        c["exp"] = json!(now() - 10);
        let token = sign(&s, "k1", &c);
        verify_id_token(&token, std::slice::from_ref(&s.jwk), &expect()).unwrap();

        // Signed by another key that claims the provider's kid.
        let forger = signer("k1");
        let token = sign(&forger, "k1", &claims());
        let err = verify_id_token(&token, std::slice::from_ref(&s.jwk), &expect()).unwrap_err();
        assert!(matches!(err, OidcError::BadSignature), "{err:?}");

        // A kid the provider does not publish.
        let token = sign(&s, "k2", &claims());
        let err = verify_id_token(&token, std::slice::from_ref(&s.jwk), &expect()).unwrap_err();
        assert!(matches!(err, OidcError::NoMatchingKey { .. }), "{err:?}");
    }

    #[test]
    fn refuses_hmac_tokens() {
        let key = EncodingKey::from_secret(b"shared");
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims(), &key).unwrap();
        let s = signer("k1");
        let err = verify_id_token(&token, std::slice::from_ref(&s.jwk), &expect()).unwrap_err();
        assert!(matches!(err, OidcError::UnsupportedAlgorithm(_)), "{err:?}");
    }

    #[test]
    fn microsoft_tenant_issuer_must_match_tid() {
        let template = "https://login.microsoftonline.com/{tenantid}/v2.0";
        let tenant = "9188040d-6c67-4c5b-b112-36a304b66dad";
        let s = signer("k1");
        let mut c = claims();
        c["iss"] = json!(format!("https://login.microsoftonline.com/{tenant}/v2.0"));
        c["tid"] = json!(tenant);
        let ex = IdTokenExpectations {
            issuer: template,
            ..expect()
        };
        let token = sign(&s, "k1", &c);
        verify_id_token(&token, std::slice::from_ref(&s.jwk), &ex).unwrap();

        c["tid"] = json!("another-tenant");
        let token = sign(&s, "k1", &c);
        let err = verify_id_token(&token, std::slice::from_ref(&s.jwk), &ex).unwrap_err();
        assert!(matches!(err, OidcError::WrongIssuer { .. }), "{err:?}");

        // Discovery of the multi-tenant endpoint names the template.
        assert_eq!(
            issuer_tenant(template, MICROSOFT_ISSUER),
            Some(Some("common"))
        );
        assert_eq!(
            issuer_tenant(template, "https://login.microsoftonline.com/a/b/v2.0"),
            None
        );
        assert_eq!(
            issuer_tenant(GOOGLE_ISSUER, "https://accounts.google.com/"),
            Some(None)
        );
    }

    #[test]
    fn issuers_must_be_https_off_loopback() {
        assert!(Provider::issuer("http://idp.example", "c").is_err());
        assert!(Provider::issuer("https://idp.example/", "c").is_ok());
        let p = Provider::practice("http://127.0.0.1:8443/").unwrap();
        assert_eq!(p.issuer, "http://127.0.0.1:8443");
        assert_eq!(p.client_id, PRACTICE_CLIENT_ID);
        assert_eq!(
            p.discovery_url().unwrap().as_str(),
            "http://127.0.0.1:8443/.well-known/openid-configuration"
        );
    }

    #[tokio::test]
    async fn unverified_or_unknown_email_is_refused_without_userinfo() {
        let http = reqwest::Client::new();
        let token = Secret::new("t");
        let mut c: IdTokenClaims = serde_json::from_value(claims()).unwrap();
        c.email_verified = Some(json!("false"));
        let err = identity(&http, &c, None, &token).await.unwrap_err();
        assert!(matches!(err, OidcError::EmailNotVerified { .. }), "{err:?}");
        c.email_verified = None;
        let err = identity(&http, &c, None, &token).await.unwrap_err();
        assert!(matches!(err, OidcError::EmailNotVerified { .. }), "{err:?}");
        // Microsoft's xms_edov stands in for email_verified there only.
        c.xms_edov = Some(json!(true));
        let err = identity(&http, &c, None, &token).await.unwrap_err();
        assert!(matches!(err, OidcError::EmailNotVerified { .. }), "{err:?}");
        c.iss = "https://login.microsoftonline.com/t/v2.0".into();
        let id = identity(&http, &c, None, &token).await.unwrap();
        assert_eq!(id.email, "pat@example.com");
        assert_eq!(id.name, "Pat Example");
    }

    #[test]
    fn sign_in_is_send() {
        fn is_send<T: Send>(_: &T) {}
        let flow =
            AuthFlow::new(std::sync::Arc::new(crate::browser::SystemBrowser::default())).unwrap();
        let provider = Provider::google("c");
        let options = SignInOptions::default();
        let cancel = CancellationToken::new();
        let fut = sign_in(&flow, &provider, &options, &cancel);
        is_send(&fut);
    }
}
