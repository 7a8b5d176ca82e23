//! `pasarela events resend EVT --webhook-endpoint WE`, as `stripe events resend`:
//! `POST /v1/events/:id/retry` and the delivery it answers with.

use clap::Subcommand;
use hyper::Method;

use super::{Api, Remote};

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
            let form = [("webhook_endpoint", webhook_endpoint.as_str())];
            match Api::new(remote, None)
                .call(Method::POST, &path, &form)
                .await
            {
                Ok((200, answer)) => {
                    println!(
                        "{}",
                        serde_json::to_string_pretty(&answer).unwrap_or_default()
                    );
                    0
                }
                Ok((status, answer)) => {
                    eprintln!(
                        "pasarela: the server answered {status}: {}",
                        super::error_message(&answer)
                    );
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
