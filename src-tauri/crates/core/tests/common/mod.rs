//! Shared by the core's tests that talk to the local Salesforce: a fake browser that walks
//! sfsim's real login and consent pages (its robot) and then visits the callback, a data directory
//! with an owner and a mock keyring, and connecting it to an in-process practice org.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::{Arc, Mutex};

use keyring_core::CredentialStore;
use leadline_core::clock::{Clock, SystemClock};
use leadline_core::error::Error;
use leadline_core::ipc::{ConnectRequest, LoginHostKind, SalesforceConnection, VerifiedIdentity};
use leadline_core::secrets::{Keyring, SecretStore};
use leadline_core::{Actor, Leadline, Store};
use leadline_salesforce::{AuthFlow, Browser, BrowserError, CallbackPorts, CancellationToken};
use leadline_sfsim::org::{PRACTICE_PASSWORD, PRACTICE_USERNAME};
use leadline_sfsim::robot::{Consent, Robot};
use leadline_sfsim::{Options, Org, Running};
use serde_json::Value;
use url::Url;

/// What the fake browser does with the callback sfsim redirects it to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Callback {
    Visit,
    /// Visit it with another `state`, as a forged link would.
    ForgeState,
}

/// A browser that hands the authorize URL to sfsim's robot, then visits the callback.
#[derive(Debug)]
pub struct FakeBrowser {
    pub robot: Robot,
    pub callback: Callback,
    pub handle: tokio::runtime::Handle,
    pub opened: Mutex<u32>,
    pub failure: Arc<Mutex<Option<String>>>,
}

impl FakeBrowser {
    pub fn new(consent: Consent, callback: Callback) -> Arc<Self> {
        Arc::new(FakeBrowser {
            robot: Robot::new(PRACTICE_USERNAME, PRACTICE_PASSWORD, consent),
            callback,
            handle: tokio::runtime::Handle::current(),
            opened: Mutex::new(0),
            failure: Arc::default(),
        })
    }

    pub fn opened(&self) -> u32 {
        *self.opened.lock().unwrap()
    }
}

impl Browser for FakeBrowser {
    fn open(&self, url: &Url) -> Result<(), BrowserError> {
        *self.opened.lock().unwrap() += 1;
        let (robot, callback, url, failure) = (
            self.robot.clone(),
            self.callback,
            url.clone(),
            self.failure.clone(),
        );
        self.handle.spawn(async move {
            let result = async {
                let mut target = robot.walk(&url).await?;
                if callback == Callback::ForgeState {
                    let pairs: Vec<(String, String)> = target
                        .query_pairs()
                        .map(|(k, v)| {
                            let v = if k == "state" {
                                "forged".into()
                            } else {
                                v.into_owned()
                            };
                            (k.into_owned(), v)
                        })
                        .collect();
                    target.query_pairs_mut().clear().extend_pairs(pairs);
                }
                reqwest::get(target).await.map_err(|e| e.to_string())?;
                Ok::<(), String>(())
            }
            .await;
            if let Err(e) = result {
                *failure.lock().unwrap() = Some(e);
            }
        });
        Ok(())
    }
}

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub app: Leadline,
    pub secrets: Arc<dyn SecretStore>,
    pub owner: Actor,
    pub sim: Running,
}

pub async fn fixture(org: Org) -> Fixture {
    fixture_at(org, Arc::new(SystemClock)).await
}

/// A fixture whose core reads `clock`.
pub async fn fixture_at(org: Org, clock: Arc<dyn Clock>) -> Fixture {
    let sim = leadline_sfsim::start(Options {
        org,
        ..Options::practice()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let app = Leadline::with_clock(Store::open(&dir.path().join("leadline.db")).unwrap(), clock);
    let store: Arc<CredentialStore> = keyring_core::mock::Store::new().unwrap();
    let secrets: Arc<dyn SecretStore> = Arc::new(Keyring::in_store(
        store,
        "test.leadline",
        &app.team_id().unwrap(),
    ));
    let owner = app
        .sign_in(&VerifiedIdentity {
            email: "owner@acme.example".into(),
            name: "Olive Owner".into(),
        })
        .unwrap();
    Fixture {
        dir,
        app,
        secrets,
        owner,
        sim,
    }
}

pub fn practice_with(edit: impl FnOnce(&mut Org)) -> Org {
    let mut org = Org::practice();
    edit(&mut org);
    org
}

pub fn request(f: &Fixture) -> ConnectRequest {
    ConnectRequest {
        login_host: LoginHostKind::Custom,
        my_domain: None,
        login_url: Some(f.sim.base_url.clone()),
        client_id: "leadline-practice".into(),
        // Any free port: tests run in parallel, and the practice app accepts every localhost port.
        callback_port: None,
    }
}

pub async fn connect_with(
    f: &Fixture,
    browser: Arc<FakeBrowser>,
    actor: &Actor,
    secrets: Arc<dyn SecretStore>,
) -> Result<SalesforceConnection, Error> {
    let flow = AuthFlow::new(browser.clone()).unwrap();
    let result = f
        .app
        .connect_salesforce_on(
            actor,
            &flow,
            &request(f),
            CallbackPorts::any(),
            &CancellationToken::new(),
            secrets,
        )
        .await;
    if let Some(e) = browser.failure.lock().unwrap().as_ref() {
        panic!("the fake browser failed: {e}");
    }
    result
}

pub async fn connect(f: &Fixture, consent: Consent) -> Result<SalesforceConnection, Error> {
    connect_with(
        f,
        FakeBrowser::new(consent, Callback::Visit),
        &f.owner,
        f.secrets.clone(),
    )
    .await
}

pub async fn sim_json(f: &Fixture, path: &str) -> Value {
    reqwest::get(format!("{}{path}", f.sim.base_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
