//! [`RestClient`]: authenticated calls to one org's REST API, the renewal of its session, and the
//! org-independent calls around it ([`versions`], [`revoke`]).
//!
//! The session is renewed single-flight: every call remembers the token generation it used, and
//! on `401 INVALID_SESSION_ID` asks for a renewal *of that generation*. The first asker runs the
//! refresh grant under a lock; the others wait on the lock, find the generation moved on, and
//! retry with the new token. A call is retried at most once, so a token that is refused right
//! after renewal ends in an error, not a loop. Renewed tokens reach the [`TokenStore`] before
//! any request uses them, because with rotation the old refresh token is dead the moment
//! Salesforce answers.

use std::fmt;
use std::sync::{Arc, Mutex as SyncMutex, PoisonError};

use reqwest::header::{ACCEPT, HeaderMap};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};
use url::Url;

use super::error::{ApiErrorCode, RestError, SalesforceError, parse_error_body};
use super::types::{
    ApiVersion, GlobalObject, IdentityInfo, ObjectDescribe, QueryResult, SaveResult, WriteOptions,
};
use crate::authflow::{AuthError, AuthFlow};
use crate::browser::{Browser, BrowserError};
use crate::limit_info::{self, ApiUsage};
use crate::secret::Secret;

/// The API version Leadline asks for; see [`pick_version`].
pub const API_VERSION: &str = "62.0";

/// The oldest version Leadline can work with: upserts answer `created` from 46.0 on.
const MIN_VERSION: (u32, u32) = (46, 0);

/// sObject Collections take at most this many records a request.
pub const COLLECTION_LIMIT: usize = 200;

/// Refresh-grant errors that mean the refresh token will never work again.
const DEAD_GRANT_ERRORS: &[&str] = &["invalid_grant", "invalid_client", "invalid_client_id"];

/// Where the org's API lives and how its session is renewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgEndpoint {
    pub instance_url: Url,
    /// e.g. `62.0`, without the `v`.
    pub api_version: String,
    pub token_url: Url,
    pub client_id: String,
}

/// Where renewed tokens go. During a renewal the client calls [`save_refresh_token`] (only when
/// Salesforce rotated it) before [`save_access_token`], and both before the new access token is
/// used. An `Err` aborts the renewal ([`RestError::TokenStore`]); the message must not contain
/// the token.
///
/// [`save_refresh_token`]: TokenStore::save_refresh_token
/// [`save_access_token`]: TokenStore::save_access_token
pub trait TokenStore: Send + Sync + fmt::Debug {
    fn save_refresh_token(&self, token: &Secret) -> Result<(), String>;
    fn save_access_token(&self, token: &Secret) -> Result<(), String>;
}

/// The current session: tokens and their generation, bumped by each renewal.
struct Session {
    access: Secret,
    refresh: Option<Secret>,
    generation: u64,
    /// The renewal of this generation that Salesforce refused for good: later askers get the
    /// same answer without another grant.
    refused: Option<(u64, String, Option<String>)>,
}

struct Inner {
    http: reqwest::Client,
    endpoint: OrgEndpoint,
    session: SyncMutex<Session>,
    /// Held for the whole of a renewal, so only one runs at a time.
    renewal: tokio::sync::Mutex<()>,
    usage: SyncMutex<Option<ApiUsage>>,
    store: Arc<dyn TokenStore>,
    flow: AuthFlow,
}

/// A client for one org's REST API. Cheap to clone (clones share the session); `Debug` shows no
/// token.
#[derive(Clone)]
pub struct RestClient {
    inner: Arc<Inner>,
}

impl fmt::Debug for RestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestClient")
            .field("endpoint", &self.inner.endpoint)
            .field("store", &self.inner.store)
            .finish_non_exhaustive()
    }
}

/// The refresh grant opens no browser; [`AuthFlow`] only wants one for the sign-in.
#[derive(Debug)]
struct NoBrowser;

impl Browser for NoBrowser {
    fn open(&self, _url: &Url) -> Result<(), BrowserError> {
        Err(BrowserError::System(
            "a session renewal does not open a browser".into(),
        ))
    }
}

