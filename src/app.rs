//! Builds the shared state and the router; starts the server and stops it gracefully.

use crate::api;
use crate::api::FreshReply;
use crate::config::ServeArgs;
use crate::domain::ids;
use crate::error::ApiError;
use crate::state::{Account, App, RequestId, Served};
use crate::store::{AccountRow, Store};
use crate::versions::{self, ApiVersion};
use crate::web;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_http::timeout::TimeoutLayer;

/// Opens the store and settles the account: given flags win and are stored; missing
/// ones come from the store, or are generated / defaulted on first start.
pub fn open(args: &ServeArgs, public_url: String) -> Result<Arc<App>, String> {
    let backend = args.database()?;
    let what = match &backend {
        crate::store::Backend::Sqlite(path) => path.clone(),
        crate::store::Backend::Postgres(_) => "PostgreSQL".to_string(),
    };
    let connections = args
        .db_connections
        .map_or_else(crate::store::Connections::default_total, usize::from);
    let store = Store::open_with(backend, connections).map_err(|e| match e {
        // Already says which server, database and user, and the server's words.
        crate::store::StoreError::Other(m) if m.starts_with("PostgreSQL at") => m,
        e => format!("cannot open the database ({what}): {e}"),
    })?;
    let stored = store
        .read_blocking(|db| db.account())
        .map_err(|e| e.to_string())?;
    let row = settle_account(args, stored.as_ref())?;
    let settings = settings_line(args, stored.as_ref());
    if stored.as_ref() != Some(&row) {
        let r = row.clone();
        store
            .read_blocking(move |db| db.put_account(&r))
            .map_err(|e| e.to_string())?;
    }
    // A CA file that cannot be read stops the start, rather than every https delivery.
    if let Some(path) = &args.webhook_ca_file {
        crate::webhooks::client(Some(path))?;
    }
    Ok(Arc::new(App {
        store,
        account: Account {
            id: crate::domain::account::account_id(&row.secret_key),
            secret_key: row.secret_key,
            publishable_key: row.publishable_key,
            country: row.country,
            api_version: ApiVersion::parse(&row.api_version).expect("checked"),
            created: row.created,
        },
        public_url: public_url.trim_end_matches('/').to_string(),
        limits: args.limits,
        webhook_retry_seconds: args.webhook_retry_seconds.max(1) as i64,
        later_seconds: args.later_seconds as i64,
        webhook_timeout: Duration::from_secs(args.webhook_timeout_seconds.max(1)),
        webhook_allow_link_local: args.webhook_allow_link_local,
        webhook_ca_file: args.webhook_ca_file.clone(),
        deliveries_owed: Default::default(),
        requests: Arc::new(crate::request_log::RequestLog::new(
            args.request_log_minutes,
        )),
        dashboard: args.dashboard == "on",
        settings,
    }))
}

/// Where an account setting came from, for the start-up banner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Source {
    /// A flag or its `PASARELA_*` variable (stored for the next start).
    Flag,
    /// The database, from an earlier start.
    Stored,
    /// Defaulted or generated on the first start (and stored).
    Default,
}

impl Source {
    fn of<T>(flag: &Option<T>, stored: Option<&AccountRow>) -> Source {
        match (flag, stored) {
            (Some(_), _) => Source::Flag,
            (None, Some(_)) => Source::Stored,
            (None, None) => Source::Default,
        }
    }

    fn says(self) -> &'static str {
        match self {
            Source::Flag => "from the flag",
            Source::Stored => "from the database",
            Source::Default => "by default",
        }
    }
}

/// What the banner says of where the settings came from.
pub fn settings_line(args: &ServeArgs, stored: Option<&AccountRow>) -> String {
    let keys = match (&args.secret_key, &args.publishable_key) {
        (None, None) => Source::of(&None::<()>, stored),
        _ => Source::Flag,
    };
    let keys = match keys {
        Source::Default => "generated",
        k => k.says(),
    };
    format!(
        "Settings:        country {}, API version {}, keys {} (flags win and are stored)",
        Source::of(&args.country, stored).says(),
        Source::of(&args.api_version, stored).says(),
        keys
    )
}

