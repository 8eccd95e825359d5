//! A connected app whose "Enforce IP restrictions" refuses the caller: the authorize page still
//! answers, but every token grant — the code exchange and the refresh — is refused with
//! Salesforce's `invalid_grant` / `ip restricted`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use leadline_sfsim::Org;
use leadline_sfsim::org::PRACTICE_USERNAME;
use reqwest::StatusCode;
use serde_json::Value;

const CALLBACK: &str = "http://localhost:8711/oauth/callback";

fn restricted_org() -> Org {
    let mut org = Org::practice();
    org.org.auto_approve = Some(PRACTICE_USERNAME.into());
    let app = &mut org.connected_apps[0];
    app.ip_restricted = true;
    app.require_pkce = false;
    org
}

async fn token(base: &str, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .post(format!("{base}/services/oauth2/token"))
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

fn ip_restricted((status, body): &(StatusCode, Value)) {
    assert_eq!(*status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_grant");
    assert_eq!(body["error_description"], "ip restricted");
}

#[tokio::test]
async fn code_exchange_and_refresh_are_refused() {
    let org = restricted_org();
    let client_id = org.connected_apps[0].client_id.clone();
    let running = common::start(org).await;
    let base = running.base_url.clone();

    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = no_redirects
        .get(format!("{base}/services/oauth2/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", client_id.as_str()),
            ("redirect_uri", CALLBACK),
            ("scope", "api refresh_token"),
            ("state", "s"),
        ])
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_redirection(), "{}", resp.status());
    let location = url::Url::parse(resp.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    ip_restricted(
        &token(
            &base,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", &client_id),
                ("redirect_uri", CALLBACK),
            ],
        )
        .await,
    );

    let (_, refresh) = running.sim.mint_tokens(
        PRACTICE_USERNAME,
        &client_id,
        &["api".into(), "refresh_token".into()],
        true,
    );
    ip_restricted(
        &token(
            &base,
            &[
                ("grant_type", "refresh_token"),
                ("refresh_token", &refresh.unwrap()),
                ("client_id", &client_id),
            ],
        )
        .await,
    );
}