/// One attempt's outcome: done, or the session was refused and may be renewed.
enum Attempt {
    Done(StatusCode, String),
    SessionRefused(RestError),
}

impl RestClient {
    pub fn new(
        http: reqwest::Client,
        endpoint: OrgEndpoint,
        access: Secret,
        refresh: Option<Secret>,
        store: Arc<dyn TokenStore>,
    ) -> Self {
        let flow = AuthFlow::with_http_client(http.clone(), Arc::new(NoBrowser));
        RestClient {
            inner: Arc::new(Inner {
                http,
                endpoint,
                session: SyncMutex::new(Session {
                    access,
                    refresh,
                    generation: 0,
                    refused: None,
                }),
                renewal: tokio::sync::Mutex::new(()),
                usage: SyncMutex::new(None),
                store,
                flow,
            }),
        }
    }

    pub fn endpoint(&self) -> &OrgEndpoint {
        &self.inner.endpoint
    }

    /// The daily API usage from the last `Sforce-Limit-Info` header seen.
    pub fn last_usage(&self) -> Option<ApiUsage> {
        *self
            .inner
            .usage
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Renews the session now (joining a renewal already running).
    pub async fn refresh_now(&self) -> Result<(), RestError> {
        let generation = self.current().1;
        self.renew(generation).await
    }

    /// The resources of the API version (`GET /services/data/vNN.0`).
    pub async fn resources(&self) -> Result<Map<String, Value>, RestError> {
        self.get_json(self.data_url(&[])?).await
    }

    pub async fn describe(&self, object: &str) -> Result<ObjectDescribe, RestError> {
        self.get_json(self.data_url(&["sobjects", object, "describe"])?)
            .await
    }

    pub async fn describe_global(&self) -> Result<Vec<GlobalObject>, RestError> {
        #[derive(serde::Deserialize)]
        struct Global {
            sobjects: Vec<GlobalObject>,
        }
        let global: Global = self.get_json(self.data_url(&["sobjects"])?).await?;
        Ok(global.sobjects)
    }

    /// The identity URL's answer (the token response's `id`).
    pub async fn identity(&self, id_url: &str) -> Result<IdentityInfo, RestError> {
        let url = Url::parse(id_url)
            .map_err(|e| RestError::BadResponse(format!("identity URL {id_url:?}: {e}")))?;
        self.get_json(url).await
    }

    pub async fn limits(&self) -> Result<Map<String, Value>, RestError> {
        self.get_json(self.data_url(&["limits"])?).await
    }

    /// The org's name, from `SELECT Name FROM Organization`.
    pub async fn organization_name(&self) -> Result<Option<String>, RestError> {
        let result = self.query("SELECT Name FROM Organization").await?;
        Ok(result
            .records
            .first()
            .and_then(|r| r.get("Name"))
            .and_then(Value::as_str)
            .map(str::to_string))
    }

    /// Creates one record; Salesforce's refusal is an [`RestError::Api`].
    pub async fn create(
        &self,
        object: &str,
        fields: &Map<String, Value>,
        opts: &WriteOptions,
    ) -> Result<SaveResult, RestError> {
        let url = self.data_url(&["sobjects", object])?;
        let (_, body) = self
            .call(Method::POST, url, Some(Value::Object(fields.clone())), opts)
            .await?;
        save_result(&body)
    }

    /// Creates up to 200 records in one sObject Collections request, each saved or refused on
    /// its own (`allOrNone: false`); results in the order of `records`.
    pub async fn create_many(
        &self,
        object: &str,
        records: &[Map<String, Value>],
        opts: &WriteOptions,
    ) -> Result<Vec<SaveResult>, RestError> {
        let url = self.data_url(&["composite", "sobjects"])?;
        self.collection(Method::POST, url, object, records, opts)
            .await
    }

    /// Creates or updates the record whose `ext_field` is `value`.
    pub async fn upsert(
        &self,
        object: &str,
        ext_field: &str,
        value: &str,
        fields: &Map<String, Value>,
        opts: &WriteOptions,
    ) -> Result<SaveResult, RestError> {
        let url = self.data_url(&["sobjects", object, ext_field, value])?;
        // The key travels in the URL; Salesforce refuses it in the body too.
        let body: Map<String, Value> = fields
            .iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case(ext_field))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let (status, body) = self
            .call(Method::PATCH, url, Some(Value::Object(body)), opts)
            .await?;
        if status == StatusCode::NO_CONTENT {
            // Before API 46.0 an update answered with no body.
            return Ok(SaveResult {
                id: None,
                success: true,
                created: Some(false),
                errors: Vec::new(),
            });
        }
        save_result(&body)
    }