/// The account row to serve with: each field from the flags, else from the `stored`
/// row, else generated (keys) or defaulted (country, version); checked.
fn settle_account(args: &ServeArgs, stored: Option<&AccountRow>) -> Result<AccountRow, String> {
    let version = match &args.api_version {
        Some(v) => ApiVersion::resolve(v)
            .map_err(|e| match e {
                versions::VersionError::TooOld(_) => format!(
                    "--api-version {v} is older than the oldest version served ({})",
                    versions::OLDEST
                ),
                _ => format!(
                    "unknown --api-version {v} (the newest version served is {})",
                    versions::LATEST
                ),
            })?
            .as_str()
            .to_string(),
        None => stored
            .map(|a| a.api_version.clone())
            .unwrap_or_else(|| versions::DEFAULT.to_string()),
    };
    let row = AccountRow {
        secret_key: args
            .secret_key
            .clone()
            .or_else(|| stored.map(|a| a.secret_key.clone()))
            .unwrap_or_else(|| format!("sk_test_{}", ids::random_base62(24))),
        publishable_key: args
            .publishable_key
            .clone()
            .or_else(|| stored.map(|a| a.publishable_key.clone()))
            .unwrap_or_else(|| format!("pk_test_{}", ids::random_base62(24))),
        country: args
            .country
            .clone()
            .map(|c| c.to_ascii_uppercase())
            .or_else(|| stored.map(|a| a.country.clone()))
            .unwrap_or_else(|| "US".into()),
        api_version: version,
        created: stored.map(|a| a.created).unwrap_or_else(crate::clock::now),
    };
    if !crate::domain::account::COUNTRIES
        .iter()
        .any(|(c, _)| *c == row.country)
    {
        let served: Vec<&str> = crate::domain::account::COUNTRIES
            .iter()
            .map(|(c, _)| *c)
            .collect();
        return Err(format!(
            "--country {} is not a country Stripe accounts can be in; use one of {}",
            row.country,
            served.join(", ")
        ));
    }
    if !row.secret_key.starts_with("sk_test_") || !row.publishable_key.starts_with("pk_test_") {
        return Err("keys must be test-mode keys (sk_test_..., pk_test_...)".into());
    }
    Ok(row)
}

/// Every route: the Dashboard's when it is on, in front of the API and the hosted pages.
pub fn router(app: Arc<App>) -> Router {
    let api = api_router(app.clone());
    if !app.dashboard {
        return api;
    }
    crate::dashboard::routes(app, api.clone()).fallback_service(api)
}

