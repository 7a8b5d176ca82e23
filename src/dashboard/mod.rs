//! The test-mode Dashboard at `/dashboard`: server-rendered pages (minijinja templates,
//! HTML-escaped) over what the server holds. It reads and acts through the API itself — an
//! in-process request with the secret key, marked as the Dashboard's — so every action goes
//! through the same code and leaves the same events as the API; it reads the store only for
//! what the API cannot list (an object's events, failed deliveries).

mod actions;
mod chart;
mod pages;
mod session;

use crate::api::DashboardCall;
use crate::state::App;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use minijinja::Environment;
use serde_json::{json, Value};
use std::sync::Arc;
use tower::ServiceExt;

/// The API version the Dashboard reads at: the newest shapes.
const VERSION: &str = crate::versions::LATEST;

pub struct Dash {
    app: Arc<App>,
    api: Router,
    templates: Environment<'static>,
    sessions: session::Sessions,
    /// Failed sign-ins, to slow down guessing.
    throttle: session::Throttle,
    /// The session cookie's name: browsers share cookies between the ports of a host, so
    /// each server's carries its port.
    cookie: String,
    /// Whether the public URL is https (cookies are then `Secure`).
    secure: bool,
}

/// `/dashboard` and its pages, in front of `api` (which it calls for its data).
pub fn routes(app: Arc<App>, api: Router) -> Router {
    let url = app.public_url.clone();
    let port = url
        .rsplit_once(':')
        .map(|(_, p)| p.trim_end_matches('/'))
        .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or(if url.starts_with("https:") {
            "443"
        } else {
            "80"
        })
        .to_string();
    let dash = Arc::new(Dash {
        app,
        api,
        templates: templates(),
        sessions: session::Sessions::default(),
        throttle: session::Throttle::default(),
        cookie: format!("pasarela_dashboard_{port}"),
        secure: url.starts_with("https:"),
    });
    let signed_in = Router::new()
        .route("/dashboard", get(pages::home))
        .route("/dashboard/", get(pages::home))
        .route("/dashboard/payments", get(pages::payments))
        .route("/dashboard/payments/{id}", get(pages::payment))
        .route("/dashboard/payments/{id}/capture", post(actions::capture))
        .route("/dashboard/payments/{id}/cancel", post(actions::cancel))
        .route("/dashboard/payments/{id}/refund", post(actions::refund))
        .route("/dashboard/customers", get(pages::customers))
        .route("/dashboard/customers/{id}", get(pages::customer))
        .route(
            "/dashboard/customers/{id}/payment_methods/{pm}/detach",
            post(actions::detach),
        )
        .route("/dashboard/events", get(pages::events))
        .route("/dashboard/events/{id}", get(pages::event))
        .route("/dashboard/events/{id}/resend", post(actions::resend))
        .route(
            "/dashboard/webhooks",
            get(pages::webhooks).post(actions::add_endpoint),
        )
        .route("/dashboard/webhooks/{id}", get(pages::webhook))
        .route(
            "/dashboard/webhooks/{id}/update",
            post(actions::update_endpoint),
        )
        .route(
            "/dashboard/webhooks/{id}/delete",
            post(actions::delete_endpoint),
        )
        .route(
            "/dashboard/webhooks/{id}/reveal",
            post(actions::reveal_secret),
        )
        .route("/dashboard/logs", get(pages::logs))
        .route("/dashboard/logs/{id}", get(pages::log))
        .route("/dashboard/developers", get(pages::developers))
        .route("/dashboard/poll", get(pages::poll))
        .route("/dashboard/logout", post(session::sign_out))
        .layer(axum::middleware::from_fn_with_state(
            dash.clone(),
            session::require,
        ));
    Router::new()
        .route(
            "/dashboard/login",
            get(session::sign_in_page).post(session::sign_in),
        )
        .route("/dashboard/app.js", get(script))
        .merge(signed_in)
        .layer(axum::middleware::from_fn(plain_paths))
        .layer(axum::middleware::from_fn(security_headers))
        .with_state(dash)
}

/// The Dashboard's URLs hold ids, which never need percent-encoding: an encoded path could
/// smuggle `/`, `?` or `#` into the API request a page makes, so it is not found.
async fn plain_paths(req: Request, next: axum::middleware::Next) -> Response {
    if req.uri().path().contains('%') {
        return (StatusCode::NOT_FOUND, "No such page.").into_response();
    }
    next.run(req).await
}

/// The pages' one script (no inline script: the CSP allows only this origin's).
async fn script() -> Response {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("app.js"),
    )
        .into_response()
}

