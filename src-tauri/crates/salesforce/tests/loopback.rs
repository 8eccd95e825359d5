//! The loopback callback listener on its own: where it binds, which callbacks it accepts, how
//! provider errors come out, port fallback, and that it is closed once done.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use leadline_salesforce::loopback::{
    CALLBACK_PATH, CallbackListener, CallbackPorts, CancellationToken, LoopbackError,
    WRONG_STATE_MESSAGE,
};

fn url(listener: &CallbackListener, query: &str) -> String {
    // Straight to the bound address: the test does not depend on how localhost resolves.
    format!("http://{}{CALLBACK_PATH}?{query}", listener.local_addr())
}

async fn get(url: &str) -> (u16, String) {
    let r = reqwest::get(url).await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn binds_loopback_only_and_names_a_localhost_redirect() {
    let listener = CallbackListener::bind(CallbackPorts::any(), "s")
        .await
        .unwrap();
    let addr = listener.local_addr();
    assert_eq!(addr.ip(), Ipv4Addr::LOCALHOST);
    assert_ne!(addr.port(), 0);
    assert_eq!(
        listener.redirect_uri().as_str(),
        format!("http://localhost:{}/oauth/callback", addr.port())
    );
}

#[tokio::test]
async fn a_foreign_state_ends_the_wait_and_closes() {
    let listener = CallbackListener::bind(CallbackPorts::any(), "the-state")
        .await
        .unwrap();
    let addr = listener.local_addr();
    let forged = url(&listener, "code=c1&state=other");
    let right = url(&listener, "code=the-code&state=the-state");
    let visits = tokio::spawn(async move {
        let elsewhere = get(&format!("http://{addr}/elsewhere")).await;
        let forged = get(&forged).await;
        (elsewhere, forged)
    });
    let err = listener
        .wait(Duration::from_secs(20), &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, LoopbackError::WrongState { present: true }),
        "{err:?}"
    );
    assert!(err.to_string().contains("did not issue"), "{err}");
    let (elsewhere, forged) = visits.await.unwrap();
    assert_eq!(
        elsewhere.0, 404,
        "other paths neither answer the sign-in nor end it"
    );
    assert_eq!(forged.0, 400);
    assert!(forged.1.contains(WRONG_STATE_MESSAGE), "{}", forged.1);
    // Closed: even the right callback, arriving late, cannot connect.
    assert!(reqwest::get(right).await.is_err());
}

#[tokio::test]
async fn a_missing_state_ends_the_wait() {
    let listener = CallbackListener::bind(CallbackPorts::any(), "the-state")
        .await
        .unwrap();
    let missing = url(&listener, "code=c1");
    let visit = tokio::spawn(async move { get(&missing).await });
    let err = listener
        .wait(Duration::from_secs(20), &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, LoopbackError::WrongState { present: false }),
        "{err:?}"
    );
    assert_eq!(visit.await.unwrap().0, 400);
}

#[tokio::test]
async fn takes_the_code_and_closes() {
    let listener = CallbackListener::bind(CallbackPorts::any(), "the-state")
        .await
        .unwrap();
    let addr = listener.local_addr();
    let right = url(&listener, "code=the-code&state=the-state");
    let visit = tokio::spawn(async move { get(&right).await });
    let code = listener
        .wait(Duration::from_secs(20), &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(code.expose(), "the-code");
    let page = visit.await.unwrap();
    assert_eq!(page.0, 200);
    assert!(
        page.1
            .contains("You can close this tab and return to Leadline")
    );
    // Closed: a replay cannot even connect.
    let replay = reqwest::get(format!(
        "http://{addr}{CALLBACK_PATH}?code=the-code&state=the-state"
    ))
    .await;
    assert!(replay.is_err(), "{replay:?}");
}

async fn outcome_of(query: &'static str) -> (Result<String, LoopbackError>, (u16, String)) {
    let listener = CallbackListener::bind(CallbackPorts::any(), "st")
        .await
        .unwrap();
    let target = url(&listener, query);
    let visit = tokio::spawn(async move { get(&target).await });
    let outcome = listener
        .wait(Duration::from_secs(20), &CancellationToken::new())
        .await
        .map(|c| c.expose().to_string());
    (outcome, visit.await.unwrap())
}

#[tokio::test]
async fn provider_errors_are_typed() {
    let (r, page) =
        outcome_of("error=access_denied&error_description=end-user+denied&state=st").await;
    assert!(matches!(r, Err(LoopbackError::Denied)), "{r:?}");
    assert_eq!(page.0, 400);

    // Salesforce spells it with a hyphen in places.
    let (r, _) = outcome_of("error=access-denied&state=st").await;
    assert!(matches!(r, Err(LoopbackError::Denied)), "{r:?}");

    let (r, page) = outcome_of(
        "error=OAUTH_APP_BLOCKED&error_description=this+app+is+blocked+%3Cb%3E&state=st",
    )
    .await;
    match r {
        Err(LoopbackError::Provider { error, description }) => {
            assert_eq!(error, "OAUTH_APP_BLOCKED");
            assert_eq!(description.as_deref(), Some("this app is blocked <b>"));
        }
        other => panic!("{other:?}"),
    }
    // The description is shown escaped.
    assert!(
        page.1.contains("this app is blocked &lt;b&gt;"),
        "{}",
        page.1
    );

    let (r, _) = outcome_of("state=st").await;
    assert!(matches!(r, Err(LoopbackError::MissingCode)), "{r:?}");
}

#[tokio::test]
async fn times_out_and_cancels() {
    let listener = CallbackListener::bind(CallbackPorts::any(), "st")
        .await
        .unwrap();
    let addr = listener.local_addr();
    let r = listener
        .wait(Duration::from_millis(200), &CancellationToken::new())
        .await;
    assert!(matches!(r, Err(LoopbackError::Timeout { .. })), "{r:?}");
    assert!(
        reqwest::get(format!("http://{addr}{CALLBACK_PATH}"))
            .await
            .is_err()
    );

    let listener = CallbackListener::bind(CallbackPorts::any(), "st")
        .await
        .unwrap();
    let cancel = CancellationToken::new();
    cancel.cancel();
    let r = listener.wait(Duration::from_secs(60), &cancel).await;
    assert!(matches!(r, Err(LoopbackError::Cancelled)), "{r:?}");
}

#[tokio::test]
async fn falls_back_to_the_second_port_when_the_first_is_busy() {
    let busy = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let busy_port = busy.local_addr().unwrap().port();
    let spare = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let spare_port = spare.local_addr().unwrap().port();
    drop(spare);
    let ports = CallbackPorts {
        primary: busy_port,
        fallback: Some(spare_port),
    };
    let listener = CallbackListener::bind(ports, "st").await.unwrap();
    assert_eq!(
        listener.local_addr(),
        SocketAddr::from((Ipv4Addr::LOCALHOST, spare_port))
    );
    drop(listener);

    let err = CallbackListener::bind(CallbackPorts::fixed(busy_port), "st")
        .await
        .unwrap_err();
    assert!(matches!(err, LoopbackError::PortsBusy { .. }), "{err:?}");
    assert!(err.to_string().contains(&busy_port.to_string()));
}
