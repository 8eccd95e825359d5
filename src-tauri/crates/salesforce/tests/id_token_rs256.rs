//! RS256 `id_token`s (Google's and Microsoft's kind) through the public verifier, signed with a
//! fixed RSA key made for this test only (`fixtures/test-only-rsa-key.pem`; ring cannot make RSA
//! keys, so the test cannot generate one).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use leadline_salesforce::oidc::{
    ID_TOKEN_LEEWAY, IdTokenExpectations, Jwk, OidcError, verify_id_token,
};
use serde_json::json;

const KEY_PEM: &str = include_str!("fixtures/test-only-rsa-key.pem");

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn key_and_jwk() -> (EncodingKey, Jwk) {
    let key = EncodingKey::from_rsa_pem(KEY_PEM.as_bytes()).unwrap();
    let mut jwk = Jwk::from_encoding_key(&key, Algorithm::RS256).unwrap();
    jwk.common.key_id = Some("rsa-1".into());
    // Microsoft publishes its keys without `alg`.
    jwk.common.key_algorithm = None;
    (key, jwk)
}

#[test]
fn rs256_tokens_verify_and_wrong_nonce_or_audience_do_not() {
    let (key, jwk) = key_and_jwk();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("rsa-1".into());
    let claims = json!({
        "iss": "https://accounts.google.com",
        "sub": "1234567890",
        "aud": "client.apps.googleusercontent.com",
        "exp": now() + 300,
        "iat": now(),
        "nonce": "expected-nonce",
        "email": "pat@example.com",
        "email_verified": true,
    });
    let expect = IdTokenExpectations {
        issuer: "https://accounts.google.com",
        client_id: "client.apps.googleusercontent.com",
        nonce: "expected-nonce",
        leeway: ID_TOKEN_LEEWAY,
    };
    let keys = std::slice::from_ref(&jwk);

    let token = jsonwebtoken::encode(&header, &claims, &key).unwrap();
    let verified = verify_id_token(&token, keys, &expect).unwrap();
    assert_eq!(verified.sub, "1234567890");

    let wrong_nonce = IdTokenExpectations {
        nonce: "another",
        ..expect
    };
    assert!(matches!(
        verify_id_token(&token, keys, &wrong_nonce),
        Err(OidcError::WrongNonce)
    ));
    let wrong_client = IdTokenExpectations {
        client_id: "another-client",
        ..expect
    };
    assert!(matches!(
        verify_id_token(&token, keys, &wrong_client),
        Err(OidcError::WrongAudience { .. })
    ));

    // A token claiming ES256 cannot be checked with an RSA key.
    let mut es_header = Header::new(Algorithm::ES256);
    es_header.kid = Some("rsa-1".into());
    let parts: Vec<&str> = token.split('.').collect();
    let forged_header = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&es_header).unwrap());
    let forged = format!("{forged_header}.{}.{}", parts[1], parts[2]);
    assert!(matches!(
        verify_id_token(&forged, keys, &expect),
        Err(OidcError::NoMatchingKey { .. })
    ));
}
