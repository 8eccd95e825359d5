//! The small cryptography OAuth needs besides the `id_token` signature: HMAC-SHA256 (the token
//! response's `signature`, and the seal on the authorize pages' hidden `request` field), PKCE's
//! S256 transform, and the `at_hash` claim.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

/// HMAC-SHA256 (RFC 2104) over SHA-256, so no extra crate is needed.
pub(crate) fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut block_key = [0u8; BLOCK];
    if key.len() > BLOCK {
        block_key[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block_key[..key.len()].copy_from_slice(key);
    }
    let inner_pad: Vec<u8> = block_key.iter().map(|b| b ^ 0x36).collect();
    let outer_pad: Vec<u8> = block_key.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&inner_pad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&outer_pad)
        .chain_update(inner)
        .finalize()
        .into()
}

/// The token response's `signature`: base64 HMAC-SHA256 of `id` + `issued_at`, keyed with the
/// client secret, so a client can check the identity URL was not tampered with.
pub(crate) fn token_signature(secret: &str, id: &str, issued_at: &str) -> String {
    let mut message = String::with_capacity(id.len() + issued_at.len());
    message.push_str(id);
    message.push_str(issued_at);
    STANDARD.encode(hmac_sha256(secret.as_bytes(), message.as_bytes()))
}

/// PKCE S256: base64url(SHA-256(verifier)) without padding.
pub(crate) fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// OpenID Connect `at_hash`: the left half of SHA-256 of the access token, base64url.
pub(crate) fn at_hash(access_token: &str) -> String {
    let digest = Sha256::digest(access_token.as_bytes());
    URL_SAFE_NO_PAD.encode(&digest[..16])
}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Seals a value for a hidden form field: base64url(JSON) `.` base64url(HMAC).
pub(crate) fn seal<T: Serialize>(secret: &[u8], value: &T) -> String {
    let json = serde_json::to_vec(value).unwrap_or_default();
    let body = URL_SAFE_NO_PAD.encode(json);
    let mac = URL_SAFE_NO_PAD.encode(hmac_sha256(secret, body.as_bytes()));
    format!("{body}.{mac}")
}

/// Opens a sealed value; `None` when it was altered or is not ours.
pub(crate) fn open<T: DeserializeOwned>(secret: &[u8], sealed: &str) -> Option<T> {
    let (body, mac) = sealed.split_once('.')?;
    let given = URL_SAFE_NO_PAD.decode(mac).ok()?;
    if !same(&given, &hmac_sha256(secret, body.as_bytes())) {
        return None;
    }
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn hmac_with_a_long_key_matches_rfc_4231_case_6() {
        let key = [0xaau8; 131];
        let mac = hmac_sha256(
            &key,
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn s256_matches_rfc_7636_appendix_b() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn sealed_values_open_only_unaltered() {
        let secret = b"0123456789abcdef";
        let sealed = seal(secret, &vec!["a".to_string()]);
        assert_eq!(
            open::<Vec<String>>(secret, &sealed),
            Some(vec!["a".to_string()])
        );
        let mut tampered = sealed.clone();
        tampered.insert(0, 'x');
        assert_eq!(open::<Vec<String>>(secret, &tampered), None);
        assert_eq!(open::<Vec<String>>(b"another secret!!", &sealed), None);
    }
}