    /// Upserts up to 200 records by `ext_field` (each must carry it) in one request.
    pub async fn upsert_many(
        &self,
        object: &str,
        ext_field: &str,
        records: &[Map<String, Value>],
        opts: &WriteOptions,
    ) -> Result<Vec<SaveResult>, RestError> {
        let url = self.data_url(&["composite", "sobjects", object, ext_field])?;
        self.collection(Method::PATCH, url, object, records, opts)
            .await
    }

    /// Updates up to 200 records, each carrying its `Id`, in one sObject Collections request.
    pub async fn update_many(
        &self,
        object: &str,
        records: &[Map<String, Value>],
        opts: &WriteOptions,
    ) -> Result<Vec<SaveResult>, RestError> {
        let url = self.data_url(&["composite", "sobjects"])?;
        self.collection(Method::PATCH, url, object, records, opts)
            .await
    }

    /// Runs a SOQL query and follows `nextRecordsUrl` to the last page.
    pub async fn query(&self, soql: &str) -> Result<QueryResult, RestError> {
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Page {
            total_size: u64,
            #[serde(default)]
            records: Vec<Map<String, Value>>,
            #[serde(default)]
            next_records_url: Option<String>,
        }
        let mut url = self.data_url(&["query"])?;
        url.query_pairs_mut().append_pair("q", soql);
        let mut result = QueryResult {
            total_size: 0,
            records: Vec::new(),
        };
        loop {
            let page: Page = self.get_json(url).await?;
            result.total_size = page.total_size;
            result.records.extend(page.records);
            match page.next_records_url {
                Some(next) => {
                    url = self.inner.endpoint.instance_url.join(&next).map_err(|e| {
                        RestError::BadResponse(format!("query nextRecordsUrl {next:?}: {e}"))
                    })?;
                }
                None => return Ok(result),
            }
        }
    }

