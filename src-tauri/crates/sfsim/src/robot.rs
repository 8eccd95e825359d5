//! A robot that plays the person at sfsim's authorize pages — log in, then allow or deny — the
//! way a browser would, and hands back the callback URL sfsim redirects to. Tests of the crates
//! that run a browser sign-in plug it behind their fake browser, so they walk the real pages and
//! need no window. Built only with the `robot` feature (tests enable it).

use url::Url;

/// What the robot answers on the consent page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    Allow,
    Deny,
}

/// Who logs in, and what they say to the app.
#[derive(Debug, Clone)]
pub struct Robot {
    pub username: String,
    pub password: String,
    pub consent: Consent,
}

impl Robot {
    pub fn new(username: &str, password: &str, consent: Consent) -> Self {
        Self {
            username: username.to_string(),
            password: password.to_string(),
            consent,
        }
    }

    /// Opens `authorize`, logs in, answers the consent page if one shows, and returns the URL
    /// sfsim redirects the browser to (the app's callback, with a code or an error). The
    /// callback itself is not visited: the caller decides what the browser does with it.
    pub async fn walk(&self, authorize: &Url) -> Result<Url, String> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| e.to_string())?;
        let origin = authorize.origin().ascii_serialization();
        let e = |e: reqwest::Error| e.to_string();

        let first = http.get(authorize.clone()).send().await.map_err(e)?;
        if first.status().is_redirection() {
            return location(&first);
        }
        let page = first.text().await.map_err(e)?;
        let login = http
            .post(format!("{origin}/services/oauth2/authorize/login"))
            .form(&[
                ("request", hidden_request(&page)?.as_str()),
                ("username", self.username.as_str()),
                ("pw", self.password.as_str()),
            ])
            .send()
            .await
            .map_err(e)?;
        if login.status().is_redirection() {
            return location(&login);
        }
        let page = login.text().await.map_err(e)?;
        let decision = match self.consent {
            Consent::Allow => "allow",
            Consent::Deny => "deny",
        };
        let consent = http
            .post(format!("{origin}/services/oauth2/authorize/consent"))
            .form(&[
                ("request", hidden_request(&page)?.as_str()),
                ("decision", decision),
            ])
            .send()
            .await
            .map_err(e)?;
        location(&consent)
    }
}

/// The value of the hidden `request` field of an sfsim page.
fn hidden_request(page: &str) -> Result<String, String> {
    let at = page
        .find("name=\"request\"")
        .ok_or_else(|| format!("no request field in the page: {page}"))?;
    let rest = &page[at..];
    let start = rest.find("value=\"").ok_or("no value")? + "value=\"".len();
    let end = rest[start..].find('"').ok_or("unterminated value")?;
    Ok(rest[start..start + end]
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&"))
}

fn location(response: &reqwest::Response) -> Result<Url, String> {
    let loc = response
        .headers()
        .get(reqwest::header::LOCATION)
        .ok_or_else(|| format!("expected a redirect, got {}", response.status()))?
        .to_str()
        .map_err(|e| e.to_string())?;
    Url::parse(loc).map_err(|e| e.to_string())
}
