//! Client commands that talk to a running server over its public API, as the Stripe CLI's do
//! (`events resend`, `trigger`, `listen`), and the one HTTP client they share.

mod events;
mod listen;
mod trigger;

pub use events::{events, Events};
pub use listen::{listen, Listen};
pub use trigger::{trigger, Trigger};

use axum::body::Bytes;
use clap::Args;
use http_body_util::{BodyExt, Full};
use hyper::Method;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;
use serde_json::Value;

/// Where the server is and the key to use.
#[derive(Debug, Clone, Args)]
pub struct Remote {
    /// The server's URL.
    #[arg(long, env = "PASARELA_SERVER", default_value = "http://127.0.0.1:4111")]
    pub server: String,
    /// The account's secret key.
    #[arg(long, env = "PASARELA_API_KEY")]
    pub api_key: String,
}

/// The API as a client sees it: the secret key on every call, and a `Stripe-Version` only when
/// the user chose one (otherwise the account's default serves, as for curl).
pub struct Api {
    client: Client<HttpConnector, Full<Bytes>>,
    remote: Remote,
    version: Option<String>,
}

impl Api {
    pub fn new(remote: Remote, version: Option<String>) -> Api {
        Api {
            client: Client::builder(TokioExecutor::new()).build_http(),
            remote,
            version,
        }
    }

    /// One call with a form body (empty for GET and DELETE); the status and the JSON answer.
    /// Err is for what is not an answer of the API: no connection, a body that is not JSON.
    pub async fn call<K: AsRef<str>, V: AsRef<str>>(
        &self,
        method: Method,
        path: &str,
        form: &[(K, V)],
    ) -> Result<(u16, Value), String> {
        let (status, bytes) = self.send(method, path, form).await?;
        let json = serde_json::from_slice(&bytes).map_err(|_| {
            let text = String::from_utf8_lossy(&bytes);
            format!("the server answered {status} with no JSON: {text}")
        })?;
        Ok((status, json))
    }

    /// The request as `call` makes it; the status and the body, whatever it holds.
    pub async fn send<K: AsRef<str>, V: AsRef<str>>(
        &self,
        method: Method,
        path: &str,
        form: &[(K, V)],
    ) -> Result<(u16, Bytes), String> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(form)
            .finish();
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(format!(
                "{}{path}",
                self.remote.server.trim_end_matches('/')
            ))
            .header("authorization", format!("Bearer {}", self.remote.api_key))
            .header("content-type", "application/x-www-form-urlencoded");
        if let Some(version) = &self.version {
            request = request.header("stripe-version", version);
        }
        let request = request
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| format!("bad server URL: {e}"))?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| format!("cannot reach {}: {}", self.remote.server, causes(&e)))?;
        let status = response.status().as_u16();
        let bytes = response
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, bytes))
    }
}

/// An error with its causes ("client error (Connect)" alone says nothing of why).
pub fn causes(e: &dyn std::error::Error) -> String {
    let mut said = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        said.push_str(&format!(": {cause}"));
        next = cause.source();
    }
    said
}

/// The message of Stripe's error JSON, or the whole answer when it has none.
pub fn error_message(answer: &Value) -> String {
    match answer["error"]["message"].as_str() {
        Some(message) => message.to_string(),
        None => answer.to_string(),
    }
}
