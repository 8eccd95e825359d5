//! OAuth and OpenID Connect protocol tests: the browser flow driven with plain HTTP form posts
//! (redirects off), the token endpoint's grants, policies and errors, revoke, UserInfo, the
//! identity URL, the discovery document and a verified `id_token`, and the statistics.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use common::{get_json, inspect, start};
use leadline_sfsim::ids::{id18, prefix};
use leadline_sfsim::oauth::CODE_LIFETIME_SECS;
use leadline_sfsim::org::{ConnectedApp, PermittedUsers, RefreshTokenPolicy, User};
use leadline_sfsim::{Org, Running};
use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};

const CALLBACK: &str = "http://localhost:8711/oauth/callback";
const ADMIN: &str = "admin@practice.example";
const PASSWORD: &str = "practice";
const PRACTICE_APP: &str = "leadline-practice";

fn user(n: u64, username: &str, active: bool, api_enabled: bool) -> User {
    User {
        username: username.into(),
        password: "pw".into(),
        email: username.into(),
        first_name: "Test".into(),
        last_name: format!("User{n}"),
        id: Some(id18(prefix::USER, 100 + n)),
        active,
        api_enabled,
        email_verified: false,
    }
}

fn app(client_id: &str) -> ConnectedApp {
    ConnectedApp {
        client_id: client_id.into(),
        name: format!("App {client_id}"),
        callback_urls: vec![CALLBACK.into()],
        permitted_users: PermittedUsers::SelfAuthorize,
        approved_users: Vec::new(),
        blocked: false,
        refresh_token_policy: RefreshTokenPolicy::UntilRevoked,
        require_pkce: true,
        ip_restricted: false,
    }
}

/// The practice org plus users and apps for every policy under test.
fn org() -> Org {
    let mut org = Org::practice();
    org.users
        .push(user(1, "inactive@practice.example", false, true));
    org.users
        .push(user(2, "noapi@practice.example", true, false));
    org.users
        .push(user(3, "approved@practice.example", true, true));
    org.connected_apps.push(ConnectedApp {
        blocked: true,
        ..app("blocked-app")
    });
    org.connected_apps.push(ConnectedApp {
        permitted_users: PermittedUsers::AdminApproved,
        approved_users: vec!["approved@practice.example".into()],
        ..app("approved-app")
    });
    org.connected_apps.push(ConnectedApp {
        refresh_token_policy: RefreshTokenPolicy::ExpireImmediately,
        ..app("expire-app")
    });
    org.connected_apps.push(ConnectedApp {
        refresh_token_policy: RefreshTokenPolicy::Rotate,
        ..app("rotate-app")
    });
    org.connected_apps.push(ConnectedApp {
        require_pkce: false,
        ..app("nopkce-app")
    });
    org
}

async fn start_auto(username: &str) -> Running {
    let mut org = org();
    org.org.auto_approve = Some(username.into());
    start(org).await
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

struct Pkce {
    verifier: String,
    challenge: String,
}

fn pkce(verifier: &str) -> Pkce {
    Pkce {
        verifier: verifier.into(),
        challenge: URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())),
    }
}

fn default_pkce() -> Pkce {
    pkce("a-verifier-of-enough-length-0123456789-abcdefghijklmnop")
}

fn authorize_url(base: &str, client_id: &str, extra: &[(&str, &str)]) -> String {
    let mut url = url::Url::parse(&format!("{base}/services/oauth2/authorize")).unwrap();
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", CALLBACK);
    for (k, v) in extra {
        url.query_pairs_mut().append_pair(k, v);
    }
    url.into()
}

