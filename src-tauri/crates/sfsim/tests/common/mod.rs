//! Shared by the integration tests: an in-process simulator, an HTTP client, and an access token
//! minted without walking the OAuth pages.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use leadline_sfsim::{Options, Org, Running};
use reqwest::{Client, Method, RequestBuilder};

pub const V: &str = "/services/data/v59.0";

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
        let running = leadline_sfsim::start(Options {
            org,
            port: 0,
            tls: false,
            state_file: None,
        })
        .await
        .expect("the simulator starts");
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
