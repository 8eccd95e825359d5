//! The REST client against the local Salesforce (`leadline-sfsim`): every call round-trips,
//! Salesforce's refusals come back as typed error codes, `Sforce-Limit-Info` is tracked, and
//! the session is renewed once however many calls find it expired — with rotated refresh
//! tokens stored before use, and refusals that need a new connection reported as such.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use leadline_salesforce::rest::{
    self, API_VERSION, ApiErrorCode, OrgEndpoint, RestClient, RestError, TokenStore, WriteOptions,
    soql_quote,
};
use leadline_salesforce::{AuthFlow, Secret};
use leadline_sfsim::org::{
    CustomField, DuplicateAction, DuplicateRule, Edition, Fault, PRACTICE_CLIENT_ID,
    PRACTICE_USERNAME, RefreshTokenPolicy, ValidationRule,
};
use leadline_sfsim::{Options, Org, Running};
use serde_json::{Map, Value, json};
use url::Url;

// ------------------------------------------------------------------------------- harness

/// What the client handed to the store, in order.
#[derive(Debug, Default)]
struct RecordingStore {
    saved: Mutex<Vec<(&'static str, String)>>,
    fail: bool,
}

impl RecordingStore {
    fn failing() -> Arc<Self> {
        Arc::new(RecordingStore {
            fail: true,
            ..RecordingStore::default()
        })
    }

    fn saved(&self) -> Vec<(&'static str, String)> {
        self.saved.lock().unwrap().clone()
    }

    fn kinds(&self) -> Vec<&'static str> {
        self.saved().into_iter().map(|(k, _)| k).collect()
    }
}

impl TokenStore for RecordingStore {
    fn save_refresh_token(&self, token: &Secret) -> Result<(), String> {
        if self.fail {
            return Err("the keychain is locked".into());
        }
        self.saved
            .lock()
            .unwrap()
            .push(("refresh", token.expose().to_string()));
        Ok(())
    }

    fn save_access_token(&self, token: &Secret) -> Result<(), String> {
        if self.fail {
            return Err("the keychain is locked".into());
        }
        self.saved
            .lock()
            .unwrap()
            .push(("access", token.expose().to_string()));
        Ok(())
    }
}

struct Sim {
    running: Running,
    base: Url,
    http: reqwest::Client,
}

impl Sim {
    async fn start(org: Org) -> Sim {
        let running = leadline_sfsim::start(Options {
            org,
            ..Options::practice()
        })
        .await
        .unwrap();
        let base = Url::parse(&running.base_url).unwrap();
        Sim {
            running,
            base,
            http: reqwest::Client::new(),
        }
    }

    async fn practice() -> Sim {
        Sim::start(Org::practice()).await
    }

    /// A fresh access and refresh token of the org's first user for the practice app.
    fn mint(&self) -> (String, String) {
        let username = self.running.sim.org().users[0].username.clone();
        let (access, refresh) = self.running.sim.mint_tokens(
            &username,
            PRACTICE_CLIENT_ID,
            &["api".into(), "refresh_token".into()],
            true,
        );
        (access, refresh.unwrap())
    }

    fn endpoint(&self) -> OrgEndpoint {
        OrgEndpoint {
            instance_url: self.base.clone(),
            api_version: API_VERSION.into(),
            token_url: self.base.join("/services/oauth2/token").unwrap(),
            client_id: PRACTICE_CLIENT_ID.into(),
        }
    }

    fn client_with(
        &self,
        access: &str,
        refresh: Option<&str>,
        store: Arc<RecordingStore>,
    ) -> RestClient {
        RestClient::new(
            self.http.clone(),
            self.endpoint(),
            Secret::new(access),
            refresh.map(Secret::new),
            store,
        )
    }

    /// A client with a fresh session, and its store.
    fn client(&self) -> (RestClient, Arc<RecordingStore>) {
        let (access, refresh) = self.mint();
        let store = Arc::new(RecordingStore::default());
        (
            self.client_with(&access, Some(&refresh), store.clone()),
            store,
        )
    }

