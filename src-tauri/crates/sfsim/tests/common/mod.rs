//! Shared by the integration tests: an in-process simulator, an HTTP client, and an access token
//! minted without walking the OAuth pages; plain JSON reads, such as the simulator's inspection
//! endpoints.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use leadline_sfsim::{Options, Org, Running};
use reqwest::{Client, Method, RequestBuilder};
use serde_json::Value;

pub const V: &str = "/services/data/v59.0";

/// Starts `org` on a free port, over plain HTTP, with no state file.
pub async fn start(org: Org) -> Running {
    leadline_sfsim::start(Options {
        org,
        port: 0,
        tls: false,
        state_file: None,
    })
    .await
    .expect("the simulator starts")
}

/// A GET without a session, read as JSON.
pub async fn get_json(url: &str) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

/// What the simulator's inspection endpoint `/__sfsim/{what}` (`stats`, `tokens`,
/// `records/{object}`) says, from the simulator at `base_url`.
pub async fn inspect(base_url: &str, what: &str) -> Value {
    get_json(&format!("{base_url}/__sfsim/{what}")).await
}

pub struct TestSim {
    pub running: Running,
    pub http: Client,
    /// An access token of the org's first user for the first connected app (or the practice one).
    pub token: String,
}

impl TestSim {
    /// The built-in practice org.
    pub async fn practice() -> Self {
        Self::with_org(Org::practice()).await
    }

    pub async fn with_org(org: Org) -> Self {
        let username = org.users[0].username.clone();
        let running = start(org).await;
        let token = Self::mint_for(&running, &username);
        Self {
            running,
            http: Client::new(),
            token,
        }
    }

    /// An access token for another user of the org.
    pub fn token_for(&self, username: &str) -> String {
        Self::mint_for(&self.running, username)
    }

    fn mint_for(running: &Running, username: &str) -> String {
        let client_id = running
            .sim
            .org()
            .connected_apps
            .first()
            .map_or("leadline-practice".to_string(), |a| a.client_id.clone());
        running
            .sim
            .mint_tokens(
                username,
                &client_id,
                &["api".into(), "refresh_token".into()],
                true,
            )
            .0
    }

    /// See [`inspect`].
    pub async fn inspect(&self, what: &str) -> Value {
        inspect(&self.running.base_url, what).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.running.base_url)
    }

    /// A request with the session's bearer token.
    pub fn req(&self, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(&self.token)
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.req(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.req(Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> RequestBuilder {
        self.req(Method::PATCH, path)
    }

    pub fn delete(&self, path: &str) -> RequestBuilder {
        self.req(Method::DELETE, path)
    }
}