    async fn collection(
        &self,
        method: Method,
        url: Url,
        object: &str,
        records: &[Map<String, Value>],
        opts: &WriteOptions,
    ) -> Result<Vec<SaveResult>, RestError> {
        if records.len() > COLLECTION_LIMIT {
            return Err(RestError::TooManyRecords(records.len()));
        }
        if records.is_empty() {
            return Ok(Vec::new());
        }
        let records: Vec<Value> = records
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.insert("attributes".into(), json!({ "type": object }));
                Value::Object(r)
            })
            .collect();
        let body = json!({ "allOrNone": false, "records": records });
        let sent = records.len();
        let (_, body) = self.call(method, url, Some(body), opts).await?;
        let items: Vec<Value> = parse_json(&body)?;
        if items.len() != sent {
            return Err(RestError::BadResponse(format!(
                "{} results for {sent} records",
                items.len()
            )));
        }
        items.iter().map(save_result_value).collect()
    }

    /// `{instance}/services/data/v{version}/{segments…}`, each segment escaped.
    fn data_url(&self, segments: &[&str]) -> Result<Url, RestError> {
        let endpoint = &self.inner.endpoint;
        let mut url = endpoint.instance_url.clone();
        let version = format!("v{}", endpoint.api_version);
        url.path_segments_mut()
            .map_err(|()| {
                RestError::BadResponse(format!(
                    "instance URL {} cannot take a path",
                    endpoint.instance_url
                ))
            })?
            .pop_if_empty()
            .extend(["services", "data", version.as_str()])
            .extend(segments);
        Ok(url)
    }

    async fn get_json<T: DeserializeOwned>(&self, url: Url) -> Result<T, RestError> {
        let (_, body) = self
            .call(Method::GET, url, None, &WriteOptions::default())
            .await?;
        parse_json(&body)
    }

    fn current(&self) -> (Secret, u64) {
        let s = self
            .inner
            .session
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        (s.access.clone(), s.generation)
    }

    /// One call, renewing the session and retrying once if Salesforce refuses it.
    async fn call(
        &self,
        method: Method,
        url: Url,
        body: Option<Value>,
        opts: &WriteOptions,
    ) -> Result<(StatusCode, String), RestError> {
        let (token, generation) = self.current();
        match self
            .attempt(method.clone(), url.clone(), body.as_ref(), opts, &token)
            .await?
        {
            Attempt::Done(status, text) => return Ok((status, text)),
            Attempt::SessionRefused(refused) => {
                let has_refresh = self
                    .inner
                    .session
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .refresh
                    .is_some();
                if !has_refresh {
                    return Err(reconnect_for(refused));
                }
            }
        }
        self.renew(generation).await?;
        let (token, _) = self.current();
        match self
            .attempt(method, url, body.as_ref(), opts, &token)
            .await?
        {
            Attempt::Done(status, text) => Ok((status, text)),
            Attempt::SessionRefused(refused) => Err(refused),
        }
    }

    async fn attempt(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        opts: &WriteOptions,
        token: &Secret,
    ) -> Result<Attempt, RestError> {
        let write = method != Method::GET;
        let what = format!("{method} {}", url.path());
        let mut request: RequestBuilder = self
            .inner
            .http
            .request(method, url)
            .bearer_auth(token.expose())
            .header(ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(assign) = opts.auto_assign {
            request = request.header("Sforce-Auto-Assign", if assign { "TRUE" } else { "FALSE" });
        }
        if opts.allow_save_on_duplicate_alert {
            request = request.header("Sforce-Duplicate-Rule-Header", "allowSave=true");
        }
        let response = request
            .send()
            .await
            .map_err(|e| transport(&what, &e, write))?;
        self.note_usage(response.headers());
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| transport(&what, &e, write))?;
        if status.is_success() {
            return Ok(Attempt::Done(status, text));
        }
        let errors = parse_error_body(status.as_u16(), &text);
        let session_refused = status == StatusCode::UNAUTHORIZED
            // The identity service answers an expired session with a plain-text code.
            || (status == StatusCode::FORBIDDEN
                && errors.first().is_some_and(|e| e.message == "Bad_OAuth_Token"));
        let error = RestError::Api {
            status: status.as_u16(),
            errors,
        };
        if session_refused {
            Ok(Attempt::SessionRefused(error))
        } else {
            Err(error)
        }
    }

    fn note_usage(&self, headers: &HeaderMap) {
        let usage = headers
            .get(limit_info::HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<ApiUsage>().ok());
        if let Some(usage) = usage {
            *self
                .inner
                .usage
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = Some(usage);
        }
    }

    /// Renews the session that had `generation`, unless a renewal already replaced it.
    async fn renew(&self, generation: u64) -> Result<(), RestError> {
        let _renewal = self.inner.renewal.lock().await;
        let refresh = {
            let s = self
                .inner
                .session
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if s.generation != generation {
                return Ok(());
            }
            if let Some((g, error, description)) = &s.refused
                && *g == generation
            {
                return Err(RestError::ReconnectRequired {
                    error: error.clone(),
                    description: description.clone(),
                });
            }
            s.refresh.clone()
        };
        let Some(refresh) = refresh else {
            return Err(RestError::ReconnectRequired {
                error: "no_refresh_token".into(),
                description: Some("the connection holds no refresh token".into()),
            });
        };
        let endpoint = &self.inner.endpoint;
        let answer = self
            .inner
            .flow
            .refresh(&endpoint.token_url, &endpoint.client_id, &refresh)
            .await;
        let tokens = match answer {
            Ok(tokens) => tokens,
            Err(AuthError::TokenEndpoint { error, description })
                if DEAD_GRANT_ERRORS.contains(&error.as_str()) =>
            {
                self.inner
                    .session
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .refused = Some((generation, error.clone(), description.clone()));
                return Err(RestError::ReconnectRequired { error, description });
            }
            Err(other) => return Err(RestError::Refresh(other)),
        };
        let store = &self.inner.store;
        if let Some(rotated) = &tokens.refresh_token {
            store
                .save_refresh_token(rotated)
                .map_err(RestError::TokenStore)?;
        }
        store
            .save_access_token(&tokens.access_token)
            .map_err(RestError::TokenStore)?;
        let mut s = self
            .inner
            .session
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        s.access = tokens.access_token;
        if let Some(rotated) = tokens.refresh_token {
            s.refresh = Some(rotated);
        }
        s.generation += 1;
        Ok(())
    }
}