/// No framing by other sites, no sniffing, no caching of pages that show keys.
async fn security_headers(req: Request, next: axum::middleware::Next) -> Response {
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("cache-control", HeaderValue::from_static("no-store"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; style-src 'self' 'unsafe-inline'; script-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    resp
}

fn templates() -> Environment<'static> {
    let mut env = Environment::new();
    // Everything from the API is escaped in HTML templates (`.html`).
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    for (name, source) in [
        ("base.html", include_str!("templates/base.html")),
        ("macros.html", include_str!("templates/macros.html")),
        ("signin.html", include_str!("templates/signin.html")),
        ("home.html", include_str!("templates/home.html")),
        ("payments.html", include_str!("templates/payments.html")),
        ("payment.html", include_str!("templates/payment.html")),
        ("customers.html", include_str!("templates/customers.html")),
        ("customer.html", include_str!("templates/customer.html")),
        ("events.html", include_str!("templates/events.html")),
        ("event.html", include_str!("templates/event.html")),
        ("webhooks.html", include_str!("templates/webhooks.html")),
        ("webhook.html", include_str!("templates/webhook.html")),
        ("logs.html", include_str!("templates/logs.html")),
        ("log.html", include_str!("templates/log.html")),
        ("developers.html", include_str!("templates/developers.html")),
        ("message.html", include_str!("templates/message.html")),
    ] {
        env.add_template(name, source).expect("templates parse");
    }
    env.add_filter("money", chart::money_filter);
    env.add_filter("when", chart::when_filter);
    env.add_filter("pretty", |v: minijinja::Value| {
        serde_json::to_string_pretty(&v).unwrap_or_default()
    });
    env
}

impl Dash {
    /// A page: `template` with `context` (plus what every page shows).
    fn page(&self, template: &str, mut context: Value, s: &session::Session) -> Response {
        context["csrf"] = Value::String(s.csrf.clone());
        // One key per drawn page: each form's action is sent with it, so a double submit
        // acts once (see `actions`).
        context["idem"] = Value::String(crate::domain::ids::random_base62(24));
        context["merchant"] = Value::String(self.app.merchant_name());
        context["country"] = Value::String(self.app.account.country.clone());
        // The log's position the page was drawn at: a request after it redraws the page.
        context["seq"] = Value::from(self.app.requests.last_seq());
        self.render(template, context)
    }

    fn render(&self, template: &str, context: Value) -> Response {
        match self
            .templates
            .get_template(template)
            .and_then(|t| t.render(&context))
        {
            Ok(html) => Html(html).into_response(),
            Err(e) => {
                tracing::error!(error = %e, template, "dashboard template");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The page could not be drawn.",
                )
                    .into_response()
            }
        }
    }

    /// An API call made for the signed-in developer: (status, JSON body).
    async fn call(&self, method: Method, path: &str, params: &[(&str, String)]) -> (u16, Value) {
        self.call_once(method, path, params, None).await
    }

    /// `call`, with an Idempotency-Key (a form submitted twice acts once).
    async fn call_once(
        &self,
        method: Method,
        path: &str,
        params: &[(&str, String)],
        idempotency_key: Option<String>,
    ) -> (u16, Value) {
        let form = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())))
            .finish();
        let (uri, body) = if method == Method::GET && !form.is_empty() {
            (format!("{path}?{form}"), String::new())
        } else {
            (path.to_string(), form)
        };
        let mut builder = Request::builder()
            .method(method)
            .uri(uri)
            .header(
                header::AUTHORIZATION,
                format!("Bearer {}", self.app.account.secret_key),
            )
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("stripe-version", VERSION);
        if let Some(key) = idempotency_key {
            builder = builder.header("idempotency-key", key);
        }
        let Ok(mut req) = builder.body(Body::from(body)) else {
            let error = json!({"error": {"message": "That is not an id the API knows."}});
            return (400, error);
        };
        req.extensions_mut().insert(DashboardCall);
        let resp = match self.api.clone().oneshot(req).await {
            Ok(r) => r,
            Err(never) => match never {},
        };
        let status = resp.status().as_u16();
        let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap_or_default();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    /// A GET whose answer the page needs: the body, or the API's error message.
    async fn get(&self, path: &str, params: &[(&str, String)]) -> Result<Value, String> {
        match self.call(Method::GET, path, params).await {
            (200, body) => Ok(body),
            (_, body) => Err(error_message(&body)),
        }
    }
}

fn error_message(body: &Value) -> String {
    body["error"]["message"]
        .as_str()
        .unwrap_or("The request failed.")
        .to_string()
}

/// A redirect after a form (303, so the browser GETs the page).
fn see_other(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response()
}
