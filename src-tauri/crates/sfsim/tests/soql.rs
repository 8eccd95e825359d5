//! The query resources over HTTP, against an in-process simulator: response shape and key
//! order, paging with `nextRecordsUrl` (default and `batchSize` pages, snapshot semantics,
//! closed cursors), COUNT(), escapes as clients send them, every error Salesforce gives, and
//! authentication.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::TestSim;
use reqwest::StatusCode;
use serde_json::{Value, json};

const V: &str = "v64.0";

/// The practice org, signed in as its admin.
async fn org() -> TestSim {
    TestSim::practice().await
}

/// What the query tests add to the shared simulator.
impl TestSim {
    /// Stores leads directly, in order; returns their ids.
    fn insert(&self, leads: Vec<Value>) -> Vec<String> {
        self.running.sim.write(|w| {
            leads
                .into_iter()
                .map(|lead| {
                    let id = w.new_id("00Q");
                    let mut record = match lead {
                        Value::Object(m) => m,
                        _ => panic!("a lead is an object"),
                    };
                    record.insert("Id".into(), json!(id));
                    w.objects("Lead").insert(id.clone(), record);
                    id
                })
                .collect()
        })
    }

    /// A GET with the session, `q` as the query string and these extra headers.
    async fn fetch(
        &self,
        path: &str,
        q: Option<&str>,
        headers: &[(&str, &str)],
    ) -> (StatusCode, String, reqwest::header::HeaderMap) {
        let mut req = self.get(path);
        if let Some(q) = q {
            req = req.query(&[("q", q)]);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        (status, resp.text().await.unwrap(), headers)
    }

    async fn query(&self, q: &str) -> (StatusCode, Value) {
        let (status, body, _) = self
            .fetch(&format!("/services/data/{V}/query"), Some(q), &[])
            .await;
        (
            status,
            serde_json::from_str(&body).unwrap_or_else(|_| panic!("not JSON: {body}")),
        )
    }

    async fn ok(&self, q: &str) -> Value {
        let (status, body) = self.query(q).await;
        assert_eq!(status, StatusCode::OK, "{q}: {body}");
        body
    }

    /// Asserts a one-item Salesforce error array and returns its message.
    async fn error(&self, q: &str, code: &str) -> String {
        let (status, body) = self.query(q).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {body}");
        assert_eq!(body[0]["errorCode"], code, "{q}: {body}");
        assert_eq!(body.as_array().map(Vec::len), Some(1), "{body}");
        body[0]["message"].as_str().unwrap().to_string()
    }
}

fn last_names(body: &Value) -> Vec<&str> {
    body["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["LastName"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn records_come_back_with_attributes_selected_fields_in_order_and_nulls() {
    let org = org().await;
    let ids = org.insert(vec![
        json!({"LastName": "Smith", "Company": "Acme", "Email": "s@acme.example", "Phone": "555"}),
        json!({"LastName": "Jones", "Company": "Initech"}),
    ]);
    let (status, body, headers) = org
        .fetch(
            &format!("/services/data/{V}/query"),
            Some("select email, LASTNAME, id from lead order by LastName"),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/json;charset=UTF-8");
    assert!(headers.contains_key("sforce-limit-info"));
    // Byte for byte: key order matters to clients that map rows positionally.
    assert_eq!(
        body,
        format!(
            concat!(
                r#"{{"totalSize":2,"done":true,"records":["#,
                r#"{{"attributes":{{"type":"Lead","url":"/services/data/v64.0/sobjects/Lead/{jones}"}},"Email":null,"LastName":"Jones","Id":"{jones}"}},"#,
                r#"{{"attributes":{{"type":"Lead","url":"/services/data/v64.0/sobjects/Lead/{smith}"}},"Email":"s@acme.example","LastName":"Smith","Id":"{smith}"}}]}}"#
            ),
            jones = ids[1],
            smith = ids[0]
        )
    );
    // The url follows the version asked for, and Id need not be selected.
    let (_, body, _) = org
        .fetch(
            "/services/data/v50.0/query",
            Some("SELECT Company FROM Lead WHERE LastName = 'Jones'"),
            &[],
        )
        .await;
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body["records"][0],
        json!({"attributes": {"type": "Lead", "url": format!("/services/data/v50.0/sobjects/Lead/{}", ids[1])}, "Company": "Initech"})
    );
}

#[tokio::test]
async fn where_order_limit_offset_and_count() {
    let org = org().await;
    org.insert(
        (0..30)
            .map(|i| {
                json!({"LastName": format!("L{i:02}"), "Company": if i % 3 == 0 { "Fizz" } else { "Other" },
                       "NumberOfEmployees": i, "Email": if i % 2 == 0 { json!(format!("l{i}@x.example")) } else { Value::Null }})
            })
            .collect(),
    );
    let body = org
        .ok("SELECT LastName FROM Lead WHERE Company = 'fizz' AND NumberOfEmployees >= 9 ORDER BY NumberOfEmployees DESC LIMIT 3 OFFSET 1")
        .await;
    assert_eq!(last_names(&body), ["L24", "L21", "L18"]);
    assert_eq!(body["totalSize"], 3);

    let body = org.ok("SELECT COUNT() FROM Lead").await;
    assert_eq!(body, json!({"totalSize": 30, "done": true, "records": []}));
    let body = org
        .ok("SELECT count() FROM Lead WHERE Email = null OR NumberOfEmployees IN (0, 2)")
        .await;
    assert_eq!(body["totalSize"], 17);
    let body = org
        .ok("SELECT COUNT() FROM Lead WHERE Email != null LIMIT 4")
        .await;
    assert_eq!(body["totalSize"], 4);
    let body = org.ok("SELECT LastName FROM Lead WHERE NOT (LastName LIKE 'L1%' OR LastName LIKE 'L2%') ORDER BY LastName DESC NULLS LAST").await;
    assert_eq!(
        last_names(&body),
        [
            "L09", "L08", "L07", "L06", "L05", "L04", "L03", "L02", "L01", "L00"
        ]
    );
}

#[tokio::test]
async fn paging_over_4500_records_follows_next_records_url() {
    let org = org().await;
    let ids = org.insert(
        (0..4500)
            .map(|i| json!({"LastName": format!("Lead {i}"), "Company": "Paging"}))
            .collect(),
    );
    let first = org.ok("SELECT Id, LastName FROM Lead").await;
    assert_eq!(first["totalSize"], 4500);
    assert_eq!(first["done"], false);
    assert_eq!(first["records"].as_array().unwrap().len(), 2000);
    let next = first["nextRecordsUrl"].as_str().unwrap().to_string();
    let locator = next
        .strip_prefix("/services/data/v64.0/query/")
        .expect(&next);
    assert!(
        locator.starts_with("01g") && locator.ends_with("-2000"),
        "{locator}"
    );

    // Records created after the query ran are not in its later pages: a cursor is a snapshot.
    org.insert(vec![json!({"LastName": "Late", "Company": "Paging"})]);

    let mut seen: Vec<String> = Vec::new();
    let mut page = first;
    let mut pages = 1;
    loop {
        assert_eq!(page["totalSize"], 4500);
        seen.extend(
            page["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["Id"].as_str().unwrap().to_string()),
        );
        let Some(url) = page["nextRecordsUrl"].as_str() else {
            assert_eq!(page["done"], true);
            break;
        };
        assert_eq!(page["done"], false);
        let (status, body, _) = org.fetch(url, None, &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        page = serde_json::from_str(&body).unwrap();
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ids, "every record once, in creation order");

    // The cursor closes after its last page.
    let (status, body, _) = org.fetch(&next, None, &[]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        body,
        json!([{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}])
    );

    // batchSize pages in 500s; queryAll pages too, under its own path.
    let (status, body, _) = org
        .fetch(
            &format!("/services/data/{V}/queryAll"),
            Some("SELECT Id FROM Lead WHERE Company = 'Paging'"),
            &[("Sforce-Query-Options", "batchSize=500")],
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut page: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(page["totalSize"], 4501);
    let mut sizes = Vec::new();
    loop {
        sizes.push(page["records"].as_array().unwrap().len());
        let Some(url) = page["nextRecordsUrl"].as_str() else {
            break;
        };
        assert!(
            url.starts_with("/services/data/v64.0/queryAll/01g"),
            "{url}"
        );
        let (_, body, _) = org
            .fetch(url, None, &[("Sforce-Query-Options", "batchSize=500")])
            .await;
        page = serde_json::from_str(&body).unwrap();
    }
    assert_eq!(sizes, [500, 500, 500, 500, 500, 500, 500, 500, 500, 1]);
}

#[tokio::test]
async fn a_cursor_belongs_to_its_user_and_locators_are_checked() {
    let org = org().await;
    org.insert(
        (0..2001)
            .map(|i| json!({"LastName": format!("N{i}"), "Company": "C"}))
            .collect(),
    );
    let first = org.ok("SELECT Id FROM Lead").await;
    let next = first["nextRecordsUrl"].as_str().unwrap().to_string();
    for bad in [
        format!("/services/data/{V}/query/01gNOPE-2000"),
        format!("/services/data/{V}/query/nonsense"),
        next.replace("-2000", "-x"),
        next.replace("-2000", "-9999"),
    ] {
        let (status, body, _) = org.fetch(&bad, None, &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(body.contains("INVALID_QUERY_LOCATOR"), "{bad}: {body}");
    }
    let (status, body, _) = org.fetch(&next, None, &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(page["records"].as_array().unwrap().len(), 1);
    assert_eq!(page["done"], true);
}

#[tokio::test]
async fn string_escapes_reach_the_right_records() {
    let org = org().await;
    org.insert(vec![
        json!({"LastName": "O'Brien", "Company": "Quote"}),
        json!({"LastName": "Back\\slash", "Company": "Slash"}),
        json!({"LastName": "Tab\there", "Company": "Tab"}),
        json!({"LastName": "Line\nbreak", "Company": "Newline"}),
        json!({"LastName": "Say \"hi\"", "Company": "Double"}),
        json!({"LastName": "100% sure", "Company": "Percent"}),
        json!({"LastName": "100 percent", "Company": "NotPercent"}),
        json!({"LastName": "snake_case", "Company": "Under"}),
        json!({"LastName": "snakeXcase", "Company": "NotUnder"}),
        json!({"LastName": "Café & Co + more", "Company": "Unicode"}),
    ]);
    let cases: &[(&str, &[&str])] = &[
        (r"LastName = 'O\'Brien'", &["Quote"]),
        (r"LastName = 'Back\\slash'", &["Slash"]),
        (r"LastName = 'Tab\there'", &["Tab"]),
        (r"LastName = 'Line\nbreak'", &["Newline"]),
        (r"LastName = 'Line\Nbreak'", &["Newline"]),
        (r#"LastName = 'Say \"hi\"'"#, &["Double"]),
        (r"LastName LIKE '100\%%'", &["Percent"]),
        (r"LastName LIKE '100%'", &["Percent", "NotPercent"]),
        (r"LastName LIKE 'snake\_case'", &["Under"]),
        (r"LastName LIKE 'snake_case'", &["Under", "NotUnder"]),
        (r"LastName = 'caf\u00e9 & co + more'", &["Unicode"]),
        ("LastName = 'Café & Co + more'", &["Unicode"]),
    ];
    for (cond, want) in cases {
        let body = org
            .ok(&format!("SELECT Company FROM Lead WHERE {cond}"))
            .await;
        let got: Vec<&str> = body["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["Company"].as_str().unwrap())
            .collect();
        assert_eq!(got, *want, "{cond}");
    }
    let m = org
        .error(
            r"SELECT Id FROM Lead WHERE LastName = 'bad\qescape'",
            "MALFORMED_QUERY",
        )
        .await;
    assert!(
        m.ends_with(r"Invalid string literal 'bad\qescape'. Illegal character sequence '\q' in string literal."),
        "{m}"
    );
    let m = org
        .error(
            "SELECT Id FROM Lead WHERE LastName = 'O'Brien'",
            "MALFORMED_QUERY",
        )
        .await;
    assert!(m.ends_with("\nunexpected token: 'Brien'"), "{m}");
}

#[tokio::test]
async fn errors_are_salesforce_s_own() {
    let org = org().await;
    let m = org.error("SELECT Id, Foo FROM Lead", "INVALID_FIELD").await;
    assert_eq!(
        m,
        "\nSELECT Id, Foo FROM Lead\n           ^\nERROR at Row:1:Column:12\nNo such column 'Foo' on entity 'Lead'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
    );
    let m = org.error("SELECT Id FROM Foo", "INVALID_TYPE").await;
    assert_eq!(
        m,
        "\nSELECT Id FROM Foo\n               ^\nERROR at Row:1:Column:16\nsObject type 'Foo' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
    );
    let m = org.error("SELECT Id FORM Lead", "MALFORMED_QUERY").await;
    assert_eq!(
        m,
        "\nSELECT Id FORM Lead\n               ^\nERROR at Row:1:Column:16\nunexpected token: 'Lead'"
    );
    let m = org.error("SELECT Id, FROM Lead", "MALFORMED_QUERY").await;
    assert!(
        m.ends_with("ERROR at Row:1:Column:12\nunexpected token: 'FROM'"),
        "{m}"
    );
    let m = org
        .error("SELECT Id FROM Lead WHERE", "MALFORMED_QUERY")
        .await;
    assert!(m.ends_with("unexpected token: '<EOF>'"), "{m}");
    let m = org
        .error(
            "SELECT Id FROM Lead WHERE Email = 'a' AND Company = 'b' OR LastName = 'c'",
            "MALFORMED_QUERY",
        )
        .await;
    assert!(m.ends_with("unexpected token: 'OR'"), "{m}");
    let m = org
        .error("SELECT Id FROM Lead WHERE Email = 5", "INVALID_FIELD")
        .await;
    assert!(
        m.ends_with("value of filter criterion for field 'Email' must be of type string and should be enclosed in quotes"),
        "{m}"
    );
    let m = org
        .error(
            "SELECT Id FROM Lead WHERE CreatedDate > 2025-06-06",
            "INVALID_FIELD",
        )
        .await;
    assert!(
        m.contains("must be of type dateTime and should not be enclosed in quotes"),
        "{m}"
    );
    let m = org
        .error(
            "SELECT Id FROM Lead WHERE Id = '123'",
            "INVALID_QUERY_FILTER_OPERATOR",
        )
        .await;
    assert!(m.ends_with("invalid ID field: 123"), "{m}");
    let m = org
        .error(
            "SELECT Id FROM Lead OFFSET 2001",
            "NUMBER_OUTSIDE_VALID_RANGE",
        )
        .await;
    assert_eq!(m, "Maximum SOQL offset allowed is 2000");

    // No query at all.
    for path in [
        format!("/services/data/{V}/query"),
        format!("/services/data/{V}/query?q="),
    ] {
        let (status, body, _) = org.fetch(&path, None, &[]).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            serde_json::from_str::<Value>(&body).unwrap(),
            json!([{"message": "A query string has to be specified", "errorCode": "MALFORMED_QUERY"}])
        );
    }
    // Valid dates and datetimes in every written form.
    for cond in [
        "CreatedDate > 2025-06-06T08:00:00Z",
        "CreatedDate < 2025-06-06T08:00:00+09:00",
        "CreatedDate >= 2025-06-06T08:00:00.000-05:00",
        "CreatedDate = TODAY",
        "CreatedDate = YESTERDAY",
        "CreatedDate = LAST_N_DAYS:30",
        "IsConverted = false",
        "ConvertedDate = 2025-06-06",
        "AnnualRevenue > 10.5",
    ] {
        org.ok(&format!("SELECT Id FROM Lead WHERE {cond}")).await;
    }
}

#[tokio::test]
async fn queries_need_a_live_session_and_a_known_version() {
    let org = org().await;
    let url = format!("{}/services/data/{V}/query", org.running.base_url);
    let q = [("q", "SELECT Id FROM Lead")];
    let expected =
        json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]);
    let resp = org.http.get(&url).query(&q).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.json::<Value>().await.unwrap(), expected);
    let resp = org
        .http
        .get(&url)
        .query(&q)
        .bearer_auth("00D!bogus")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.json::<Value>().await.unwrap(), expected);
    // A locator is no way around the session either.
    let resp = org
        .http
        .get(format!("{url}/01g000000000001AAA-2000"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);

    // An unknown version is Salesforce's 404 whatever the session.
    for v in ["v30.0", "v99.0", "latest"] {
        let resp = org
            .get(&format!("/services/data/{v}/query"))
            .query(&q)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{v}");
        assert_eq!(
            resp.json::<Value>().await.unwrap(),
            json!([{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}])
        );
    }
    // Queries are read with GET; other methods get Salesforce's 405.
    let resp = org
        .post(&format!("/services/data/{V}/query"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!([{"errorCode": "METHOD_NOT_ALLOWED", "message": "HTTP Method 'POST' not allowed. Allowed are GET,HEAD"}])
    );
    // Trailing slashes are accepted.
    let resp = org
        .get(&format!("/services/data/{V}/query/"))
        .query(&q)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    // The session is counted against the daily limit.
    let stats = org.inspect("stats").await;
    assert_eq!(stats["api_usage"]["used"], 1, "{stats}");
}

#[tokio::test]
async fn records_created_through_rest_are_queryable_by_their_system_fields() {
    let org = org().await;
    let created: Value = org
        .post(&format!("/services/data/{V}/sobjects/Lead"))
        .json(&json!({"LastName": "Rest", "Company": "Via REST", "NumberOfEmployees": 12}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().expect("created").to_string();
    let body = org
        .ok(&format!(
            "SELECT Id, CreatedDate, IsConverted, Status, NumberOfEmployees FROM Lead WHERE Id = '{}' AND CreatedDate = TODAY AND CreatedDate > 2020-01-01T00:00:00Z AND IsConverted = false",
            &id[..15]
        ))
        .await;
    assert_eq!(body["totalSize"], 1, "{body}");
    let row = &body["records"][0];
    assert_eq!(row["Id"], json!(id));
    assert_eq!(row["NumberOfEmployees"], 12);
    assert_eq!(
        row["Status"], "Open - Not Contacted",
        "defaulted on create: {row}"
    );
    let created_date = row["CreatedDate"].as_str().unwrap();
    assert!(
        created_date.len() == 28 && created_date.ends_with("+0000"),
        "Salesforce's datetime form: {created_date}"
    );
    let body = org
        .ok("SELECT COUNT() FROM Lead WHERE CreatedDate = YESTERDAY OR CreatedDate > TODAY")
        .await;
    assert_eq!(body["totalSize"], 0);
}
