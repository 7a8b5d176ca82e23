//! The HTTP layer: every request goes through `Ctx` (auth, version, parameters) and
//! answers through `respond`; writes go through `execute` (idempotency, one savepoint).

pub mod account;
pub mod auth;
pub mod balance_transactions;
pub mod catalog;
pub mod charges;
pub mod checkout_sessions;
pub mod customer_sessions;
pub mod customers;

pub mod events;
pub mod expand;
pub mod form;
pub mod listen;
pub mod pagination;
pub mod payment_intents;
pub mod payment_methods;
pub mod refunds;
pub mod search;
pub mod setup_intents;
pub mod unserved;
pub mod webhook_endpoints;

use crate::domain::ids;
use crate::error::{self, ApiError, ApiResult};
use crate::flows::{embeds::render_at, load, Exec, Lookup};
use crate::state::{App, RequestId, Served};
use crate::store::{Db, IdempotentRecord};
use crate::versions::{self, ApiVersion};
use auth::KeyKind;
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use form::{decode, Params};
use serde_json::Value;
use std::sync::Arc;

/// One authenticated API request: key kind, version, and decoded parameters.
pub struct Ctx {
    pub app: Arc<App>,
    pub request_id: String,
    pub key: KeyKind,
    pub version: ApiVersion,
    pub params: Params,
    pub idempotency_key: Option<String>,
    pub method: Method,
    pub path: String,
    /// The caller's address and user agent (mandates inferred from the client).
    pub client: crate::domain::mandate::Client,
}

impl FromRequest<Arc<App>> for Ctx {
    type Rejection = Response;

    async fn from_request(req: Request, app: &Arc<App>) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        let request_id = parts
            .extensions
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_else(|| ids::new_id("req"));
        let default_version = app.account.api_version;
        // The response's version headers follow what is decided here (see `Served`).
        let served = parts
            .extensions
            .get::<Served>()
            .cloned()
            .unwrap_or_default();
        served.set(default_version, None);
        let fail = |e: ApiError, v: ApiVersion| {
            served.set(v, None);
            e.into_response()
        };
        let bytes = read_body(body, app.limits.max_body_bytes).await?;
        let query = parts.uri.query().unwrap_or("").as_bytes();
        let content_type = parts
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let body_is_form = content_type
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded");
        let sources: &[&[u8]] = if body_is_form || bytes.is_empty() {
            &[query, &bytes]
        } else {
            &[query]
        };
        let dashboard = parts.extensions.get::<DashboardCall>().is_some();
        let writes = !matches!(parts.method, Method::GET | Method::HEAD);
        let kind = authenticate(app, &parts.headers, sources, writes && !dashboard)
            .map_err(|e| fail(e, default_version))?;
        served.set_source(if dashboard {
            "dashboard"
        } else if kind == KeyKind::Secret {
            "secret"
        } else {
            "publishable"
        });
        let mut params = match decode(sources) {
            Ok(root) => Params::new(root),
            Err(e) => return Err(fail(e, default_version)),
        };
        let version = requested_version(&parts.headers, &params, default_version)
            .map_err(|e| fail(e, default_version))?;
        if !bytes.is_empty() && !body_is_form {
            return Err(fail(
                ApiError::invalid(format!(
                    "Invalid request: unsupported Content-Type {content_type}. \
                     If error persists and you need assistance, please contact support@stripe.com."
                )),
                version,
            ));
        }
        params.strip_transport();
        let idempotency_key = idempotency_key(&parts.headers).map_err(|e| fail(e, version))?;
        let ctx = Ctx {
            app: app.clone(),
            request_id,
            key: kind,
            version,
            params,
            idempotency_key: if parts.method == Method::POST {
                idempotency_key
            } else {
                None
            },
            method: parts.method.clone(),
            path: parts.uri.path().to_string(),
            client: crate::state::client_of(parts.extensions.get(), &parts.headers),
        };
        if let Some(answer) = ctx.answer_seen_before().await {
            return Err(answer);
        }
        served.set(ctx.version, ctx.idempotency_key.clone());
        Ok(ctx)
    }
}