/// A refused session with nothing to renew it with.
fn reconnect_for(refused: RestError) -> RestError {
    let (error, description) = match &refused {
        RestError::Api { errors, .. } => match errors.first() {
            Some(e) => (e.code.to_string(), Some(e.message.clone())),
            None => (ApiErrorCode::InvalidSessionId.to_string(), None),
        },
        other => (other.to_string(), None),
    };
    RestError::ReconnectRequired { error, description }
}

/// A request that did not complete. The URL is left out: a query's carries record data.
fn transport(what: &str, e: &reqwest::Error, write: bool) -> RestError {
    let mut message = format!("{what}: {}", failure_kind(e));
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        message.push_str(": ");
        message.push_str(&s.to_string());
        source = s.source();
    }
    RestError::Transport {
        message,
        // A connection never made carried nothing; anything later may have been processed.
        outcome_unknown: write && !e.is_connect(),
    }
}

/// What went wrong, in words that carry no URL.
fn failure_kind(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_body() || e.is_decode() {
        "the answer broke off"
    } else {
        "the request failed"
    }
}

fn parse_json<T: DeserializeOwned>(body: &str) -> Result<T, RestError> {
    serde_json::from_str(body).map_err(|e| RestError::BadResponse(e.to_string()))
}

fn save_result(body: &str) -> Result<SaveResult, RestError> {
    save_result_value(&parse_json(body)?)
}

fn save_result_value(v: &Value) -> Result<SaveResult, RestError> {
    let obj = v.as_object().ok_or_else(|| {
        RestError::BadResponse(format!("a save result that is not an object: {v}"))
    })?;
    let errors = obj
        .get("errors")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(SalesforceError::from_json).collect())
        .unwrap_or_default();
    Ok(SaveResult {
        id: obj.get("id").and_then(Value::as_str).map(str::to_string),
        success: obj.get("success").and_then(Value::as_bool).unwrap_or(false),
        created: obj.get("created").and_then(Value::as_bool),
        errors,
    })
}

/// The API versions an instance offers (`GET /services/data/`, no session needed).
pub async fn versions(
    http: &reqwest::Client,
    instance_url: &Url,
) -> Result<Vec<ApiVersion>, RestError> {
    let mut url = instance_url.clone();
    url.set_path("/services/data/");
    let what = format!("GET {}", url.path());
    let response = http
        .get(url)
        .header(ACCEPT, "application/json")
        .send()
        .await
        .map_err(|e| transport(&what, &e, false))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| transport(&what, &e, false))?;
    if !status.is_success() {
        return Err(RestError::Api {
            status: status.as_u16(),
            errors: parse_error_body(status.as_u16(), &text),
        });
    }
    parse_json(&text)
}

