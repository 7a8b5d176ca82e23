//! The HTTP layer: every request goes through `Ctx` (auth, version, parameters) and
//! answers through `respond`; writes go through `execute` (idempotency, one savepoint).

pub mod auth;
pub mod balance_transactions;
pub mod charges;
pub mod confirm;
pub mod customers;
pub mod error;
pub mod events;
pub mod expand;
pub mod form;
pub mod pagination;
pub mod payment_intents;
pub mod payment_methods;
pub mod refunds;
pub mod search;

use crate::app::App;
use crate::domain::event::{previous_attributes, Event};
use crate::domain::ids;
use crate::store::{Db, IdempotentRecord, StoreError};
use crate::versions::{self, ApiVersion};
use auth::KeyKind;
use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use error::{ApiError, ApiResult};
use form::{decode, Params};
use serde_json::Value;
use std::sync::Arc;

/// The request id the middleware gave this request.
#[derive(Clone)]
pub struct RequestId(pub String);

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
        let fail = |e: ApiError, v: ApiVersion| respond_err(e, v, None);
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
        // The key is checked before the parameters are decoded: a header needs no
        // decoding, and Stripe.js's `key=pk_...` is found by one pass over the pairs.
        let key = auth::presented_key(&parts.headers, || form::find_top_level(sources, "key"));
        let Some(key) = key else {
            return Err(fail(auth::no_key(), default_version));
        };
        let kind = if key == app.account.secret_key {
            KeyKind::Secret
        } else if key == app.account.publishable_key {
            KeyKind::Publishable
        } else {
            return Err(fail(auth::invalid_key(&key), default_version));
        };
        let mut params = match decode(sources) {
            Ok(root) => Params::new(root),
            Err(e) => return Err(fail(e, default_version)),
        };
        let version_given = match parts.headers.get("stripe-version") {
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
        let version = match version_given {
            None => default_version,
            Some(v) => match ApiVersion::parse(&v) {
                Some(v) => v,
                None => return Err(fail(versions::unknown_version(&v), default_version)),
            },
        };
        if !bytes.is_empty() && !body_is_form {
            return Err(fail(
                ApiError::invalid(format!(
                    "Invalid request: unsupported Content-Type {content_type}. If error persists and you need assistance, please contact support@stripe.com."
                )),
                version,
            ));
        }
        params.strip_transport();
        let idempotency_key = parts
            .headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        if let Some(k) = &idempotency_key {
            if k.len() > 255 {
                return Err(fail(
                    ApiError::invalid("Idempotency keys can be at most 255 characters long.")
                        .param("Idempotency-Key"),
                    version,
                ));
            }
        }
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
        };
        // A key seen before answers now, before the parameters are validated.
        if let Some(key) = ctx.idempotency_key.clone() {
            let found = app.store.read(move |db| db.idempotent_get(&key)).await;
            match found {
                Ok(Some(rec)) => {
                    let reply = replay(
                        rec,
                        &ctx.fingerprint(),
                        ctx.idempotency_key.as_deref().unwrap_or(""),
                    );
                    return Err(ctx.respond(reply));
                }
                Ok(None) => {}
                Err(e) => return Err(ctx.respond(Err(ApiError::from(e)))),
            }
        }
        Ok(ctx)
    }
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
        return Err(crate::app::body_too_large(max));
    }
    Ok(bytes)
}

