//! The OpenID Connect provider side: the signing key (an ECDSA P-256 key made at start, since
//! the simulator cannot make Salesforce's RSA keys without another crate), the JWKS at `/id/keys`,
//! the discovery document at `/.well-known/openid-configuration`, and the `id_token` itself.

use std::fmt;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use rand::Rng;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{ID_TOKEN_LIFETIME_SECS, KNOWN_SCOPES, crypto, identity_url, now_secs};
use crate::error::json as sf_json;
use crate::org::User;
use crate::state::Sim;

/// The simulator's private keys: the `id_token` signing key and the secret that seals the
/// authorize pages' hidden state.
pub struct SigningKeys {
    encoding: EncodingKey,
    kid: String,
    x: String,
    y: String,
    seal_secret: [u8; 32],
}

impl fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeys")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKeys {
    pub fn generate() -> Result<Self, String> {
        // Pick the RustCrypto backend explicitly so a workspace that also enables another
        // jsonwebtoken backend cannot leave signing without a provider; a second install is fine.
        let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
        let key_pair = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
        let encoding = EncodingKey::from_ec_pem(key_pair.serialize_pem().as_bytes())
            .map_err(|e| e.to_string())?;
        let raw = key_pair.public_key_raw();
        // An uncompressed P-256 point: 0x04 || x (32 bytes) || y (32 bytes).
        if raw.len() != 65 || raw[0] != 0x04 {
            return Err(format!("unexpected public key form ({} bytes)", raw.len()));
        }
        let x = URL_SAFE_NO_PAD.encode(&raw[1..33]);
        let y = URL_SAFE_NO_PAD.encode(&raw[33..65]);
        let kid = Sha256::digest(raw)[..6]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let mut seal_secret = [0u8; 32];
        rand::rng().fill(&mut seal_secret);
        Ok(SigningKeys {
            encoding,
            kid,
            x,
            y,
            seal_secret,
        })
    }

    /// The key id in every `id_token` header and in the JWKS.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub(crate) fn seal_secret(&self) -> &[u8] {
        &self.seal_secret
    }

    /// The public key as a JWK.
    pub fn jwk(&self) -> Value {
        json!({
            "kty": "EC",
            "crv": "P-256",
            "x": self.x,
            "y": self.y,
            "kid": self.kid,
            "use": "sig",
            "alg": "ES256",
        })
    }

    fn sign(&self, claims: &Map<String, Value>) -> Result<String, String> {
        let mut header = Header::new(Algorithm::ES256);
        header.kid = Some(self.kid.clone());
        header.typ = Some("JWT".into());
        jsonwebtoken::encode(&header, claims, &self.encoding).map_err(|e| e.to_string())
    }
}

/// The `id_token` for a grant with the `openid` scope. Salesforce puts the identity URL (not the
/// bare user id) in `sub`, as in UserInfo; profile and email claims come with those scopes.
pub(crate) fn id_token(
    sim: &Sim,
    user: &User,
    client_id: &str,
    scopes: &[String],
    access_token: &str,
    nonce: Option<&str>,
) -> Result<String, String> {
    let now = now_secs();
    let mut claims = Map::new();
    claims.insert("at_hash".into(), json!(crypto::at_hash(access_token)));
    claims.insert("sub".into(), json!(identity_url(sim, user)));
    claims.insert("aud".into(), json!(client_id));
    claims.insert("iss".into(), json!(sim.base_url()));
    claims.insert("exp".into(), json!(now + ID_TOKEN_LIFETIME_SECS));
    claims.insert("iat".into(), json!(now));
    if let Some(n) = nonce {
        claims.insert("nonce".into(), json!(n));
    }
    let has = |s: &str| scopes.iter().any(|x| x == s);
    if has("profile") {
        claims.insert("name".into(), json!(user.display_name()));
        claims.insert("given_name".into(), json!(user.first_name));
        claims.insert("family_name".into(), json!(user.last_name));
        claims.insert("preferred_username".into(), json!(user.username));
        claims.insert("nickname".into(), json!(super::identity::nickname(user)));
        claims.insert("zoneinfo".into(), json!(super::identity::TIMEZONE));
        claims.insert("locale".into(), json!(super::identity::LOCALE));
        claims.insert("updated_at".into(), json!(super::identity::UPDATED_AT));
    }
    if has("email") {
        claims.insert("email".into(), json!(user.email));
        claims.insert("email_verified".into(), json!(user.email_verified));
    }
    sim.keys().sign(&claims)
}

pub(super) async fn jwks(State(sim): State<Sim>) -> Response {
    sf_json(StatusCode::OK, &json!({ "keys": [sim.keys().jwk()] }))
}

/// Salesforce's discovery document with the simulator's endpoints. Differences: only the `code`
/// response type and ES256 signatures are offered, and PKCE and public clients are advertised.
pub(super) async fn discovery(State(sim): State<Sim>) -> Response {
    let base = sim.base_url();
    sf_json(
        StatusCode::OK,
        &json!({
            "issuer": base,
            "authorization_endpoint": format!("{base}/services/oauth2/authorize"),
            "token_endpoint": format!("{base}/services/oauth2/token"),
            "revocation_endpoint": format!("{base}/services/oauth2/revoke"),
            "userinfo_endpoint": format!("{base}/services/oauth2/userinfo"),
            "jwks_uri": format!("{base}/id/keys"),
            "scopes_supported": KNOWN_SCOPES,
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "display_values_supported": ["page", "popup", "touch"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic", "none"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "active", "address", "email", "email_verified", "family_name", "given_name",
                "is_app_installed", "language", "locale", "name", "nickname", "organization_id",
                "phone_number", "phone_number_verified", "photos", "picture", "preferred_username",
                "profile", "sub", "updated_at", "urls", "user_id", "user_type", "zoneinfo",
            ],
        }),
    )
}
