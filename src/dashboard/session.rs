//! Signing in to the Dashboard with the account's secret key (never the publishable key):
//! a random session token in an `HttpOnly`, `SameSite=Strict` cookie, a CSRF token every
//! form carries, and signing out. Sessions live in memory for 12 hours.

use super::{see_other, Dash};
use crate::domain::ids;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

const LIFETIME: i64 = 12 * 3600;

/// A signed-in developer: the token every form must carry.
#[derive(Clone)]
pub struct Session {
    pub csrf: String,
    created: i64,
}

#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, Session>>);

/// Failed sign-ins in the last `WINDOW`: past `MAX_FAILURES`, sign-in is refused until the
/// oldest leaves the window, whatever key is typed (a guesser learns nothing meanwhile).
#[derive(Default)]
pub struct Throttle(Mutex<std::collections::VecDeque<std::time::Instant>>);

const MAX_FAILURES: usize = 10;
const WINDOW: std::time::Duration = std::time::Duration::from_secs(60);

impl Throttle {
    /// Seconds to wait before the next try, when too many failed.
    fn wait(&self) -> Option<u64> {
        let mut failures = self.0.lock().unwrap_or_else(|e| e.into_inner());
        while failures.front().is_some_and(|t| t.elapsed() > WINDOW) {
            failures.pop_front();
        }
        (failures.len() >= MAX_FAILURES).then(|| {
            failures
                .front()
                .map(|t| (WINDOW - t.elapsed()).as_secs() + 1)
                .unwrap_or(1)
        })
    }

    fn failed(&self) {
        let mut failures = self.0.lock().unwrap_or_else(|e| e.into_inner());
        failures.push_back(std::time::Instant::now());
    }
}

impl Sessions {
    fn open(&self) -> (String, Session) {
        let token = ids::random_base62(40);
        let s = Session {
            csrf: ids::random_base62(32),
            created: crate::clock::now(),
        };
        let mut all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let now = s.created;
        all.retain(|_, old| now - old.created < LIFETIME);
        all.insert(token.clone(), s.clone());
        (token, s)
    }

    fn get(&self, token: &str) -> Option<Session> {
        let all = self.0.lock().unwrap_or_else(|e| e.into_inner());
        all.get(token)
            .filter(|s| crate::clock::now() - s.created < LIFETIME)
            .cloned()
    }

    fn close(&self, token: &str) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(token);
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Every signed-in page: without a session, a page view goes to the sign-in page and
/// anything else is a 401; a form posted without the session's CSRF token is a 403.
pub async fn require(State(dash): State<Arc<Dash>>, mut req: Request, next: Next) -> Response {
    let session = cookie(req.headers(), &dash.cookie).and_then(|t| dash.sessions.get(t));
    let Some(session) = session else {
        if req.method() == Method::GET && req.uri().path() != "/dashboard/poll" {
            return see_other("/dashboard/login");
        }
        return (StatusCode::UNAUTHORIZED, "Sign in to the Dashboard first.").into_response();
    };
    if req.method() == Method::POST {
        // The form's token, read from the urlencoded body, which is put back for the handler.
        let (parts, body) = req.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, 1 << 20).await else {
            return (StatusCode::BAD_REQUEST, "The form could not be read.").into_response();
        };
        let given = form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned());
        if !given.is_some_and(|g| ids::same_secret(&g, &session.csrf)) {
            return (
                StatusCode::FORBIDDEN,
                "This form is missing its security token: reload the page and try again.",
            )
                .into_response();
        }
        req = Request::from_parts(parts, axum::body::Body::from(bytes));
    }
    req.extensions_mut().insert(session);
    next.run(req).await
}

pub async fn sign_in_page(State(dash): State<Arc<Dash>>) -> Response {
    sign_in_form(&dash, None)
}

fn sign_in_form(dash: &Dash, error: Option<&str>) -> Response {
    let csrf = ids::random_base62(32);
    let mut resp = dash.render(
        "signin.html",
        json!({"csrf": csrf, "error": error, "merchant": dash.app.merchant_name()}),
    );
    set_cookie(dash, &mut resp, &sign_in_cookie(dash), &csrf, 3600);
    if error.is_some() {
        *resp.status_mut() = StatusCode::UNAUTHORIZED;
    }
    resp
}

/// The sign-in form's own CSRF cookie, before there is a session.
fn sign_in_cookie(dash: &Dash) -> String {
    format!("{}_signin", dash.cookie)
}

/// An `HttpOnly`, `SameSite=Strict` cookie for the Dashboard's paths (`Secure` over https).
fn set_cookie(dash: &Dash, resp: &mut Response, name: &str, value: &str, max_age: i64) {
    let secure = if dash.secure { "; Secure" } else { "" };
    let set = format!(
        "{name}={value}; HttpOnly; SameSite=Strict; Path=/dashboard; Max-Age={max_age}{secure}"
    );
    resp.headers_mut()
        .append(header::SET_COOKIE, set.parse().expect("ascii cookie"));
}

#[derive(Deserialize)]
pub struct SignIn {
    key: String,
    csrf: String,
}

pub async fn sign_in(
    State(dash): State<Arc<Dash>>,
    headers: HeaderMap,
    Form(form): Form<SignIn>,
) -> Response {
    if !cookie(&headers, &sign_in_cookie(&dash)).is_some_and(|c| ids::same_secret(c, &form.csrf)) {
        return (
            StatusCode::FORBIDDEN,
            "This form is missing its security token: reload the page and try again.",
        )
            .into_response();
    }
    if let Some(seconds) = dash.throttle.wait() {
        let mut resp = sign_in_form(
            &dash,
            Some(&format!(
                "Too many failed sign-ins: try again in {seconds} s."
            )),
        );
        *resp.status_mut() = StatusCode::TOO_MANY_REQUESTS;
        return resp;
    }
    let key = form.key.trim();
    if key.starts_with("pk_") {
        return sign_in_form(
            &dash,
            Some("That is the publishable key: the Dashboard takes the secret key (sk_test_…)."),
        );
    }
    if !ids::same_secret(key, &dash.app.account.secret_key) {
        dash.throttle.failed();
        return sign_in_form(&dash, Some("That is not this server's secret key."));
    }
    // A session this browser already had ends: signing in starts a new one.
    if let Some(old) = cookie(&headers, &dash.cookie) {
        dash.sessions.close(old);
    }
    let (token, _) = dash.sessions.open();
    let mut resp = see_other("/dashboard");
    set_cookie(&dash, &mut resp, &dash.cookie, &token, LIFETIME);
    resp
}

pub async fn sign_out(State(dash): State<Arc<Dash>>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, &dash.cookie) {
        dash.sessions.close(token);
    }
    let mut resp = see_other("/dashboard/login");
    set_cookie(&dash, &mut resp, &dash.cookie, "", 0);
    resp
}
