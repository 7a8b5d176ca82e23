//! Client commands that talk to a running server over its API, as the Stripe CLI's do:
//! `pasarela events resend EVT --webhook-endpoint WE`.

use axum::body::Bytes;
use clap::{Args, Subcommand};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

/// Where the server is and the key to use.
#[derive(Debug, Clone, Args)]
pub struct Remote {
    /// The server's URL.
    #[arg(long, env = "PASARELA_SERVER", default_value = "http://127.0.0.1:4242")]
    pub server: String,
    /// The account's secret key.
    #[arg(long, env = "PASARELA_API_KEY")]
    pub api_key: String,
}

#[derive(Debug, Subcommand)]
pub enum Events {
    /// Sends an event to a webhook endpoint again.
    Resend {
        /// The event (`evt_...`).
        event: String,
        /// The endpoint to send it to (`we_...`).
        #[arg(long)]
        webhook_endpoint: String,
        #[command(flatten)]
        remote: Remote,
    },
}

/// Runs an `events` command; the exit code.
pub async fn events(cmd: Events) -> i32 {
    match cmd {
        Events::Resend {
            event,
            webhook_endpoint,
            remote,
        } => {
            let path = format!("/v1/events/{event}/retry");
            let body = form_urlencoded::Serializer::new(String::new())
                .append_pair("webhook_endpoint", &webhook_endpoint)
                .finish();
            match post(&remote, &path, body).await {
                Ok((200, answer)) => {
                    println!("{answer}");
                    0
                }
                Ok((status, answer)) => {
                    eprintln!("pasarela: the server answered {status}: {answer}");
                    1
                }
                Err(e) => {
                    eprintln!("pasarela: {e}");
                    1
                }
            }
        }
    }
}

async fn post(remote: &Remote, path: &str, body: String) -> Result<(u16, String), String> {
    let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    let request = hyper::Request::builder()
        .method("POST")
        .uri(format!("{}{path}", remote.server.trim_end_matches('/')))
        .header("authorization", format!("Bearer {}", remote.api_key))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| format!("bad server URL: {e}"))?;
    let response = client
        .request(request)
        .await
        .map_err(|e| format!("cannot reach {}: {e}", remote.server))?;
    let status = response.status().as_u16();
    let bytes = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
}