/// A response body with its status, and whether it replays an idempotent request.
pub struct Reply {
    pub status: u16,
    pub body: String,
    pub original_request: Option<String>,
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

fn respond_err(e: ApiError, version: ApiVersion, idem: Option<&str>) -> Response {
    let retry = e.status == 429;
    let mut resp = e.into_response();
    set_common_headers(&mut resp, version, idem);
    if retry {
        resp.headers_mut()
            .insert("stripe-should-retry", HeaderValue::from_static("true"));
    }
    resp
}

fn set_common_headers(resp: &mut Response, version: ApiVersion, idem: Option<&str>) {
    let h = resp.headers_mut();
    h.insert("stripe-version", HeaderValue::from_static(version.as_str()));
    h.insert("stripe-should-retry", HeaderValue::from_static("false"));
    if let Some(k) = idem.and_then(|k| HeaderValue::from_str(k).ok()) {
        h.insert("idempotency-key", k);
    }
}

impl Ctx {
    /// `expand[]` of this request, checked against what `object` (or a list of
    /// them) can expand.
    pub fn expand_paths(&self, object: &str, list: bool) -> ApiResult<Vec<String>> {
        let paths = self.params.expand()?;
        expand::validate(object, &paths, list)?;
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
                let obj = db
                    .get::<T>(&id)?
                    .ok_or_else(|| ApiError::no_such(missing_name, &id, param, 404))?;
                let mut body = view(&obj);
                expand::apply(db, &mut body, &expand_paths)?;
                Ok(versions::render(body, version))
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

    pub fn respond(&self, result: ApiResult<Reply>) -> Response {
        match result {
            Ok(reply) => {
                let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
                let mut resp = (
                    status,
                    [("content-type", "application/json")],
                    Body::from(reply.body),
                )
                    .into_response();
                set_common_headers(&mut resp, self.version, self.idempotency_key.as_deref());
                let h = resp.headers_mut();
                match reply.original_request {
                    Some(orig) => {
                        h.insert("idempotent-replayed", HeaderValue::from_static("true"));
                        if let Ok(v) = HeaderValue::from_str(&orig) {
                            h.insert("original-request", v);
                        }
                    }
                    None => {
                        if let Ok(v) = HeaderValue::from_str(&self.request_id) {
                            h.insert("original-request", v);
                        }
                    }
                }
                resp
            }
            Err(e) => respond_err(e, self.version, self.idempotency_key.as_deref()),
        }
    }

    /// Renders a newest-version body at this request's version.
    pub fn render(&self, body: Value) -> Value {
        versions::render(body, self.version)
    }

    /// What identifies a request for idempotency: method, path and parameters.
    fn fingerprint(&self) -> String {
        serde_json::json!([
            self.method.as_str(),
            self.path,
            self.params.root.canonical()
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
            request_id: self.request_id.clone(),
            idempotency_key: self.idempotency_key.clone(),
            now: crate::store::now(),
            version: self.version,
            event_version: self.app.account.api_version,
            public_url: self.app.public_url.clone(),
            key: self.key,
            automatic: false,
        };
        let key = self.idempotency_key.clone();
        self.app
            .store
            .write(move |db| -> ApiResult<Reply> {
                if let Some(k) = &key {
                    // The key is taken by a request that committed first (or, on
                    // PostgreSQL, that just finished in another process): a replay.
                    if !db.idempotent_claim(k, &fingerprint, &exec.request_id, exec.now)? {
                        let rec = db
                            .idempotent_get(k)?
                            .ok_or_else(|| ApiError::internal("claimed key without a record"))?;
                        return replay(rec, &fingerprint, k);
                    }
                }
                let (status, body) = match db.savepoint(|db| f(db, &exec)) {
                    Ok((status, body)) => (status, body.to_string()),
                    // A lock held elsewhere: nothing is saved, the client retries.
                    Err(e) if e.status == 429 => return Err(e),
                    Err(e) => (e.status, e.body().to_string()),
                };
                if let Some(k) = &key {
                    db.idempotent_finish(k, status, &body)?;
                }
                Ok(Reply {
                    status,
                    body,
                    original_request: None,
                })
            })
            .await
    }
}

fn replay(rec: IdempotentRecord, fingerprint: &str, key: &str) -> ApiResult<Reply> {
    if rec.request != fingerprint {
        return Err(ApiError::new(
            400,
            error::ErrorType::IdempotencyError,
            format!("Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."),
        ));
    }
    Ok(Reply {
        status: rec.status,
        body: rec.body,
        original_request: Some(rec.request_id),
    })
}

/// What a write needs to know about its request.
pub struct Exec {
    pub request_id: String,
    pub idempotency_key: Option<String>,
    pub now: i64,
    pub version: ApiVersion,
    /// The account's default version, at which events are rendered.
    pub event_version: ApiVersion,
    pub public_url: String,
    pub key: KeyKind,
    /// Caused by the customer (hosted page), not an API request: events carry no request.
    pub automatic: bool,
}

impl Exec {
    /// For what the customer does on a hosted page: no API request, no idempotency key,
    /// events without `request`, served at the account's version.
    pub fn for_customer(app: &App, request_id: String) -> Exec {
        Exec {
            request_id,
            idempotency_key: None,
            now: crate::store::now(),
            version: app.account.api_version,
            event_version: app.account.api_version,
            public_url: app.public_url.clone(),
            key: KeyKind::Secret,
            automatic: true,
        }
    }

    /// Records an event in the current transaction. `before` is the object's rendering
    /// before the change, for `previous_attributes` on update-like events.
    pub fn event(
        &self,
        db: &Db,
        kind: &str,
        object: &Value,
        before: Option<&Value>,
    ) -> Result<(), StoreError> {
        let from_request = !self.automatic;
        let rendered = versions::render(object.clone(), self.event_version);
        let previous = before.and_then(|b| {
            previous_attributes(&versions::render(b.clone(), self.event_version), &rendered)
        });
        let e = Event {
            id: ids::new_id("evt"),
            created: self.now,
            kind: kind.to_string(),
            api_version: self.event_version.as_str().to_string(),
            object: rendered,
            previous_attributes: if kind.ends_with(".updated") || kind == "charge.refunded" {
                previous
            } else {
                None
            },
            request_id: if from_request {
                Some(self.request_id.clone())
            } else {
                None
            },
            idempotency_key: if from_request {
                self.idempotency_key.clone()
            } else {
                None
            },
        };
        db.put(&e)
    }
}
