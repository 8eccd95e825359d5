//! Protocol tests of the REST API against the in-process simulator: every resource, the
//! statuses and bodies Salesforce answers with (successes and each error), the field rules
//! describe promises, and the org's rules (validation, duplicate, assignment), editions, users,
//! limits and faults, configured through a TOML org file.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{TestSim, V};
use leadline_sfsim::Org;
use leadline_sfsim::ids::{checksum, id18};
use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

/// A response: its status, its headers and its JSON body (`Null` when empty).
type Reply = (StatusCode, HeaderMap, Value);

async fn send(rb: RequestBuilder) -> Reply {
    let resp = rb.send().await.expect("the request is answered");
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    };
    (status, headers, body)
}

/// Asserts a Salesforce error array with one error of `code`, returning that error.
#[track_caller]
fn error((status, _, body): &Reply, want_status: StatusCode, code: &str) -> Value {
    assert_eq!(*status, want_status, "{body}");
    let items = body
        .as_array()
        .unwrap_or_else(|| panic!("an error array, got {body}"));
    assert_eq!(items[0]["errorCode"], code, "{body}");
    items[0].clone()
}

/// GET, DELETE and PATCH of the record at `path` each answer a 404 error of `code`; the GET's
/// error.
async fn not_found_for_every_method(sim: &TestSim, path: &str, code: &str) -> Value {
    let e = error(&send(sim.get(path)).await, StatusCode::NOT_FOUND, code);
    error(&send(sim.delete(path)).await, StatusCode::NOT_FOUND, code);
    let patch = sim.patch(path).json(&json!({"Title": "x"}));
    error(&send(patch).await, StatusCode::NOT_FOUND, code);
    e
}

fn valid_id(id: &str, prefix: &str) {
    assert_eq!(id.len(), 18, "{id}");
    assert!(id.starts_with(prefix), "{id}");
    assert_eq!(
        &checksum(&id.as_bytes()[..15]),
        &id.as_bytes()[15..],
        "{id}"
    );
}

async fn post_lead(sim: &TestSim, body: Value) -> Reply {
    send(sim.post(&format!("{V}/sobjects/Lead")).json(&body)).await
}

/// Creates a record through the API, asserting the 201; its id.
async fn create(sim: &TestSim, object: &str, body: Value) -> String {
    let (status, _, out) = send(sim.post(&format!("{V}/sobjects/{object}")).json(&body)).await;
    assert_eq!(status, StatusCode::CREATED, "{out}");
    out["id"].as_str().unwrap().to_string()
}

async fn create_lead(sim: &TestSim, body: Value) -> String {
    create(sim, "Lead", body).await
}

// ---------------------------------------------------------------- versions, resources, limits