fn api_router(app: Arc<App>) -> Router {
    use api::*;
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route(
            "/v1/customers",
            post(customers::create).get(customers::list),
        )
        .route(
            "/v1/customers/{id}",
            get(customers::retrieve)
                .post(customers::update)
                .delete(customers::delete),
        )
        .route(
            "/v1/payment_intents",
            post(payment_intents::create).get(payment_intents::list),
        )
        .route(
            "/v1/payment_intents/{id}",
            get(payment_intents::retrieve).post(payment_intents::update),
        )
        .route(
            "/v1/payment_intents/{id}/confirm",
            post(payment_intents::confirm),
        )
        .route(
            "/v1/payment_intents/{id}/capture",
            post(payment_intents::capture),
        )
        .route(
            "/v1/payment_intents/{id}/cancel",
            post(payment_intents::cancel),
        )
        .route(
            "/v1/payment_methods",
            post(payment_methods::create).get(payment_methods::list),
        )
        .route(
            "/v1/payment_methods/{id}",
            get(payment_methods::retrieve).post(payment_methods::update),
        )
        .route(
            "/v1/payment_methods/{id}/attach",
            post(payment_methods::attach_endpoint),
        )
        .route(
            "/v1/payment_methods/{id}/detach",
            post(payment_methods::detach),
        )
        .route(
            "/v1/customers/{id}/payment_methods",
            get(payment_methods::list_for_customer),
        )
        .route(
            "/v1/customers/{id}/payment_methods/{pm}",
            get(payment_methods::retrieve_for_customer),
        )
        .route("/v1/account", get(account::retrieve))
        .route("/v1/accounts/{id}", get(account::retrieve_by_id))
        .route("/v1/balance", get(account::balance))
        .route("/v1/balance_transactions", get(balance_transactions::list))
        .route(
            "/v1/balance_transactions/{id}",
            get(balance_transactions::retrieve),
        )
        .route("/v1/refunds", post(refunds::create).get(refunds::list))
        .route(
            "/v1/refunds/{id}",
            get(refunds::retrieve).post(refunds::update),
        )
        .route("/v1/refunds/{id}/cancel", post(refunds::cancel))
        .route(
            "/v1/setup_intents",
            post(setup_intents::create).get(setup_intents::list),
        )
        .route(
            "/v1/setup_intents/{id}",
            get(setup_intents::retrieve).post(setup_intents::update),
        )
        .route(
            "/v1/setup_intents/{id}/confirm",
            post(setup_intents::confirm),
        )
        .route("/v1/setup_intents/{id}/cancel", post(setup_intents::cancel))
        .route("/v1/mandates/{id}", get(setup_intents::retrieve_mandate))
        .route("/v1/setup_attempts", get(setup_intents::list_attempts))
        .route(
            "/v1/webhook_endpoints",
            post(webhook_endpoints::create).get(webhook_endpoints::list),
        )
        .route(
            "/v1/webhook_endpoints/{id}",
            get(webhook_endpoints::retrieve)
                .post(webhook_endpoints::update)
                .delete(webhook_endpoints::delete),
        )
        .route(
            "/v1/webhook_endpoints/{id}/deliveries",
            get(webhook_endpoints::endpoint_deliveries),
        )
        .route(
            "/v1/events/{id}/deliveries",
            get(webhook_endpoints::event_deliveries),
        )
        .route("/v1/events/{id}/retry", post(webhook_endpoints::resend))
        .route("/v1/customer_sessions", post(customer_sessions::create))
        .route(
            "/v1/products",
            post(catalog::create_product).get(catalog::list_products),
        )
        .route(
            "/v1/products/{id}",
            get(catalog::retrieve_product)
                .post(catalog::update_product)
                .delete(catalog::delete_product),
        )
        .route(
            "/v1/prices",
            post(catalog::create_price).get(catalog::list_prices),
        )
        .route(
            "/v1/prices/{id}",
            get(catalog::retrieve_price).post(catalog::update_price),
        )
        .route(
            "/v1/checkout/sessions",
            post(checkout_sessions::create).get(checkout_sessions::list),
        )
        .route(
            "/v1/checkout/sessions/{id}",
            get(checkout_sessions::retrieve),
        )
        .route(
            "/v1/checkout/sessions/{id}/expire",
            post(checkout_sessions::expire),
        )
        .route(
            "/v1/checkout/sessions/{id}/line_items",
            get(checkout_sessions::line_items),
        )
        .route(
            "/v1/elements/saved_payment_methods",
            get(customer_sessions::saved_payment_methods),
        )
        .route(
            "/v1/elements/saved_payment_methods/{id}/detach",
            post(customer_sessions::remove_saved_payment_method),
        )
        .route("/v1/listen/session", get(listen::session))
        .route("/v1/listen/events", get(listen::events))
        .route("/v1/charges", get(charges::list))
        .route("/v1/charges/{id}", get(charges::retrieve))
        .route("/v1/events", get(events::list))
        .route("/v1/events/{id}", get(events::retrieve))
        .route(
            "/authorize/{id}/{nonce}",
            get(web::authorize::show).post(web::authorize::submit),
        )
        .route("/c/pay/{id}", get(web::checkout::show))
        .route("/c/pay/{id}/return", get(web::checkout::back))
        .route("/c/pay/{id}/intent", post(web::checkout::intent))
        .route("/v3", get(web::stripe_js::v3))
        .route("/v3/", get(web::stripe_js::v3))
        .route("/v3/stripe.js", get(web::stripe_js::v3))
        .route("/{release}/stripe.js", get(web::stripe_js::release))
        .route("/v1/payment_intents/search", get(payment_intents::search))
        .route("/v1/customers/search", get(customers::search))
        .route("/v1/charges/search", get(charges::search))
        .route("/v1/products/search", get(catalog::search_products))
        .route("/v1/prices/search", get(catalog::search_prices))
        .fallback(unrecognized)
        .method_not_allowed_fallback(unrecognized)
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        // Forms read by extractors (the hosted page) keep to the same body limit.
        .layer(axum::extract::DefaultBodyLimit::max(
            app.limits.max_body_bytes,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(app.limits.request_timeout.max(1)),
        ))
        .layer(middleware::from_fn_with_state(app.clone(), request_layer))
        .with_state(app)
}

