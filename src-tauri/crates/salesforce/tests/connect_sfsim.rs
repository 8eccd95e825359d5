//! Connecting an org end to end against the local Salesforce: the connection's sign-in request
//! through [`AuthFlow`] with a fake browser (the org approves unattended, so the browser only
//! follows the redirect to the loopback callback), and the tokens it yields driving a
//! [`RestClient`] — identity, the org's name, and a renewal.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use leadline_salesforce::connect::{self, SCOPES};
use leadline_salesforce::rest::{self, OrgEndpoint, RestClient, TokenStore};
use leadline_salesforce::{
    AuthError, AuthFlow, Browser, BrowserError, CallbackPorts, CancellationToken, LoginHost, Secret,
};
use leadline_sfsim::org::{PRACTICE_CLIENT_ID, PRACTICE_USERNAME};
use leadline_sfsim::{Options, Org, Running};
use url::Url;

/// Follows the authorize redirect to the callback, as a browser would for an org that approves
/// without a page; remembers the authorize URL it was given.
#[derive(Debug)]
struct FollowingBrowser {
    handle: tokio::runtime::Handle,
    opened: Mutex<Option<Url>>,
}

impl Browser for FollowingBrowser {
    fn open(&self, url: &Url) -> Result<(), BrowserError> {
        *self.opened.lock().unwrap() = Some(url.clone());
        let url = url.clone();
        self.handle.spawn(async move {
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let r = http.get(url).send().await.unwrap();
            let callback = r.headers()["location"].to_str().unwrap().to_string();
            http.get(callback).send().await.unwrap();
        });
        Ok(())
    }
}

#[derive(Debug, Default)]
struct Store(Mutex<Vec<&'static str>>);

impl TokenStore for Store {
    fn save_refresh_token(&self, _: &Secret) -> Result<(), String> {
        self.0.lock().unwrap().push("refresh");
        Ok(())
    }
    fn save_access_token(&self, _: &Secret) -> Result<(), String> {
        self.0.lock().unwrap().push("access");
        Ok(())
    }
}

async fn start(org: Org) -> Running {
    leadline_sfsim::start(Options {
        org,
        ..Options::practice()
    })
    .await
    .unwrap()
}

fn auto_approving() -> Org {
    let mut org = Org::practice();
    org.org.auto_approve = Some(PRACTICE_USERNAME.into());
    org
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_yields_tokens_the_rest_client_works_with() {
    let sim = start(auto_approving()).await;
    let login = LoginHost::custom(&sim.base_url).unwrap();
    let mut request =
        connect::authorization_request(&login, PRACTICE_CLIENT_ID, CallbackPorts::any()).unwrap();
    assert_eq!(request.scopes, SCOPES);
    assert_eq!(request.token_url, connect::token_url(&login));
    request.timeout = Duration::from_secs(30);

    let browser = Arc::new(FollowingBrowser {
        handle: tokio::runtime::Handle::current(),
        opened: Mutex::default(),
    });
    let flow = AuthFlow::new(browser.clone()).unwrap();
    let done = flow.run(&request, &CancellationToken::new()).await.unwrap();
    let opened = browser.opened.lock().unwrap().clone().unwrap();
    assert_eq!(
        opened.as_str().split('?').next(),
        Some(format!("{}/services/oauth2/authorize", sim.base_url).as_str())
    );
    let q: std::collections::HashMap<_, _> = opened.query_pairs().into_owned().collect();
    assert_eq!(q["scope"], "api refresh_token");
    assert!(!q.contains_key("nonce"));

    let tokens = done.tokens;
    let instance = Url::parse(tokens.instance_url.as_deref().unwrap()).unwrap();
    let http = reqwest::Client::new();
    let versions = rest::versions(&http, &instance).await.unwrap();
    let store = Arc::new(Store::default());
    let client = RestClient::new(
        http,
        OrgEndpoint {
            instance_url: instance,
            api_version: rest::pick_version(&versions).unwrap(),
            token_url: connect::token_url(&login),
            client_id: PRACTICE_CLIENT_ID.into(),
        },
        tokens.access_token.clone(),
        tokens.refresh_token.clone(),
        store.clone(),
    );
    let me = client
        .identity(tokens.id.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(me.username, PRACTICE_USERNAME);
    assert_eq!(me.organization_id, sim.sim.org().org.id);
    assert_eq!(
        client.organization_name().await.unwrap().as_deref(),
        Some(sim.sim.org().org.name.as_str())
    );
    client.refresh_now().await.unwrap();
    assert_eq!(*store.0.lock().unwrap(), ["access"]);
    client.describe("Lead").await.unwrap();
    assert!(client.last_usage().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_ip_restricted_app_refuses_the_code_exchange() {
    let mut org = auto_approving();
    org.connected_apps[0].ip_restricted = true;
    let sim = start(org).await;
    let login = LoginHost::custom(&sim.base_url).unwrap();
    let mut request =
        connect::authorization_request(&login, PRACTICE_CLIENT_ID, CallbackPorts::any()).unwrap();
    request.timeout = Duration::from_secs(30);
    let browser = Arc::new(FollowingBrowser {
        handle: tokio::runtime::Handle::current(),
        opened: Mutex::default(),
    });
    let err = AuthFlow::new(browser)
        .unwrap()
        .run(&request, &CancellationToken::new())
        .await
        .unwrap_err();
    match err {
        AuthError::TokenEndpoint { error, description } => {
            assert_eq!(error, "invalid_grant");
            assert_eq!(description.as_deref(), Some("ip restricted"));
        }
        other => panic!("expected the token endpoint's refusal, got {other:?}"),
    }
}
