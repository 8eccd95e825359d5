//! Browser sign-in against the real local Salesforce (`leadline-sfsim`), with a fake browser
//! that fills in sfsim's login and consent forms over HTTP and then follows the redirect to the
//! loopback callback itself.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use leadline_salesforce::authflow::AuthorizationRequest;
use leadline_salesforce::oidc::{self, SignInOptions};
use leadline_salesforce::{
    AuthError, AuthFlow, Browser, BrowserError, CallbackPorts, CancellationToken, LoopbackError,
    OidcError, Provider,
};
use leadline_sfsim::robot::{Consent, Robot};
use leadline_sfsim::{Options, Org, Running};
use url::Url;

const USERNAME: &str = "admin@practice.example";
const PASSWORD: &str = "practice";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    /// Log in and allow.
    Approve,
    /// Log in and deny.
    Deny,
    /// Only follow the authorize redirect (the org approves unattended).
    FollowOnly,
    /// Deliver the callback with a forged state, then the real one.
    ForgedStateThenRight,
    /// Deliver the callback without its state.
    MissingState,
    /// Do nothing at all.
    Ignore,
}

#[derive(Debug, Default)]
struct Log {
    /// Status and body of each page the callback listener answered.
    callback_pages: Vec<(u16, String)>,
    /// The authorize URL the flow opened.
    authorize_url: Option<Url>,
    /// The real callback URL sfsim redirected to.
    callback_url: Option<Url>,
    failure: Option<String>,
}

#[derive(Debug, Clone)]
struct FakeBrowser {
    act: Act,
    handle: tokio::runtime::Handle,
    log: Arc<Mutex<Log>>,
}

impl FakeBrowser {
    fn new(act: Act) -> Arc<Self> {
        Arc::new(FakeBrowser {
            act,
            handle: tokio::runtime::Handle::current(),
            log: Arc::default(),
        })
    }

