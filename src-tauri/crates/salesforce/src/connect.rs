//! Connecting Leadline to a Salesforce org: the browser sign-in request for a login host (a
//! public client asking for API access and a refresh token) and where its tokens are renewed.
//! The flow itself is [`crate::authflow`]; what is done with the tokens is the caller's.

use url::Url;

use crate::authflow::{AuthError, AuthorizationRequest};
use crate::login_host::LoginHost;
use crate::loopback::{CallbackPorts, DEFAULT_TIMEOUT};

/// What Leadline asks of an org: the REST API, and a refresh token to keep using it unattended.
pub const SCOPES: &[&str] = &["api", "refresh_token"];

fn endpoint(login: &LoginHost, what: &'static str, path: &str) -> Result<Url, AuthError> {
    let base = login.base_url();
    Url::parse(&format!("{base}{path}")).map_err(|e| AuthError::BadUrl {
        what,
        url: base,
        why: e.to_string(),
    })
}

/// The sign-in to connect an org through `login`.
pub fn authorization_request(
    login: &LoginHost,
    client_id: &str,
    ports: CallbackPorts,
) -> Result<AuthorizationRequest, AuthError> {
    let mut request = AuthorizationRequest::new(
        endpoint(login, "authorize", "/services/oauth2/authorize")?,
        endpoint(login, "token", "/services/oauth2/token")?,
        client_id,
    );
    request.scopes = SCOPES.iter().map(|s| s.to_string()).collect();
    request.callback_ports = ports;
    request.timeout = DEFAULT_TIMEOUT;
    Ok(request)
}

/// The token endpoint of `login`, where the connection's session is renewed.
pub fn token_url(login: &LoginHost) -> Url {
    // LoginHost's constructors admit only http(s) base URLs, so this parses; a hand-built bad
    // one gets a host that never resolves (RFC 2606), not another org's token endpoint.
    let base = login.base_url();
    Url::parse(&format!("{base}/services/oauth2/token"))
        .or_else(|_| Url::parse("https://login-host.invalid/services/oauth2/token"))
        .unwrap_or_else(|_| unreachable!("a constant URL parses"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn production_endpoints_and_scopes() {
        let r = authorization_request(&LoginHost::Production, "cid", CallbackPorts::PRODUCTION)
            .unwrap();
        assert_eq!(
            r.authorize_url.as_str(),
            "https://login.salesforce.com/services/oauth2/authorize"
        );
        assert_eq!(
            r.token_url.as_str(),
            "https://login.salesforce.com/services/oauth2/token"
        );
        assert_eq!(r.scopes, vec!["api", "refresh_token"]);
        assert!(r.client_secret.is_none());
        assert!(!r.nonce);
        assert_eq!(r.timeout, DEFAULT_TIMEOUT);
        assert_eq!(
            token_url(&LoginHost::Sandbox).as_str(),
            "https://test.salesforce.com/services/oauth2/token"
        );
    }
}
