//! Signing in through the system browser: which identity providers are on offer (the practice
//! org when `make run` started one, Google and Microsoft with their client ids, any OpenID Connect
//! issuer), and the use-case that runs the browser flow, takes the verified identity, and starts
//! the session — or ends with a message saying why not. The flow itself lives in
//! `leadline-salesforce`, shared with the Salesforce connection.

use leadline_salesforce::oidc::{self, SignInOptions};
use leadline_salesforce::{
    AuthError, AuthFlow, CallbackPorts, CancellationToken, OidcError, Provider,
};

use crate::Leadline;
use crate::actor::Actor;
use crate::error::{Error, Result};
use crate::ipc::{ProviderInfo, ProviderKind, SignInRequest, VerifiedIdentity};
use crate::secrets::SecretStore;

/// The practice org's base URL; `make run` sets it after starting `leadline-sfsim`.
pub const PRACTICE_URL_ENV: &str = "LEADLINE_PRACTICE_URL";
pub const GOOGLE_CLIENT_ID_ENV: &str = "LEADLINE_GOOGLE_CLIENT_ID";
pub const MICROSOFT_CLIENT_ID_ENV: &str = "LEADLINE_MICROSOFT_CLIENT_ID";

/// Where sign-in providers come from on this machine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignInConfig {
    pub practice_url: Option<String>,
    pub google_client_id: Option<String>,
    pub microsoft_client_id: Option<String>,
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl SignInConfig {
    pub fn from_env() -> Self {
        let var = |k: &str| non_empty(std::env::var(k).ok());
        Self {
            practice_url: var(PRACTICE_URL_ENV),
            google_client_id: var(GOOGLE_CLIENT_ID_ENV),
            microsoft_client_id: var(MICROSOFT_CLIENT_ID_ENV),
        }
    }

    /// The choices for the sign-in screen, the practice org first when there is one.
    pub fn providers(&self) -> Vec<ProviderInfo> {
        let mut out = Vec::new();
        if let Some(url) = &self.practice_url {
            out.push(ProviderInfo {
                kind: ProviderKind::Practice,
                label: "Local practice org".into(),
                issuer: Some(url.clone()),
                client_id: Some("leadline-practice".into()),
            });
        }
        out.push(ProviderInfo {
            kind: ProviderKind::Google,
            label: "Google".into(),
            issuer: Some(oidc::GOOGLE_ISSUER.into()),
            client_id: self.google_client_id.clone(),
        });
        out.push(ProviderInfo {
            kind: ProviderKind::Microsoft,
            label: "Microsoft".into(),
            issuer: Some(oidc::MICROSOFT_ISSUER.into()),
            client_id: self.microsoft_client_id.clone(),
        });
        out.push(ProviderInfo {
            kind: ProviderKind::Oidc,
            label: "Another OpenID Connect provider".into(),
            issuer: None,
            client_id: None,
        });
        out
    }

    /// The provider a request names, completed from the configuration; a missing piece is named.
    pub fn provider(&self, req: &SignInRequest) -> Result<Provider> {
        let client_id = |configured: &Option<String>, what: &str| {
            non_empty(req.client_id.clone())
                .or_else(|| configured.clone())
                .ok_or_else(|| Error::InvalidInput(format!("client id: {what} needs one")))
        };
        let bad = |e: OidcError| Error::InvalidInput(format!("issuer: {e}"));
        match req.kind {
            ProviderKind::Practice => {
                let url = non_empty(req.issuer.clone())
                    .or_else(|| self.practice_url.clone())
                    .ok_or_else(|| {
                        Error::InvalidInput(format!(
                            "issuer: no practice org is running (start one with make run, or set {PRACTICE_URL_ENV})"
                        ))
                    })?;
                Provider::practice(&url).map_err(bad)
            }
            ProviderKind::Google => Ok(Provider::google(client_id(
                &self.google_client_id,
                "Google",
            )?)),
            ProviderKind::Microsoft => Ok(Provider::microsoft(client_id(
                &self.microsoft_client_id,
                "Microsoft",
            )?)),
            ProviderKind::Oidc => {
                let issuer = non_empty(req.issuer.clone()).ok_or_else(|| {
                    Error::InvalidInput("issuer: type the provider's issuer URL".into())
                })?;
                Provider::issuer(&issuer, client_id(&None, "this provider")?).map_err(bad)
            }
        }
    }
}