#[tokio::test]
async fn versions_need_no_session_and_name_each_release() {
    let sim = TestSim::practice().await;
    let (status, headers, body) = send(sim.http.get(sim.url("/services/data"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json;charset=UTF-8");
    let list = body.as_array().unwrap();
    assert_eq!(list.len(), 36);
    assert_eq!(
        list[0],
        json!({"label": "Summer '14", "url": "/services/data/v31.0", "version": "31.0"})
    );
    assert!(list.contains(
        &json!({"label": "Spring '26", "url": "/services/data/v66.0", "version": "66.0"})
    ));
    assert!(list.contains(
        &json!({"label": "Winter '26", "url": "/services/data/v65.0", "version": "65.0"})
    ));
    // The trailing slash form Salesforce documents.
    let (status, _, again) = send(sim.http.get(sim.url("/services/data/"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again, body);
}

#[tokio::test]
async fn resource_map_needs_a_session_and_points_at_this_version() {
    let sim = TestSim::practice().await;
    let e = error(
        &send(sim.http.get(sim.url(V))).await,
        StatusCode::UNAUTHORIZED,
        "INVALID_SESSION_ID",
    );
    assert_eq!(e["message"], "Session expired or invalid");
    let (status, _, body) = send(sim.get(V)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["sobjects"], "/services/data/v59.0/sobjects");
    assert_eq!(body["query"], "/services/data/v59.0/query");
    assert_eq!(body["limits"], "/services/data/v59.0/limits");
    let identity = body["identity"].as_str().unwrap();
    assert!(
        identity.starts_with(&format!("{}/id/00D", sim.running.base_url)),
        "{identity}"
    );
}

#[tokio::test]
async fn unknown_versions_and_resources_are_salesforce_404s() {
    let sim = TestSim::practice().await;
    for path in [
        "/services/data/v30.0/sobjects",
        "/services/data/v67.0/sobjects",
        "/services/data/v59/sobjects",
        "/services/data/v59.0/nonsense",
        "/services/data/v59.0/sobjects/Nope__c/describe",
        "/services/data/v59.0/sobjects/Nope__c",
    ] {
        let reply = send(sim.get(path)).await;
        let e = error(&reply, StatusCode::NOT_FOUND, "NOT_FOUND");
        let (_, headers, _) = reply;
        assert_eq!(
            e["message"], "The requested resource does not exist",
            "{path}"
        );
        assert_eq!(
            headers["content-type"], "application/json;charset=UTF-8",
            "{path}"
        );
    }
    // Collections arrived in v42.0: an older version has no such resource.
    error(
        &send(
            sim.post("/services/data/v41.0/composite/sobjects")
                .json(&json!({"records": []})),
        )
        .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );
}

#[tokio::test]
async fn limits_count_requests_and_every_response_says_so() {
    let sim = TestSim::practice().await;
    let (status, headers, first) = send(sim.get(&format!("{V}/limits"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(first["DailyApiRequests"]["Max"], 15000);
    let remaining = first["DailyApiRequests"]["Remaining"].as_u64().unwrap();
    assert_eq!(remaining, 15000 - 1);
    assert_eq!(headers["sforce-limit-info"], "api-usage=1/15000");
    assert!(first["DataStorageMB"]["Max"].is_u64());
    let (_, headers, second) = send(sim.get(&format!("{V}/limits/"))).await;
    assert_eq!(second["DailyApiRequests"]["Remaining"], remaining - 1);
    assert_eq!(headers["sforce-limit-info"], "api-usage=2/15000");
    // Errors carry it too.
    let (_, headers, _) = send(sim.get(&format!("{V}/sobjects/Nope"))).await;
    assert_eq!(headers["sforce-limit-info"], "api-usage=3/15000");
}

#[tokio::test]
async fn wrong_methods_get_salesforce_405() {
    let sim = TestSim::practice().await;
    let id = create_lead(&sim, json!({"LastName": "M", "Company": "C"})).await;
    let e = error(
        &send(
            sim.req(Method::PUT, &format!("{V}/sobjects/Lead/{id}"))
                .json(&json!({})),
        )
        .await,
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
    );
    assert_eq!(
        e["message"],
        "HTTP Method 'PUT' not allowed. Allowed are GET,HEAD,PATCH,DELETE"
    );
    error(
        &send(
            sim.post(&format!("{V}/sobjects/Lead/{id}"))
                .json(&json!({})),
        )
        .await,
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
    );
    let e = error(
        &send(sim.patch(&format!("{V}/sobjects/Lead/Id")).json(&json!({}))).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
    );
    assert_eq!(
        e["message"],
        "HTTP Method 'PATCH' not allowed. Allowed are GET,HEAD,POST"
    );
}

// ---------------------------------------------------------------------------------- describe

#[tokio::test]
async fn global_describe_lists_the_objects() {
    let sim = TestSim::practice().await;
    let (status, _, body) = send(sim.get(&format!("{V}/sobjects"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["encoding"], "UTF-8");
    assert_eq!(body["maxBatchSize"], 200);
    let objects = body["sobjects"].as_array().unwrap();
    let find = |n: &str| {
        objects
            .iter()
            .find(|o| o["name"] == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    assert_eq!(find("Lead")["keyPrefix"], "00Q");
    assert_eq!(find("Contact")["keyPrefix"], "003");
    assert_eq!(find("Event")["keyPrefix"], "00U");
    assert_eq!(find("User")["keyPrefix"], "005");
    assert_eq!(find("User")["createable"], false);
    assert_eq!(
        find("Lead")["urls"]["describe"],
        "/services/data/v59.0/sobjects/Lead/describe"
    );
    assert_eq!(find("Lead")["labelPlural"], "Leads");
}

#[tokio::test]
async fn lead_describe_carries_salesforce_flags() {
    let sim = TestSim::practice().await;
    let (status, _, d) = send(sim.get("/services/data/v64.0/sobjects/lead/describe/")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(d["name"], "Lead");
    assert_eq!(d["keyPrefix"], "00Q");
    assert_eq!(d["urls"]["sobject"], "/services/data/v64.0/sobjects/Lead");
    let fields = d["fields"].as_array().unwrap();
    let f = |n: &str| {
        fields
            .iter()
            .find(|f| f["name"] == n)
            .unwrap_or_else(|| panic!("{n}"))
            .clone()
    };
    let required: Vec<&str> = fields
        .iter()
        .filter(|f| {
            f["createable"] == true && f["nillable"] == false && f["defaultedOnCreate"] == false
        })
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(required, ["LastName", "Company"]);
    let last = f("LastName");
    assert_eq!(
        (last["length"].clone(), last["byteLength"].clone()),
        (json!(80), json!(240))
    );
    assert_eq!(last["type"], "string");
    assert_eq!(last["soapType"], "xsd:string");
    assert_eq!(f("Company")["length"], 255);
    let status = f("Status");
    assert_eq!(status["type"], "picklist");
    assert_eq!(status["nillable"], false);
    assert_eq!(status["defaultedOnCreate"], true);
    assert_eq!(status["defaultValue"], "Open - Not Contacted");
    assert_eq!(status["restrictedPicklist"], true);
    let values: Vec<&str> = status["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        values,
        [
            "Open - Not Contacted",
            "Working - Contacted",
            "Closed - Converted",
            "Closed - Not Converted"
        ]
    );
    assert_eq!(
        status["picklistValues"][0],
        json!({"active": true, "defaultValue": true, "label": "Open - Not Contacted", "validFor": null, "value": "Open - Not Contacted"})
    );
    assert_eq!(f("Address")["type"], "address");
    assert_eq!(f("Address")["createable"], false);
    assert_eq!(f("Email")["type"], "email");
    assert_eq!(f("Email")["idLookup"], true);
    assert_eq!(f("Website")["type"], "url");
    assert_eq!(f("Description")["length"], 32000);
    assert_eq!(f("AnnualRevenue")["type"], "currency");
    assert_eq!(f("NumberOfEmployees")["type"], "int");
    let owner = f("OwnerId");
    assert_eq!(owner["type"], "reference");
    assert_eq!(owner["defaultedOnCreate"], true);
    assert_eq!(owner["referenceTo"], json!(["Group", "User"]));
    assert_eq!(owner["relationshipName"], "Owner");
    let opt_out = f("HasOptedOutOfEmail");
    assert_eq!(
        (
            opt_out["defaultValue"].clone(),
            opt_out["defaultedOnCreate"].clone()
        ),
        (json!(false), json!(true))
    );
    for system in [
        "CreatedDate",
        "CreatedById",
        "LastModifiedDate",
        "LastModifiedById",
        "SystemModstamp",
        "Name",
        "Id",
    ] {
        assert_eq!(f(system)["createable"], false, "{system}");
        assert_eq!(f(system)["updateable"], false, "{system}");
    }
    assert_eq!(f("IsConverted")["createable"], true);
    assert_eq!(f("IsConverted")["updateable"], false);
}

#[tokio::test]
async fn contact_event_and_user_describe() {
    let sim = TestSim::practice().await;
    let (_, _, c) = send(sim.get(&format!("{V}/sobjects/Contact/describe"))).await;
    let required: Vec<&str> = c["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["createable"] == true && f["nillable"] == false && f["defaultedOnCreate"] == false
        })
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(required, ["LastName"]);
    let (_, _, e) = send(sim.get(&format!("{V}/sobjects/Event/describe"))).await;
    let fields = e["fields"].as_array().unwrap();
    for n in [
        "Subject",
        "StartDateTime",
        "EndDateTime",
        "DurationInMinutes",
        "ActivityDateTime",
        "WhoId",
        "WhatId",
        "OwnerId",
        "IsAllDayEvent",
    ] {
        let f = fields
            .iter()
            .find(|f| f["name"] == n)
            .unwrap_or_else(|| panic!("{n}"));
        assert_eq!(f["createable"], true, "{n}");
    }
    let who = fields.iter().find(|f| f["name"] == "WhoId").unwrap();
    assert_eq!(who["referenceTo"], json!(["Contact", "Lead"]));
    assert_eq!(who["polymorphicForeignKey"], true);
    let (_, _, u) = send(sim.get(&format!("{V}/sobjects/User/describe"))).await;
    assert_eq!(u["createable"], false);
    assert!(
        u["fields"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["createable"] == false)
    );
}

#[tokio::test]
async fn basic_info_has_object_describe_and_recent_items() {
    let sim = TestSim::practice().await;
    let id = create_lead(
        &sim,
        json!({"FirstName": "Ada", "LastName": "Lovelace", "Company": "Engines"}),
    )
    .await;
    let (status, _, body) = send(sim.get(&format!("{V}/sobjects/Lead"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["objectDescribe"]["name"], "Lead");
    assert_eq!(body["recentItems"][0]["Id"], id.as_str());
    assert_eq!(body["recentItems"][0]["Name"], "Ada Lovelace");
}

// ------------------------------------------------------------------------ records: CRUD by id

#[tokio::test]
async fn create_read_update_delete_a_lead() {
    let sim = TestSim::practice().await;
    let (status, headers, body) = send(
        sim.post(&format!("{V}/sobjects/Lead/"))
            .json(&json!({"FirstName": "Grace", "lastname": "Hopper", "Company": "Navy", "Email": "grace@navy.example", "City": "Arlington"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(headers["content-type"], "application/json;charset=UTF-8");
    let id = body["id"].as_str().unwrap().to_string();
    assert_eq!(body, json!({"id": id, "success": true, "errors": []}));
    valid_id(&id, "00Q");

    let (status, _, rec) = send(sim.get(&format!("{V}/sobjects/Lead/{id}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        rec["attributes"],
        json!({"type": "Lead", "url": format!("/services/data/v59.0/sobjects/Lead/{id}")})
    );
    assert_eq!(rec["Id"], id.as_str());
    assert_eq!(rec["LastName"], "Hopper");
    assert_eq!(rec["Name"], "Grace Hopper");
    assert_eq!(rec["Status"], "Open - Not Contacted");
    assert_eq!(rec["IsDeleted"], false);
    assert_eq!(rec["HasOptedOutOfEmail"], false);
    assert_eq!(rec["Phone"], Value::Null);
    assert_eq!(rec["Address"]["city"], "Arlington");
    let user_id = sim.running.sim.org().users[0].id().to_string();
    assert_eq!(rec["OwnerId"], user_id.as_str());
    assert_eq!(rec["CreatedById"], user_id.as_str());
    let created = rec["CreatedDate"].as_str().unwrap().to_string();
    assert_eq!(
        created.len(),
        "2024-05-01T09:30:00.000+0000".len(),
        "{created}"
    );
    assert!(created.ends_with("+0000"));

    // fields= picks fields; an unknown one is Salesforce's INVALID_FIELD.
    let (_, _, picked) =
        send(sim.get(&format!("{V}/sobjects/Lead/{id}?fields=Email,Company"))).await;
    assert_eq!(picked.as_object().unwrap().len(), 3, "{picked}");
    assert_eq!(picked["Email"], "grace@navy.example");
    let e = error(
        &send(sim.get(&format!("{V}/sobjects/Lead/{id}?fields=Email,Nope__c"))).await,
        StatusCode::BAD_REQUEST,
        "INVALID_FIELD",
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("No such column 'Nope__c' on entity 'Lead'.")
    );

    // 15-character ids work too.
    let (status, _, _) = send(sim.get(&format!("{V}/sobjects/Lead/{}", &id[..15]))).await;
    assert_eq!(status, StatusCode::OK);

    let (status, _, body) = send(
        sim.patch(&format!("{V}/sobjects/Lead/{id}"))
            .json(&json!({"Title": "Rear Admiral", "Phone": "555"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(body, Value::Null);
    let (_, _, rec) = send(sim.get(&format!("{V}/sobjects/Lead/{id}"))).await;
    assert_eq!(rec["Title"], "Rear Admiral");
    assert_eq!(rec["CreatedDate"], created.as_str());
    assert!(rec["LastModifiedDate"].as_str().unwrap() >= created.as_str());
    // Clearing a field with null.
    let (status, _, _) = send(
        sim.patch(&format!("{V}/sobjects/Lead/{id}"))
            .json(&json!({"Phone": null})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, rec) = send(sim.get(&format!("{V}/sobjects/Lead/{id}"))).await;
    assert_eq!(rec["Phone"], Value::Null);

    let (status, _, body) = send(sim.delete(&format!("{V}/sobjects/Lead/{id}"))).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let e = not_found_for_every_method(
        &sim,
        &format!("{V}/sobjects/Lead/{id}"),
        "ENTITY_IS_DELETED",
    )
    .await;
    assert_eq!(e["message"], "entity is deleted");
    let listed = sim.inspect("records/Lead").await;
    assert_eq!(
        listed["totalSize"], 0,
        "deleted records disappear: {listed}"
    );
}

#[tokio::test]
async fn ids_that_are_not_there_are_404s() {
    let sim = TestSim::practice().await;
    let e = error(
        &send(sim.get(&format!("{V}/sobjects/Lead/banana"))).await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );
    assert_eq!(
        e["message"],
        "Provided external ID field does not exist or is not accessible: banana"
    );
    let never = id18("00Q", 999_999);
    let e =
        not_found_for_every_method(&sim, &format!("{V}/sobjects/Lead/{never}"), "NOT_FOUND").await;
    assert_eq!(e["message"], "The requested resource does not exist");
}

#[tokio::test]
async fn inspection_lists_stored_records() {
    let sim = TestSim::practice().await;
    let id = create_lead(
        &sim,
        json!({"LastName": "Inspect", "Company": "Me", "Email": "i@example.com"}),
    )
    .await;
    let listed = sim.inspect("records/Lead").await;
    assert_eq!(listed["object"], "Lead");
    assert_eq!(listed["totalSize"], 1);
    let rec = &listed["records"][0];
    assert_eq!(rec["Id"], id.as_str());
    assert_eq!(rec["Email"], "i@example.com");
    assert_eq!(rec["Status"], "Open - Not Contacted");
    assert!(
        rec.get("Phone").is_none(),
        "empty fields are not stored: {rec}"
    );
    // The org's users are records too.
    let users = sim.inspect("records/User").await;
    assert_eq!(users["records"][0]["Username"], "admin@practice.example");
}

// ------------------------------------------------------------------- records: field semantics

#[tokio::test]
async fn field_rules_answer_with_salesforce_errors() {
    let sim = TestSim::practice().await;

    let e = error(
        &post_lead(&sim, json!({"FirstName": "Only"})).await,
        StatusCode::BAD_REQUEST,
        "REQUIRED_FIELD_MISSING",
    );
    assert_eq!(
        e["message"],
        "Required fields are missing: [LastName, Company]"
    );
    assert_eq!(e["fields"], json!(["LastName", "Company"]));
    let e = error(
        &post_lead(&sim, json!({"LastName": "", "Company": "C"})).await,
        StatusCode::BAD_REQUEST,
        "REQUIRED_FIELD_MISSING",
    );
    assert_eq!(
        e["fields"],
        json!(["LastName"]),
        "an empty string is no value"
    );

    let e = error(
        &post_lead(
            &sim,
            json!({"LastName": "x", "Company": "C", "Foo__c": "bar"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "INVALID_FIELD",
    );
    assert_eq!(
        e["message"],
        "No such column 'Foo__c' on sobject of type Lead"
    );

    let e = error(
        &post_lead(&sim, json!({"LastName": "x", "Company": "C", "CreatedDate": "2020-01-01T00:00:00Z", "Name": "n"})).await,
        StatusCode::BAD_REQUEST,
        "INVALID_FIELD_FOR_INSERT_UPDATE",
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("Unable to create/update fields: "),
        "{e}"
    );
    assert_eq!(e["fields"].as_array().unwrap().len(), 2);

    let long = "L".repeat(81);
    let e = error(
        &post_lead(&sim, json!({"LastName": long, "Company": "C"})).await,
        StatusCode::BAD_REQUEST,
        "STRING_TOO_LONG",
    );
    assert_eq!(
        e["message"],
        format!("Last Name: data value too large: {long} (max length=80)")
    );
    assert_eq!(e["fields"], json!(["LastName"]));

    let e = error(
        &post_lead(
            &sim,
            json!({"LastName": "x", "Company": "C", "Email": "not-an-email"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "INVALID_EMAIL_ADDRESS",
    );
    assert_eq!(e["message"], "Email: invalid email address: not-an-email");
    assert_eq!(e["fields"], json!(["Email"]));

    let e = error(
        &post_lead(
            &sim,
            json!({"LastName": "x", "Company": "C", "Status": "Hot"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    );
    assert_eq!(
        e["message"],
        "Lead Status: bad value for restricted picklist field: Hot"
    );
    assert_eq!(e["fields"], json!(["Status"]));

    let e = error(
        &post_lead(
            &sim,
            json!({"LastName": "x", "Company": "C", "OwnerId": "nobody"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "MALFORMED_ID",
    );
    assert_eq!(e["message"], "Owner ID: id value of incorrect type: nobody");

    let e = error(
        &send(
            sim.post(&format!("{V}/sobjects/Lead"))
                .header("content-type", "application/json")
                .body("{\n  \"LastName\": \"x\",\n  \"NumberOfEmployees\": \"lots\"\n}"),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "JSON_PARSER_ERROR",
    );
    assert_eq!(
        e["message"],
        "Cannot deserialize instance of int from VALUE_STRING value lots or request may be missing a required field at [line:3, column:30]"
    );
    error(
        &post_lead(
            &sim,
            json!({"LastName": "x", "Company": "C", "HasOptedOutOfEmail": "yes"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "JSON_PARSER_ERROR",
    );

    // Lenient where Salesforce is: numbers in strings, lowercase names, booleans as text.
    let id = create_lead(&sim, json!({"lastname": "x", "COMPANY": "C", "AnnualRevenue": "1250000", "NumberOfEmployees": 12, "DoNotCall": "true"})).await;
    let (_, _, rec) = send(sim.get(&format!("{V}/sobjects/Lead/{id}"))).await;
    assert_eq!(rec["AnnualRevenue"], json!(1_250_000.0));
    assert_eq!(rec["DoNotCall"], true);

    let e = error(
        &post_lead(
            &sim,
            json!({"LastName": "x", "Company": "C", "Id": id18("00Q", 5)}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "INVALID_FIELD_FOR_INSERT_UPDATE",
    );
    assert_eq!(
        e["message"],
        "Record ID: cannot specify Id in an insert call"
    );
}

#[tokio::test]
async fn updates_respect_updateable_and_required() {
    let sim = TestSim::practice().await;
    let id = create_lead(
        &sim,
        json!({"LastName": "U", "Company": "C", "IsConverted": false}),
    )
    .await;
    let path = format!("{V}/sobjects/Lead/{id}");
    let e = error(
        &send(sim.patch(&path).json(&json!({"IsConverted": true}))).await,
        StatusCode::BAD_REQUEST,
        "INVALID_FIELD_FOR_INSERT_UPDATE",
    );
    assert_eq!(e["fields"], json!(["IsConverted"]));
    let e = error(
        &send(sim.patch(&path).json(&json!({"LastName": null}))).await,
        StatusCode::BAD_REQUEST,
        "REQUIRED_FIELD_MISSING",
    );
    assert_eq!(e["message"], "Required fields are missing: [LastName]");
    error(
        &send(sim.patch(&path).json(&json!({"Status": null}))).await,
        StatusCode::BAD_REQUEST,
        "REQUIRED_FIELD_MISSING",
    );
}

#[tokio::test]
async fn bad_bodies_get_salesforce_errors_not_pages() {
    let sim = TestSim::practice().await;
    let path = format!("{V}/sobjects/Lead");
    let raw = |ct: &str, body: Vec<u8>| sim.post(&path).header("content-type", ct).body(body);

    let e = error(
        &send(raw("application/json", b"{\"LastName\": }".to_vec())).await,
        StatusCode::BAD_REQUEST,
        "JSON_PARSER_ERROR",
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("Unexpected character ('}' (code 125))"),
        "{e}"
    );
    error(
        &send(raw("application/json", b"{\"LastName\": \"x\"".to_vec())).await,
        StatusCode::BAD_REQUEST,
        "JSON_PARSER_ERROR",
    );
    error(
        &send(raw("application/json", Vec::new())).await,
        StatusCode::BAD_REQUEST,
        "JSON_PARSER_ERROR",
    );
    error(
        &send(raw("application/json", b"[{\"LastName\":\"x\"}]".to_vec())).await,
        StatusCode::BAD_REQUEST,
        "JSON_PARSER_ERROR",
    );

    let reply = send(raw(
        "application/x-www-form-urlencoded",
        b"LastName=x".to_vec(),
    ))
    .await;
    let e = error(
        &reply,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "UNSUPPORTED_MEDIA_TYPE",
    );
    let (_, headers, _) = reply;
    assert_eq!(
        e["message"],
        "MediaType of 'application/x-www-form-urlencoded' is not supported by this resource"
    );
    assert_eq!(headers["content-type"], "application/json;charset=UTF-8");

    let mut huge = b"{\"Description\": \"".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 11 * 1024 * 1024));
    huge.extend(b"\"}");
    error(
        &send(raw("application/json", huge)).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "REQUEST_ENTITY_TOO_LARGE",
    );

    // A JSON charset parameter is fine.
    let (status, _, body) = send(raw(
        "application/json; charset=UTF-8",
        br#"{"LastName":"x","Company":"y"}"#.to_vec(),
    ))
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn contacts_events_and_read_only_users() {
    let sim = TestSim::practice().await;
    let contact = create(
        &sim,
        "Contact",
        json!({"LastName": "Curie", "MailingCity": "Paris"}),
    )
    .await;
    valid_id(&contact, "003");
    let (_, _, rec) = send(sim.get(&format!("{V}/sobjects/Contact/{contact}"))).await;
    assert_eq!(rec["MailingAddress"]["city"], "Paris");
    assert_eq!(rec["OtherAddress"], Value::Null);

    let event = create(&sim, "Event", json!({
        "Subject": "Intro call", "StartDateTime": "2025-03-01T10:00:00+09:00", "DurationInMinutes": 45, "WhoId": contact
    }))
    .await;
    valid_id(&event, "00U");
    let (_, _, rec) = send(sim.get(&format!("{V}/sobjects/Event/{event}"))).await;
    assert_eq!(rec["StartDateTime"], "2025-03-01T01:00:00.000+0000");
    assert_eq!(rec["EndDateTime"], "2025-03-01T01:45:00.000+0000");
    assert_eq!(rec["ActivityDateTime"], "2025-03-01T01:00:00.000+0000");
    error(
        &send(
            sim.post(&format!("{V}/sobjects/Event"))
                .json(&json!({"Subject": "No time"})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "REQUIRED_FIELD_MISSING",
    );
    let e = error(&send(sim.post(&format!("{V}/sobjects/Event")).json(&json!({
        "Subject": "x", "StartDateTime": "2025-03-01T10:00:00Z", "EndDateTime": "2025-03-01T11:30:00Z", "WhoId": id18("003", 777_777)
    })))
    .await, StatusCode::BAD_REQUEST,
        "INVALID_CROSS_REFERENCE_KEY");
    assert_eq!(e["fields"], json!(["WhoId"]));

    let user = sim.running.sim.org().users[0].id().to_string();
    let (status, _, u) = send(sim.get(&format!("{V}/sobjects/User/{user}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(u["Username"], "admin@practice.example");
    assert_eq!(u["Name"], "Pat Practice");
    error(
        &send(
            sim.post(&format!("{V}/sobjects/User"))
                .json(&json!({"LastName": "New"})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "INVALID_TYPE_FOR_OPERATION",
    );
    error(
        &send(sim.delete(&format!("{V}/sobjects/User/{user}"))).await,
        StatusCode::BAD_REQUEST,
        "INVALID_TYPE_FOR_OPERATION",
    );
}

// -------------------------------------------------------------------------- sObject Collections

#[tokio::test]
async fn collection_create_reports_each_record_in_order() {
    let sim = TestSim::practice().await;
    let path = format!("{V}/composite/sobjects");
    let (status, _, body) = send(sim.post(&path).json(&json!({
        "allOrNone": false,
        "records": [
            {"attributes": {"type": "Lead"}, "LastName": "One", "Company": "A"},
            {"attributes": {"type": "Lead"}, "LastName": "Two"},
            {"attributes": {"type": "Contact"}, "LastName": "Three", "Email": "bad"},
            {"attributes": {"type": "Lead"}, "LastName": "Four", "Company": "D"},
        ]
    })))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let results = body.as_array().unwrap();
    assert_eq!(results.len(), 4);
    assert_eq!(results[0]["success"], true);
    valid_id(results[0]["id"].as_str().unwrap(), "00Q");
    assert_eq!(results[0]["errors"], json!([]));
    assert_eq!(
        results[1],
        json!({"success": false, "errors": [{"statusCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [Company]", "fields": ["Company"]}]})
    );
    assert_eq!(
        results[2]["errors"][0]["statusCode"],
        "INVALID_EMAIL_ADDRESS"
    );
    assert!(results[2]["errors"][0].get("errorCode").is_none());
    assert_eq!(results[3]["success"], true);
    let listed = sim.inspect("records/Lead").await;
    assert_eq!(listed["totalSize"], 2);
}

#[tokio::test]
async fn collection_all_or_none_rolls_everything_back() {
    let sim = TestSim::practice().await;
    let (status, _, body) = send(sim.post(&format!("{V}/composite/sobjects")).json(&json!({
        "allOrNone": true,
        "records": [
            {"attributes": {"type": "Lead"}, "LastName": "Good", "Company": "A"},
            {"attributes": {"type": "Lead"}, "LastName": "Bad"},
        ]
    })))
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body[0],
        json!({"success": false, "errors": [{"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK", "message": "Record rolled back because not all records were valid and the request was using AllOrNone header", "fields": []}]})
    );
    assert_eq!(body[1]["errors"][0]["statusCode"], "REQUIRED_FIELD_MISSING");
    let listed = sim.inspect("records/Lead").await;
    assert_eq!(listed["totalSize"], 0);
}

#[tokio::test]
async fn collection_request_errors_fail_the_whole_request() {
    let sim = TestSim::practice().await;
    let path = format!("{V}/composite/sobjects");
    let many: Vec<Value> = (0..201)
        .map(|i| json!({"attributes": {"type": "Lead"}, "LastName": format!("L{i}"), "Company": "C"}))
        .collect();
    let e = error(
        &send(sim.post(&path).json(&json!({"records": many}))).await,
        StatusCode::BAD_REQUEST,
        "EXCEEDED_ID_LIMIT",
    );
    assert_eq!(
        e["message"],
        "record limit reached. cannot submit more than 200 records into this call"
    );

    error(
        &send(
            sim.post(&path)
                .json(&json!({"records": [{"LastName": "x"}]})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "INVALID_TYPE",
    );
    let e = error(
        &send(
            sim.post(&path)
                .json(&json!({"records": [{"attributes": {"type": "Nope"}, "LastName": "x"}]})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "INVALID_TYPE",
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("sObject type 'Nope' is not supported.")
    );
    let e = error(
        &send(sim.post(&path).json(&json!({"records": [
            {"attributes": {"type": "Lead"}, "LastName": "ok", "Company": "c"},
            {"attributes": {"type": "Lead"}, "LastName": "x", "Bogus": 1}
        ]})))
        .await,
        StatusCode::BAD_REQUEST,
        "INVALID_FIELD",
    );
    assert_eq!(
        e["message"],
        "No such column 'Bogus' on sobject of type Lead"
    );
    let e = error(&send(
        sim.post(&path)
            .header("content-type", "application/json")
            .body(r#"{"records":[{"attributes":{"type":"Lead"},"LastName":"x","AnnualRevenue":"big"}]}"#),
    )
    .await, StatusCode::BAD_REQUEST, "JSON_PARSER_ERROR");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .ends_with("[line:1, column:79]"),
        "{e}"
    );
    let listed = sim.inspect("records/Lead").await;
    assert_eq!(
        listed["totalSize"], 0,
        "nothing of a rejected request is saved"
    );

    // Exactly 200 is fine.
    let two_hundred: Vec<Value> = (0..200)
        .map(|i| json!({"attributes": {"type": "Lead"}, "LastName": format!("L{i}"), "Company": "C"}))
        .collect();
    let (status, _, body) = send(sim.post(&path).json(&json!({"records": two_hundred}))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.as_array()
            .unwrap()
            .iter()
            .all(|r| r["success"] == true)
    );
}

#[tokio::test]
async fn collection_update_retrieve_and_delete() {
    let sim = TestSim::practice().await;
    let a = create_lead(&sim, json!({"LastName": "A", "Company": "C"})).await;
    let b = create_lead(&sim, json!({"LastName": "B", "Company": "C"})).await;
    let path = format!("{V}/composite/sobjects");
    let (status, _, body) = send(sim.patch(&path).json(&json!({"records": [
        {"attributes": {"type": "Lead"}, "id": a, "Title": "CEO"},
        {"attributes": {"type": "Lead"}, "Title": "no id"},
        {"attributes": {"type": "Lead"}, "id": "00Q000000000001ZZZ", "Title": "x"},
        {"attributes": {"type": "Lead"}, "Id": id18("003", 4), "Title": "x"},
        {"attributes": {"type": "Lead"}, "Id": b, "Email": "bad"},
    ]})))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[0], json!({"id": a, "success": true, "errors": []}));
    assert_eq!(body[1]["errors"][0]["statusCode"], "MISSING_ARGUMENT");
    assert_eq!(
        body[2]["errors"][0],
        json!({"statusCode": "MALFORMED_ID", "message": "malformed id 00Q000000000001ZZZ", "fields": []})
    );
    assert_eq!(
        body[3]["errors"][0]["message"],
        format!("Lead ID: id value of incorrect type: {}", id18("003", 4))
    );
    assert_eq!(body[3]["errors"][0]["fields"], json!(["Id"]));
    assert_eq!(body[4]["id"], b.as_str());
    assert_eq!(body[4]["errors"][0]["statusCode"], "INVALID_EMAIL_ADDRESS");

    let (status, _, got) = send(sim.get(&format!(
        "{path}/Lead?ids={a},{b},{}&fields=Id,Title",
        id18("00Q", 999)
    )))
    .await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(got[0]["Title"], "CEO");
    assert_eq!(got[1]["Title"], Value::Null);
    assert_eq!(got[2], Value::Null);
    let (status, _, got) = send(
        sim.post(&format!("{path}/Lead"))
            .json(&json!({"ids": [a], "fields": ["Title"]})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got[0]["Title"], "CEO");

    let (status, _, body) =
        send(sim.delete(&format!("{path}?ids={a},garbage&allOrNone=true"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(body[1]["errors"][0]["statusCode"], "MALFORMED_ID");
    let (status, _, body) = send(sim.delete(&format!("{path}?ids={a},{b}"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!([{"id": a, "success": true, "errors": []}, {"id": b, "success": true, "errors": []}])
    );
    let (_, _, body) = send(sim.delete(&format!("{path}?ids={a}"))).await;
    assert_eq!(body[0]["errors"][0]["statusCode"], "ENTITY_IS_DELETED");
}

// --------------------------------------------------------------------- a configured org (TOML)

struct Fixture {
    sim: TestSim,
    owner_id: String,
    _dir: tempfile::TempDir,
}

const RULE_ID: &str = "01Q000000000001AAA";

fn write_org(dir: &std::path::Path, toml: &str) -> Org {
    let path = dir.join("org.toml");
    std::fs::write(&path, toml).unwrap();
    Org::load(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// An Enterprise org with custom fields, rules, a describe-file object and three users.
async fn configured() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let owner_id = id18("005", 90);
    std::fs::write(
        dir.path().join("invoice.json"),
        json!({
            "name": "Invoice__c", "label": "Invoice", "labelPlural": "Invoices", "keyPrefix": "a01", "custom": true,
            "createable": true, "updateable": true, "deletable": true,
            "fields": [
                {"name": "Id", "label": "Record ID", "type": "id", "nillable": false, "createable": false, "updateable": false, "defaultedOnCreate": true, "idLookup": true, "length": 18, "byteLength": 18, "soapType": "tns:ID"},
                {"name": "Name", "label": "Invoice Name", "type": "string", "nillable": false, "createable": true, "updateable": true, "defaultedOnCreate": false, "length": 80, "byteLength": 240, "nameField": true, "soapType": "xsd:string"},
                {"name": "Amount__c", "label": "Amount", "type": "currency", "nillable": true, "createable": true, "updateable": true, "precision": 16, "scale": 2, "custom": true, "soapType": "xsd:double"}
            ]
        })
        .to_string(),
    )
    .unwrap();
    let org = write_org(
        dir.path(),
        &format!(
            r#"
[org]
name = "Acme"
edition = "Enterprise"

[[users]]
username = "admin@acme.example"
password = "pw"
email = "admin@acme.example"
first_name = "Ada"
last_name = "Admin"

[[users]]
username = "noapi@acme.example"
password = "pw"
email = "noapi@acme.example"
last_name = "NoApi"
api_enabled = false

[[users]]
username = "queue@acme.example"
password = "pw"
email = "queue@acme.example"
last_name = "Owner"
id = "{owner_id}"

[[connected_apps]]
client_id = "acme-app"
callback_urls = ["http://localhost:8711/oauth/callback"]

[[custom_fields]]
object = "Lead"
name = "Booking_Id__c"
label = "Booking Id"
type = "string"
length = 40
external_id = true
unique = true

[[custom_fields]]
object = "Lead"
name = "Source_Ref__c"
label = "Source Ref"
type = "string"
length = 20
external_id = true

[[custom_fields]]
object = "Lead"
name = "Tier__c"
label = "Tier"
type = "picklist"
picklist_values = ["Gold", "Silver"]
restricted_picklist = true

[[custom_fields]]
object = "Lead"
name = "Meeting_Date__c"
label = "Meeting Date"
type = "date"

[[custom_fields]]
object = "Lead"
name = "Score__c"
label = "Score"
type = "double"
precision = 5
scale = 1

[[describe_files]]
path = "invoice.json"

[[validation_rules]]
kind = "required-when"
object = "Lead"
name = "Gold needs a date"
field = "Meeting_Date__c"
when_field = "Tier__c"
when_equals = "Gold"
message = "Gold leads need a meeting date."

[[validation_rules]]
kind = "regex"
object = "Lead"
name = "Phone digits"
field = "Phone"
pattern = "[0-9+ -]+"
message = "Phone may contain only digits, spaces, + and -."

[[duplicate_rules]]
object = "Lead"
name = "Lead email and company"
match_on = ["Email", "Company"]
action = "alert"

[[duplicate_rules]]
object = "Contact"
name = "Contact email"
match_on = ["Email"]
action = "block"

[[assignment_rules]]
object = "Lead"
id = "{RULE_ID}"
owner_id = "{owner_id}"
"#
        ),
    );
    Fixture {
        sim: TestSim::with_org(org).await,
        owner_id,
        _dir: dir,
    }
}

#[tokio::test]
async fn custom_fields_are_described_and_enforced() {
    let f = configured().await;
    let sim = &f.sim;
    let (_, _, d) = send(sim.get(&format!("{V}/sobjects/Lead/describe"))).await;
    let field = |n: &str| {
        d["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == n)
            .unwrap()
            .clone()
    };
    let booking = field("Booking_Id__c");
    assert_eq!(booking["custom"], true);
    assert_eq!(booking["externalId"], true);
    assert_eq!(booking["unique"], true);
    assert_eq!(booking["idLookup"], true);
    assert_eq!(booking["length"], 40);
    let tier = field("Tier__c");
    assert_eq!(tier["restrictedPicklist"], true);
    assert_eq!(tier["picklistValues"][1]["value"], "Silver");

    let e = error(
        &post_lead(
            sim,
            json!({"LastName": "x", "Company": "C", "Tier__c": "Bronze"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
    );
    assert_eq!(
        e["message"],
        "Tier: bad value for restricted picklist field: Bronze"
    );
    assert_eq!(e["fields"], json!(["Tier__c"]));
    let e = error(
        &post_lead(
            sim,
            json!({"LastName": "x", "Company": "C", "Meeting_Date__c": "2025-02-30"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "JSON_PARSER_ERROR",
    );
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("Cannot deserialize instance of date from VALUE_STRING value 2025-02-30")
    );
    error(
        &post_lead(
            sim,
            json!({"LastName": "x", "Company": "C", "Score__c": 12345.6}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "NUMBER_OUTSIDE_VALID_RANGE",
    );
    let id = create_lead(
        sim,
        json!({"LastName": "x", "Company": "C", "Score__c": 1234.56}),
    )
    .await;
    let (_, _, rec) = send(sim.get(&format!("{V}/sobjects/Lead/{id}"))).await;
    assert_eq!(rec["Score__c"], json!(1234.6));

    let first = create_lead(
        sim,
        json!({"LastName": "x", "Company": "C", "Booking_Id__c": "BK-1"}),
    )
    .await;
    let e = error(
        &post_lead(
            sim,
            json!({"LastName": "y", "Company": "D", "Booking_Id__c": "bk-1"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "DUPLICATE_VALUE",
    );
    assert_eq!(
        e["message"],
        format!("duplicate value found: Booking_Id__c duplicates value on record with id: {first}")
    );
    // Within one collection, Salesforce cannot name the other record.
    let (_, _, body) = send(sim.post(&format!("{V}/composite/sobjects")).json(&json!({"records": [
        {"attributes": {"type": "Lead"}, "LastName": "p", "Company": "P", "Booking_Id__c": "BK-2"},
        {"attributes": {"type": "Lead"}, "LastName": "q", "Company": "Q", "Booking_Id__c": "BK-2"},
    ]})))
    .await;
    for r in body.as_array().unwrap() {
        assert_eq!(
            r["errors"][0]["message"],
            "duplicate value found: <unknown> duplicates value on record with id: <unknown>"
        );
    }
}

#[tokio::test]
async fn describe_files_define_objects() {
    let f = configured().await;
    let sim = &f.sim;
    let (status, _, d) = send(sim.get(&format!("{V}/sobjects/Invoice__c/describe"))).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["keyPrefix"], "a01");
    assert_eq!(d["custom"], true);
    assert_eq!(d["fields"][2]["precision"], 16);
    let id = create(
        sim,
        "Invoice__c",
        json!({"Name": "INV-1", "Amount__c": "10.555"}),
    )
    .await;
    valid_id(&id, "a01");
    let (_, _, rec) = send(sim.get(&format!("{V}/sobjects/Invoice__c/{id}"))).await;
    assert_eq!(rec["Amount__c"], json!(10.56));
    let e = error(
        &send(
            sim.post(&format!("{V}/sobjects/Invoice__c"))
                .json(&json!({"Amount__c": 1})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "REQUIRED_FIELD_MISSING",
    );
    assert_eq!(e["fields"], json!(["Name"]));
}

#[tokio::test]
async fn validation_rules_fail_with_their_messages() {
    let f = configured().await;
    let sim = &f.sim;
    let e = error(
        &post_lead(
            sim,
            json!({"LastName": "x", "Company": "C", "Tier__c": "Gold"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    );
    assert_eq!(e["message"], "Gold leads need a meeting date.");
    assert_eq!(e["fields"], json!(["Meeting_Date__c"]));
    let (status, _, _) = post_lead(
        sim,
        json!({"LastName": "x", "Company": "C", "Tier__c": "Silver"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let e = error(
        &post_lead(sim, json!({"LastName": "x", "Company": "C", "Tier__c": "Gold", "Meeting_Date__c": "2025-01-02", "Phone": "call me"})).await,
        StatusCode::BAD_REQUEST,
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    );
    assert_eq!(
        e["message"],
        "Phone may contain only digits, spaces, + and -."
    );
    let id = create_lead(
        sim,
        json!({"LastName": "x", "Company": "C", "Phone": "+81 3-1234-5678"}),
    )
    .await;
    // On update, the rule sees the merged record.
    error(
        &send(
            sim.patch(&format!("{V}/sobjects/Lead/{id}"))
                .json(&json!({"Tier__c": "Gold"})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "FIELD_CUSTOM_VALIDATION_EXCEPTION",
    );
}

#[tokio::test]
async fn duplicate_rules_block_or_alert() {
    let f = configured().await;
    let sim = &f.sim;
    let lead = json!({"LastName": "Dup", "Company": "Acme", "Email": "dup@acme.example"});
    let first = create_lead(sim, lead.clone()).await;
    // Alert rule: reported unless the client says allowSave=true; matching ignores case.
    let again = json!({"LastName": "Dup2", "Company": "ACME", "Email": "DUP@acme.example"});
    let e = error(
        &send(sim.post(&format!("{V}/sobjects/Lead")).json(&again)).await,
        StatusCode::BAD_REQUEST,
        "DUPLICATES_DETECTED",
    );
    let detail = &e["duplicateResut"];
    assert_eq!(detail["allowSave"], true);
    assert_eq!(detail["duplicateRule"], "Lead_email_and_company");
    assert_eq!(detail["duplicateRuleEntityType"], "Lead");
    assert_eq!(detail["errorMessage"], e["message"]);
    let m = &detail["matchResults"][0];
    assert_eq!(m["entityType"], "Lead");
    assert_eq!(m["size"], 1);
    assert_eq!(m["success"], true);
    assert_eq!(m["matchRecords"][0]["record"]["Id"], first.as_str());
    assert_eq!(
        m["matchRecords"][0]["record"]["attributes"],
        json!({"type": "Lead", "url": format!("/services/data/v59.0/sobjects/Lead/{first}")})
    );
    assert_eq!(m["matchRecords"][0]["matchConfidence"], 100.0);
    let (status, _, body) = send(
        sim.post(&format!("{V}/sobjects/Lead"))
            .header(
                "Sforce-Duplicate-Rule-Header",
                "allowSave=true; includeRecordDetails=true",
            )
            .json(&again),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // A different company is not a match for Email + Company.
    create_lead(
        sim,
        json!({"LastName": "Dup3", "Company": "Other", "Email": "dup@acme.example"}),
    )
    .await;

    // Block rule: never saved, whatever the header says.
    let contact = json!({"LastName": "C", "Email": "c@acme.example"});
    let (status, _, _) = send(sim.post(&format!("{V}/sobjects/Contact")).json(&contact)).await;
    assert_eq!(status, StatusCode::CREATED);
    let e = error(
        &send(
            sim.post(&format!("{V}/sobjects/Contact"))
                .header("Sforce-Duplicate-Rule-Header", "allowSave=true")
                .json(&contact),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "DUPLICATES_DETECTED",
    );
    assert_eq!(e["message"], "Use one of these records?");
    assert_eq!(e["duplicateResut"]["allowSave"], false);
    // In a collection: statusCode, no detail.
    let (_, _, body) = send(sim.post(&format!("{V}/composite/sobjects")).json(
        &json!({"records": [
            {"attributes": {"type": "Contact"}, "LastName": "C2", "Email": "C@ACME.example"}
        ]}),
    ))
    .await;
    assert_eq!(
        body[0],
        json!({"success": false, "errors": [{"statusCode": "DUPLICATES_DETECTED", "message": "Use one of these records?", "fields": []}]})
    );
}

#[tokio::test]
async fn assignment_rules_follow_sforce_auto_assign() {
    let f = configured().await;
    let sim = &f.sim;
    let me = sim.running.sim.org().users[0].id().to_string();
    let owner_of = |id: String| async move {
        let (_, _, rec) = send(sim.get(&format!("{V}/sobjects/Lead/{id}"))).await;
        rec["OwnerId"].as_str().unwrap().to_string()
    };
    let post = |header: Option<&str>, body: Value| {
        let mut rb = sim.post(&format!("{V}/sobjects/Lead")).json(&body);
        if let Some(h) = header {
            rb = rb.header("Sforce-Auto-Assign", h);
        }
        async move {
            let (status, _, out) = send(rb).await;
            assert_eq!(status, StatusCode::CREATED, "{out}");
            out["id"].as_str().unwrap().to_string()
        }
    };
    let lead = json!({"LastName": "Assign", "Company": "C"});
    assert_eq!(
        owner_of(post(None, lead.clone()).await).await,
        f.owner_id,
        "TRUE is the default"
    );
    assert_eq!(
        owner_of(post(Some("TRUE"), lead.clone()).await).await,
        f.owner_id
    );
    assert_eq!(
        owner_of(post(Some(RULE_ID), lead.clone()).await).await,
        f.owner_id
    );
    assert_eq!(owner_of(post(Some("false"), lead.clone()).await).await, me);
    let mapped = json!({"LastName": "Assign", "Company": "C", "OwnerId": f.owner_id});
    assert_eq!(
        owner_of(post(Some("FALSE"), mapped).await).await,
        f.owner_id
    );
    error(
        &send(
            sim.post(&format!("{V}/sobjects/Lead"))
                .header("Sforce-Auto-Assign", "FALSE")
                .json(&json!({"LastName": "A", "Company": "C", "OwnerId": id18("005", 4242)})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "INVALID_CROSS_REFERENCE_KEY",
    );

    // On update, TRUE (the default) runs the rule again; a rule id applies to creates only.
    let mine = post(Some("FALSE"), lead.clone()).await;
    let path = format!("{V}/sobjects/Lead/{mine}");
    let (status, _, _) = send(
        sim.patch(&path)
            .header("Sforce-Auto-Assign", RULE_ID)
            .json(&json!({"Title": "a"})),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(owner_of(mine.clone()).await, me);
    let (status, _, _) = send(sim.patch(&path).json(&json!({"Title": "b"}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(owner_of(mine).await, f.owner_id);
}

#[tokio::test]
async fn upsert_by_external_id() {
    let f = configured().await;
    let sim = &f.sim;
    let path = format!("{V}/sobjects/Lead/Booking_Id__c/BK-77");
    let (status, _, body) = send(
        sim.patch(&path)
            .json(&json!({"LastName": "Up", "Company": "C"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["created"], true);
    assert_eq!(body["success"], true);
    let id = body["id"].as_str().unwrap().to_string();
    let (status, _, body) = send(sim.patch(&path).json(&json!({"Title": "Again"}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        body,
        json!({"id": id, "success": true, "errors": [], "created": false})
    );
    let (status, _, rec) = send(sim.get(&path)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rec["Title"], "Again");
    assert_eq!(rec["Booking_Id__c"], "BK-77");

    // Records written behind the API's back (a state file, a test) are found too.
    let planted = id18("00Q", 4_000_000);
    let mut rec = serde_json::Map::new();
    rec.insert("Id".into(), json!(planted));
    rec.insert("LastName".into(), json!("Planted"));
    rec.insert("Company".into(), json!("C"));
    rec.insert("Booking_Id__c".into(), json!("BK-PLANTED"));
    sim.running
        .sim
        .write(|w| w.objects("Lead").insert(planted.clone(), rec));
    let (status, _, body) = send(
        sim.patch(&format!("{V}/sobjects/Lead/Booking_Id__c/bk-planted"))
            .json(&json!({"Title": "Found"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], planted.as_str());

    // Before API 46.0: 201 without `created`, then 204.
    let old = "/services/data/v45.0/sobjects/Lead/Booking_Id__c/BK-78";
    let (status, _, body) = send(
        sim.patch(old)
            .json(&json!({"LastName": "Old", "Company": "C"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert!(body.get("created").is_none(), "{body}");
    let (status, _, _) = send(sim.patch(old).json(&json!({"Title": "t"}))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);

    // Not an external id: 404.
    error(
        &send(
            sim.patch(&format!("{V}/sobjects/Lead/Company/Acme"))
                .json(&json!({"LastName": "x"})),
        )
        .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );
    error(
        &send(
            sim.patch(&format!("{V}/sobjects/Lead/Nope__c/1"))
                .json(&json!({"LastName": "x"})),
        )
        .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );
    // updateOnly never creates.
    error(
        &send(
            sim.patch(&format!(
                "{V}/sobjects/Lead/Booking_Id__c/BK-404?updateOnly=true"
            ))
            .json(&json!({"LastName": "x", "Company": "C"})),
        )
        .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );

    // A non-unique external id matching twice: 300 with the matching records.
    let a = create_lead(
        sim,
        json!({"LastName": "S1", "Company": "C", "Source_Ref__c": "R1"}),
    )
    .await;
    let b = create_lead(
        sim,
        json!({"LastName": "S2", "Company": "C", "Source_Ref__c": "r1"}),
    )
    .await;
    let (status, _, body) = send(
        sim.patch(&format!("{V}/sobjects/Lead/Source_Ref__c/R1"))
            .json(&json!({"Title": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::MULTIPLE_CHOICES);
    assert_eq!(
        body,
        json!([
            format!("/services/data/v59.0/sobjects/Lead/{a}"),
            format!("/services/data/v59.0/sobjects/Lead/{b}")
        ])
    );
    let (status, _, _) = send(sim.get(&format!("{V}/sobjects/Lead/Source_Ref__c/R1"))).await;
    assert_eq!(status, StatusCode::MULTIPLE_CHOICES);

    // A standard idLookup field works as a key too; delete by key.
    let (status, _, body) = send(
        sim.patch(&format!("{V}/sobjects/Lead/Email/key@acme.example"))
            .json(&json!({"LastName": "E", "Company": "C"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, _, _) =
        send(sim.delete(&format!("{V}/sobjects/Lead/Email/key@acme.example"))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _, _) = send(sim.get(&format!("{V}/sobjects/Lead/Email/key@acme.example"))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn collection_upsert_reports_created_per_record() {
    let f = configured().await;
    let sim = &f.sim;
    create_lead(
        sim,
        json!({"LastName": "Existing", "Company": "C", "Booking_Id__c": "B1"}),
    )
    .await;
    let path = format!("{V}/composite/sobjects/Lead/Booking_Id__c");
    let (status, _, body) = send(sim.patch(&path).json(&json!({"allOrNone": false, "records": [
        {"attributes": {"type": "Lead"}, "Booking_Id__c": "B1", "Title": "Updated"},
        {"attributes": {"type": "Lead"}, "Booking_Id__c": "B2", "LastName": "New", "Company": "C"},
        {"attributes": {"type": "Lead"}, "Booking_Id__c": "B3", "LastName": "NoCompany"},
        {"attributes": {"type": "Lead"}, "Booking_Id__c": "B4", "LastName": "Twice", "Company": "C"},
        {"attributes": {"type": "Lead"}, "Booking_Id__c": "b4", "LastName": "Twice", "Company": "C"},
    ]})))
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[0]["created"], false);
    assert_eq!(body[0]["success"], true);
    assert_eq!(body[1]["created"], true);
    valid_id(body[1]["id"].as_str().unwrap(), "00Q");
    assert_eq!(body[2]["errors"][0]["statusCode"], "REQUIRED_FIELD_MISSING");
    assert!(body[2].get("created").is_none());
    assert_eq!(body[3]["errors"][0]["statusCode"], "DUPLICATE_EXTERNAL_ID");
    assert_eq!(body[4]["errors"][0]["statusCode"], "DUPLICATE_EXTERNAL_ID");

    let e = error(
        &send(
            sim.patch(&format!("{V}/composite/sobjects/Lead/Company"))
                .json(&json!({"records": []})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "INVALID_FIELD",
    );
    assert_eq!(
        e["message"],
        "Field name provided, Company is not an External ID or indexed field for Lead"
    );
    error(
        &send(
            sim.patch("/services/data/v45.0/composite/sobjects/Lead/Booking_Id__c")
                .json(&json!({"records": []})),
        )
        .await,
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
    );

    // Several matches on a non-unique key.
    create_lead(
        sim,
        json!({"LastName": "S1", "Company": "C", "Source_Ref__c": "DUP"}),
    )
    .await;
    create_lead(
        sim,
        json!({"LastName": "S2", "Company": "C", "Source_Ref__c": "DUP"}),
    )
    .await;
    let (_, _, body) = send(
        sim.patch(&format!("{V}/composite/sobjects/Lead/Source_Ref__c"))
            .json(&json!({"records": [
                {"attributes": {"type": "Lead"}, "Source_Ref__c": "DUP", "Title": "x"}
            ]})),
    )
    .await;
    let e = &body[0]["errors"][0];
    assert_eq!(e["statusCode"], "DUPLICATE_EXTERNAL_ID");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .starts_with("Source Ref: more than one record found for external id field: [")
    );
}

// ---------------------------------------------------------------- editions, users, limits, faults

/// A simulator for an org file of `extra` (its `[org]` table and more) and one user.
async fn minimal_org(extra: &str) -> TestSim {
    let dir = tempfile::tempdir().unwrap();
    let org = write_org(
        dir.path(),
        &format!(
            r#"
{extra}

[[users]]
username = "u@org.example"
password = "pw"
email = "u@org.example"
last_name = "User"
"#
        ),
    );
    TestSim::with_org(org).await
}

#[tokio::test]
async fn editions_without_api_and_users_without_api_enabled_are_refused() {
    let sim = minimal_org("[org]\nname = \"Pro\"\nedition = \"Professional\"").await;
    let e = error(
        &send(sim.get(&format!("{V}/sobjects"))).await,
        StatusCode::FORBIDDEN,
        "API_DISABLED_FOR_ORG",
    );
    assert_eq!(
        e["message"],
        "The REST API is not enabled for this Organization."
    );

    let f = configured().await;
    let token = f.sim.token_for("noapi@acme.example");
    let e = error(
        &send(
            f.sim
                .http
                .get(f.sim.url(&format!("{V}/sobjects")))
                .bearer_auth(token),
        )
        .await,
        StatusCode::FORBIDDEN,
        "API_CURRENTLY_DISABLED",
    );
    assert_eq!(e["message"], "API is disabled for this User");
}

#[tokio::test]
async fn the_daily_limit_runs_out() {
    let sim = minimal_org("[org]\nname = \"Tiny\"\ndaily_api_limit = 2").await;
    for n in 1..=2 {
        let (status, headers, _) = send(sim.get(&format!("{V}/limits"))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers["sforce-limit-info"],
            format!("api-usage={n}/2").as_str()
        );
    }
    let reply = send(
        sim.post(&format!("{V}/sobjects/Lead"))
            .json(&json!({"LastName": "x", "Company": "c"})),
    )
    .await;
    let e = error(&reply, StatusCode::FORBIDDEN, "REQUEST_LIMIT_EXCEEDED");
    let (_, headers, _) = reply;
    assert_eq!(e["message"], "TotalRequests Limit exceeded.");
    assert_eq!(headers["sforce-limit-info"], "api-usage=2/2");
    // The versions list needs no session and still answers.
    let (status, _, _) = send(sim.http.get(sim.url("/services/data"))).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn scripted_unavailability_answers_503() {
    let sim = minimal_org("[org]\nname = \"Flaky\"\n\n[[faults]]\nendpoint = \"composite/sobjects\"\nunavailable = 1.0").await;
    let reply = send(
        sim.post(&format!("{V}/composite/sobjects"))
            .json(&json!({"records": [
                {"attributes": {"type": "Lead"}, "LastName": "x", "Company": "c"}
            ]})),
    )
    .await;
    let e = error(
        &reply,
        StatusCode::SERVICE_UNAVAILABLE,
        "SERVER_UNAVAILABLE",
    );
    let (_, headers, _) = reply;
    assert!(!e["message"].as_str().unwrap().is_empty());
    assert!(headers.contains_key("sforce-limit-info"));
    let listed = sim.inspect("records/Lead").await;
    assert_eq!(listed["totalSize"], 0);
    // Other endpoints are untouched.
    let (status, _, _) = send(
        sim.post(&format!("{V}/sobjects/Lead"))
            .json(&json!({"LastName": "x", "Company": "c"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
}
