//! The team's Salesforce connection: connecting through the system browser, its status, the
//! doctor that checks it end to end, and disconnecting. Tokens live only in the keyring (one
//! entry each); SQLite keeps the non-secret facts. A connection is recorded only once it has
//! proved it works — the org answers, the user has API access, and the refresh token refreshes —
//! so a policy that would break the sync hours later is caught while the admin is still at the
//! screen. Whatever fails after Salesforce granted tokens, those tokens are revoked again.

use std::sync::{Arc, Mutex};

use leadline_salesforce::connect;
use leadline_salesforce::loopback::{CALLBACK_PATH, DEFAULT_PORT, FALLBACK_PORT};
use leadline_salesforce::oidc::PRACTICE_CLIENT_ID;
use leadline_salesforce::rest::{self, OrgEndpoint, RestClient, RestError, TokenStore};
use leadline_salesforce::{
    AuthError, AuthFlow, CallbackPorts, CancellationToken, LoginHost, Secret,
};
use serde_json::json;
use url::Url;

use crate::Leadline;
use crate::actor::{Action, Actor};
use crate::diagnosis::{self, Explanation, Trouble};
use crate::error::{Error, Result};
use crate::ipc::{
    ConnectDefaults, ConnectRequest, ConnectionStatus, Disconnected, DoctorReport, Finding,
    LoginHostKind, SalesforceConnection, Severity,
};
use crate::secrets::SecretStore;
use crate::store::{NewConnection, OpenConnection};

/// The keyring entries of the connection's tokens.
pub const ACCESS_TOKEN: &str = "salesforce.access_token";
pub const REFRESH_TOKEN: &str = "salesforce.refresh_token";

/// The share of the daily API limit past which the doctor warns.
pub const USAGE_WARNING_SHARE: f64 = 0.9;

/// The open connection's REST client, kept so concurrent callers share one single-flight refresh.
#[derive(Debug, Default)]
pub(crate) struct ClientSlot(Mutex<Option<(i64, RestClient)>>);

impl ClientSlot {
    fn get(&self, id: i64) -> Option<RestClient> {
        let slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        slot.as_ref()
            .filter(|(i, _)| *i == id)
            .map(|(_, c)| c.clone())
    }

    fn put(&self, id: i64, client: RestClient) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some((id, client));
    }

    fn clear(&self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// Where a refreshed token goes: straight into the keyring, the rotated refresh token first.
#[derive(Debug)]
struct KeyringTokens(Arc<dyn SecretStore>);

impl TokenStore for KeyringTokens {
    fn save_refresh_token(&self, token: &Secret) -> std::result::Result<(), String> {
        self.0
            .set(REFRESH_TOKEN, token.expose())
            .map_err(|e| e.to_string())
    }

    fn save_access_token(&self, token: &Secret) -> std::result::Result<(), String> {
        self.0
            .set(ACCESS_TOKEN, token.expose())
            .map_err(|e| e.to_string())
    }
}

/// Tokens held in memory while a new connection is being proved, before anything is kept.
#[derive(Debug, Default)]
struct PendingTokens(Mutex<(Option<Secret>, Option<Secret>)>);

impl PendingTokens {
    fn take(&self) -> (Option<Secret>, Option<Secret>) {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl TokenStore for PendingTokens {
    fn save_refresh_token(&self, token: &Secret) -> std::result::Result<(), String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).1 = Some(token.clone());
        Ok(())
    }

    fn save_access_token(&self, token: &Secret) -> std::result::Result<(), String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).0 = Some(token.clone());
        Ok(())
    }
}

fn callback_url(port: u16) -> String {
    format!("http://localhost:{port}{CALLBACK_PATH}")
}

/// The Connect form's starting point: the practice org when one runs, production otherwise.
pub fn connect_defaults(practice_url: Option<&str>) -> ConnectDefaults {
    ConnectDefaults {
        login_host: if practice_url.is_some() {
            LoginHostKind::Custom
        } else {
            LoginHostKind::Production
        },
        login_url: practice_url.map(String::from),
        client_id: practice_url.map(|_| PRACTICE_CLIENT_ID.to_string()),
        callback_port: DEFAULT_PORT,
        fallback_callback_port: FALLBACK_PORT,
        callback_urls: vec![callback_url(DEFAULT_PORT), callback_url(FALLBACK_PORT)],
    }
}