fn version_number(v: &str) -> Option<(u32, u32)> {
    let (major, minor) = v.split_once('.').unwrap_or((v, "0"));
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// [`API_VERSION`] if the org offers it, else the newest offered from 46.0 on.
pub fn pick_version(available: &[ApiVersion]) -> Option<String> {
    if available.iter().any(|v| v.version == API_VERSION) {
        return Some(API_VERSION.to_string());
    }
    available
        .iter()
        .filter_map(|v| Some((version_number(&v.version)?, &v.version)))
        .filter(|(n, _)| *n >= MIN_VERSION)
        .max_by_key(|(n, _)| *n)
        .map(|(_, v)| v.clone())
}

/// Revokes a token at `{login_base}/services/oauth2/revoke`. Revoking a refresh token ends its
/// access tokens too.
pub async fn revoke(
    http: &reqwest::Client,
    login_base: &Url,
    token: &Secret,
) -> Result<(), RestError> {
    let mut url = login_base.clone();
    url.path_segments_mut()
        .map_err(|()| RestError::BadResponse(format!("login URL {login_base} cannot take a path")))?
        .pop_if_empty()
        .extend(["services", "oauth2", "revoke"]);
    let what = format!("POST {}", url.path());
    let response = http
        .post(url)
        .header(ACCEPT, "application/json")
        .form(&[("token", token.expose())])
        .send()
        .await
        .map_err(|e| transport(&what, &e, true))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| transport(&what, &e, true))?;
    if status.is_success() {
        return Ok(());
    }
    if status == StatusCode::BAD_REQUEST
        && let Some((error, description)) = oauth_error(&text)
    {
        return Err(RestError::Revoke { error, description });
    }
    Err(RestError::Api {
        status: status.as_u16(),
        errors: parse_error_body(status.as_u16(), &text),
    })
}

/// `error` and `error_description` of an OAuth error body: JSON, or form-encoded as
/// Salesforce's revoke endpoint answers unless asked for JSON.
fn oauth_error(body: &str) -> Option<(String, Option<String>)> {
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        let error = v.get("error")?.as_str()?.to_string();
        let description = v
            .get("error_description")
            .and_then(Value::as_str)
            .map(str::to_string);
        return Some((error, description));
    }
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(body.trim().as_bytes())
        .into_owned()
        .collect();
    let find = |k: &str| pairs.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    Some((find("error")?, find("error_description")))
}

