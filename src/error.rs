//! The one error type of the HTTP layer, and its rendering as Stripe's error JSON.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

// Stripe's messages, word for word.
const SECRET_KEY_REQUIRED: &str = "This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.";
const TRAILING_SLASH_HINT: &str = "If you are trying to list objects, remove the trailing slash. If you are trying to retrieve an object, make sure you passed a valid (non-empty) identifier in your code. ";
const LOCK_TIMEOUT: &str = "This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request. If you see this error frequently and are making multiple concurrent requests to a single object, make your requests serially or at a lower rate.";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// Stripe's own names for its error types (`api_error`, `card_error`, ...).
#[allow(clippy::enum_variant_names)]
pub enum ErrorType {
    ApiError,
    CardError,
    IdempotencyError,
    InvalidRequestError,
}

impl ErrorType {
    fn as_str(self) -> &'static str {
        match self {
            ErrorType::ApiError => "api_error",
            ErrorType::CardError => "card_error",
            ErrorType::IdempotencyError => "idempotency_error",
            ErrorType::InvalidRequestError => "invalid_request_error",
        }
    }
}

/// A Stripe error: status, type, code, message, param, plus extra fields
/// (`payment_intent`, `charge`, `decline_code`, ...) that some errors carry.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub kind: ErrorType,
    pub code: Option<String>,
    pub message: String,
    pub param: Option<String>,
    pub extra: Map<String, Value>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: u16, kind: ErrorType, message: impl Into<String>) -> Self {
        ApiError {
            status,
            kind,
            code: None,
            message: message.into(),
            param: None,
            extra: Map::new(),
        }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(400, ErrorType::InvalidRequestError, message)
    }
    pub fn code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }
    pub fn param(mut self, param: impl Into<String>) -> Self {
        self.param = Some(param.into());
        self
    }
    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.extra.insert(key.to_string(), value);
        self
    }
    pub fn status(mut self, status: u16) -> Self {
        self.status = status;
        self
    }

    pub fn unknown_parameter(name: &str) -> Self {
        Self::invalid(format!("Received unknown parameter: {name}"))
            .code("parameter_unknown")
            .param(name)
    }
    pub fn missing(name: &str) -> Self {
        Self::invalid(format!("Missing required param: {name}."))
            .code("parameter_missing")
            .param(name)
    }
    pub fn no_such(object: &str, id: &str, param: &str, status: u16) -> Self {
        Self::invalid(format!("No such {object}: '{id}'"))
            .code("resource_missing")
            .param(param)
            .status(status)
    }
    pub fn secret_key_required() -> Self {
        Self::new(403, ErrorType::InvalidRequestError, SECRET_KEY_REQUIRED)
            .code("secret_key_required")
    }
    pub fn body_too_large(max: usize) -> Self {
        Self::invalid(format!(
            "The request body is larger than {max} bytes, the most this server accepts."
        ))
        .status(413)
    }
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        Self::new(500, ErrorType::ApiError, "An unknown error occurred")
    }
    pub fn unrecognized_url(method: &str, path: &str) -> Self {
        let extra = if path == "/" || path == "/v1" || path.ends_with('/') {
            TRAILING_SLASH_HINT
        } else {
            ""
        };
        Self::new(
            404,
            ErrorType::InvalidRequestError,
            format!(
                "Unrecognized request URL ({method}: {path}). {extra}\
                 Please see https://stripe.com/docs or we can help at https://support.stripe.com/."
            ),
        )
    }

    /// `{"error": {...}}` as Stripe sends it: absent fields are left out, not null.
    pub fn body(&self) -> Value {
        let mut e = Map::new();
        if let Some(code) = &self.code {
            e.insert("code".into(), json!(code));
        }
        if let Some(d) = self.extra.get("decline_code") {
            e.insert("decline_code".into(), d.clone());
        }
        if let Some(code) = &self.code {
            e.insert(
                "doc_url".into(),
                json!(format!(
                    "https://stripe.com/docs/error-codes/{}",
                    code.replace('_', "-")
                )),
            );
        }
        e.insert("message".into(), json!(self.message));
        if let Some(p) = &self.param {
            e.insert("param".into(), json!(p));
        }
        for (k, v) in &self.extra {
            if k != "decline_code" {
                e.insert(k.clone(), v.clone());
            }
        }
        e.insert("type".into(), json!(self.kind.as_str()));
        json!({ "error": Value::Object(e) })
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for ApiError {
    // No `WWW-Authenticate` challenge on a 401: it made browsers ask for the key and keep
    // it, and then send it for any page (the SDKs and curl send keys without being asked).
    fn into_response(self) -> Response {
        let logged = Logged {
            code: self.code.clone(),
            message: self.message.clone(),
        };
        let mut resp = (self.status_code(), axum::Json(self.body())).into_response();
        resp.extensions_mut().insert(logged);
        resp
    }
}

/// What the request log line says of an error answer: its code and message (the
/// developer reading the log should not need the body).
#[derive(Debug, Clone)]
pub struct Logged {
    pub code: Option<String>,
    pub message: String,
}

impl From<crate::versions::VersionError> for ApiError {
    fn from(e: crate::versions::VersionError) -> Self {
        use crate::versions::VersionError;
        match e {
            VersionError::Unknown(given) => ApiError::invalid(format!(
                "Invalid Stripe API version: {given}. The newest version Pasarela serves is {}.",
                crate::versions::LATEST
            ))
            .param("Stripe-Version"),
            VersionError::TooOld(given) => ApiError::invalid(format!(
                "Invalid Stripe API version: {given}. Pasarela serves API versions from {} on; \
                 send one of them in the Stripe-Version header.",
                crate::versions::OLDEST
            ))
            .param("Stripe-Version"),
            VersionError::ParameterUnknown(name) => ApiError::unknown_parameter(name),
            VersionError::NoSuch(object, id, param) => ApiError::no_such(object, &id, param, 400),
            VersionError::NoLongerSupported(param, code, message) => {
                ApiError::invalid(message).code(code).param(param)
            }
            VersionError::ParameterInvalid(param, message) => {
                ApiError::invalid(message).param(param)
            }
        }
    }
}

impl From<crate::domain::payment_intent::Refusal> for ApiError {
    fn from(r: crate::domain::payment_intent::Refusal) -> Self {
        let e = ApiError::invalid(r.message).param(r.param);
        match r.code {
            Some(code) => e.code(code),
            None => e,
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        match e {
            crate::store::StoreError::Locked => {
                ApiError::new(429, ErrorType::InvalidRequestError, LOCK_TIMEOUT)
                    .code("lock_timeout")
            }
            e => ApiError::internal(e),
        }
    }
}