/// The login host a request names; a missing or malformed piece is named.
fn login_host(req: &ConnectRequest) -> Result<LoginHost> {
    let bad = |e: leadline_salesforce::login_host::BadLoginHost| Error::InvalidInput(e.to_string());
    match req.login_host {
        LoginHostKind::Production => Ok(LoginHost::Production),
        LoginHostKind::Sandbox => Ok(LoginHost::Sandbox),
        LoginHostKind::MyDomain => {
            let name = req.my_domain.as_deref().unwrap_or_default();
            if name.trim().is_empty() {
                return Err(Error::InvalidInput(
                    "My Domain: type your domain's name, as in acme for https://acme.my.salesforce.com".into(),
                ));
            }
            LoginHost::my_domain(name).map_err(bad)
        }
        LoginHostKind::Custom => {
            let url = req.login_url.as_deref().unwrap_or_default();
            if url.trim().is_empty() {
                return Err(Error::InvalidInput(
                    "login URL: type the URL you log in to Salesforce at".into(),
                ));
            }
            LoginHost::custom(url).map_err(bad)
        }
    }
}

fn client_id(req: &ConnectRequest) -> Result<String> {
    let id = req.client_id.trim();
    if id.is_empty() {
        return Err(Error::InvalidInput(
            "client id: paste the connected app's Consumer Key".into(),
        ));
    }
    if id.len() > 255 || id.chars().any(char::is_whitespace) {
        return Err(Error::InvalidInput(
            "client id: a Consumer Key is one word of at most 255 characters".into(),
        ));
    }
    Ok(id.to_string())
}

fn callback_ports(req: &ConnectRequest) -> Result<CallbackPorts> {
    match req.callback_port {
        None => Ok(CallbackPorts::PRODUCTION),
        Some(p) if p >= 1024 => Ok(CallbackPorts::fixed(p)),
        Some(p) => Err(Error::InvalidInput(format!(
            "callback port: {p} is reserved for the system; choose one from 1024 to 65535, registered in the app as {}",
            callback_url(DEFAULT_PORT)
        ))),
    }
}

fn explained(e: &Explanation) -> String {
    e.sentence()
}

/// Why connecting failed, explained; cancellation stays a cancellation.
fn auth_failure(e: &AuthError, client_id: &str) -> Error {
    if matches!(e, AuthError::Cancelled) {
        return Error::ConnectCancelled;
    }
    match diagnosis::from_auth(e) {
        Some(t) => Error::ConnectFailed(explained(&diagnosis::explain(&t, client_id, None))),
        None => Error::ConnectFailed(format!("connecting Salesforce failed: {e}")),
    }
}

fn rest_failure(e: &RestError, client_id: &str, user: Option<&str>, instance: &str) -> Error {
    match diagnosis::from_rest(e, true, instance) {
        Some(t) => Error::ConnectFailed(explained(&diagnosis::explain(&t, client_id, user))),
        None => Error::ConnectFailed(format!("Salesforce refused the new connection: {e}")),
    }
}

/// What a freshly authorized connection proved about itself.
struct Proven {
    endpoint: OrgEndpoint,
    org_id: String,
    org_name: Option<String>,
    user_id: String,
    username: String,
    access: Secret,
    refresh: Secret,
    usage: Option<leadline_salesforce::ApiUsage>,
}

impl Leadline {
    fn http(&self) -> Result<reqwest::Client> {
        leadline_salesforce::authflow::http_client()
            .map_err(|e| Error::Storage(format!("cannot prepare an HTTP client: {e}")))
    }

    /// The open connection and the Connect form's defaults. Any member may look: nothing here
    /// is secret, and support needs to see when a reconnect is due.
    pub fn connection_status(
        &self,
        actor: &Actor,
        practice_url: Option<&str>,
    ) -> Result<ConnectionStatus> {
        actor.may(Action::Read)?;
        let open = self.store.read(|tx| tx.open_connection())?;
        Ok(ConnectionStatus {
            connection: open.map(|o| o.facts),
            defaults: connect_defaults(practice_url),
        })
    }