/// A request no route takes: one of Stripe's operations that Pasarela does not serve (or
/// not with this method) is answered as Stripe answers an account without such objects
/// (`api::unserved`); anything else is Stripe's unrecognized URL.
async fn unrecognized(State(app): State<Arc<App>>, req: Request) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_string());
    let Some(op) = api::unserved::find(method.as_str(), &path) else {
        return ApiError::unrecognized_url(method.as_str(), &path).into_response();
    };
    use axum::extract::FromRequest;
    match api::Ctx::from_request(req, &app).await {
        Ok(ctx) => api::unserved::answer(ctx, op).await.into_response(),
        Err(refused) => refused,
    }
}

/// Refuses, before any handler runs, what no handler could serve: a path that is not
/// UTF-8 once decoded, and a declared body over the limit (drained first when small
/// enough, so that a client that sends everything before reading gets the answer
/// rather than a reset).
async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    // hyper's cap is on its read buffer, which a head a little over it passes: the head
    // itself is held to the same size here.
    let head: usize = req.uri().to_string().len()
        + req
            .headers()
            .iter()
            .map(|(k, v)| k.as_str().len() + v.len() + 4)
            .sum::<usize>();
    if head > crate::server::MAX_HEAD_BYTES {
        return ApiError::new(
            431,
            crate::error::ErrorType::InvalidRequestError,
            format!(
                "The request's headers are larger than {} bytes, the most this server accepts.",
                crate::server::MAX_HEAD_BYTES
            ),
        )
        .into_response();
    }
    if !path_is_utf8(req.uri().path()) {
        return ApiError::invalid(
            "The URL path is not valid UTF-8 once percent-decoded. Check the id you passed.",
        )
        .into_response();
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let max = app.limits.max_body_bytes as u64;
    if declared.is_some_and(|n| n > max) {
        let expects_continue = req
            .headers()
            .get(header::EXPECT)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"100-continue"));
        // Up to 16 times the limit is read and dropped; more is not worth the wait.
        if !expects_continue && declared.is_some_and(|n| n <= max * 16) {
            drain(req.into_body()).await;
        }
        return ApiError::body_too_large(app.limits.max_body_bytes).into_response();
    }
    next.run(req).await
}

/// Reads a body to its end and drops it.
pub async fn drain(body: axum::body::Body) {
    use http_body_util::BodyExt;
    let mut body = body;
    while let Some(Ok(_)) = body.frame().await {}
}

fn path_is_utf8(path: &str) -> bool {
    percent_encoding::percent_decode_str(path)
        .decode_utf8()
        .is_ok()
}