    async fn inspect(&self, what: &str) -> Value {
        reqwest::get(format!("{}/__sfsim/{what}", self.running.base_url))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn refreshes(&self) -> u64 {
        self.inspect("stats").await["refreshes"].as_u64().unwrap()
    }

    async fn set_usage(&self, used: u64) {
        let r = self
            .http
            .post(format!("{}/__sfsim/usage", self.running.base_url))
            .json(&json!({ "used": used }))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }

    /// The revoked state of a token, from sfsim's token list.
    async fn revoked(&self, token: &str) -> bool {
        let all = self.inspect("tokens").await;
        all["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["value"] == token)
            .map(|t| t["revoked"].as_bool().unwrap())
            .unwrap()
    }
}

fn fields(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

fn lead(last: &str, company: &str) -> Map<String, Value> {
    fields(json!({ "LastName": last, "Company": company }))
}

#[track_caller]
fn api_error(
    result: Result<impl std::fmt::Debug, RestError>,
    status: u16,
    code: ApiErrorCode,
) -> RestError {
    let err = result.unwrap_err();
    assert_eq!(err.status(), Some(status), "{err:?}");
    assert_eq!(err.first_code(), Some(&code), "{err:?}");
    err
}

/// The practice org plus an external-id field for upserts.
fn org_with_booking_key() -> Org {
    let mut org = Org::practice();
    org.custom_fields.push(CustomField {
        object: "Lead".into(),
        name: "Booking_Id__c".into(),
        label: "Booking ID".into(),
        kind: "string".into(),
        length: Some(64),
        required: false,
        unique: true,
        external_id: true,
        createable: true,
        updateable: true,
        picklist_values: Vec::new(),
        restricted_picklist: false,
        precision: None,
        scale: None,
    });
    org
}

// ------------------------------------------------------------------------------ round trips

#[tokio::test]
async fn versions_are_listed_without_a_session_and_ours_is_picked() {
    let sim = Sim::practice().await;
    let versions = rest::versions(&sim.http, &sim.base).await.unwrap();
    assert!(versions.iter().any(|v| v.version == API_VERSION));
    assert!(
        versions
            .iter()
            .all(|v| v.url.starts_with("/services/data/v"))
    );
    assert_eq!(rest::pick_version(&versions).as_deref(), Some(API_VERSION));
}

#[tokio::test]
async fn read_calls_round_trip() {
    let sim = Sim::practice().await;
    let (client, _) = sim.client();

    let resources = client.resources().await.unwrap();
    assert!(resources.contains_key("sobjects"), "{resources:?}");

    let lead = client.describe("Lead").await.unwrap();
    assert_eq!(lead.name, "Lead");
    assert_eq!(lead.key_prefix.as_deref(), Some("00Q"));
    assert!(lead.createable);
    let required: Vec<&str> = lead
        .fields
        .iter()
        .filter(|f| f.required_on_create())
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(required, ["LastName", "Company"]);
    let status = lead.field("Status").unwrap();
    assert!(!status.required_on_create());
    assert!(!status.nillable && status.defaulted_on_create);
    assert!(status.restricted_picklist);
    assert_eq!(status.field_type, "picklist");
    assert_eq!(status.picklist_values.len(), 4);
    assert!(status.picklist_values[0].default_value);
    assert_eq!(status.picklist_values[0].value, "Open - Not Contacted");
    assert_eq!(lead.field("LastName").unwrap().length, 80);
    let owner = lead.field("OwnerId").unwrap();
    assert_eq!(owner.reference_to, ["Group", "User"]);
    assert_eq!(owner.relationship_name.as_deref(), Some("Owner"));
    // Serialises back to the wire's camelCase.
    let back = serde_json::to_value(status).unwrap();
    assert_eq!(back["defaultedOnCreate"], true);
    assert_eq!(back["type"], "picklist");

    let global = client.describe_global().await.unwrap();
    let find = |n: &str| global.iter().find(|o| o.name == n).unwrap();
    assert!(find("Lead").createable);
    assert!(!find("Organization").createable);
    assert_eq!(find("Contact").key_prefix.as_deref(), Some("003"));

    let org = sim.running.sim.org().clone();
    let id_url = format!(
        "{}/id/{}/{}",
        sim.base.as_str().trim_end_matches('/'),
        org.org.id,
        org.users[0].id()
    );
    let me = client.identity(&id_url).await.unwrap();
    assert_eq!(me.username, PRACTICE_USERNAME);
    assert_eq!(me.organization_id, org.org.id);
    assert_eq!(me.user_id, org.users[0].id());
    assert_eq!(me.display_name, "Pat Practice");
    assert_eq!(me.email, PRACTICE_USERNAME);

    let limits = client.limits().await.unwrap();
    assert!(
        limits["DailyApiRequests"]["Max"].as_u64().unwrap() > 0,
        "{limits:?}"
    );

    assert_eq!(
        client.organization_name().await.unwrap().as_deref(),
        Some(org.org.name.as_str())
    );
    assert_eq!(client.endpoint().api_version, API_VERSION);
}

#[tokio::test]
async fn writes_and_queries_round_trip() {
    let sim = Sim::start(org_with_booking_key()).await;
    let (client, _) = sim.client();
    let opts = WriteOptions::default();

    let one = client
        .create("Lead", &lead("O'Brien", "Back\\slash Ltd"), &opts)
        .await
        .unwrap();
    assert!(one.success && one.errors.is_empty());
    let id = one.id.clone().unwrap();
    assert!(id.starts_with("00Q") && id.len() == 18);

    // Collections: per-record results in request order, the bad one typed.
    let many = client
        .create_many(
            "Lead",
            &[
                lead("A", "Acme"),
                fields(json!({ "LastName": "B" })),
                lead("C", "Acme"),
            ],
            &opts,
        )
        .await
        .unwrap();
    assert_eq!(many.len(), 3);
    assert!(many[0].success && many[2].success);
    assert!(!many[1].success && many[1].id.is_none());
    assert_eq!(many[1].errors[0].code, ApiErrorCode::RequiredFieldMissing);
    assert_eq!(many[1].errors[0].fields, ["Company"]);
    assert!(
        client
            .create_many("Lead", &[], &opts)
            .await
            .unwrap()
            .is_empty()
    );
    let too_many = vec![lead("X", "Y"); 201];
    assert!(matches!(
        client.create_many("Lead", &too_many, &opts).await,
        Err(RestError::TooManyRecords(201))
    ));

    // Upsert by external id: created, then updated in place.
    let mut booking = lead("Upserted", "Acme");
    booking.insert("Booking_Id__c".into(), json!("bk/1 é"));
    let first = client
        .upsert("Lead", "Booking_Id__c", "bk/1 é", &booking, &opts)
        .await
        .unwrap();
    assert_eq!(first.created, Some(true));
    booking.insert("Company".into(), json!("Acme Two"));
    let second = client
        .upsert("Lead", "Booking_Id__c", "bk/1 é", &booking, &opts)
        .await
        .unwrap();
    assert_eq!(second.created, Some(false));
    assert_eq!(second.id, first.id);

    let batch: Vec<_> = ["bk-2", "bk-3"]
        .iter()
        .map(|k| {
            let mut r = lead(k, "Batch");
            r.insert("Booking_Id__c".into(), json!(k));
            r
        })
        .collect();
    let created = client
        .upsert_many("Lead", "Booking_Id__c", &batch, &opts)
        .await
        .unwrap();
    assert!(created.iter().all(|r| r.success && r.created == Some(true)));
    let again = client
        .upsert_many("Lead", "Booking_Id__c", &batch, &opts)
        .await
        .unwrap();
    assert!(again.iter().all(|r| r.success && r.created == Some(false)));
    assert_eq!(again[0].id, created[0].id);

    // Quoting keeps quotes and backslashes inside the literal.
    let q = format!(
        "SELECT Id, Company FROM Lead WHERE LastName = {} AND Company = {}",
        soql_quote("O'Brien"),
        soql_quote("Back\\slash Ltd")
    );
    let found = client.query(&q).await.unwrap();
    assert_eq!(found.total_size, 1);
    assert_eq!(found.records[0]["Id"], json!(id));
    let updated = client
        .query(&format!(
            "SELECT Company FROM Lead WHERE Booking_Id__c = {}",
            soql_quote("bk/1 é")
        ))
        .await
        .unwrap();
    assert_eq!(updated.records[0]["Company"], "Acme Two");
}

#[tokio::test]
async fn query_follows_next_records_url_to_the_end() {
    let sim = Sim::practice().await;
    let (client, _) = sim.client();
    let opts = WriteOptions::default();
    let batch: Vec<_> = (0..200).map(|i| lead(&format!("L{i}"), "Paged")).collect();
    for _ in 0..11 {
        let saved = client.create_many("Lead", &batch, &opts).await.unwrap();
        assert!(saved.iter().all(|r| r.success));
    }
    let all = client
        .query("SELECT Id FROM Lead WHERE Company = 'Paged'")
        .await
        .unwrap();
    assert_eq!(all.total_size, 2200);
    assert_eq!(all.records.len(), 2200);
}

#[tokio::test]
async fn write_options_become_headers() {
    let mut org = Org::practice();
    org.assignment_rules
        .push(leadline_sfsim::org::AssignmentRule {
            object: "Lead".into(),
            id: "01Q000000000001AAA".into(),
            owner_id: "005000000000099AAA".into(),
        });
    org.duplicate_rules.push(DuplicateRule {
        object: "Lead".into(),
        name: "Email alert".into(),
        match_on: vec!["Email".into()],
        action: DuplicateAction::Alert,
    });
    let sim = Sim::start(org).await;
    let (client, _) = sim.client();
    let me = sim.running.sim.org().users[0].id().to_string();

    let keep_owner = WriteOptions {
        auto_assign: Some(false),
        ..WriteOptions::default()
    };
    let id = client
        .create("Lead", &lead("Kept", "Acme"), &keep_owner)
        .await
        .unwrap()
        .id
        .unwrap();
    let q = format!("SELECT OwnerId FROM Lead WHERE Id = {}", soql_quote(&id));
    assert_eq!(
        client.query(&q).await.unwrap().records[0]["OwnerId"],
        json!(me)
    );

    let mut with_email = lead("Dup", "Acme");
    with_email.insert("Email".into(), json!("dup@example.com"));
    client
        .create("Lead", &with_email, &WriteOptions::default())
        .await
        .unwrap();
    let err = api_error(
        client
            .create("Lead", &with_email, &WriteOptions::default())
            .await,
        400,
        ApiErrorCode::DuplicatesDetected,
    );
    let RestError::Api { errors, .. } = err else {
        unreachable!()
    };
    assert_eq!(errors[0].duplicate_ids.len(), 1);
    let allow = WriteOptions {
        allow_save_on_duplicate_alert: true,
        ..WriteOptions::default()
    };
    assert!(
        client
            .create("Lead", &with_email, &allow)
            .await
            .unwrap()
            .success
    );
}

// ------------------------------------------------------------------------------ errors

#[tokio::test]
async fn record_errors_come_back_typed() {
    let mut org = org_with_booking_key();
    org.duplicate_rules.push(DuplicateRule {
        object: "Lead".into(),
        name: "Email block".into(),
        match_on: vec!["Email".into()],
        action: DuplicateAction::Block,
    });
    org.validation_rules.push(ValidationRule::Regex {
        object: "Lead".into(),
        name: "Phone digits".into(),
        field: "Phone".into(),
        pattern: "[0-9-]+".into(),
        message: "Phone must be digits".into(),
    });
    let sim = Sim::start(org).await;
    let (client, _) = sim.client();
    let opts = WriteOptions::default();
    let create = |extra: Value| {
        let mut f = lead("Doe", "Acme");
        f.extend(fields(extra));
        let client = client.clone();
        async move { client.create("Lead", &f, &WriteOptions::default()).await }
    };

    let err = api_error(
        client.create("Lead", &Map::new(), &opts).await,
        400,
        ApiErrorCode::RequiredFieldMissing,
    );
    let RestError::Api { errors, .. } = &err else {
        unreachable!()
    };
    assert_eq!(errors[0].fields, ["LastName", "Company"]);
    assert!(err.to_string().contains("REQUIRED_FIELD_MISSING"), "{err}");

    api_error(
        create(json!({ "Foo__c": 1 })).await,
        400,
        ApiErrorCode::InvalidField,
    );
    api_error(
        create(json!({ "LastName": "x".repeat(81) })).await,
        400,
        ApiErrorCode::StringTooLong,
    );
    api_error(
        create(json!({ "Email": "not-an-address" })).await,
        400,
        ApiErrorCode::InvalidEmailAddress,
    );
    api_error(
        create(json!({ "Status": "Bogus" })).await,
        400,
        ApiErrorCode::InvalidOrNullForRestrictedPicklist,
    );
    api_error(
        create(json!({ "Id": "00Q000000000001AAA" })).await,
        400,
        ApiErrorCode::InvalidFieldForInsertUpdate,
    );
    api_error(
        create(json!({ "Phone": "call me" })).await,
        400,
        ApiErrorCode::FieldCustomValidationException,
    );

    create(json!({ "Booking_Id__c": "k1", "Email": "a@example.com" }))
        .await
        .unwrap();
    api_error(
        create(json!({ "Booking_Id__c": "k1" })).await,
        400,
        ApiErrorCode::DuplicateValue,
    );
    let dup = api_error(
        create(json!({ "Email": "A@example.com" })).await,
        400,
        ApiErrorCode::DuplicatesDetected,
    );
    let RestError::Api { errors, .. } = dup else {
        unreachable!()
    };
    assert_eq!(errors[0].duplicate_ids.len(), 1);
    assert!(errors[0].duplicate_ids[0].starts_with("00Q"));
    // The block rule is not passed by allowSave.
    let allow = WriteOptions {
        allow_save_on_duplicate_alert: true,
        ..WriteOptions::default()
    };
    let mut again = lead("Doe", "Acme");
    again.insert("Email".into(), json!("a@example.com"));
    api_error(
        client.create("Lead", &again, &allow).await,
        400,
        ApiErrorCode::DuplicatesDetected,
    );

    api_error(
        client.describe("Nope__c").await,
        404,
        ApiErrorCode::NotFound,
    );
    api_error(
        client.query("SELEC Id FROM Lead").await,
        400,
        ApiErrorCode::MalformedQuery,
    );
}

#[tokio::test]
async fn org_and_user_refusals_come_back_typed() {
    let mut org = Org::practice();
    org.org.edition = Edition::Professional;
    let sim = Sim::start(org).await;
    let (client, _) = sim.client();
    api_error(client.limits().await, 403, ApiErrorCode::ApiDisabledForOrg);

    let mut org = Org::practice();
    org.users[0].api_enabled = false;
    let sim = Sim::start(org).await;
    let (client, _) = sim.client();
    api_error(
        client.limits().await,
        403,
        ApiErrorCode::ApiCurrentlyDisabled,
    );

    let mut org = Org::practice();
    org.org.daily_api_limit = 100;
    let sim = Sim::start(org).await;
    let (client, _) = sim.client();
    sim.set_usage(100).await;
    api_error(
        client.limits().await,
        403,
        ApiErrorCode::RequestLimitExceeded,
    );
}

#[tokio::test]
async fn scripted_faults_come_back_typed_and_a_dropped_write_is_outcome_unknown() {
    let mut org = Org::practice();
    org.faults = vec![
        Fault {
            endpoint: "/limits".into(),
            unavailable: 1.0,
            unable_to_lock_row: 0.0,
            drop_after_commit: 0.0,
        },
        Fault {
            endpoint: "/sobjects/Contact".into(),
            unavailable: 0.0,
            unable_to_lock_row: 1.0,
            drop_after_commit: 0.0,
        },
        Fault {
            endpoint: "/sobjects/Lead".into(),
            unavailable: 0.0,
            unable_to_lock_row: 0.0,
            drop_after_commit: 1.0,
        },
    ];
    let sim = Sim::start(org).await;
    let (client, _) = sim.client();
    api_error(client.limits().await, 503, ApiErrorCode::ServerUnavailable);
    api_error(
        client
            .create(
                "Contact",
                &fields(json!({ "LastName": "Locked" })),
                &WriteOptions::default(),
            )
            .await,
        400,
        ApiErrorCode::UnableToLockRow,
    );
    let err = client
        .create("Lead", &lead("Dropped", "Acme"), &WriteOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            RestError::Transport {
                outcome_unknown: true,
                ..
            }
        ),
        "{err:?}"
    );
    // It was committed: exactly the case outcome_unknown warns of.
    let stored = sim.inspect("records/Lead").await;
    assert_eq!(stored["totalSize"], 1);
}

#[tokio::test]
async fn limit_info_is_tracked_on_every_call() {
    let sim = Sim::practice().await;
    let (client, _) = sim.client();
    assert_eq!(client.last_usage(), None);
    sim.set_usage(1000).await;
    client.limits().await.unwrap();
    let usage = client.last_usage().unwrap();
    assert_eq!((usage.used, usage.limit), (1001, 15_000));
    sim.set_usage(7000).await;
    client.describe("Lead").await.unwrap();
    assert_eq!(client.last_usage().unwrap().used, 7001);
    // Error answers carry it too.
    sim.set_usage(42).await;
    client.describe("Nope__c").await.unwrap_err();
    assert_eq!(client.last_usage().unwrap().used, 43);
}

// ---------------------------------------------------------------------------- sessions

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_calls_after_the_access_token_is_revoked_share_one_refresh() {
    let sim = Sim::practice().await;
    let (access, refresh) = sim.mint();
    let store = Arc::new(RecordingStore::default());
    let client = sim.client_with(&access, Some(&refresh), store.clone());
    client.limits().await.unwrap();
    rest::revoke(&sim.http, &sim.base, &Secret::new(&access))
        .await
        .unwrap();
    assert!(sim.revoked(&access).await);

    let mut calls = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let client = client.clone();
        calls.spawn(async move { client.limits().await });
    }
    while let Some(done) = calls.join_next().await {
        done.unwrap().unwrap();
    }
    assert_eq!(sim.refreshes().await, 1);
    assert_eq!(store.kinds(), ["access"]);
    // The refresh token was kept: no rotation here.
    assert!(!sim.revoked(&refresh).await);

    // A forced renewal is one more grant.
    client.refresh_now().await.unwrap();
    assert_eq!(sim.refreshes().await, 2);
    client.limits().await.unwrap();
}

#[tokio::test]
async fn a_rotated_refresh_token_is_stored_before_the_new_access_token_is_used() {
    let mut org = Org::practice();
    org.connected_apps[0].refresh_token_policy = RefreshTokenPolicy::Rotate;
    let sim = Sim::start(org).await;
    let (access, old_refresh) = sim.mint();
    let store = Arc::new(RecordingStore::default());
    let client = sim.client_with(&access, Some(&old_refresh), store.clone());
    rest::revoke(&sim.http, &sim.base, &Secret::new(&access))
        .await
        .unwrap();

    client.describe("Lead").await.unwrap();
    let saved = store.saved();
    assert_eq!(store.kinds(), ["refresh", "access"]);
    let new_refresh = saved[0].1.clone();
    assert_ne!(new_refresh, old_refresh);
    assert!(
        sim.revoked(&old_refresh).await,
        "the old refresh token is dead"
    );
    assert!(!sim.revoked(&new_refresh).await);

    // The old one is refused; the new one (as the client now holds it) works.
    let flow = AuthFlow::with_http_client(
        sim.http.clone(),
        Arc::new(leadline_salesforce::SystemBrowser::default()),
    );
    let endpoint = sim.endpoint();
    assert!(
        flow.refresh(
            &endpoint.token_url,
            PRACTICE_CLIENT_ID,
            &Secret::new(&old_refresh)
        )
        .await
        .is_err()
    );
    client.refresh_now().await.unwrap();
    assert_eq!(store.kinds(), ["refresh", "access", "refresh", "access"]);
    assert!(sim.revoked(&new_refresh).await, "rotated again");
    client.limits().await.unwrap();
}

#[tokio::test]
async fn a_refused_refresh_requires_reconnecting() {
    // The refresh token was revoked: later calls cannot renew the session.
    let sim = Sim::practice().await;
    let (access, refresh) = sim.mint();
    let store = Arc::new(RecordingStore::default());
    let client = sim.client_with(&access, Some(&refresh), store.clone());
    client.limits().await.unwrap();
    rest::revoke(&sim.http, &sim.base, &Secret::new(&refresh))
        .await
        .unwrap();
    let err = client.limits().await.unwrap_err();
    assert_reconnect(&err, "expired access/refresh token");
    assert!(store.kinds().is_empty());
    // Revoking it again is refused as Salesforce refuses it.
    let again = rest::revoke(&sim.http, &sim.base, &Secret::new(&refresh))
        .await
        .unwrap_err();
    assert!(
        matches!(&again, RestError::Revoke { error, .. } if error == "invalid_token"),
        "{again:?}"
    );

    // The app's policy expires refresh tokens immediately.
    let mut org = Org::practice();
    org.connected_apps[0].refresh_token_policy = RefreshTokenPolicy::ExpireImmediately;
    let sim = Sim::start(org).await;
    let (client, _) = sim.client();
    let err = client.refresh_now().await.unwrap_err();
    assert_reconnect(&err, "expired access/refresh token");

    // The app enforces IP restrictions that refuse this address.
    let mut org = Org::practice();
    org.connected_apps[0].ip_restricted = true;
    let sim = Sim::start(org).await;
    let (access, refresh) = sim.mint();
    let client = sim.client_with(&access, Some(&refresh), Arc::default());
    rest::revoke(&sim.http, &sim.base, &Secret::new(&access))
        .await
        .unwrap();
    let err = client.limits().await.unwrap_err();
    assert_reconnect(&err, "ip restricted");
    // The refusal is remembered: no second grant for the same dead session.
    let before = sim.inspect("stats").await["token_requests"]["refresh_token"].clone();
    client.limits().await.unwrap_err();
    assert_eq!(
        sim.inspect("stats").await["token_requests"]["refresh_token"],
        before
    );

    // No refresh token at all.
    let sim = Sim::practice().await;
    let (access, _) = sim.mint();
    let client = sim.client_with(&access, None, Arc::default());
    rest::revoke(&sim.http, &sim.base, &Secret::new(&access))
        .await
        .unwrap();
    let err = client.limits().await.unwrap_err();
    assert!(
        matches!(err, RestError::ReconnectRequired { .. }),
        "{err:?}"
    );
    assert_eq!(sim.refreshes().await, 0);
}

#[track_caller]
fn assert_reconnect(err: &RestError, description: &str) {
    match err {
        RestError::ReconnectRequired {
            error,
            description: d,
        } => {
            assert_eq!(error, "invalid_grant");
            assert_eq!(d.as_deref(), Some(description));
        }
        other => panic!("expected ReconnectRequired, got {other:?}"),
    }
}

#[tokio::test]
async fn a_failing_token_store_aborts_the_refresh_and_keeps_the_old_session() {
    let sim = Sim::practice().await;
    let (access, refresh) = sim.mint();
    let client = sim.client_with(&access, Some(&refresh), RecordingStore::failing());
    rest::revoke(&sim.http, &sim.base, &Secret::new(&access))
        .await
        .unwrap();
    let err = client.limits().await.unwrap_err();
    assert!(
        matches!(&err, RestError::TokenStore(m) if m.contains("keychain")),
        "{err:?}"
    );
}

#[tokio::test]
async fn no_token_shows_in_debug_or_errors() {
    let sim = Sim::practice().await;
    let (access, refresh) = sim.mint();
    let client = sim.client_with(&access, Some(&refresh), Arc::default());
    let shown = format!("{client:?}");
    assert!(
        !shown.contains(&access) && !shown.contains(&refresh),
        "{shown}"
    );
    rest::revoke(&sim.http, &sim.base, &Secret::new(&refresh))
        .await
        .unwrap();
    let err = client.limits().await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains(&access) && !text.contains(&refresh),
        "{text}"
    );
}