    /// Connects Salesforce through the browser (owner and admin). The keyring is checked before
    /// the browser opens; the tokens are proved before anything is kept; a connection to the same
    /// org replaces the open one (a reconnect), one to another org is refused.
    pub async fn connect_salesforce(
        &self,
        actor: &Actor,
        flow: &AuthFlow,
        req: &ConnectRequest,
        cancel: &CancellationToken,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<SalesforceConnection> {
        let ports = callback_ports(req)?;
        self.connect_salesforce_on(actor, flow, req, ports, cancel, secrets)
            .await
    }

    /// [`Leadline::connect_salesforce`] listening on the given callback ports instead of the
    /// request's: tests running side by side cannot all have the documented port.
    pub async fn connect_salesforce_on(
        &self,
        actor: &Actor,
        flow: &AuthFlow,
        req: &ConnectRequest,
        ports: CallbackPorts,
        cancel: &CancellationToken,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<SalesforceConnection> {
        actor.may(Action::ManageConnection)?;
        let login = login_host(req)?;
        let client_id = client_id(req)?;
        // Fail before the browser opens when there is nowhere safe to keep the tokens.
        secrets.get(REFRESH_TOKEN)?;

        let request = connect::authorization_request(&login, &client_id, ports)
            .map_err(|e| Error::InvalidInput(format!("login URL: {e}")))?;
        tracing::info!(login_url = %login.base_url(), client_id = %client_id, "connecting Salesforce");
        let authorized = flow.run(&request, cancel).await.map_err(|e| {
            tracing::warn!("connecting Salesforce failed: {e}");
            auth_failure(&e, &client_id)
        })?;
        let http = self.http()?;
        let login_url = login.base_url();
        let login_base = Url::parse(&login_url)
            .map_err(|e| Error::InvalidInput(format!("login URL {login_url:?}: {e}")))?;
        let tokens = authorized.tokens;
        let Some(refresh) = tokens.refresh_token.clone() else {
            let _ = rest::revoke(&http, &login_base, &tokens.access_token).await;
            return Err(Error::ConnectFailed(explained(&diagnosis::explain(
                &Trouble::NoRefreshToken,
                &client_id,
                None,
            ))));
        };

        let proven = match self
            .prove(&http, &login, &client_id, &tokens, refresh.clone())
            .await
        {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!("the new Salesforce connection failed its checks: {e}");
                // Leave nothing behind at Salesforce either. The access token goes too: when
                // the refresh token already died (a policy), revoking it revokes nothing more.
                let _ = rest::revoke(&http, &login_base, &refresh).await;
                let _ = rest::revoke(&http, &login_base, &tokens.access_token).await;
                return Err(e);
            }
        };

        match self.keep(actor, &login_url, &client_id, &proven, secrets.as_ref()) {
            Ok((id, replaced)) => {
                if let Some(old) = replaced {
                    let _ = rest::revoke(&http, &login_base, &old).await;
                }
                let client = RestClient::new(
                    http,
                    proven.endpoint.clone(),
                    proven.access.clone(),
                    Some(proven.refresh.clone()),
                    Arc::new(KeyringTokens(secrets)),
                );
                self.salesforce.put(id, client);
                // A queue paused for this reconnect resumes by itself.
                if self
                    .pause()?
                    .is_some_and(|p| p.reason == crate::queue::PauseReason::Reconnect)
                {
                    self.clear_pause()?;
                }
                tracing::info!(
                    org_id = %proven.org_id,
                    username = %proven.username,
                    api_version = %proven.endpoint.api_version,
                    "Salesforce connected"
                );
                let open = self.store.read(|tx| tx.open_connection())?;
                open.map(|o| o.facts)
                    .ok_or_else(|| Error::Storage("the new connection was not recorded".into()))
            }
            Err(e) => {
                let _ = rest::revoke(&http, &login_base, &proven.refresh).await;
                Err(e)
            }
        }
    }

    /// Checks freshly granted tokens: the org answers, the user has API access, and the refresh
    /// token refreshes (which catches the "expire immediately" policy and IP restrictions).
    async fn prove(
        &self,
        http: &reqwest::Client,
        login: &LoginHost,
        client_id: &str,
        tokens: &leadline_salesforce::TokenResponse,
        refresh: Secret,
    ) -> Result<Proven> {
        let instance = tokens.instance_url.clone().ok_or_else(|| {
            Error::ConnectFailed("Salesforce's token answer named no instance URL".into())
        })?;
        let instance_url = Url::parse(&instance).map_err(|e| {
            Error::ConnectFailed(format!(
                "Salesforce's instance URL {instance:?} is not a URL: {e}"
            ))
        })?;
        let id_url = tokens.id.clone().ok_or_else(|| {
            Error::ConnectFailed("Salesforce's token answer named no identity URL".into())
        })?;
        let fail = |e: RestError, user: Option<&str>| rest_failure(&e, client_id, user, &instance);

        let versions = rest::versions(http, &instance_url)
            .await
            .map_err(|e| fail(e, None))?;
        let api_version = rest::pick_version(&versions).ok_or_else(|| {
            Error::ConnectFailed(format!(
                "the org at {instance} offers no REST API version Leadline can use (46.0 or newer)"
            ))
        })?;
        let pending = Arc::new(PendingTokens::default());
        let client = RestClient::new(
            http.clone(),
            OrgEndpoint {
                instance_url,
                api_version,
                token_url: connect::token_url(login),
                client_id: client_id.to_string(),
            },
            tokens.access_token.clone(),
            Some(refresh.clone()),
            pending.clone(),
        );
        let identity = client.identity(&id_url).await.map_err(|e| fail(e, None))?;
        let user = Some(identity.username.as_str());
        let org_name = client
            .organization_name()
            .await
            .map_err(|e| fail(e, user))?;
        client.refresh_now().await.map_err(|e| fail(e, user))?;
        let (access, rotated) = pending.take();
        Ok(Proven {
            endpoint: client.endpoint().clone(),
            org_id: identity.organization_id.clone(),
            org_name,
            user_id: identity.user_id.clone(),
            username: identity.username.clone(),
            access: access.unwrap_or_else(|| tokens.access_token.clone()),
            refresh: rotated.unwrap_or(refresh),
            usage: client.last_usage(),
        })
    }

    /// Keeps a proven connection: tokens into the keyring, then the facts into SQLite, closing the
    /// one it replaces. Returns the new row's id and the replaced connection's refresh token.
    fn keep(
        &self,
        actor: &Actor,
        login_url: &str,
        client_id: &str,
        p: &Proven,
        secrets: &dyn SecretStore,
    ) -> Result<(i64, Option<Secret>)> {
        let open = self.store.read(|tx| tx.open_connection())?;
        if let Some(o) = &open
            && o.facts.org_id != p.org_id
        {
            return Err(Error::Conflict(format!(
                "Leadline is connected to another org ({}, {}); disconnect it first — the calendars' mappings were checked against that org's schema",
                o.facts.org_name.as_deref().unwrap_or("unnamed"),
                o.facts.org_id
            )));
        }
        let replaced = match &open {
            Some(_) => secrets.get(REFRESH_TOKEN)?.map(Secret::new),
            None => None,
        };
        secrets.set(REFRESH_TOKEN, p.refresh.expose())?;
        if let Err(e) = secrets.set(ACCESS_TOKEN, p.access.expose()) {
            let _ = secrets.delete(REFRESH_TOKEN);
            return Err(e);
        }
        let now = self.now();
        let written = self.store.write(|tx| {
            if let Some(o) = &open {
                tx.close_connection(o.id, &now, "replaced by a new connection")?;
            }
            let id = tx.insert_connection(&NewConnection {
                login_url,
                client_id,
                org_id: &p.org_id,
                org_name: p.org_name.as_deref(),
                user_id: &p.user_id,
                username: &p.username,
                instance_url: p.endpoint.instance_url.as_str().trim_end_matches('/'),
                api_version: &p.endpoint.api_version,
                connected_at: &now,
                connected_by: actor.member.id,
            })?;
            if let Some(u) = p.usage {
                tx.record_api_usage(id, u.used as i64, u.limit as i64, &now)?;
            }
            tx.audit(
                &now,
                actor,
                "salesforce.connect",
                &format!("salesforce:{}", p.org_id),
                &json!({
                    "org_id": p.org_id,
                    "org_name": p.org_name,
                    "username": p.username,
                    "login_url": login_url,
                    "replaced": open.is_some(),
                }),
            )?;
            Ok(id)
        });
        match written {
            Ok(id) => Ok((id, replaced)),
            Err(e) => {
                // The old connection's tokens are gone from the keyring now; put them back.
                let _ = secrets.delete(ACCESS_TOKEN);
                let _ = secrets.delete(REFRESH_TOKEN);
                Err(e)
            }
        }
    }

    /// The open connection's REST client, built from the keyring on first use. `not_connected`
    /// when there is none, `reconnect_required` when its tokens are gone.
    pub fn salesforce_client(
        &self,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<(OpenConnection, RestClient)> {
        let open = self
            .store
            .read(|tx| tx.open_connection())?
            .ok_or_else(not_connected)?;
        if let Some(c) = self.salesforce.get(open.id) {
            return Ok((open, c));
        }
        let access = secrets.get(ACCESS_TOKEN)?;
        let refresh = secrets.get(REFRESH_TOKEN)?;
        let (Some(access), Some(refresh)) = (access, refresh) else {
            return Err(Error::ReconnectRequired(
                "the Salesforce tokens are missing from the OS keyring (it was reset, or this data directory moved to another computer); connect again".into(),
            ));
        };
        let facts = &open.facts;
        let login = LoginHost::custom(&facts.login_url)
            .map_err(|e| Error::Storage(format!("the stored login URL is not usable: {e}")))?;
        let instance_url = Url::parse(&facts.instance_url)
            .map_err(|e| Error::Storage(format!("the stored instance URL is not usable: {e}")))?;
        let client = RestClient::new(
            self.http()?,
            OrgEndpoint {
                instance_url,
                api_version: facts.api_version.clone(),
                token_url: connect::token_url(&login),
                client_id: facts.client_id.clone(),
            },
            Secret::new(access),
            Some(Secret::new(refresh)),
            Arc::new(KeyringTokens(secrets)),
        );
        self.salesforce.put(open.id, client.clone());
        Ok((open, client))
    }

    /// Keeps the usage the client last saw, so the Integrations page shows it without a call.
    fn note_usage(&self, id: i64, client: &RestClient) -> Result<()> {
        let Some(u) = client.last_usage() else {
            return Ok(());
        };
        let now = self.now();
        self.store
            .write(|tx| tx.record_api_usage(id, u.used as i64, u.limit as i64, &now))
    }

    /// Disconnects (owner and admin): revokes the refresh token at Salesforce, deletes the
    /// keyring entries and closes the connection. Mappings stay. When Salesforce cannot be
    /// reached the local side is still undone, and the answer says the token was not revoked.
    pub async fn disconnect_salesforce(
        &self,
        actor: &Actor,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<Disconnected> {
        actor.may(Action::ManageConnection)?;
        let open = self
            .store
            .read(|tx| tx.open_connection())?
            .ok_or_else(not_connected)?;
        let refresh = secrets.get(REFRESH_TOKEN)?;
        let mut warning = None;
        let revoked = match refresh {
            None => false,
            Some(token) => {
                let base = Url::parse(&open.facts.login_url).map_err(|e| {
                    Error::Storage(format!("the stored login URL is not usable: {e}"))
                })?;
                match rest::revoke(&self.http()?, &base, &Secret::new(token)).await {
                    Ok(()) => true,
                    // Salesforce no longer knows the token: it is as revoked as it gets.
                    Err(RestError::Revoke { .. }) => true,
                    Err(e) => {
                        warning = Some(format!(
                            "Salesforce could not be reached to revoke the token ({e}); it stays valid there until it expires or an admin revokes it under Setup → Connected Apps OAuth Usage"
                        ));
                        false
                    }
                }
            }
        };
        secrets.delete(ACCESS_TOKEN)?;
        secrets.delete(REFRESH_TOKEN)?;
        self.salesforce.clear();
        tracing::info!(org_id = %open.facts.org_id, revoked, "Salesforce disconnected");
        let now = self.now();
        self.store.write(|tx| {
            tx.close_connection(open.id, &now, "disconnected")?;
            tx.audit(
                &now,
                actor,
                "salesforce.disconnect",
                &format!("salesforce:{}", open.facts.org_id),
                &json!({ "org_id": open.facts.org_id, "revoked": revoked }),
            )
        })?;
        Ok(Disconnected { revoked, warning })
    }

    /// Checks the connection end to end (owner and admin) and explains each failure found.
    pub async fn salesforce_doctor(
        &self,
        actor: &Actor,
        secrets: Arc<dyn SecretStore>,
    ) -> Result<DoctorReport> {
        actor.may(Action::ManageConnection)?;
        let mut findings = Vec::new();
        let open = self.store.read(|tx| tx.open_connection())?;
        let Some(open) = open else {
            findings.push(Finding {
                check: "connection".into(),
                severity: Severity::Error,
                title: "Salesforce is not connected".into(),
                cause: "No org is connected, or the last connection was disconnected.".into(),
                fix: "Connect in Team settings → Integrations → Salesforce.".into(),
            });
            return Ok(self.report(None, findings));
        };
        let facts = open.facts.clone();
        let user = Some(facts.username.as_str());
        let explain = |check: &str, severity, t: &Trouble| {
            let e = diagnosis::explain(t, &facts.client_id, user);
            Finding {
                check: check.into(),
                severity,
                title: e.title,
                cause: e.cause,
                fix: e.fix,
            }
        };
        let ok = |check: &str, title: String| Finding {
            check: check.into(),
            severity: Severity::Ok,
            title,
            cause: String::new(),
            fix: String::new(),
        };

        let secrets_for_schema = secrets.clone();
        let client = match self.salesforce_client(secrets) {
            Ok((_, c)) => c,
            Err(e @ (Error::ReconnectRequired(_) | Error::KeyringUnavailable(_))) => {
                findings.push(Finding {
                    check: "keyring".into(),
                    severity: Severity::Error,
                    title: "The connection's tokens cannot be read".into(),
                    cause: e.to_string(),
                    fix: "Make sure the OS keyring is running and unlocked; if the tokens are gone, connect again.".into(),
                });
                return Ok(self.report(Some(open.id), findings));
            }
            Err(e) => return Err(e),
        };
        findings.push(ok("keyring", "The tokens are in the OS keyring".into()));

        let instance = client.endpoint().instance_url.clone();
        match rest::versions(&self.http()?, &instance).await {
            Ok(versions) => {
                findings.push(ok("reachable", format!("Salesforce answers at {instance}")));
                if !versions.iter().any(|v| v.version == facts.api_version) {
                    findings.push(Finding {
                        check: "api_version".into(),
                        severity: Severity::Warning,
                        title: format!("API version {} is no longer offered", facts.api_version),
                        cause: "Salesforce retires old API versions; calls to a retired one fail."
                            .into(),
                        fix: "Connect again: Leadline picks a supported version.".into(),
                    });
                }
            }
            Err(e) => {
                let t = diagnosis::from_rest(&e, false, instance.as_str()).unwrap_or(
                    Trouble::Unreachable {
                        url: instance.to_string(),
                        detail: e.to_string(),
                    },
                );
                findings.push(explain("reachable", Severity::Error, &t));
                return Ok(self.report(Some(open.id), findings));
            }
        }

        match client.refresh_now().await {
            Ok(()) => {
                self.store
                    .write(|tx| tx.set_reconnect_reason(open.id, None))?;
                findings.push(ok("refresh_token", "The refresh token works".into()));
            }
            Err(e) => {
                let t = diagnosis::from_rest(&e, false, instance.as_str());
                let finding = match &t {
                    Some(t) => explain("refresh_token", Severity::Error, t),
                    None => Finding {
                        check: "refresh_token".into(),
                        severity: Severity::Error,
                        title: "The token refresh failed".into(),
                        cause: e.to_string(),
                        fix: "Run the doctor again; if it persists, connect again.".into(),
                    },
                };
                if matches!(e, RestError::ReconnectRequired { .. }) {
                    let reason = format!("{} {}", finding.title, finding.fix);
                    self.store
                        .write(|tx| tx.set_reconnect_reason(open.id, Some(&reason)))?;
                }
                findings.push(finding);
                return Ok(self.report(Some(open.id), findings));
            }
        }

        match client.limits().await {
            Ok(_) => findings.push(ok(
                "api_access",
                format!("{} can use the REST API", facts.username),
            )),
            Err(e) => {
                let t = diagnosis::from_rest(&e, false, instance.as_str());
                findings.push(match &t {
                    Some(t) => explain("api_access", Severity::Error, t),
                    None => Finding {
                        check: "api_access".into(),
                        severity: Severity::Error,
                        title: "Salesforce refused a REST call".into(),
                        cause: e.to_string(),
                        fix: "Run the doctor again; if it persists, check the user's permissions."
                            .into(),
                    },
                });
            }
        }

        findings.push(self.external_id_finding(secrets_for_schema).await);
        self.note_usage(open.id, &client)?;
        if let Some(u) = client.last_usage() {
            let (used, limit) = (u.used as i64, u.limit as i64);
            if u.share() >= USAGE_WARNING_SHARE {
                let severity = if u.share() >= 1.0 {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                findings.push(explain(
                    "api_usage",
                    severity,
                    &Trouble::NearDailyLimit { used, limit },
                ));
            } else {
                findings.push(ok(
                    "api_usage",
                    format!("{used} of {limit} daily API requests used"),
                ));
            }
        }
        Ok(self.report(Some(open.id), findings))
    }

    /// Whether retries are duplicate-proof: an External ID + Unique Lead field named in the push
    /// settings lets the push upsert on the booking id; without one the doctor says how to make it.
    async fn external_id_finding(&self, secrets: Arc<dyn SecretStore>) -> Finding {
        let how = "In Setup → Object Manager → Lead → Fields & Relationships → New, create a Text(64) field such as Leadline_Booking_Id__c with \"Unique\" and \"External ID\" checked, give the connected user Edit access to it, then name it in the Queue page's push settings (External ID field).";
        let configured = self
            .raw_sync_settings()
            .ok()
            .and_then(|s| s.external_id_field);
        let describe = self
            .schema(crate::integrations::DEFAULT_TARGET, secrets, false)
            .await
            .ok()
            .map(|s| s.describe);
        let candidates: Vec<String> = describe
            .as_ref()
            .map(|d| {
                d.fields
                    .iter()
                    .filter(|f| f.external_id && f.unique && f.createable)
                    .map(|f| f.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        let finding = |severity, title: String, cause: String, fix: String| Finding {
            check: "external_id".into(),
            severity,
            title,
            cause,
            fix,
        };
        match configured {
            Some(name) if candidates.iter().any(|c| c.eq_ignore_ascii_case(&name)) => finding(
                Severity::Ok,
                format!("Leads are upserted on {name}, so a retry can never duplicate one"),
                String::new(),
                String::new(),
            ),
            Some(name) => finding(
                Severity::Error,
                format!("The External ID field {name} is not usable"),
                format!("Lead has no createable field {name} that is both External ID and Unique, so every upsert on it fails."),
                if candidates.is_empty() {
                    how.to_string()
                } else {
                    format!("Name one of {} in the push settings, or: {how}", candidates.join(", "))
                },
            ),
            // Supported and safe in practice, so not a warning; the text says how to do better.
            None => finding(
                Severity::Ok,
                "Retries are guarded by a lookup (no External ID field is set)".into(),
                "Without an External ID + Unique field, a request whose answer was lost is looked up by the Lead's values before it is sent again; two bookings with identical values could then be taken for one.".into(),
                if candidates.is_empty() {
                    how.to_string()
                } else {
                    format!("The org already has {}: name it in the push settings.", candidates.join(", "))
                },
            ),
        }
    }

    fn report(&self, id: Option<i64>, findings: Vec<Finding>) -> DoctorReport {
        let connection = id
            .and_then(|_| self.store.read(|tx| tx.open_connection()).ok().flatten())
            .map(|o| o.facts);
        DoctorReport {
            checked_at: self.now(),
            connection,
            findings,
        }
    }
}

fn not_connected() -> Error {
    Error::NotConnected(
        "Salesforce is not connected; an owner or admin connects it in Team settings → Integrations → Salesforce".into(),
    )
}