/// Which of the account's keys the request presents; Stripe's 401 for none or another.
/// The key is checked before the parameters are decoded: a header needs no decoding,
/// and Stripe.js's `key=pk_...` is found by one pass over the pairs. The secret key acts
/// only for whoever holds it (`auth::secret_refused`).
fn authenticate(
    app: &App,
    headers: &HeaderMap,
    sources: &[&[u8]],
    writes: bool,
) -> ApiResult<KeyKind> {
    let (key, source) = auth::presented_key(headers, || form::find_top_level(sources, "key"))
        .ok_or_else(auth::no_key)?;
    if key == app.account.secret_key {
        if let Some(refused) = auth::secret_refused(headers, source, writes) {
            return Err(refused);
        }
        Ok(KeyKind::Secret)
    } else if key == app.account.publishable_key {
        Ok(KeyKind::Publishable)
    } else {
        Err(auth::invalid_key(&key))
    }
}

/// The version the request asks for (the `Stripe-Version` header, else the
/// `_stripe_version` parameter), or `default` when it names none.
fn requested_version(
    headers: &HeaderMap,
    params: &Params,
    default: ApiVersion,
) -> ApiResult<ApiVersion> {
    let given = match headers.get("stripe-version") {
        // Bytes that are not visible ASCII are no version either.
        Some(v) => Some(
            v.to_str()
                .map(str::to_string)
                .unwrap_or_else(|_| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        ),
        None => params
            .get("_stripe_version")
            .and_then(|n| n.as_str())
            .map(str::to_string),
    };
    match given {
        None => Ok(default),
        Some(v) => Ok(ApiVersion::resolve(&v)?),
    }
}

/// The `Idempotency-Key` header, refused past 255 characters.
fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    if key.as_ref().is_some_and(|k| k.len() > 255) {
        return Err(
            ApiError::invalid("Idempotency keys can be at most 255 characters long.")
                .param("Idempotency-Key"),
        );
    }
    Ok(key)
}

/// The request body, at most `max` bytes. A longer one (sent chunked, or longer than
/// its Content-Length said) is read on up to 16 times the limit and dropped, then
/// answered 413, so that a client sending it all before reading gets the answer.
async fn read_body(mut body: Body, max: usize) -> Result<Vec<u8>, Response> {
    use http_body_util::BodyExt;
    let mut bytes = Vec::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            // The client went away mid-body: nobody reads this answer.
            return Err(ApiError::invalid("The request body could not be read.").into_response());
        };
        if let Some(data) = frame.data_ref() {
            seen += data.len();
            if seen <= max {
                bytes.extend_from_slice(data);
            } else if seen > max.saturating_mul(16) {
                break;
            }
        }
    }
    if seen > max {
        return Err(ApiError::body_too_large(max).into_response());
    }
    Ok(bytes)
}

/// A response body with its status, and whether it replays an idempotent request.
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub original_request: Option<String>,
}

/// Marks a request the Dashboard makes of the API on behalf of a signed-in developer (an
/// extension, so no client can claim it): its actions are logged as the Dashboard's, its
/// reads not at all.
#[derive(Clone, Copy)]
pub struct DashboardCall;

/// Marks a reply that answers this request itself (not a replay): the middleware
/// gives it `Original-Request` with the request's id.
#[derive(Clone, Copy)]
pub struct FreshReply;

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let mut resp = (
            status,
            [("content-type", "application/json")],
            Body::from(self.body),
        )
            .into_response();
        match self
            .original_request
            .and_then(|o| HeaderValue::from_str(&o).ok())
        {
            Some(orig) => {
                let h = resp.headers_mut();
                h.insert("idempotent-replayed", HeaderValue::from_static("true"));
                h.insert("original-request", orig);
            }
            None => {
                resp.extensions_mut().insert(FreshReply);
            }
        }
        resp
    }
}

impl Reply {
    pub fn ok(body: &Value) -> Reply {
        Reply {
            status: 200,
            body: body.to_string(),
            original_request: None,
        }
    }
}