    /// The callback pages once there are `n` of them: the flow may end before the browser has
    /// read the last page.
    async fn pages(&self, n: usize) -> Vec<(u16, String)> {
        for _ in 0..100 {
            let pages = self.log.lock().unwrap().callback_pages.clone();
            if pages.len() >= n {
                return pages;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.log.lock().unwrap().callback_pages.clone()
    }
}

impl Browser for FakeBrowser {
    fn open(&self, url: &Url) -> Result<(), BrowserError> {
        let (act, url, log) = (self.act, url.clone(), Arc::clone(&self.log));
        log.lock().unwrap().authorize_url = Some(url.clone());
        self.handle.spawn(async move {
            if let Err(e) = drive(act, url, &log).await {
                log.lock().unwrap().failure = Some(e);
            }
        });
        Ok(())
    }
}

async fn drive(act: Act, authorize: Url, log: &Mutex<Log>) -> Result<(), String> {
    if act == Act::Ignore {
        return Ok(());
    }
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let e = |e: reqwest::Error| e.to_string();
    let consent = if act == Act::Deny {
        Consent::Deny
    } else {
        Consent::Allow
    };
    // FollowOnly: the org approves unattended, so the robot's first request already redirects.
    let callback = Robot::new(USERNAME, PASSWORD, consent)
        .walk(&authorize)
        .await?;
    log.lock().unwrap().callback_url = Some(callback.clone());

    let with_state = |value: Option<&str>| {
        let pairs: Vec<(String, String)> = callback
            .query_pairs()
            .filter(|(k, _)| k != "state")
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .chain(value.map(|v| ("state".to_string(), v.to_string())))
            .collect();
        let mut url = callback.clone();
        url.query_pairs_mut().clear().extend_pairs(pairs);
        url
    };
    let visits = match act {
        Act::ForgedStateThenRight => vec![with_state(Some("forged")), callback.clone()],
        Act::MissingState => vec![with_state(None)],
        _ => vec![callback.clone()],
    };
    for url in visits {
        // A closed listener refuses the connection: logged as status 0.
        match http.get(url).send().await {
            Ok(r) => {
                let status = r.status().as_u16();
                let body = r.text().await.map_err(e)?;
                log.lock().unwrap().callback_pages.push((status, body));
            }
            Err(err) => log
                .lock()
                .unwrap()
                .callback_pages
                .push((0, err.to_string())),
        }
    }
    Ok(())
}

async fn start(org: Org) -> Running {
    leadline_sfsim::start(Options {
        org,
        ..Options::practice()
    })
    .await
    .unwrap()
}

/// All token requests sfsim has seen, whatever the grant type.
async fn token_requests(sim: &Running) -> u64 {
    let stats: serde_json::Value = reqwest::get(format!("{}/__sfsim/stats", sim.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    stats["token_requests"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum()
}

fn options(timeout: Duration) -> SignInOptions {
    SignInOptions {
        callback_ports: CallbackPorts::any(),
        timeout,
        ..SignInOptions::default()
    }
}

async fn sign_in(
    sim: &Running,
    browser: &Arc<FakeBrowser>,
    timeout: Duration,
    cancel: &CancellationToken,
) -> Result<oidc::SignedIn, OidcError> {
    let flow = AuthFlow::new(browser.clone()).unwrap();
    let provider = Provider::practice(&sim.base_url).unwrap();
    let result = oidc::sign_in(&flow, &provider, &options(timeout), cancel).await;
    if let Some(f) = &browser.log.lock().unwrap().failure {
        panic!("the fake browser failed: {f}");
    }
    result
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signs_in_with_a_verified_identity() {
    let sim = start(Org::practice()).await;
    let browser = FakeBrowser::new(Act::Approve);
    let signed = sign_in(
        &sim,
        &browser,
        Duration::from_secs(30),
        &CancellationToken::new(),
    )
    .await
    .unwrap();
    assert_eq!(signed.identity.email, USERNAME);
    assert_eq!(signed.identity.name, "Pat Practice");
    assert_eq!(signed.identity.issuer, sim.base_url);
    assert!(signed.tokens.id_token.is_some());
    let pages = browser.pages(1).await;
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].0, 200);
    assert!(
        pages[0]
            .1
            .contains("You can close this tab and return to Leadline")
    );
    assert_eq!(token_requests(&sim).await, 1);

    // What the browser was sent: a public client's code request with PKCE S256, state, nonce
    // and the loopback callback.
    let authorize = browser.log.lock().unwrap().authorize_url.clone().unwrap();
    assert_eq!(
        authorize.as_str().split('?').next(),
        Some(format!("{}/services/oauth2/authorize", sim.base_url).as_str())
    );
    let q: std::collections::HashMap<String, String> =
        authorize.query_pairs().into_owned().collect();
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], "leadline-practice");
    assert_eq!(q["scope"], "openid email profile");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"].len(), 43);
    assert!(q["state"].len() >= 16 && q["nonce"].len() >= 16);
    assert_ne!(q["state"], q["nonce"]);
    let redirect = Url::parse(&q["redirect_uri"]).unwrap();
    assert_eq!(redirect.host_str(), Some("localhost"));
    assert_eq!(redirect.path(), "/oauth/callback");
    assert!(!q.contains_key("client_secret"));

    // No token in what a log line would show.
    let shown = format!("{signed:?}");
    assert!(!shown.contains(signed.tokens.access_token.expose()));
}

/// With only the `openid` scope the id_token carries no email or name, so they come from
/// UserInfo (whose `sub` must match the token's).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn falls_back_to_userinfo_for_email_and_name() {
    let sim = start(Org::practice()).await;
    let browser = FakeBrowser::new(Act::Approve);
    let flow = AuthFlow::new(browser.clone()).unwrap();
    let provider = Provider::practice(&sim.base_url).unwrap();
    let options = SignInOptions {
        scopes: vec!["openid".into()],
        ..options(Duration::from_secs(30))
    };
    let signed = oidc::sign_in(&flow, &provider, &options, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(signed.identity.email, USERNAME);
    assert_eq!(signed.identity.name, "Pat Practice");
    assert_eq!(signed.tokens.scope.as_deref(), Some("openid"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn denied_consent_ends_in_denied_with_no_token_request() {
    let sim = start(Org::practice()).await;
    let browser = FakeBrowser::new(Act::Deny);
    let err = sign_in(
        &sim,
        &browser,
        Duration::from_secs(30),
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, OidcError::Auth(AuthError::Denied)), "{err:?}");
    assert_eq!(token_requests(&sim).await, 0);
    assert_eq!(browser.pages(1).await[0].0, 400);
}

/// Runs a sign-in whose browser delivers a bad `state` (`act`), checks it ended with
/// `WrongState { present }` before any token request, and returns the callback pages.
async fn bad_state_ends_the_attempt(act: Act, present: bool, pages: usize) -> Vec<(u16, String)> {
    let sim = start(Org::practice()).await;
    let browser = FakeBrowser::new(act);
    let err = sign_in(
        &sim,
        &browser,
        Duration::from_secs(30),
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            &err,
            OidcError::Auth(AuthError::Callback(LoopbackError::WrongState { present: p })) if *p == present
        ),
        "{err:?}"
    );
    let pages = browser.pages(pages).await;
    assert_eq!(pages[0].0, 400);
    assert!(
        pages[0]
            .1
            .contains("This sign-in link is not the one Leadline is waiting for"),
        "{}",
        pages[0].1
    );
    assert_eq!(token_requests(&sim).await, 0, "no code was exchanged");
    pages
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forged_state_ends_the_attempt_before_any_token_request() {
    let pages = bad_state_ends_the_attempt(Act::ForgedStateThenRight, true, 2).await;
    // The real callback comes too late either way: the listener is closed (connection refused,
    // logged as 0) or, when it comes before the port is released, it is told the link was used.
    let (status, body) = &pages[1];
    assert!(
        *status == 0 || (*status == 400 && body.contains("already been used")),
        "the real callback must find the attempt ended: {:?}",
        pages[1]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_state_ends_the_attempt_before_any_token_request() {
    bad_state_ends_the_attempt(Act::MissingState, false, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unverified_email_is_refused() {
    let mut org = Org::practice();
    org.users[0].email_verified = false;
    let sim = start(org).await;
    let browser = FakeBrowser::new(Act::Approve);
    let err = sign_in(
        &sim,
        &browser,
        Duration::from_secs(30),
        &CancellationToken::new(),
    )
    .await
    .unwrap_err();
    match err {
        OidcError::EmailNotVerified { email } => assert_eq!(email, USERNAME),
        other => panic!("expected EmailNotVerified, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_ends_the_wait() {
    let sim = start(Org::practice()).await;
    let browser = FakeBrowser::new(Act::Ignore);
    let cancel = CancellationToken::new();
    let canceller = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        canceller.cancel();
    });
    let started = std::time::Instant::now();
    let err = sign_in(&sim, &browser, Duration::from_secs(60), &cancel)
        .await
        .unwrap_err();
    assert!(
        matches!(err, OidcError::Auth(AuthError::Cancelled)),
        "{err:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(token_requests(&sim).await, 0);
}

/// The Salesforce connection's use of the same flow: API scopes, no nonce, Salesforce's own
/// token fields kept; here with the org approving unattended (`--auto-approve`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn salesforce_connection_flow_keeps_salesforce_fields() {
    let mut org = Org::practice();
    org.org.auto_approve = Some(USERNAME.into());
    let sim = start(org).await;
    let browser = FakeBrowser::new(Act::FollowOnly);
    let flow = AuthFlow::new(browser.clone()).unwrap();
    let base = Url::parse(&sim.base_url).unwrap();
    let mut request = AuthorizationRequest::new(
        base.join("/services/oauth2/authorize").unwrap(),
        base.join("/services/oauth2/token").unwrap(),
        "leadline-practice",
    );
    request.scopes = vec!["api".into(), "refresh_token".into()];
    request.callback_ports = CallbackPorts::any();
    request.timeout = Duration::from_secs(30);
    let done = flow.run(&request, &CancellationToken::new()).await.unwrap();
    let t = &done.tokens;
    assert_eq!(t.instance_url.as_deref(), Some(sim.base_url.as_str()));
    assert!(t.id.as_deref().unwrap().contains("/id/00D"));
    assert!(t.issued_at.is_some());
    assert!(t.refresh_token.is_some());
    assert!(t.id_token.is_none());
    assert_eq!(done.redirect_uri.host_str(), Some("localhost"));
    assert_eq!(token_requests(&sim).await, 1);

    // The refresh grant on the same client.
    let refreshed = flow
        .refresh(
            &request.token_url,
            "leadline-practice",
            t.refresh_token.as_ref().unwrap(),
        )
        .await
        .unwrap();
    assert_ne!(refreshed.access_token.expose(), t.access_token.expose());

    // A spent or unknown refresh token comes back as the endpoint's error, both strings kept.
    let err = flow
        .refresh(
            &request.token_url,
            "leadline-practice",
            &leadline_salesforce::Secret::new("not-a-refresh-token"),
        )
        .await
        .unwrap_err();
    match err {
        AuthError::TokenEndpoint { error, description } => {
            assert_eq!(error, "invalid_grant");
            assert!(description.is_some());
        }
        other => panic!("expected TokenEndpoint, got {other:?}"),
    }
}