/// Why a sign-in ended, in the person's words; secrets never appear (the flow redacts them).
fn failure(e: OidcError) -> Error {
    match e {
        OidcError::Auth(AuthError::Cancelled) => Error::SignInCancelled,
        other => Error::SignInFailed(format!("sign-in failed: {other}")),
    }
}

impl Leadline {
    /// Opens the provider's sign-in in the browser, waits for the verified identity, and starts
    /// the session for the member it belongs to (see [`Leadline::begin_session`]). Any callback
    /// port will do for sign-in: identity providers accept any loopback port for desktop apps.
    pub async fn sign_in_through_browser(
        &self,
        flow: &AuthFlow,
        provider: &Provider,
        cancel: &CancellationToken,
        secrets: &dyn SecretStore,
    ) -> Result<Actor> {
        let options = SignInOptions {
            callback_ports: CallbackPorts::any(),
            ..SignInOptions::default()
        };
        let signed = oidc::sign_in(flow, provider, &options, cancel)
            .await
            .map_err(failure)?;
        let identity = VerifiedIdentity {
            email: signed.identity.email,
            name: signed.identity.name,
        };
        self.begin_session(secrets, &identity)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipc::ErrorCode;

    fn req(kind: ProviderKind, issuer: Option<&str>, client_id: Option<&str>) -> SignInRequest {
        SignInRequest {
            kind,
            issuer: issuer.map(String::from),
            client_id: client_id.map(String::from),
        }
    }

    #[test]
    fn offers_the_practice_org_first_only_when_one_runs() {
        let none = SignInConfig::default();
        let kinds: Vec<_> = none.providers().iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [
                ProviderKind::Google,
                ProviderKind::Microsoft,
                ProviderKind::Oidc
            ]
        );
        assert_eq!(
            none.providers()[0].client_id,
            None,
            "Google needs a client id typed"
        );

        let with = SignInConfig {
            practice_url: Some("http://127.0.0.1:4000".into()),
            google_client_id: Some("g-123".into()),
            ..Default::default()
        };
        let first = &with.providers()[0];
        assert_eq!(first.kind, ProviderKind::Practice);
        assert_eq!(first.client_id.as_deref(), Some("leadline-practice"));
        assert_eq!(with.providers()[1].client_id.as_deref(), Some("g-123"));
    }

    #[test]
    fn a_missing_piece_is_named() {
        let config = SignInConfig::default();
        for (request, needle) in [
            (
                req(ProviderKind::Practice, None, None),
                "no practice org is running",
            ),
            (
                req(ProviderKind::Google, None, Some("  ")),
                "client id: Google needs one",
            ),
            (
                req(ProviderKind::Oidc, None, Some("x")),
                "issuer: type the provider's issuer URL",
            ),
            (
                req(ProviderKind::Oidc, Some("https://id.example.com"), None),
                "client id",
            ),
            (
                req(ProviderKind::Oidc, Some("http://id.example.com"), Some("x")),
                "issuer:",
            ),
        ] {
            let err = config.provider(&request).unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidInput, "{request:?}: {err}");
            assert!(err.to_string().contains(needle), "{request:?}: {err}");
        }
    }

    #[test]
    fn typed_values_complete_or_override_the_configuration() {
        let config = SignInConfig {
            microsoft_client_id: Some("ms-1".into()),
            ..Default::default()
        };
        assert!(
            config
                .provider(&req(ProviderKind::Microsoft, None, None))
                .is_ok()
        );
        assert!(
            config
                .provider(&req(ProviderKind::Google, None, Some("typed")))
                .is_ok()
        );
        assert!(
            config
                .provider(&req(
                    ProviderKind::Oidc,
                    Some("https://id.example.com"),
                    Some("app")
                ))
                .is_ok()
        );
        assert!(
            config
                .provider(&req(
                    ProviderKind::Practice,
                    Some("http://127.0.0.1:4000"),
                    None
                ))
                .is_ok()
        );
    }
}
