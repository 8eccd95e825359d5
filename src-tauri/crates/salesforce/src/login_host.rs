//! Where an admin logs in to Salesforce: production, a sandbox, their My Domain, or any URL (the
//! local practice org). OAuth endpoints hang off this host; REST calls go to the instance URL the
//! token response names instead.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginHost {
    Production,
    Sandbox,
    /// `NAME` of `https://NAME.my.salesforce.com`.
    MyDomain(String),
    /// Any base URL, e.g. the practice org on loopback.
    Custom(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadLoginHost {
    #[error(
        "My Domain name {0:?}: use only letters, digits and hyphens, as in acme or acme--dev.sandbox"
    )]
    MyDomain(String),
    #[error("login URL {0:?}: must start with https:// (or http:// for a loopback address)")]
    Url(String),
}

impl LoginHost {
    pub fn my_domain(name: &str) -> Result<Self, BadLoginHost> {
        let name = name.trim();
        let ok = !name.is_empty()
            && name
                .split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        if ok {
            Ok(LoginHost::MyDomain(name.to_ascii_lowercase()))
        } else {
            Err(BadLoginHost::MyDomain(name.to_string()))
        }
    }

    /// A custom base URL; plain http is accepted only for loopback, where nothing crosses a wire.
    pub fn custom(url: &str) -> Result<Self, BadLoginHost> {
        let url = url.trim().trim_end_matches('/');
        let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|p| {
                url.strip_prefix(p)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(':'))
            });
        if url.starts_with("https://") && url.len() > "https://".len() || loopback {
            Ok(LoginHost::Custom(url.to_string()))
        } else {
            Err(BadLoginHost::Url(url.to_string()))
        }
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> String {
        match self {
            LoginHost::Production => "https://login.salesforce.com".into(),
            LoginHost::Sandbox => "https://test.salesforce.com".into(),
            LoginHost::MyDomain(name) => format!("https://{name}.my.salesforce.com"),
            LoginHost::Custom(url) => url.clone(),
        }
    }
}

impl fmt::Display for LoginHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.base_url())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn base_urls() {
        assert_eq!(
            LoginHost::Production.base_url(),
            "https://login.salesforce.com"
        );
        assert_eq!(LoginHost::Sandbox.base_url(), "https://test.salesforce.com");
        assert_eq!(
            LoginHost::my_domain("Acme--dev.sandbox")
                .unwrap()
                .base_url(),
            "https://acme--dev.sandbox.my.salesforce.com"
        );
        assert_eq!(
            LoginHost::custom("http://127.0.0.1:8443/")
                .unwrap()
                .base_url(),
            "http://127.0.0.1:8443"
        );
    }

    #[test]
    fn refuses_plain_http_off_loopback_and_bad_domains() {
        assert!(LoginHost::custom("http://example.com").is_err());
        assert!(LoginHost::custom("http://127.0.0.1.evil.com").is_err());
        assert!(LoginHost::my_domain("acme/evil").is_err());
        assert!(LoginHost::my_domain("").is_err());
    }
}