/// A SOQL string literal: quoted, with `\` and `'` escaped (and the control characters SOQL
/// escapes), so a value cannot end the literal early.
pub fn soql_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            other => out.push(other),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use axum::Router;
    use axum::http::StatusCode as AxumStatus;
    use axum::response::IntoResponse;
    use axum::routing::{any, get, post};

    fn v(version: &str) -> ApiVersion {
        ApiVersion {
            label: String::new(),
            url: format!("/services/data/v{version}"),
            version: version.into(),
        }
    }

    #[test]
    fn picks_ours_else_the_newest_usable() {
        let offered: Vec<_> = ["45.0", "61.0", "62.0", "63.0"].map(v).into();
        assert_eq!(pick_version(&offered).as_deref(), Some("62.0"));
        let offered: Vec<_> = ["45.0", "58.0", "59.0"].map(v).into();
        assert_eq!(pick_version(&offered).as_deref(), Some("59.0"));
        let offered: Vec<_> = ["44.0", "45.0", "bogus"].map(v).into();
        assert_eq!(pick_version(&offered), None);
        assert_eq!(pick_version(&[]), None);
        // Numeric, not textual, order.
        let offered: Vec<_> = ["9.0", "100.0", "46.0"].map(v).into();
        assert_eq!(pick_version(&offered).as_deref(), Some("100.0"));
    }

    #[test]
    fn soql_quote_escapes_quotes_and_backslashes() {
        assert_eq!(soql_quote("a'b"), r"'a\'b'");
        assert_eq!(soql_quote(r"a\b"), r"'a\\b'");
        assert_eq!(soql_quote(r"\'"), r"'\\\''");
        assert_eq!(soql_quote("x\ny"), r"'x\ny'");
        assert_eq!(soql_quote(""), "''");
    }

    #[test]
    fn oauth_errors_parse_as_json_or_form() {
        assert_eq!(
            oauth_error(r#"{"error":"invalid_token","error_description":"invalid token"}"#),
            Some(("invalid_token".into(), Some("invalid token".into())))
        );
        assert_eq!(
            oauth_error("error=unsupported_token_type&error_description=this%20token"),
            Some(("unsupported_token_type".into(), Some("this token".into())))
        );
        assert_eq!(oauth_error("<html/>"), None);
    }

    #[derive(Debug, Default)]
    struct NullStore;

    impl TokenStore for NullStore {
        fn save_refresh_token(&self, _: &Secret) -> Result<(), String> {
            Ok(())
        }
        fn save_access_token(&self, _: &Secret) -> Result<(), String> {
            Ok(())
        }
    }

    async fn serve(app: Router) -> Url {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Url::parse(&format!("http://{addr}")).unwrap()
    }

    fn client_for(base: &Url, http: reqwest::Client, refresh: Option<&str>) -> RestClient {
        RestClient::new(
            http,
            OrgEndpoint {
                instance_url: base.clone(),
                api_version: API_VERSION.into(),
                token_url: base.join("/services/oauth2/token").unwrap(),
                client_id: "cid".into(),
            },
            Secret::new("canary-access"),
            refresh.map(Secret::new),
            Arc::new(NullStore),
        )
    }

    /// A server whose REST API refuses every session, even a freshly renewed one.
    #[tokio::test]
    async fn a_session_refused_after_renewal_is_an_error_not_a_loop() {
        let rest_calls = Arc::new(AtomicUsize::new(0));
        let token_calls = Arc::new(AtomicUsize::new(0));
        let (r, t) = (rest_calls.clone(), token_calls.clone());
        let app = Router::new()
            .route(
                "/services/data/{*rest}",
                any(move || {
                    r.fetch_add(1, Ordering::SeqCst);
                    async {
                        (
                            AxumStatus::UNAUTHORIZED,
                            r#"[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]"#,
                        )
                    }
                }),
            )
            .route(
                "/services/oauth2/token",
                post(move || {
                    t.fetch_add(1, Ordering::SeqCst);
                    async {
                        (
                            [("content-type", "application/json")],
                            r#"{"access_token":"canary-new","token_type":"Bearer","instance_url":"http://x","id":"http://x/id/1/2","issued_at":"1"}"#,
                        )
                    }
                }),
            );
        let base = serve(app).await;
        let client = client_for(&base, reqwest::Client::new(), Some("canary-refresh"));
        let err = client.limits().await.unwrap_err();
        assert_eq!(err.status(), Some(401), "{err:?}");
        assert_eq!(err.first_code(), Some(&ApiErrorCode::InvalidSessionId));
        assert_eq!(rest_calls.load(Ordering::SeqCst), 2);
        assert_eq!(token_calls.load(Ordering::SeqCst), 1);
        assert!(!format!("{err} {err:?} {client:?}").contains("canary"));
    }

    #[tokio::test]
    async fn timeouts_after_sending_a_write_leave_the_outcome_unknown() {
        let app = Router::new()
            .route(
                "/services/data/{*rest}",
                any(|| async {
                    std::future::pending::<()>().await;
                    AxumStatus::OK
                }),
            )
            .route(
                "/html",
                get(|| async {
                    (AxumStatus::BAD_GATEWAY, "<html>proxy error</html>").into_response()
                }),
            );
        let base = serve(app).await;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let client = client_for(&base, http.clone(), None);
        let err = client
            .create("Lead", &Map::new(), &WriteOptions::default())
            .await
            .unwrap_err();
        assert!(
            matches!(&err, RestError::Transport { outcome_unknown: true, message } if message.contains("timed out")),
            "{err:?}"
        );
        let err = client.limits().await.unwrap_err();
        assert!(
            matches!(
                err,
                RestError::Transport {
                    outcome_unknown: false,
                    ..
                }
            ),
            "{err:?}"
        );

        // Nobody listening: the write never left.
        let closed = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap()
        };
        let nowhere = Url::parse(&format!("http://{closed}")).unwrap();
        let err = client_for(&nowhere, http.clone(), None)
            .create("Lead", &Map::new(), &WriteOptions::default())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                RestError::Transport {
                    outcome_unknown: false,
                    ..
                }
            ),
            "{err:?}"
        );

        // A proxy's HTML answer is kept as text.
        let err = client
            .identity(base.join("/html").unwrap().as_str())
            .await
            .unwrap_err();
        match err {
            RestError::Api {
                status: 502,
                errors,
            } => {
                assert_eq!(errors[0].message, "<html>proxy error</html>");
            }
            other => panic!("{other:?}"),
        }
    }
}
