//! The browser half of the web server flow: `GET /services/oauth2/authorize` validates the
//! request and shows the login page, the login post checks the password and the app's policies,
//! the consent page offers Allow and Deny, and the answer goes back to the app's callback as a
//! redirect carrying a code or an error. Field names and element ids are listed in the module
//! documentation of [`crate::oauth`].
//!
//! Salesforce's own answers are copied: an unknown client id is a bare `400` page reading
//! `error=invalid_client_id&error_description=client%20identifier%20invalid`, and a callback
//! that is not registered goes to Salesforce's `RemoteAccessErrorPage.apexp` — neither ever
//! reaches the app. A blocked app comes back as `OAUTH_APP_BLOCKED`, a user an admin has not
//! approved as `OAUTH_APP_ACCESS_DENIED`, a denial as `access_denied`, all with `state`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{CODE_LIFETIME_SECS, KNOWN_SCOPES, Params, crypto, now_secs, parse_scopes};
use crate::error::with_content_type;
use crate::org::{ConnectedApp, PermittedUsers, User};
use crate::state::{AuthCode, Sim};

/// How long a login or consent page stays usable.
const PAGE_LIFETIME_SECS: i64 = 30 * 60;

/// Salesforce's message for any failed login (it never says which part was wrong, nor that the
/// user is inactive).
const LOGIN_FAILED: &str = "Please check your username and password. If you still can't log in, contact your Salesforce administrator.";

/// An authorization under way, sealed into the pages' hidden `request` field.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pending {
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    nonce: Option<String>,
    login_hint: Option<String>,
    /// Set once the user has logged in.
    username: Option<String>,
    expires_at: i64,
}

fn found(location: &str) -> Response {
    let mut r = StatusCode::FOUND.into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache,must-revalidate,max-age=0,no-store,private"),
    );
    r
}

/// A redirect to the app's callback with extra query parameters (kept after any it has).
fn back_to_app(sim: &Sim, redirect_uri: &str, pairs: &[(&str, &str)]) -> Response {
    match url::Url::parse(redirect_uri) {
        Ok(mut url) => {
            {
                let mut q = url.query_pairs_mut();
                for (k, v) in pairs {
                    q.append_pair(k, v);
                }
            }
            found(url.as_str())
        }
        Err(_) => remote_error_redirect(
            sim,
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        ),
    }
}

fn error_to_app(sim: &Sim, pending: &Pending, error: &str, description: &str) -> Response {
    let mut pairs = vec![("error", error), ("error_description", description)];
    if let Some(s) = &pending.state {
        pairs.push(("state", s));
    }
    back_to_app(sim, &pending.redirect_uri, &pairs)
}