fn hidden_request(html: &str) -> String {
    let re = regex::Regex::new(r#"name="request" value="([^"]+)""#).unwrap();
    re.captures(html).expect("a hidden request field")[1].to_string()
}

/// The query parameters of a redirect, checking it goes to `CALLBACK`.
fn callback_params(resp: &reqwest::Response) -> HashMap<String, String> {
    assert_eq!(resp.status(), StatusCode::FOUND, "expected a redirect");
    let location = resp.headers()["location"].to_str().unwrap();
    assert!(
        location.starts_with(CALLBACK),
        "redirect to {location}, not the callback"
    );
    let url = url::Url::parse(location).unwrap();
    url.query_pairs().into_owned().collect()
}

async fn get_html(c: &reqwest::Client, url: &str) -> (StatusCode, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

async fn post_login(
    c: &reqwest::Client,
    base: &str,
    request: &str,
    username: &str,
    pw: &str,
) -> reqwest::Response {
    c.post(format!("{base}/services/oauth2/authorize/login"))
        .form(&[("request", request), ("username", username), ("pw", pw)])
        .send()
        .await
        .unwrap()
}

async fn post_consent(
    c: &reqwest::Client,
    base: &str,
    request: &str,
    decision: &str,
) -> reqwest::Response {
    c.post(format!("{base}/services/oauth2/authorize/consent"))
        .form(&[("request", request), ("decision", decision)])
        .send()
        .await
        .unwrap()
}

/// An authorize request in a browser that does not follow redirects.
async fn authorize(
    running: &Running,
    client_id: &str,
    params: &[(&str, &str)],
) -> reqwest::Response {
    browser()
        .get(authorize_url(&running.base_url, client_id, params))
        .send()
        .await
        .unwrap()
}

/// Opens the login page (authorize with `params`) and signs in; the login's answer.
async fn log_in(
    c: &reqwest::Client,
    base: &str,
    client_id: &str,
    params: &[(&str, &str)],
    username: &str,
    pw: &str,
) -> reqwest::Response {
    let (status, html) = get_html(c, &authorize_url(base, client_id, params)).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    post_login(c, base, &hidden_request(&html), username, pw).await
}

/// Walks authorize → login → consent (Allow) and returns the callback's parameters.
async fn browser_flow(
    running: &Running,
    client_id: &str,
    username: &str,
    pw: &str,
    pkce: &Pkce,
    extra: &[(&str, &str)],
) -> HashMap<String, String> {
    let c = browser();
    let base = &running.base_url;
    let mut params = vec![
        ("code_challenge", pkce.challenge.as_str()),
        ("state", "st-1"),
    ];
    params.extend_from_slice(extra);
    let resp = log_in(&c, base, client_id, &params, username, pw).await;
    if resp.status() == StatusCode::FOUND {
        return callback_params(&resp);
    }
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"consent_form\""), "{html}");
    callback_params(&post_consent(&c, base, &hidden_request(&html), "allow").await)
}

/// With auto-approve on: authorize answers the callback at once.
async fn auto_code(
    running: &Running,
    client_id: &str,
    pkce: &Pkce,
    extra: &[(&str, &str)],
) -> String {
    let mut params = vec![
        ("code_challenge", pkce.challenge.as_str()),
        ("state", "auto"),
    ];
    params.extend_from_slice(extra);
    let resp = authorize(running, client_id, &params).await;
    let p = callback_params(&resp);
    assert_eq!(p["state"], "auto");
    p["code"].clone()
}

async fn token_request(running: &Running, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let r = browser()
        .post(format!("{}/services/oauth2/token", running.base_url))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    if status == StatusCode::OK {
        assert_eq!(
            r.headers()["content-type"],
            "application/json;charset=UTF-8"
        );
    }
    (status, r.json().await.unwrap())
}

async fn exchange(
    running: &Running,
    client_id: &str,
    code: &str,
    verifier: Option<&str>,
) -> (StatusCode, Value) {
    let mut form = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("client_id", client_id),
        ("redirect_uri", CALLBACK),
    ];
    if let Some(v) = verifier {
        form.push(("code_verifier", v));
    }
    token_request(running, &form).await
}

async fn refresh(running: &Running, client_id: &str, refresh_token: &str) -> (StatusCode, Value) {
    token_request(
        running,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", client_id),
        ],
    )
    .await
}

/// Asserts the token endpoint's 400 with this `error` and `error_description`.
#[track_caller]
fn refused((status, body): &(StatusCode, Value), error: &str, description: &str) {
    assert_eq!(*status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(oauth_error(body), (error, description));
}

fn oauth_error(body: &Value) -> (&str, &str) {
    (
        body["error"].as_str().unwrap(),
        body["error_description"].as_str().unwrap(),
    )
}

async fn userinfo(running: &Running, access: &str) -> reqwest::Response {
    browser()
        .get(format!("{}/services/oauth2/userinfo", running.base_url))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
}

async fn revoke(running: &Running, token: &str) -> reqwest::Response {
    browser()
        .post(format!("{}/services/oauth2/revoke", running.base_url))
        .form(&[("token", token)])
        .send()
        .await
        .unwrap()
}

async fn tokens(running: &Running) -> Vec<Value> {
    let v = inspect(&running.base_url, "tokens").await;
    v["tokens"].as_array().unwrap().clone()
}

fn token_state<'a>(all: &'a [Value], value: &str) -> &'a Value {
    all.iter()
        .find(|t| t["value"] == value)
        .expect("the token is listed")
}

async fn rest_limits(running: &Running, access: &str) -> (StatusCode, Value) {
    let r = browser()
        .get(format!("{}/services/data/v66.0/limits", running.base_url))
        .bearer_auth(access)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

async fn stats(running: &Running) -> Value {
    inspect(&running.base_url, "stats").await
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut k = [0u8; 64];
    k[..key.len()].copy_from_slice(key);
    let ipad: Vec<u8> = k.iter().map(|b| b ^ 0x36).collect();
    let opad: Vec<u8> = k.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&ipad)
        .chain_update(msg)
        .finalize();
    Sha256::new()
        .chain_update(&opad)
        .chain_update(inner)
        .finalize()
        .to_vec()
}