/// Request id, CORS, one structured log line per request, and the request log.
async fn request_layer(State(app): State<Arc<App>>, mut req: Request, next: Next) -> Response {
    let start = Instant::now();
    let from_dashboard = req.extensions().get::<api::DashboardCall>().is_some();
    let query = req.uri().query().map(crate::request_log::redacted_query);
    let idempotency_key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let request_id = ids::new_id("req");
    req.extensions_mut().insert(RequestId(request_id.clone()));
    let served = Served::default();
    req.extensions_mut().insert(served.clone());
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let mut resp = if method == Method::OPTIONS {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(req).await
    };
    if resp.status() == StatusCode::REQUEST_TIMEOUT
        && !resp.headers().contains_key(header::CONTENT_TYPE)
    {
        resp = timed_out();
    }
    let status = resp.status();
    let fresh = resp.extensions().get::<FreshReply>().is_some();
    let h = resp.headers_mut();
    h.insert(
        "request-id",
        HeaderValue::from_str(&request_id).expect("ascii id"),
    );
    cors_headers(h);
    h.insert(
        "cache-control",
        HeaderValue::from_static("no-cache, no-store"),
    );
    if path.starts_with("/v1") {
        api_headers(h, &served, status, fresh, &request_id);
    }
    // Hosted Checkout acts for the customer ("Pay"): no other site may frame it and trick a
    // click. The authorization page is framed by Stripe.js's 3-D Secure overlay on the
    // merchant's page: it names the origins that may (`web::authorize::show`).
    if path.starts_with("/c/pay/") {
        h.insert("x-frame-options", HeaderValue::from_static("DENY"));
        h.insert(
            "content-security-policy",
            HeaderValue::from_static("frame-ancestors 'none'"),
        );
    }
    let duration_ms = (start.elapsed().as_micros() as f64) / 1000.0;
    match resp.extensions().get::<crate::error::Logged>() {
        Some(e) if resp.status().is_server_error() => tracing::warn!(
            request_id = %request_id,
            method = %method,
            path = %path,
            status = resp.status().as_u16(),
            duration_ms,
            code = e.code.as_deref().unwrap_or("-"),
            error = %e.message,
            "request"
        ),
        Some(e) => tracing::info!(
            request_id = %request_id,
            method = %method,
            path = %path,
            status = resp.status().as_u16(),
            duration_ms,
            code = e.code.as_deref().unwrap_or("-"),
            error = %e.message,
            "request"
        ),
        None => tracing::info!(
            request_id = %request_id,
            method = %method,
            path = %path,
            status = resp.status().as_u16(),
            duration_ms,
            "request"
        ),
    }
    // The Dashboard's own reads are not the developer's requests.
    if path.starts_with("/v1")
        && method != Method::OPTIONS
        && !(from_dashboard && method == Method::GET)
    {
        let entry = crate::request_log::Entry {
            seq: 0,
            at_ms: crate::clock::now_ms(),
            method: method.to_string(),
            objects: crate::request_log::ids_in_path(&path),
            path,
            query,
            status: status.as_u16(),
            duration_ms,
            request_id,
            idempotency_key,
            api_version: served.get().map(|(v, _)| v.as_str().to_string()),
            source: served.source(),
            error: None,
        };
        return log_request(&app, entry, resp).await;
    }
    resp
}

