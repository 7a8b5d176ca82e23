//! What Pasarela serves to browsers: the hosted test authorization page, hosted Checkout
//! and Stripe.js.

pub mod authorize;
pub mod checkout;
pub mod countries;
pub mod stripe_js;

use crate::domain::mandate::Client;
use crate::error::ApiResult;
use crate::flows::Exec;
use crate::state::{client_of, App, PeerAddr, RequestId};
use crate::store::Db;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// Text put in a hosted page's HTML (the pages here are written by hand; the Dashboard's
/// use templates that escape on their own).
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The customer acting on a hosted page: the request's id and their browser (whose
/// acceptance a mandate made there records).
pub struct Visitor {
    request_id: String,
    client: Client,
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let request_id = parts.extensions.get::<RequestId>().map(|r| r.0.clone());
        let peer = parts.extensions.get::<PeerAddr>();
        Ok(Visitor {
            request_id: request_id.unwrap_or_default(),
            client: client_of(peer, &parts.headers),
        })
    }
}

impl Visitor {
    /// Runs `f` as the customer's action (its events carry no request), waking the
    /// delivery worker once it is committed.
    pub async fn act<T: Send + 'static>(
        self,
        app: &App,
        f: impl FnOnce(&Db, &Exec) -> ApiResult<T> + Send + 'static,
    ) -> ApiResult<T> {
        let exec = Exec::for_customer(app, self.request_id, self.client);
        let owed = exec.owes_deliveries.clone();
        let result = app.store.write(move |db| f(db, &exec)).await;
        app.wake_deliveries(&owed);
        result
    }
}
