//! The hosted test authorization page that `next_action.redirect_to_url.url` opens:
//! the customer authorizes or fails the pending payment, then returns to `return_url`
//! with Stripe's query parameters.

use super::Visitor;
use crate::domain::payment_method::PaymentMethodType;
use crate::flows;
use crate::flows::hosted::Back;
use crate::state::App;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use serde::Deserialize;
use std::sync::Arc;

use super::escape;

/// The page around a title and a body: `PAGE_HEAD`, the title, `PAGE_STYLE`, the body,
/// `PAGE_END`.
const PAGE_HEAD: &str = r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>"#;
const PAGE_STYLE: &str = r#"</title>
<style>body{font-family:system-ui,sans-serif;background:#f6f9fc;color:#30313d;display:flex;justify-content:center;padding:48px 16px}
main{background:#fff;border-radius:8px;box-shadow:0 2px 8px rgba(0,0,0,.08);padding:32px;max-width:420px;width:100%}
h1{font-size:20px;margin:0 0 16px} dl{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:8px 16px;margin:0 0 24px} dt{color:#6a7383} dd{margin:0}
form{display:inline} button{font-size:15px;border:0;border-radius:6px;padding:10px 16px;margin-right:8px;cursor:pointer}
.authorize{background:#635bff;color:#fff} .fail{background:#e3e8ee;color:#30313d} .note{color:#6a7383;font-size:13px}
button:focus-visible{outline:3px solid rgba(99,91,255,.4);outline-offset:2px}
@media (max-width:480px){body{padding:24px 12px} main{padding:24px} form{display:block} button{width:100%;margin:0 0 8px}}</style></head>
<body><main>"#;
const PAGE_END: &str = "</main></body></html>";

fn page(title: &str, body: &str) -> String {
    format!("{PAGE_HEAD}{}{PAGE_STYLE}{body}{PAGE_END}", escape(title))
}

/// The answer for a page that does not exist (unknown intent, wrong or spent nonce):
/// no redirect, nothing of the intent shown.
fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(page(
            "Not found",
            "<h1>This test payment page does not exist or has expired.</h1>",
        )),
    )
        .into_response()
}

/// The two outcome buttons of the page and its note.
const OUTCOME_FORMS: &str = r#"<form method="post"><input type="hidden" name="outcome" value="authorize"><button type="submit" class="authorize" id="authorize">Authorize test payment</button></form>
<form method="post"><input type="hidden" name="outcome" value="fail"><button type="submit" class="fail" id="fail">Fail test payment</button></form>
<p class="note">This is a test page served by Pasarela. No real payment is made.</p>"#;

pub async fn show(
    State(app): State<Arc<App>>,
    Path((id, nonce)): Path<(String, String)>,
) -> Response {
    let found = app
        .store
        .read(move |db| flows::hosted::attempt(db, &id, &nonce))
        .await;
    let Ok(Some(attempt)) = found else {
        return not_found();
    };
    let method = attempt.method;
    let name = if method == PaymentMethodType::Card {
        "3D Secure".to_string()
    } else {
        method.display_name().to_string()
    };
    let merchant = escape(&app.merchant_name());
    let body = format!(
        "<h1>{name} test payment page</h1>\n\
         <dl><dt>Merchant</dt><dd id=\"merchant\">{merchant}</dd>\
         <dt>Amount</dt><dd id=\"amount\">{amount}</dd>\
         <dt>Payment method</dt><dd id=\"payment-method\">{method_name}</dd></dl>\n\
         {OUTCOME_FORMS}",
        name = escape(&name),
        amount = escape(
            attempt
                .amount
                .as_deref()
                .unwrap_or("Saved for later payments")
        ),
        method_name = escape(method.display_name()),
    );
    let mut resp = Html(page(&format!("{name} test payment page"), &body)).into_response();
    // Only the merchant's page (Stripe.js's overlay) and Pasarela's own may frame the
    // button: another site that learned the URL cannot trick a click. Where the
    // merchant's origin is unknown the page stays framable, as the overlay needs.
    if !attempt.framers.is_empty() {
        let policy = format!("frame-ancestors 'self' {}", attempt.framers.join(" "));
        if let Ok(v) = axum::http::HeaderValue::from_str(&policy) {
            resp.headers_mut()
                .insert(header::CONTENT_SECURITY_POLICY, v);
        }
    }
    resp
}

#[derive(Deserialize)]
pub struct Outcome {
    outcome: String,
}

/// `return_url` plus Stripe's parameters, keeping the merchant's query and fragment.
pub fn return_to(return_url: &str, params: &[(&str, &str)]) -> String {
    let (base, fragment) = match return_url.find('#') {
        Some(i) => (&return_url[..i], &return_url[i..]),
        None => (return_url, ""),
    };
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        ser.append_pair(k, v);
    }
    let sep = if base.contains('?') {
        if base.ends_with('?') || base.ends_with('&') {
            ""
        } else {
            "&"
        }
    } else {
        "?"
    };
    format!("{base}{sep}{}{fragment}", ser.finish())
}

pub async fn submit(
    State(app): State<Arc<App>>,
    visitor: Visitor,
    Path((id, nonce)): Path<(String, String)>,
    Form(form): Form<Outcome>,
) -> Response {
    let authorize = match form.outcome.as_str() {
        "authorize" => true,
        "fail" => false,
        _ => {
            return (
                StatusCode::BAD_REQUEST,
                Html(page(
                    "Bad request",
                    "<h1>outcome must be authorize or fail</h1>",
                )),
            )
                .into_response()
        }
    };
    let result = visitor
        .act(&app, move |db, exec| {
            flows::hosted::answer(db, exec, &id, &nonce, authorize)
        })
        .await;
    match result {
        Ok(Some(back)) => back_to_merchant(back),
        Ok(None) => not_found(),
        Err(e) if e.status == 404 => not_found(),
        Err(e) => (
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            Html(page("Error", &format!("<h1>{}</h1>", escape(&e.message)))),
        )
            .into_response(),
    }
}

/// Where the customer goes once the outcome is recorded: back to `return_url` with
/// Stripe's parameters, or a page saying how the payment ended when there is none.
fn back_to_merchant(back: Back) -> Response {
    let Some(return_url) = back.return_url else {
        let done = format!("<h1>Payment {}</h1>", back.redirect_status);
        return Html(page("Done", &done)).into_response();
    };
    let params: Vec<(&str, &str)> = back.params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let location = return_to(&return_url, &params);
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

#[cfg(test)]
mod tests {
    use super::return_to;
    #[test]
    fn keeps_merchant_query_and_fragment() {
        assert_eq!(
            return_to("https://m.test/r", &[("a", "1")]),
            "https://m.test/r?a=1"
        );
        assert_eq!(
            return_to("https://m.test/r?order=42#top", &[("a", "1"), ("b", "x y")]),
            "https://m.test/r?order=42&a=1&b=x+y#top"
        );
    }
}