/// Keeps the request in the log, with its answer's object id or error (the body is read
/// from memory and put back).
async fn log_request(app: &App, mut entry: crate::request_log::Entry, resp: Response) -> Response {
    use http_body_util::BodyExt;
    let (parts, body) = resp.into_parts();
    let Ok(bytes) = body.collect().await.map(|b| b.to_bytes()) else {
        app.requests.push(entry);
        return Response::from_parts(parts, axum::body::Body::empty());
    };
    if entry.status >= 400 {
        entry.error = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v.get("error").cloned());
        let named = entry.error.as_ref().map(crate::request_log::ids_in_error);
        for id in named.unwrap_or_default() {
            if !entry.objects.contains(&id) {
                entry.objects.push(id);
            }
        }
    } else if let Some(id) = crate::request_log::answered_id(&bytes) {
        if !entry.objects.contains(&id) {
            entry.objects.push(id);
        }
    }
    app.requests.push(entry);
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// The timeout layer's bare 408 made the same answer as Stripe's errors.
fn timed_out() -> Response {
    let mut resp = ApiError::invalid("The request took too long to arrive or to answer.")
        .status(408)
        .into_response();
    resp.headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    resp
}

const CORS_ALLOW_HEADERS: &str = "Authorization, Content-Type, Idempotency-Key, Stripe-Version, Stripe-Account, X-Stripe-Client-User-Agent";
const CORS_EXPOSE_HEADERS: &str = "Request-Id, Stripe-Manage-Version, Stripe-Should-Retry, X-Stripe-External-Auth-Required, X-Stripe-Privileged-Session-Required";

/// CORS for every answer: Stripe.js calls from the merchant's page.
fn cors_headers(h: &mut HeaderMap) {
    // Any page may call with a key it holds (Stripe.js sends `key=pk_...`), but never with
    // a browser's saved credentials: no `Allow-Credentials`.
    h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    h.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("GET, POST, HEAD, OPTIONS, DELETE"),
    );
    h.insert(
        "access-control-allow-headers",
        HeaderValue::from_static(CORS_ALLOW_HEADERS),
    );
    h.insert(
        "access-control-expose-headers",
        HeaderValue::from_static(CORS_EXPOSE_HEADERS),
    );
    h.insert("access-control-max-age", HeaderValue::from_static("300"));
}

/// The headers of an API answer (`/v1`): the version it was rendered at, whether to
/// retry, the Idempotency-Key, and `Original-Request` when it answers this request.
fn api_headers(
    h: &mut HeaderMap,
    served: &Served,
    status: StatusCode,
    fresh: bool,
    request_id: &str,
) {
    // Answers made before a version was chosen (unknown URLs) say the default.
    let (version, idempotency_key) = served.get().unwrap_or((
        versions::ApiVersion::parse(versions::DEFAULT).expect("known"),
        None,
    ));
    h.insert("stripe-version", HeaderValue::from_static(version.as_str()));
    let retry = if status == StatusCode::TOO_MANY_REQUESTS {
        "true"
    } else {
        "false"
    };
    h.insert("stripe-should-retry", HeaderValue::from_static(retry));
    if let Some(k) = idempotency_key.and_then(|k| HeaderValue::from_str(&k).ok()) {
        h.insert("idempotency-key", k);
    }
    if fresh {
        h.insert(
            "original-request",
            HeaderValue::from_str(request_id).expect("ascii id"),
        );
    }
}

/// Serves until SIGTERM or Ctrl-C, then drains in-flight requests and commits queued writes.
pub async fn serve(app: Arc<App>, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    // Register the handlers before the first request is answered: a SIGTERM that comes
    // right after start must drain, not kill.
    let stop = shutdown_signal()?;
    let store = app.store.clone();
    let jobs = tokio::spawn(crate::jobs::run(app.clone()));
    let deliveries = tokio::spawn(crate::webhooks::run(app.clone()));
    let limits = app.limits;
    let stop = async move {
        stop.await;
        tracing::info!("stopping: finishing the requests in flight");
    };
    crate::server::run(listener, router(app), limits, stop).await?;
    jobs.abort();
    deliveries.abort();
    store.close();
    tracing::info!("stopped: every answered write is committed");
    Ok(())
}

/// A future that resolves on SIGTERM or SIGINT; the handlers are installed now.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {},
            _ = int.recv() => {},
        }
    })
}