#[tokio::test]
async fn full_browser_flow_pkce_userinfo_identity_refresh_revoke_and_stats() {
    let running = start(org()).await;
    let base = running.base_url.clone();
    let c = browser();
    let pk = default_pkce();

    // The login page, prefilled from login_hint.
    let url = authorize_url(
        &base,
        PRACTICE_APP,
        &[
            ("code_challenge", &pk.challenge),
            ("code_challenge_method", "S256"),
            ("state", "xyz 1/2"),
            ("scope", "api refresh_token"),
            ("login_hint", ADMIN),
        ],
    );
    let (status, html) = get_html(&c, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("id=\"login_form\""));
    assert!(
        html.contains(&format!("name=\"username\" value=\"{ADMIN}\"")),
        "{html}"
    );
    let request = hidden_request(&html);

    // A wrong password shows the form again with Salesforce's message, and no redirect.
    let resp = post_login(&c, &base, &request, ADMIN, "wrong").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"error\""), "{html}");
    assert!(html.contains("Please check your username and password"));
    assert!(html.contains("id=\"login_form\""));

    // The right password leads to the consent page naming the app and the scopes.
    let resp = post_login(&c, &base, &hidden_request(&html), ADMIN, PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("<strong id=\"app_name\">Leadline</strong>"),
        "{html}"
    );
    assert!(html.contains("data-scope=\"api\"") && html.contains("data-scope=\"refresh_token\""));
    assert!(html.contains("id=\"oaapprove\"") && html.contains("id=\"oadeny\""));

    // Allow → the callback with a code and the state, untouched.
    let params = callback_params(&post_consent(&c, &base, &hidden_request(&html), "allow").await);
    assert_eq!(params["state"], "xyz 1/2");
    let code = params["code"].clone();
    assert!(code.ends_with("=="), "Salesforce-style code: {code}");

    // The token exchange, shaped exactly like Salesforce's.
    let (status, body) = exchange(&running, PRACTICE_APP, &code, Some(&pk.verifier)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let org = Org::practice();
    let admin_id = org.users[0].id().to_string();
    let id = format!("{base}/id/{}/{admin_id}", org.org.id);
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["instance_url"], base.as_str());
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["scope"], "api refresh_token");
    assert!(body.get("expires_in").is_none());
    assert!(
        body.get("id_token").is_none(),
        "no openid scope, no id_token"
    );
    let issued_at = body["issued_at"].as_str().expect("issued_at is a string");
    assert!(issued_at.len() == 13 && issued_at.chars().all(|c| c.is_ascii_digit()));
    let expected_sig = STANDARD.encode(hmac_sha256(
        PRACTICE_APP.as_bytes(),
        format!("{id}{issued_at}").as_bytes(),
    ));
    assert_eq!(body["signature"], expected_sig.as_str());
    let access = body["access_token"].as_str().unwrap().to_string();
    let refresh_tok = body["refresh_token"].as_str().unwrap().to_string();
    assert!(access.starts_with(&org.org.id[..15]));

    // The code is single use.
    refused(
        &exchange(&running, PRACTICE_APP, &code, Some(&pk.verifier)).await,
        "invalid_grant",
        "invalid authorization code",
    );

    // UserInfo and the identity URL.
    let r = userinfo(&running, &access).await;
    assert_eq!(r.status(), StatusCode::OK);
    let info: Value = r.json().await.unwrap();
    assert_eq!(info["sub"], id.as_str());
    assert_eq!(info["user_id"], admin_id.as_str());
    assert_eq!(info["organization_id"], org.org.id.as_str());
    assert_eq!(info["preferred_username"], ADMIN);
    assert_eq!(info["name"], "Pat Practice");
    assert_eq!(info["email_verified"], true);
    assert_eq!(
        info["urls"]["rest"],
        format!("{base}/services/data/v{{version}}/").as_str()
    );
    let r = c
        .get(format!("{id}?version=latest"))
        .header("Authorization", format!("Bearer {access}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let ident: Value = r.json().await.unwrap();
    assert_eq!(ident["id"], id.as_str());
    assert_eq!(ident["asserted_user"], true);
    assert_eq!(ident["username"], ADMIN);
    assert_eq!(ident["display_name"], "Pat Practice");
    assert_eq!(
        ident["urls"]["rest"],
        format!("{base}/services/data/v66.0/").as_str()
    );
    assert_eq!(
        ident["urls"]["sobjects"],
        format!("{base}/services/data/v66.0/sobjects/").as_str()
    );
    assert_eq!(ident["user_type"], "STANDARD");
    // Another org's identity URL is refused in Salesforce's words.
    let r = c
        .get(format!("{base}/id/00D000000000999AAA/{admin_id}"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.text().await.unwrap(), "Wrong_Org");

    // Refresh (until revoked): a new access token, no new refresh token.
    let (status, body) = refresh(&running, PRACTICE_APP, &refresh_tok).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.get("refresh_token").is_none());
    assert_eq!(body["scope"], "api refresh_token");
    let access2 = body["access_token"].as_str().unwrap().to_string();
    assert_ne!(access2, access);
    assert_eq!(userinfo(&running, &access).await.status(), StatusCode::OK);
    assert_eq!(userinfo(&running, &access2).await.status(), StatusCode::OK);

    let (status, body) = rest_limits(&running, &access2).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Revoking the refresh token revokes every access token minted from it.
    let r = revoke(&running, &refresh_tok).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.unwrap(), "");
    for a in [&access, &access2] {
        let r = userinfo(&running, a).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(r.text().await.unwrap(), "Bad_OAuth_Token");
    }
    for a in [&access, &access2] {
        let (status, body) = rest_limits(&running, a).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body[0]["errorCode"], "INVALID_SESSION_ID");
        assert_eq!(body[0]["message"], "Session expired or invalid");
    }
    let all = tokens(&running).await;
    for t in [&refresh_tok, &access, &access2] {
        assert_eq!(token_state(&all, t)["revoked"], true);
        assert_eq!(token_state(&all, t)["revoked_reason"], "revoked");
    }
    assert_eq!(
        token_state(&all, &access2)["refresh_token"],
        refresh_tok.as_str()
    );
    refused(
        &refresh(&running, PRACTICE_APP, &refresh_tok).await,
        "invalid_grant",
        "expired access/refresh token",
    );

    // Revoking again, or revoking garbage, fails as Salesforce does (form-encoded by default).
    let r = revoke(&running, &refresh_tok).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        r.text().await.unwrap(),
        "error=invalid_token&error_description=invalid%20token"
    );
    let r = c
        .get(format!("{base}/services/oauth2/revoke?token=garbage"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        r.text().await.unwrap(),
        "error=unsupported_token_type&error_description=this%20token%20type%20is%20not%20supported"
    );
    let r = c
        .post(format!("{base}/services/oauth2/revoke"))
        .header("Accept", "application/json")
        .form(&[("token", "garbage")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        oauth_error(&body),
        ("unsupported_token_type", "this token type is not supported")
    );

    // Exactly what happened, counted.
    let s = stats(&running).await;
    assert_eq!(s["token_requests"]["authorization_code"], 2);
    assert_eq!(s["token_requests"]["refresh_token"], 2);
    assert_eq!(s["token_grants"]["authorization_code"], 1);
    assert_eq!(s["token_grants"]["refresh_token"], 1);
    assert_eq!(s["refreshes"], 1);
    assert_eq!(s["revokes"], 1);
    running.stop().await.unwrap();
}

#[tokio::test]
async fn revoking_an_access_token_leaves_its_refresh_token_working() {
    let running = start(org()).await;
    let (access, refresh_tok) = running.sim.mint_tokens(
        ADMIN,
        PRACTICE_APP,
        &["api".into(), "refresh_token".into()],
        true,
    );
    let refresh_tok = refresh_tok.unwrap();
    let r = browser()
        .get(format!(
            "{}/services/oauth2/revoke?token={access}",
            running.base_url
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        userinfo(&running, &access).await.status(),
        StatusCode::FORBIDDEN
    );
    let (status, body) = refresh(&running, PRACTICE_APP, &refresh_tok).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(stats(&running).await["revokes"], 1);
}

#[tokio::test]
async fn denied_consent_goes_back_with_access_denied_and_state() {
    let running = start(org()).await;
    let c = browser();
    let pk = default_pkce();
    let html = log_in(
        &c,
        &running.base_url,
        PRACTICE_APP,
        &[("code_challenge", &pk.challenge), ("state", "s-9")],
        ADMIN,
        PASSWORD,
    )
    .await
    .text()
    .await
    .unwrap();
    let resp = post_consent(&c, &running.base_url, &hidden_request(&html), "deny").await;
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(
        location.contains("error_description=end-user+denied+authorization"),
        "{location}"
    );
    let p = callback_params(&resp);
    assert_eq!(p["error"], "access_denied");
    assert_eq!(p["state"], "s-9");
    assert!(!p.contains_key("code"));
    assert!(running.sim.read(|w| w.codes.is_empty()));
}

#[tokio::test]
async fn pkce_is_checked_as_salesforce_checks_it() {
    let running = start_auto(ADMIN).await;
    let pk = default_pkce();

    let code = auto_code(&running, PRACTICE_APP, &pk, &[]).await;
    refused(
        &exchange(
            &running,
            PRACTICE_APP,
            &code,
            Some("not-the-verifier-at-all-0123456789-0123456789"),
        )
        .await,
        "invalid_grant",
        "invalid code verifier",
    );
    // The failed attempt used the code up.
    let (_, body) = exchange(&running, PRACTICE_APP, &code, Some(&pk.verifier)).await;
    assert_eq!(
        oauth_error(&body),
        ("invalid_grant", "invalid authorization code")
    );

    let code = auto_code(&running, PRACTICE_APP, &pk, &[]).await;
    refused(
        &exchange(&running, PRACTICE_APP, &code, None).await,
        "invalid_grant",
        "invalid code verifier",
    );

    // Salesforce rejects a verifier containing `~` even when its hash matches.
    let tilde = pkce("tilde~verifier-0123456789-0123456789-0123456789");
    let code = auto_code(&running, PRACTICE_APP, &tilde, &[]).await;
    let (_, body) = exchange(&running, PRACTICE_APP, &code, Some(&tilde.verifier)).await;
    assert_eq!(
        oauth_error(&body),
        ("invalid_grant", "invalid code verifier")
    );

    // An app that requires PKCE refuses an authorize request without a challenge.
    let resp = authorize(&running, PRACTICE_APP, &[("state", "p")]).await;
    let p = callback_params(&resp);
    assert_eq!(p["error"], "invalid_request");
    assert_eq!(p["error_description"], "missing required code challenge");
    assert_eq!(p["state"], "p");

    // Only S256 is understood.
    let resp = authorize(
        &running,
        PRACTICE_APP,
        &[
            ("code_challenge", &pk.challenge),
            ("code_challenge_method", "plain"),
        ],
    )
    .await;
    assert_eq!(callback_params(&resp)["error"], "invalid_request");

    // An app without the requirement works without PKCE.
    let resp = authorize(&running, "nopkce-app", &[]).await;
    let code = callback_params(&resp)["code"].clone();
    let (status, body) = exchange(&running, "nopkce-app", &code, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let s = stats(&running).await;
    assert_eq!(s["token_requests"]["authorization_code"], 5);
    assert_eq!(s["token_grants"]["authorization_code"], 1);
}

#[tokio::test]
async fn codes_expire_after_fifteen_minutes_and_are_bound_to_client_and_callback() {
    let running = start_auto(ADMIN).await;
    let pk = default_pkce();
    let code = auto_code(&running, PRACTICE_APP, &pk, &[]).await;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let expires_at = running.sim.read(|w| w.codes[&code].expires_at);
    assert!(
        (expires_at - now - CODE_LIFETIME_SECS).abs() <= 2,
        "{expires_at} vs {now}"
    );
    assert_eq!(CODE_LIFETIME_SECS, 900);
    running
        .sim
        .write(|w| w.codes.get_mut(&code).unwrap().expires_at = now - 1);
    refused(
        &exchange(&running, PRACTICE_APP, &code, Some(&pk.verifier)).await,
        "invalid_grant",
        "expired authorization code",
    );

    // Another client cannot redeem the code.
    let code = auto_code(&running, PRACTICE_APP, &pk, &[]).await;
    let (_, body) = exchange(&running, "rotate-app", &code, Some(&pk.verifier)).await;
    assert_eq!(
        oauth_error(&body),
        ("invalid_grant", "invalid authorization code")
    );

    // Nor can the right client with another callback.
    let code = auto_code(&running, PRACTICE_APP, &pk, &[]).await;
    let (_, body) = token_request(
        &running,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", PRACTICE_APP),
            ("redirect_uri", "http://localhost:9999/oauth/callback"),
            ("code_verifier", &pk.verifier),
        ],
    )
    .await;
    assert_eq!(
        oauth_error(&body),
        (
            "redirect_uri_mismatch",
            "redirect_uri must match configuration"
        )
    );
}

#[tokio::test]
async fn blocked_app_comes_back_as_oauth_app_blocked_and_cannot_refresh() {
    let running = start(org()).await;
    let params = browser_flow(
        &running,
        "blocked-app",
        ADMIN,
        PASSWORD,
        &default_pkce(),
        &[],
    )
    .await;
    assert_eq!(params["error"], "OAUTH_APP_BLOCKED");
    assert_eq!(params["error_description"], "this app is blocked by admin");
    assert_eq!(params["state"], "st-1");
    let (_, rt) = running
        .sim
        .mint_tokens(ADMIN, "blocked-app", &["refresh_token".into()], true);
    refused(
        &refresh(&running, "blocked-app", &rt.unwrap()).await,
        "invalid_client",
        "app must be installed into org",
    );
}

#[tokio::test]
async fn admin_approved_apps_admit_only_approved_users() {
    let running = start(org()).await;
    let pk = default_pkce();
    let params = browser_flow(&running, "approved-app", ADMIN, PASSWORD, &pk, &[]).await;
    assert_eq!(params["error"], "OAUTH_APP_ACCESS_DENIED");
    assert_eq!(
        params["error_description"],
        "user is not admin approved to access this app"
    );
    assert_eq!(params["state"], "st-1");

    // A pre-authorized user skips the consent page: the login answers the callback.
    let c = browser();
    let resp = log_in(
        &c,
        &running.base_url,
        "approved-app",
        &[("code_challenge", &pk.challenge)],
        "approved@practice.example",
        "pw",
    )
    .await;
    let code = callback_params(&resp)["code"].clone();
    let (status, body) = exchange(&running, "approved-app", &code, Some(&pk.verifier)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A token held by a user who is not approved cannot be refreshed.
    let (_, rt) = running
        .sim
        .mint_tokens(ADMIN, "approved-app", &["refresh_token".into()], true);
    refused(
        &refresh(&running, "approved-app", &rt.unwrap()).await,
        "invalid_grant",
        "user hasn't approved this consumer",
    );
}

#[tokio::test]
async fn inactive_users_cannot_log_in_or_refresh_and_api_disabled_users_still_get_tokens() {
    let running = start(org()).await;
    let c = browser();
    let pk = default_pkce();
    let resp = log_in(
        &c,
        &running.base_url,
        PRACTICE_APP,
        &[("code_challenge", &pk.challenge)],
        "inactive@practice.example",
        "pw",
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("id=\"error\"") && html.contains("id=\"login_form\""),
        "{html}"
    );

    let (access, rt) = running.sim.mint_tokens(
        "inactive@practice.example",
        PRACTICE_APP,
        &["refresh_token".into()],
        true,
    );
    refused(
        &refresh(&running, PRACTICE_APP, &rt.unwrap()).await,
        "invalid_grant",
        "inactive user",
    );
    assert_eq!(
        userinfo(&running, &access).await.status(),
        StatusCode::FORBIDDEN
    );

    let params = browser_flow(
        &running,
        PRACTICE_APP,
        "noapi@practice.example",
        "pw",
        &pk,
        &[],
    )
    .await;
    let (status, body) =
        exchange(&running, PRACTICE_APP, &params["code"], Some(&pk.verifier)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The token is good; the REST API itself refuses the user.
    let (status, body) = rest_limits(&running, body["access_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body[0]["errorCode"], "API_CURRENTLY_DISABLED");
}

#[tokio::test]
async fn unknown_clients_and_unregistered_callbacks_never_reach_the_app() {
    let running = start(org()).await;
    let c = browser();
    let r = authorize(&running, "nobody", &[("state", "s")]).await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.headers().get("location").is_none());
    assert_eq!(
        r.text().await.unwrap(),
        "error=invalid_client_id&error_description=client%20identifier%20invalid"
    );

    let url = format!(
        "{}/services/oauth2/authorize?response_type=code&client_id={PRACTICE_APP}&redirect_uri={}&state=s",
        running.base_url, "http%3A%2F%2Fevil.example%3A8711%2Foauth%2Fcallback"
    );
    let r = c.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    let location = r.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        location,
        format!(
            "{}/setup/secur/RemoteAccessErrorPage.apexp?error=redirect_uri_mismatch&error_description=redirect_uri%20must%20match%20configuration",
            running.base_url
        )
    );
    let (status, html) = get_html(&c, &location).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        html.contains("<span id=\"error_code\">redirect_uri_mismatch</span>"),
        "{html}"
    );

    refused(
        &token_request(
            &running,
            &[
                ("grant_type", "authorization_code"),
                ("code", "x"),
                ("client_id", "nobody"),
            ],
        )
        .await,
        "invalid_client_id",
        "client identifier invalid",
    );

    // Bad response types and scopes go back to the (verified) callback.
    let pk = default_pkce();
    let r = c
        .get(
            authorize_url(
                &running.base_url,
                PRACTICE_APP,
                &[("code_challenge", &pk.challenge)],
            )
            .replace("response_type=code", "response_type=token"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(callback_params(&r)["error"], "unsupported_response_type");
    let r = authorize(
        &running,
        PRACTICE_APP,
        &[("code_challenge", &pk.challenge), ("scope", "api teleport")],
    )
    .await;
    assert_eq!(callback_params(&r)["error"], "invalid_scope");
}

#[tokio::test]
async fn token_requests_must_be_form_encoded_and_of_a_supported_grant() {
    let running = start(org()).await;
    let r = browser()
        .post(format!("{}/services/oauth2/token", running.base_url))
        .json(&serde_json::json!({"grant_type": "refresh_token", "refresh_token": "x", "client_id": PRACTICE_APP}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        r.headers()["content-type"],
        "application/json;charset=UTF-8"
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        oauth_error(&body),
        ("unsupported_grant_type", "grant type not supported")
    );
    let (_, body) = token_request(
        &running,
        &[("grant_type", "password"), ("client_id", PRACTICE_APP)],
    )
    .await;
    assert_eq!(
        oauth_error(&body),
        ("unsupported_grant_type", "grant type not supported")
    );
    let s = stats(&running).await;
    assert_eq!(s["token_requests"]["(missing)"], 1);
    assert_eq!(s["token_requests"]["password"], 1);
    assert!(s["token_grants"].as_object().unwrap().is_empty());
}

#[tokio::test]
async fn auto_approve_redirects_straight_back_unless_another_user_is_hinted() {
    let running = start_auto(ADMIN).await;
    let pk = default_pkce();
    let code = auto_code(&running, PRACTICE_APP, &pk, &[("login_hint", ADMIN)]).await;
    let (status, body) = exchange(&running, PRACTICE_APP, &code, Some(&pk.verifier)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, html) = get_html(
        &browser(),
        &authorize_url(
            &running.base_url,
            PRACTICE_APP,
            &[
                ("code_challenge", &pk.challenge),
                ("login_hint", "noapi@practice.example"),
            ],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("value=\"noapi@practice.example\""), "{html}");
}

#[tokio::test]
async fn refresh_token_policies_expire_immediately_and_rotate() {
    let running = start_auto(ADMIN).await;
    let pk = default_pkce();

    // Expire immediately: the first response carries a refresh token that never works.
    let code = auto_code(&running, "expire-app", &pk, &[]).await;
    let (status, body) = exchange(&running, "expire-app", &code, Some(&pk.verifier)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rt = body["refresh_token"].as_str().unwrap().to_string();
    let access = body["access_token"].as_str().unwrap().to_string();
    refused(
        &refresh(&running, "expire-app", &rt).await,
        "invalid_grant",
        "expired access/refresh token",
    );
    let all = tokens(&running).await;
    assert_eq!(token_state(&all, &rt)["revoked_reason"], "policy");
    assert_eq!(
        token_state(&all, &access)["revoked"],
        false,
        "the session itself lives on"
    );

    // Rotate: each refresh hands out a new refresh token and kills the old one.
    let code = auto_code(&running, "rotate-app", &pk, &[]).await;
    let (_, body) = exchange(&running, "rotate-app", &code, Some(&pk.verifier)).await;
    let rt1 = body["refresh_token"].as_str().unwrap().to_string();
    let (status, body) = refresh(&running, "rotate-app", &rt1).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let rt2 = body["refresh_token"]
        .as_str()
        .expect("a rotated refresh token")
        .to_string();
    assert_ne!(rt1, rt2);
    refused(
        &refresh(&running, "rotate-app", &rt1).await,
        "invalid_grant",
        "expired access/refresh token",
    );
    let (status, body) = refresh(&running, "rotate-app", &rt2).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let all = tokens(&running).await;
    assert_eq!(token_state(&all, &rt1)["revoked_reason"], "rotated");
    assert_eq!(token_state(&all, &rt2)["revoked_reason"], "rotated");

    // A refresh token is bound to its app.
    let (_, body) = refresh(
        &running,
        PRACTICE_APP,
        body["refresh_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(
        oauth_error(&body),
        ("invalid_grant", "expired access/refresh token")
    );

    let s = stats(&running).await;
    assert_eq!(s["token_requests"]["refresh_token"], 5);
    assert_eq!(s["token_grants"]["refresh_token"], 2);
    assert_eq!(s["refreshes"], 2);
}

#[tokio::test]
async fn a_sixth_approval_revokes_the_oldest_refresh_token() {
    let running = start_auto(ADMIN).await;
    let pk = default_pkce();
    let mut refresh_tokens = Vec::new();
    for _ in 0..6 {
        let code = auto_code(&running, PRACTICE_APP, &pk, &[]).await;
        let (_, body) = exchange(&running, PRACTICE_APP, &code, Some(&pk.verifier)).await;
        refresh_tokens.push(body["refresh_token"].as_str().unwrap().to_string());
    }
    let all = tokens(&running).await;
    assert_eq!(
        token_state(&all, &refresh_tokens[0])["revoked_reason"],
        "limit"
    );
    for rt in &refresh_tokens[1..] {
        assert_eq!(token_state(&all, rt)["revoked"], false);
    }
}

#[tokio::test]
async fn openid_connect_discovery_jwks_and_a_verifiable_id_token_with_nonce() {
    let running = start_auto(ADMIN).await;
    let base = running.base_url.clone();
    let disco = get_json(&format!("{base}/.well-known/openid-configuration")).await;
    assert_eq!(disco["issuer"], base.as_str());
    assert_eq!(
        disco["authorization_endpoint"],
        format!("{base}/services/oauth2/authorize").as_str()
    );
    assert_eq!(
        disco["token_endpoint"],
        format!("{base}/services/oauth2/token").as_str()
    );
    assert_eq!(
        disco["userinfo_endpoint"],
        format!("{base}/services/oauth2/userinfo").as_str()
    );
    assert_eq!(
        disco["revocation_endpoint"],
        format!("{base}/services/oauth2/revoke").as_str()
    );
    assert_eq!(disco["jwks_uri"], format!("{base}/id/keys").as_str());
    assert_eq!(
        disco["response_types_supported"],
        serde_json::json!(["code"])
    );
    assert_eq!(
        disco["subject_types_supported"],
        serde_json::json!(["public"])
    );
    assert_eq!(
        disco["id_token_signing_alg_values_supported"],
        serde_json::json!(["ES256"])
    );
    assert_eq!(
        disco["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    let has = |field: &str, v: &str| disco[field].as_array().unwrap().iter().any(|x| x == v);
    assert!(has("token_endpoint_auth_methods_supported", "none"));
    assert!(has("scopes_supported", "openid") && has("scopes_supported", "refresh_token"));
    assert!(has("claims_supported", "email") && has("claims_supported", "sub"));

    let jwks: jsonwebtoken::jwk::JwkSet =
        serde_json::from_value(get_json(disco["jwks_uri"].as_str().unwrap()).await).unwrap();

    let pk = default_pkce();
    let code = auto_code(
        &running,
        PRACTICE_APP,
        &pk,
        &[
            ("scope", "openid profile email api refresh_token"),
            ("nonce", "n-0S6_WzA2Mj"),
        ],
    )
    .await;
    let (status, body) = exchange(&running, PRACTICE_APP, &code, Some(&pk.verifier)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["scope"], "openid profile email api refresh_token");
    let id_token = body["id_token"]
        .as_str()
        .expect("an id_token for the openid scope");
    let header = jsonwebtoken::decode_header(id_token).unwrap();
    assert_eq!(header.alg, jsonwebtoken::Algorithm::ES256);
    let jwk = jwks
        .find(header.kid.as_deref().unwrap())
        .expect("the kid is in the JWKS");
    let key = jsonwebtoken::DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&[PRACTICE_APP]);
    validation.set_issuer(&[base.as_str()]);
    let claims = jsonwebtoken::decode::<Value>(id_token, &key, &validation)
        .unwrap()
        .claims;
    assert_eq!(claims["nonce"], "n-0S6_WzA2Mj");
    assert_eq!(claims["sub"], body["id"]);
    assert_eq!(claims["email"], ADMIN);
    assert_eq!(claims["email_verified"], true);
    assert_eq!(claims["given_name"], "Pat");
    assert_eq!(claims["family_name"], "Practice");
    assert_eq!(claims["name"], "Pat Practice");
    assert_eq!(claims["preferred_username"], ADMIN);
    let access = body["access_token"].as_str().unwrap();
    let digest = Sha256::digest(access.as_bytes());
    assert_eq!(
        claims["at_hash"],
        URL_SAFE_NO_PAD.encode(&digest[..16]).as_str()
    );
    let exp = claims["exp"].as_i64().unwrap();
    let iat = claims["iat"].as_i64().unwrap();
    assert!(exp > iat);

    // The same claims signed by another key under the same kid do not verify against the JWKS.
    let other = rcgen::KeyPair::generate().unwrap();
    let other = jsonwebtoken::EncodingKey::from_ec_pem(other.serialize_pem().as_bytes()).unwrap();
    let mut forged_header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    forged_header.kid = header.kid.clone();
    let forged = jsonwebtoken::encode(&forged_header, &claims, &other).unwrap();
    assert!(jsonwebtoken::decode::<Value>(&forged, &key, &validation).is_err());

    // A refresh with the openid scope brings a fresh id_token without the nonce.
    let (status, body) = refresh(
        &running,
        PRACTICE_APP,
        body["refresh_token"].as_str().unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let claims =
        jsonwebtoken::decode::<Value>(body["id_token"].as_str().unwrap(), &key, &validation)
            .unwrap()
            .claims;
    assert!(claims.get("nonce").is_none());
    assert_eq!(claims["sub"], body["id"]);
}

#[tokio::test]
async fn confidential_clients_may_authenticate_with_http_basic_and_get_a_secret_keyed_signature() {
    let running = start_auto(ADMIN).await;
    let pk = default_pkce();
    let code = auto_code(&running, PRACTICE_APP, &pk, &[]).await;
    let r = browser()
        .post(format!("{}/services/oauth2/token", running.base_url))
        .basic_auth(PRACTICE_APP, Some("s3cret"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", CALLBACK),
            ("code_verifier", pk.verifier.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    let message = format!(
        "{}{}",
        body["id"].as_str().unwrap(),
        body["issued_at"].as_str().unwrap()
    );
    assert_eq!(
        body["signature"],
        STANDARD
            .encode(hmac_sha256(b"s3cret", message.as_bytes()))
            .as_str()
    );
}

#[tokio::test]
async fn userinfo_and_identity_refuse_missing_bad_and_foreign_tokens() {
    let running = start(org()).await;
    let base = &running.base_url;
    let c = browser();
    let r = c
        .get(format!("{base}/services/oauth2/userinfo"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.text().await.unwrap(), "Missing_OAuth_Token");
    let r = userinfo(&running, "00Dnonsense").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.text().await.unwrap(), "Bad_OAuth_Token");

    // A token without the api scope may read only its own identity; oauth_token works too.
    let (access, _) = running
        .sim
        .mint_tokens(ADMIN, PRACTICE_APP, &["id".into()], false);
    let org = Org::practice();
    let other = id18(prefix::USER, 102);
    let r = c
        .get(format!(
            "{base}/id/{}/{other}?oauth_token={access}",
            org.org.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.text().await.unwrap(), "No_Access");
    let r = c
        .get(format!(
            "{base}/id/{}/005000000000000999?oauth_token={access}",
            org.org.id
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(r.text().await.unwrap(), "Bad_Id");
    // With the api scope another user's identity is visible, not asserted.
    let (access, _) = running
        .sim
        .mint_tokens(ADMIN, PRACTICE_APP, &["api".into()], false);
    let r = c
        .get(format!("{base}/id/{}/{other}", org.org.id))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["username"], "noapi@practice.example");
    assert_eq!(body["asserted_user"], false);
}