impl Ctx {
    /// `expand[]` of this request, checked against what `object` (or a list of
    /// them) can expand.
    pub fn expand_paths(&self, object: &str, list: bool) -> ApiResult<Vec<String>> {
        let paths = self.params.expand()?;
        // Before 2022-11-15 a PaymentIntent's `charges` list could be expanded into
        // (`charges.data.balance_transaction`): checked as its latest charge would be.
        let old_charges = object == "payment_intent"
            && versions::embeds_for(self.version).contains(&versions::Embed::PaymentIntentCharges);
        let checked: Vec<String> = paths
            .iter()
            .map(|p| match old_charges {
                true => p.replacen("charges.data.", "latest_charge.", 1),
                false => p.clone(),
            })
            .collect();
        expand::validate(object, &checked, list)?;
        if self.key == KeyKind::Publishable {
            expand::validate_publishable(object, &paths)?;
        }
        Ok(paths)
    }

    /// The start of every list endpoint: secret key, the common list parameters plus
    /// `filters`, `expand[]` (with `data.`) for `object`, and the query they make.
    pub fn list_request(
        &self,
        object: &str,
        filters: &[&'static str],
    ) -> ApiResult<(crate::store::ListQuery, Vec<String>)> {
        self.require_secret()?;
        let mut shape = pagination::LIST_SHAPE.to_vec();
        shape.extend_from_slice(filters);
        self.params.check(&shape)?;
        let expand_paths = self.expand_paths(object, true)?;
        Ok((pagination::query(&self.params)?, expand_paths))
    }

    /// A retrieve by id of an object rendered from itself alone: secret key, only
    /// `expand[]`, 404 `No such <name>` (naming `param`) when missing.
    pub async fn retrieve<T: crate::store::Stored + 'static>(
        &self,
        id: String,
        (object, missing_name, param): (&'static str, &'static str, &'static str),
        view: fn(&T) -> Value,
    ) -> ApiResult<Reply> {
        self.require_secret()?;
        self.params.check(&["expand[]"])?;
        let expand_paths = self.expand_paths(object, false)?;
        let version = self.version;
        let body = self
            .app
            .store
            .read(move |db| -> ApiResult<Value> {
                let obj = load::<T>(db, &id, Lookup(missing_name, param, 404))?;
                let mut body = view(&obj);
                expand::apply(db, &mut body, &expand_paths)?;
                Ok(render_at(db, body, version)?)
            })
            .await?;
        Ok(Reply::ok(&body))
    }

    /// A retrieve of an intent, by the secret key or by Stripe.js with its client secret,
    /// rendered for the caller (`render`: full, or Stripe.js's view).
    pub async fn retrieve_intent<T: Intent>(
        &self,
        id: String,
        object: &'static str,
        render: IntentRender<T>,
    ) -> ApiResult<Reply> {
        self.params.check(&["expand[]", "client_secret"])?;
        check_intent_id::<T>(&id)?;
        let expand_paths = self.expand_paths(object, false)?;
        let (key, version) = (self.key, self.version);
        let client_secret = self.params.str("client_secret")?;
        let body = self
            .app
            .store
            .read(move |db| -> ApiResult<Value> {
                let intent = load_for::<T>(db, &id, key, client_secret.as_deref())?;
                render(db, &intent, key, version, &expand_paths)
            })
            .await?;
        Ok(Reply::ok(&body))
    }

    pub fn require_secret(&self) -> ApiResult<()> {
        if self.key == KeyKind::Secret {
            Ok(())
        } else {
            Err(ApiError::secret_key_required())
        }
    }

    /// Renders a newest-version body at this request's version.
    pub fn render(&self, body: Value) -> Value {
        versions::render(body, self.version)
    }

    /// The saved answer when this request's Idempotency-Key was seen before (replayed,
    /// or refused for other parameters), found before the parameters are validated.
    async fn answer_seen_before(&self) -> Option<Response> {
        let key = self.idempotency_key.clone()?;
        match self.app.store.read(move |db| db.idempotent_get(&key)).await {
            Ok(Some(rec)) => {
                let key = self.idempotency_key.as_deref().unwrap_or("");
                Some(replay(rec, &self.fingerprint(), key).into_response())
            }
            Ok(None) => None,
            Err(e) => Some(ApiError::from(e).into_response()),
        }
    }

    /// What identifies a request for idempotency: method, path and parameters.
    fn fingerprint(&self) -> String {
        // The key kind is part of it: a publishable key never replays a secret-key answer.
        let key = match self.key {
            KeyKind::Secret => "secret",
            KeyKind::Publishable => "publishable",
        };
        serde_json::json!([
            self.method.as_str(),
            self.path,
            self.params.root.canonical(),
            key
        ])
        .to_string()
    }

    /// Runs a write: replays or refuses a reused Idempotency-Key, else runs `f` in one
    /// savepoint of the writer and saves its answer (success or error) under the key.
    pub async fn execute<F>(&self, f: F) -> ApiResult<Reply>
    where
        F: FnOnce(&Db, &Exec) -> ApiResult<(u16, Value)> + Send + 'static,
    {
        let fingerprint = self.fingerprint();
        let exec = Exec {
            client: self.client.clone(),
            request_id: self.request_id.clone(),
            idempotency_key: self.idempotency_key.clone(),
            now: crate::clock::now(),
            version: self.version,
            event_version: self.app.account.api_version,
            public_url: self.app.public_url.clone(),
            key: self.key,
            automatic: false,
            later_seconds: self.app.later_seconds,
            owes_deliveries: Default::default(),
        };
        let owed = exec.owes_deliveries.clone();
        let key = self.idempotency_key.clone();
        let reply = self
            .app
            .store
            .write(move |db| -> ApiResult<Answer> {
                if let Some(k) = &key {
                    // The key is taken by a request that committed first (or, on
                    // PostgreSQL, that just finished in another process): a replay.
                    if !db.idempotent_claim(k, &fingerprint, &exec.request_id, exec.now)? {
                        let rec = db
                            .idempotent_get(k)?
                            .ok_or_else(|| ApiError::internal("claimed key without a record"))?;
                        return replay(rec, &fingerprint, k).map(Answer::Replay);
                    }
                }
                let (status, body) = match db.savepoint(|db| f(db, &exec)) {
                    Ok(answer) => answer,
                    // A lock held elsewhere: nothing is saved, the client retries.
                    Err(e) if e.status == 429 => return Err(e),
                    Err(e) => {
                        let e = shown_to(e, exec.key, exec.version);
                        (e.status, e.body())
                    }
                };
                // Saved under its key, the answer is serialized here; else after the
                // commit, off the writer that every write waits for.
                Ok(match &key {
                    Some(k) => {
                        let text = body.to_string();
                        db.idempotent_finish(k, status, &text)?;
                        Answer::Text(status, text)
                    }
                    None => Answer::Json(status, body),
                })
            })
            .await;
        self.app.wake_deliveries(&owed);
        let (status, body) = match reply? {
            Answer::Replay(reply) => return Ok(reply),
            Answer::Text(status, text) => (status, text),
            Answer::Json(status, value) => (status, value.to_string()),
        };
        Ok(Reply {
            status,
            body,
            original_request: None,
        })
    }
}

/// What a write answers: a replay of the answer saved under its key, or its own answer,
/// serialized already (to be saved under its key) or still to be.
enum Answer {
    Replay(Reply),
    Text(u16, String),
    Json(u16, Value),
}

/// Renders an intent for its caller.
pub type IntentRender<T> = fn(&Db, &T, KeyKind, ApiVersion, &[String]) -> ApiResult<Value>;

/// What the HTTP layer needs of an intent that a client secret opens to Stripe.js.
pub trait Intent: crate::store::Stored + 'static {
    /// Its name in messages (`PaymentIntent`) and in 404s (`payment_intent`).
    const NAME: &'static str;
    const MISSING_NAME: &'static str;
    fn client_secret(&self) -> &str;
}