/// Salesforce percent-encodes spaces as `%20` on its error pages.
fn pct(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

fn remote_error_redirect(sim: &Sim, error: &str, description: &str) -> Response {
    found(&format!(
        "{}/setup/secur/RemoteAccessErrorPage.apexp?error={}&error_description={}",
        sim.base_url(),
        pct(error),
        pct(description)
    ))
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{margin:0;background:#f3f3f3;font:14px/1.4 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#16325c}\
main{max-width:380px;margin:60px auto;background:#fff;border:1px solid #d8dde6;border-radius:4px;padding:24px}\
h1{font-size:20px;margin:0 0 16px}label{display:block;margin:12px 0 4px}\
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:8px;border:1px solid #d8dde6;border-radius:4px}\
button{margin-top:16px;padding:10px 16px;border-radius:4px;border:1px solid #0070d2;background:#0070d2;color:#fff;font-size:14px;cursor:pointer}\
button.secondary{background:#fff;color:#0070d2}#error{color:#c23934;margin:0 0 12px}ul{padding-left:20px}\
footer{margin-top:20px;font-size:12px;color:#54698d}";

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    with_content_type(
        status,
        "text/html;charset=UTF-8",
        format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
             <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><style>{STYLE}</style></head>\
             <body><main>{body}<footer>leadline-sfsim — a local Salesforce</footer></main></body></html>\n",
            escape(title)
        ),
    )
}

fn login_page(sim: &Sim, pending: &Pending, username: &str, error: Option<&str>) -> Response {
    let sealed = crypto::seal(sim.keys().seal_secret(), pending);
    let error = error
        .map(|e| format!("<p id=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    page(
        StatusCode::OK,
        "Login | Salesforce",
        &format!(
            "<h1>Log in to {org}</h1>{error}\
             <form id=\"login_form\" method=\"post\" action=\"/services/oauth2/authorize/login\">\
             <input type=\"hidden\" name=\"request\" value=\"{sealed}\">\
             <label for=\"username\">Username</label>\
             <input type=\"text\" id=\"username\" name=\"username\" value=\"{username}\" autocomplete=\"username\">\
             <label for=\"password\">Password</label>\
             <input type=\"password\" id=\"password\" name=\"pw\" autocomplete=\"current-password\">\
             <button type=\"submit\" id=\"Login\">Log In</button></form>",
            org = escape(&sim.org().org.name),
            username = escape(username),
        ),
    )
}

fn scope_description(scope: &str) -> String {
    match scope {
        "api" => "Manage user data via APIs (api)".into(),
        "refresh_token" | "offline_access" => {
            "Perform requests at any time (refresh_token, offline_access)".into()
        }
        "openid" => "Access unique user identifiers (openid)".into(),
        "id" | "profile" | "email" | "address" | "phone" => {
            "Access the identity URL service (id, profile, email, address, phone)".into()
        }
        "full" => "Full access (full)".into(),
        "web" => "Manage user data via Web browsers (web)".into(),
        "chatter_api" => "Access Connect REST API resources (chatter_api)".into(),
        "content" => "Access content resources (content)".into(),
        other => format!("Access {other} ({other})"),
    }
}

fn consent_page(sim: &Sim, app: &ConnectedApp, pending: &Pending) -> Response {
    let sealed = crypto::seal(sim.keys().seal_secret(), pending);
    let items: String = pending
        .scopes
        .iter()
        .map(|s| {
            format!(
                "<li data-scope=\"{}\">{}</li>",
                escape(s),
                escape(&scope_description(s))
            )
        })
        .collect();
    page(
        StatusCode::OK,
        "Allow Access? | Salesforce",
        &format!(
            "<h1>Allow Access?</h1>\
             <p><strong id=\"app_name\">{app}</strong> is asking to:</p><ul id=\"scopes\">{items}</ul>\
             <p>Do you want to allow access for <span id=\"login_user\">{user}</span>?</p>\
             <form id=\"consent_form\" method=\"post\" action=\"/services/oauth2/authorize/consent\">\
             <input type=\"hidden\" name=\"request\" value=\"{sealed}\">\
             <button type=\"submit\" id=\"oadeny\" name=\"decision\" value=\"deny\" class=\"secondary\">Deny</button> \
             <button type=\"submit\" id=\"oaapprove\" name=\"decision\" value=\"allow\">Allow</button></form>",
            app = escape(&app.name),
            user = escape(pending.username.as_deref().unwrap_or_default()),
        ),
    )
}

/// A page for requests the flow cannot continue (a stale or altered form).
fn stale_page() -> Response {
    page(
        StatusCode::BAD_REQUEST,
        "Error | Salesforce",
        "<h1>Problem Logging In</h1><p id=\"error\">Your login session has expired or is not valid. \
         Return to the app and sign in again.</p>",
    )
}

/// `RemoteAccessErrorPage.apexp`: where Salesforce shows OAuth errors it will not send to an
/// unverified callback.
pub(super) async fn remote_access_error(uri: Uri) -> Response {
    let params = Params::read(&uri, &HeaderMap::new(), &Bytes::new());
    let error = params.get("error").unwrap_or("OAUTH_ERROR");
    let description = params.get("error_description").unwrap_or("");
    page(
        StatusCode::BAD_REQUEST,
        "Error | Salesforce",
        &format!(
            "<h1>OAuth Error</h1><p>We can't authorize you because of an OAuth error. \
             For more information, contact your Salesforce administrator.</p>\
             <p id=\"error\"><span id=\"error_code\">{}</span>: <span id=\"error_description\">{}</span></p>",
            escape(error),
            escape(description)
        ),
    )
}

pub(super) async fn authorize(State(sim): State<Sim>, params: Params) -> Response {
    let Some(app) = params
        .get("client_id")
        .and_then(|id| sim.org().app(id))
        .cloned()
    else {
        return with_content_type(
            StatusCode::BAD_REQUEST,
            "text/plain;charset=UTF-8",
            "error=invalid_client_id&error_description=client%20identifier%20invalid",
        );
    };
    let redirect_uri = params.get("redirect_uri").unwrap_or("");
    if !app.accepts_callback(redirect_uri) {
        return remote_error_redirect(
            &sim,
            "redirect_uri_mismatch",
            "redirect_uri must match configuration",
        );
    }
    let scopes = parse_scopes(params.get("scope"));
    let pending = Pending {
        client_id: app.client_id.clone(),
        redirect_uri: redirect_uri.to_string(),
        scopes: scopes.clone(),
        state: params.get("state").map(str::to_string),
        code_challenge: params.get("code_challenge").map(str::to_string),
        code_challenge_method: params.get("code_challenge_method").map(str::to_string),
        nonce: params.get("nonce").map(str::to_string),
        login_hint: params.get("login_hint").map(str::to_string),
        username: None,
        expires_at: now_secs() + PAGE_LIFETIME_SECS,
    };
    if params.get("response_type") != Some("code") {
        return error_to_app(
            &sim,
            &pending,
            "unsupported_response_type",
            "response type not supported",
        );
    }
    if scopes.iter().any(|s| !KNOWN_SCOPES.contains(&s.as_str())) {
        return error_to_app(
            &sim,
            &pending,
            "invalid_scope",
            "the requested scope is not allowed",
        );
    }
    if pending
        .code_challenge_method
        .as_deref()
        .is_some_and(|m| m != "S256")
    {
        return error_to_app(
            &sim,
            &pending,
            "invalid_request",
            "invalid code challenge method",
        );
    }
    if app.require_pkce && pending.code_challenge.is_none() {
        return error_to_app(
            &sim,
            &pending,
            "invalid_request",
            "missing required code challenge",
        );
    }
    // Unattended approval: the configured user, unless the app hints at somebody else.
    if let Some(auto) = sim.org().org.auto_approve.clone() {
        let hint_matches = pending
            .login_hint
            .as_deref()
            .is_none_or(|h| h.eq_ignore_ascii_case(&auto));
        if let Some(user) = sim.org().user(&auto).filter(|_| hint_matches).cloned() {
            return after_login(&sim, &app, pending, &user, true);
        }
    }
    // There is never a browser session here, so a silent authorization cannot succeed.
    if params.get("prompt") == Some("none") {
        return error_to_app(&sim, &pending, "login_required", "user is not logged in");
    }
    let hint = pending.login_hint.clone().unwrap_or_default();
    login_page(&sim, &pending, &hint, None)
}

fn approved(app: &ConnectedApp, user: &User) -> bool {
    app.approved_users
        .iter()
        .any(|u| u.eq_ignore_ascii_case(&user.username))
}

/// The steps after the user is known: the app's block and permitted-users policy, then consent
/// (skipped for pre-authorized users and for unattended approval).
fn after_login(
    sim: &Sim,
    app: &ConnectedApp,
    mut pending: Pending,
    user: &User,
    auto: bool,
) -> Response {
    pending.username = Some(user.username.clone());
    if app.blocked {
        return error_to_app(
            sim,
            &pending,
            "OAUTH_APP_BLOCKED",
            "this app is blocked by admin",
        );
    }
    match app.permitted_users {
        PermittedUsers::AdminApproved if !approved(app, user) => error_to_app(
            sim,
            &pending,
            "OAUTH_APP_ACCESS_DENIED",
            "user is not admin approved to access this app",
        ),
        PermittedUsers::AdminApproved => issue_code(sim, &pending),
        PermittedUsers::SelfAuthorize if auto => issue_code(sim, &pending),
        PermittedUsers::SelfAuthorize => consent_page(sim, app, &pending),
    }
}

fn issue_code(sim: &Sim, pending: &Pending) -> Response {
    // Salesforce's codes are standard base64 ending in `==`, so clients must URL-decode them.
    let code = format!("aPrx{}==", sim.secret(42));
    let entry = AuthCode {
        client_id: pending.client_id.clone(),
        redirect_uri: pending.redirect_uri.clone(),
        username: pending.username.clone().unwrap_or_default(),
        scopes: pending.scopes.clone(),
        code_challenge: pending.code_challenge.clone(),
        code_challenge_method: pending.code_challenge_method.clone(),
        nonce: pending.nonce.clone(),
        expires_at: now_secs() + CODE_LIFETIME_SECS,
    };
    sim.write(|w| {
        let now = now_secs();
        w.codes.retain(|_, c| c.expires_at > now);
        w.codes.insert(code.clone(), entry);
    });
    let mut pairs = vec![("code", code.as_str())];
    if let Some(s) = &pending.state {
        pairs.push(("state", s));
    }
    back_to_app(sim, &pending.redirect_uri, &pairs)
}

fn open_pending(sim: &Sim, params: &Params) -> Option<(Pending, ConnectedApp)> {
    let pending: Pending = crypto::open(sim.keys().seal_secret(), params.get("request")?)?;
    if pending.expires_at < now_secs() {
        return None;
    }
    let app = sim.org().app(&pending.client_id)?.clone();
    Some((pending, app))
}

pub(super) async fn login(State(sim): State<Sim>, params: Params) -> Response {
    let Some((pending, app)) = open_pending(&sim, &params).filter(|(p, _)| p.username.is_none())
    else {
        return stale_page();
    };
    let username = params.get("username").unwrap_or("").trim().to_string();
    let password = params.get("pw").unwrap_or("");
    match sim.org().user(&username).cloned() {
        Some(user) if user.active && user.password == password => {
            after_login(&sim, &app, pending, &user, false)
        }
        _ => login_page(&sim, &pending, &username, Some(LOGIN_FAILED)),
    }
}

pub(super) async fn consent(State(sim): State<Sim>, params: Params) -> Response {
    let Some((pending, _app)) = open_pending(&sim, &params).filter(|(p, _)| p.username.is_some())
    else {
        return stale_page();
    };
    match params.get("decision") {
        Some("allow") => issue_code(&sim, &pending),
        Some("deny") => error_to_app(
            &sim,
            &pending,
            "access_denied",
            "end-user denied authorization",
        ),
        _ => stale_page(),
    }
}
