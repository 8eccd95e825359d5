//! Shared by the core's tests that talk to the local Salesforce: a fake browser that walks
//! sfsim's real login and consent pages (its robot) and then visits the callback, a data directory
//! with an owner and a mock keyring, and connecting it to an in-process practice org.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::sync::{Arc, Mutex};

use keyring_core::CredentialStore;
use leadline_core::clock::{Clock, SystemClock};
use leadline_core::error::Error;
use leadline_core::ipc::{
    ConnectRequest, JobFilter, JobSummary, LoginHostKind, SalesforceConnection, VerifiedIdentity,
};
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

/// A confirmed booking of the "Product demo" calendar (URL path `demo01`), as TimeRex sends it.
pub fn booking_payload(event_id: &str, name: &str, email: &str, company: &str) -> Value {
    serde_json::json!({
        "webhook_type": "event_confirmed",
        "calendar_url_path": "demo01",
        "team_url_path": "acme",
        "calendar_url": "https://timerex.net/s/acme/demo01",
        "calendar_name": "Product demo",
        "event": {
            "id": event_id,
            "start_datetime": "2026-12-01T01:00:00+00:00",
            "end_datetime": "2026-12-01T02:00:00+00:00",
            "local_start_datetime": "2026-12-01T10:00:00+09:00",
            "local_end_datetime": "2026-12-01T11:00:00+09:00",
            "guest_timezone": "Asia/Tokyo",
            "form": [
                { "field_type": "company_name", "required": true, "label": "Company", "value": company },
                { "field_type": "guest_name", "required": true, "label": "Name", "value": name },
                { "field_type": "guest_email", "required": true, "label": "Email", "value": email },
                { "field_type": "guest_comment", "required": false, "label": "Comment", "value": "See you then" }
            ],
            "is_changed": false, "old_event_id": null
        }
    })
}

/// Every record of `object` in sfsim.
pub async fn sim_records(f: &Fixture, object: &str) -> Vec<Value> {
    sim_json(f, &format!("/__sfsim/records/{object}")).await["records"]
        .as_array()
        .unwrap()
        .clone()
}

/// Sets sfsim's daily API usage.
pub async fn set_sim_usage(f: &Fixture, used: u64) {
    let r = reqwest::Client::new()
        .post(format!("{}/__sfsim/usage", f.sim.base_url))
        .json(&serde_json::json!({ "used": used }))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
}

/// How many requests sfsim answered on routes containing `route_part`, by any status.
pub async fn sim_requests(f: &Fixture, route_part: &str) -> u64 {
    let stats = sim_json(f, "/__sfsim/stats").await;
    stats["requests"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.contains(route_part))
        .flat_map(|(_, by_status)| by_status.as_object().unwrap().values())
        .map(|n| n.as_u64().unwrap())
        .sum()
}

/// Every job of the queue (up to a thousand), newest first.
pub fn all_jobs(f: &Fixture) -> Vec<JobSummary> {
    f.app
        .jobs(
            &f.owner,
            &JobFilter {
                limit: Some(1000),
                ..JobFilter::default()
            },
        )
        .unwrap()
        .jobs
}

/// The job of the booking with this id.
pub fn job_of(f: &Fixture, event_id: &str) -> JobSummary {
    all_jobs(f)
        .into_iter()
        .find(|j| j.event_id == event_id)
        .unwrap_or_else(|| panic!("no job for {event_id}"))
}

/// A Lead field that is External ID and Unique, as an admin would make one for upserts.
pub fn booking_id_field() -> leadline_sfsim::org::CustomField {
    leadline_sfsim::org::CustomField {
        object: "Lead".into(),
        name: "Booking_Id__c".into(),
        label: "Booking Id".into(),
        kind: "string".into(),
        length: Some(64),
        required: false,
        unique: true,
        external_id: true,
        createable: true,
        updateable: true,
        picklist_values: vec![],
        restricted_picklist: false,
        precision: None,
        scale: None,
    }
}