impl Intent for crate::domain::payment_intent::PaymentIntent {
    const NAME: &'static str = "PaymentIntent";
    const MISSING_NAME: &'static str = "payment_intent";
    fn client_secret(&self) -> &str {
        &self.client_secret
    }
}

impl Intent for crate::domain::setup_intent::SetupIntent {
    const NAME: &'static str = "SetupIntent";
    const MISSING_NAME: &'static str = "setup_intent";
    fn client_secret(&self) -> &str {
        &self.client_secret
    }
}

/// An id that looks like a client secret is refused, as Stripe refuses it.
pub fn check_intent_id<T: Intent>(id: &str) -> ApiResult<()> {
    if id.contains("_secret_") {
        return Err(ApiError::invalid(format!(
            "You passed a string that looks like a client secret as the {name} ID, but you must provide a valid {name} ID. Please use the value in the `id` field of the {name}.",
            name = T::NAME
        ))
        .param("intent"));
    }
    Ok(())
}

/// The intent `id` (param `intent`), or Stripe's 404.
pub fn load_intent<T: Intent>(db: &Db, id: &str) -> ApiResult<T> {
    load::<T>(db, id, Lookup(T::MISSING_NAME, "intent", 404))
}

/// The intent as its caller may load it: with a publishable key, only with its client
/// secret.
pub fn load_for<T: Intent>(
    db: &Db,
    id: &str,
    key: KeyKind,
    client_secret: Option<&str>,
) -> ApiResult<T> {
    let intent = load_intent::<T>(db, id)?;
    check_client_secret(key, client_secret, intent.client_secret(), T::NAME)?;
    Ok(intent)
}

/// Checks the `client_secret` a publishable key must present for an intent (`object`:
/// `PaymentIntent` or `SetupIntent`, as the message names it).
fn check_client_secret(
    key: KeyKind,
    given: Option<&str>,
    actual: &str,
    object: &str,
) -> ApiResult<()> {
    match (key, given) {
        (KeyKind::Secret, _) => Ok(()),
        (_, None) => Err(ApiError::missing("client_secret")),
        (_, Some(s)) if ids::same_secret(s, actual) => Ok(()),
        (_, Some(_)) => Err(ApiError::invalid(format!(
            "The client_secret provided does not match the client_secret associated with the {object}."
        ))
        .param("client_secret")),
    }
}

/// An intent rendered for the caller: expanded as asked, Stripe.js's view (`reduce`) for
/// a publishable key, at the request's version.
pub fn shown_intent(
    db: &Db,
    mut body: Value,
    key: KeyKind,
    version: ApiVersion,
    expand_paths: &[String],
    reduce: fn(&Value) -> Value,
) -> ApiResult<Value> {
    expand::apply(db, &mut body, expand_paths)?;
    if key == KeyKind::Publishable {
        // Stripe.js's view never had the lists older versions embedded.
        return Ok(versions::render(reduce(&body), version));
    }
    Ok(render_at(db, body, version)?)
}

/// An error's embedded intent as the caller may see it: Stripe.js's reduced view for a
/// publishable key, rendered at the request's version.
pub fn shown_to(mut e: ApiError, key: KeyKind, version: ApiVersion) -> ApiError {
    type View = fn(&Value) -> Value;
    let views: [(&str, View); 2] = [
        ("payment_intent", crate::views::payment_intent_publishable),
        ("setup_intent", crate::views::setup_intent_publishable),
    ];
    for (field, reduce) in views {
        if let Some(shown) = e.extra.get_mut(field) {
            let full = std::mem::take(shown);
            let seen = if key == KeyKind::Publishable {
                reduce(&full)
            } else {
                full
            };
            *shown = versions::render(seen, version);
        }
    }
    e
}

fn replay(rec: IdempotentRecord, fingerprint: &str, key: &str) -> ApiResult<Reply> {
    if rec.request != fingerprint {
        return Err(ApiError::new(
            400,
            error::ErrorType::IdempotencyError,
            format!(
                "Keys for idempotent requests can only be used with the same parameters \
                 they were first used with. Try using a key other than '{key}' \
                 if you meant to execute a different request."
            ),
        ));
    }
    Ok(Reply {
        status: rec.status,
        body: rec.body,
        original_request: Some(rec.request_id),
    })
}
