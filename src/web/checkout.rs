//! The hosted Checkout page a Checkout Session's `url` opens. The form carries the element
//! ids Stripe's own hosted Checkout uses (`email`, `cardNumber`, `cardExpiry`, `cardCvc`,
//! `billingName`, `billingCountry`, `billingPostalCode`, the submit button's
//! `data-testid`), so tests written against Stripe Checkout run unchanged. The page
//! confirms the session's intent with the served Stripe.js (publishable key and client
//! secret), as any merchant page would; redirect methods and 3-D Secure go through the
//! authorization page, and everything comes back to `/c/pay/:id/return`.

use super::Visitor;
use crate::domain::checkout_session::{CheckoutSession, Mode};
use crate::flows;
use crate::state::App;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use std::sync::Arc;

use super::escape;

const STYLE: &str = r#"<style>
*{box-sizing:border-box} body{margin:0;font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1a1a1a;background:#fff}
.App{display:flex;flex-wrap:wrap;min-height:100vh}
.Summary{flex:1 1 360px;background:#f7f8f9;padding:48px 40px}
.Summary h1{font-size:16px;color:#6a7383;font-weight:500;margin:0 0 8px}
.Summary .Total{font-size:36px;font-weight:600;margin:0 0 24px}
.Summary li{display:flex;justify-content:space-between;padding:8px 0;border-bottom:1px solid #e6e6e6}
.Summary ul{list-style:none;padding:0;margin:0}
.Form{flex:1 1 400px;padding:48px 40px;max-width:560px}
label,legend{display:block;font-size:13px;color:#4f566b;margin:16px 0 6px}
fieldset{border:0;padding:0;margin:0}
input,select{width:100%;padding:11px 12px;font-size:16px;border:1px solid #d8dee4;border-radius:6px;background:#fff;color:#1a1a1a}
input:focus,select:focus{outline:0;border-color:#0074d4;box-shadow:0 0 0 3px rgba(0,116,212,.25)}
.Methods label{display:flex;align-items:center;gap:10px;border:1px solid #d8dee4;border-radius:6px;padding:12px;margin:0 0 8px;font-size:15px;color:#1a1a1a;cursor:pointer}
.Methods input{width:auto;margin:0}
.Row{display:flex;gap:12px} .Row>div{flex:1}
.SubmitButton{margin-top:24px;width:100%;padding:14px;font-size:16px;font-weight:600;color:#fff;background:#0074d4;border:0;border-radius:6px;cursor:pointer}
.SubmitButton:disabled{opacity:.6;cursor:default}
#error-message{color:#df1b41;font-size:14px;margin-top:12px;min-height:1em}
.FieldError{color:#df1b41;font-size:13px;margin-top:4px}.FieldError:empty{display:none}
input[aria-invalid=true]{border-color:#df1b41}
.Link{display:flex;gap:10px;align-items:flex-start;border:1px solid #d8dee4;border-radius:6px;padding:12px;margin-top:16px;font-size:14px;color:#1a1a1a}
.Link input{width:auto;margin:2px 0 0}.Link small{display:block;color:#6a7383;font-size:13px;margin-top:2px}
.Back{display:inline-block;margin-bottom:24px;color:#6a7383;text-decoration:none;font-size:14px}
.Note{color:#6a7383;font-size:13px;margin-top:16px}
</style>"#;

/// The customer fills in and confirms through Stripe.js; a decline is shown in place.
const SCRIPT: &str = r#"<script>
(function () {
  var form = document.getElementById('checkout-form'), button = document.getElementById('submit');
  var data = form.dataset, stripe = Stripe(data.key);
  function chosen() { var c = form.querySelector('input[name=paymentMethod]:checked'); return c ? c.value : 'card'; }
  function showCard() { document.getElementById('card-fields').hidden = chosen() !== 'card'; }
  form.querySelectorAll('input[name=paymentMethod]').forEach(function (r) { r.addEventListener('change', showCard); });
  showCard();
  var expiry = document.getElementById('cardExpiry'), number = document.getElementById('cardNumber');
  var card = Stripe.__pasarela;
  expiry.addEventListener('input', function () {
    var d = expiry.value.replace(/\D/g, '').slice(0, 4);
    expiry.value = d.length > 2 ? d.slice(0, 2) + ' / ' + d.slice(2) : d;
  });
  number.addEventListener('input', function () { number.value = card.formatNumber(number.value); });
  // Each field's problem under it, as Stripe's Checkout shows them; none: nothing to show.
  function show(id, message) {
    var input = document.getElementById(id), shown = document.getElementById(id + '-fieldError');
    input.setAttribute('aria-invalid', message ? 'true' : 'false');
    shown.textContent = message || '';
    return !message;
  }
  form.querySelectorAll('input').forEach(function (input) {
    input.addEventListener('input', function () { if (document.getElementById(input.id + '-fieldError')) show(input.id, null); });
  });
  // Checked in the page before any call, with Stripe.js's messages: the card's number,
  // expiry and CVC, and a ZIP or postal code and an email when given. (Stripe's Checkout
  // also requires the email, the name and the postal code; an integration's tests that
  // leave them empty are let through here.)
  function checked(type) {
    var email = document.getElementById('email').value.trim();
    var ok = show('email', !email || /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) ? null : 'Your email address is invalid.');
    if (type !== 'card') return ok;
    var code = document.getElementById('billingPostalCode').value.trim();
    var country = document.getElementById('billingCountry').value;
    var postal = code && ['US', 'PR'].indexOf(country) >= 0 ? country : null;
    var values = { number: number.value, expiry: expiry.value, cvc: document.getElementById('cardCvc').value,
      postalCode: code };
    var errors = card.cardErrors(values, postal);
    var fields = { number: 'cardNumber', expiry: 'cardExpiry', cvc: 'cardCvc', postalCode: 'billingPostalCode' };
    Object.keys(fields).forEach(function (k) {
      ok = show(fields[k], errors[k] ? errors[k].message : null) && ok;
    });
    return ok;
  }
  var label = button.textContent;
  function busy(on) { button.disabled = on; button.textContent = on ? 'Processing...' : label; }
  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    var message = document.getElementById('error-message');
    message.textContent = '';
    if (!checked(chosen())) return;
    var type = chosen(), email = document.getElementById('email').value;
    var method = { type: type, billing_details: { email: email || undefined } };
    if (type === 'card') {
      var exp = expiry.value.replace(/\D/g, '');
      method.card = { number: document.getElementById('cardNumber').value.replace(/\s/g, ''),
        exp_month: exp.slice(0, 2), exp_year: exp.length === 4 ? '20' + exp.slice(2) : exp.slice(2),
        cvc: document.getElementById('cardCvc').value };
      method.billing_details.name = document.getElementById('billingName').value || undefined;
      method.billing_details.address = { country: document.getElementById('billingCountry').value,
        postal_code: document.getElementById('billingPostalCode').value || undefined };
    }
    var params = { payment_method_data: method, return_url: window.location.origin + '/c/pay/' + data.session + '/return' };
    if (data.mode === 'setup' || type === 'amazon_pay') {
      // The customer agrees here to the method being kept for later (its mandate).
      params.mandate_data = { customer_acceptance: { type: 'online', online: { infer_from_client: true } } };
    }
    if (data.mode !== 'setup' && type !== 'amazon_pay') delete params.mandate_data;
    busy(true);
    var confirm = data.mode === 'setup' ? stripe.confirmSetup : stripe.confirmPayment;
    // The session's intent is made on the first submit, as on Stripe.
    var made = await fetch('/c/pay/' + data.session + '/intent', { method: 'POST' });
    var intent = made.ok ? await made.json() : null;
    if (!intent) { message.textContent = 'This Checkout Session is no longer available.'; busy(false); return; }
    var result = await confirm.call(stripe, { clientSecret: intent.client_secret, confirmParams: params });
    if (result.error) { message.textContent = result.error.message; busy(false); }
  });
})();
</script>"#;

fn page_html(app: &App, s: &CheckoutSession) -> String {
    let merchant = escape(&app.merchant_name());
    let (heading, total, button) = match (s.mode, &s.currency) {
        (Mode::Payment, Some(c)) => (
            format!("Pay {merchant}"),
            // "$15.00", without the code `format_amount` adds after it.
            c.format_amount(s.amount_total().unwrap_or_default())
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_string(),
            "Pay",
        ),
        _ => (
            format!("Set up a payment method with {merchant}"),
            String::new(),
            "Save",
        ),
    };
    let items: String = s
        .line_items
        .iter()
        .map(|li| {
            let c = s.currency.as_ref().expect("payment mode");
            format!(
                "<li><span>{} &times; {}</span><span>{}</span></li>",
                escape(&li.name),
                li.quantity,
                escape(
                    c.format_amount(li.total())
                        .split(' ')
                        .next()
                        .unwrap_or_default()
                )
            )
        })
        .collect();
    let methods: String = s
        .payment_method_types
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!(
                r#"<label for="payment-method-{t}"><input type="radio" name="paymentMethod" id="payment-method-{t}" value="{t}"{checked}> {name}</label>"#,
                t = t.as_str(),
                checked = if i == 0 { " checked" } else { "" },
                name = escape(t.display_name()),
            )
        })
        .collect();
    let countries: String = super::countries::COUNTRIES
        .iter()
        .map(|(code, name)| {
            let selected = if *code == app.account.country {
                " selected"
            } else {
                ""
            };
            format!(r#"<option value="{code}"{selected}>{name}</option>"#)
        })
        .collect();
    let back = match &s.cancel_url {
        Some(url) => format!(
            r#"<a class="Back" id="cancel" href="{}">&larr; Back</a>"#,
            escape(url)
        ),
        None => String::new(),
    };
    let email = s.customer_email.clone().unwrap_or_default();
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading}</title>{STYLE}<script src="/v3/"></script></head><body><div class="App">
<section class="Summary">{back}<h1>{heading}</h1><p class="Total" id="total">{total}</p><ul>{items}</ul></section>
<section class="Form"><form id="checkout-form" novalidate data-key="{key}" data-session="{id}" data-mode="{mode}">
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="email" value="{email}"><div class="FieldError" id="email-fieldError" role="alert"></div>
<fieldset class="Methods"><legend>Payment method</legend>{methods}</fieldset>
<div id="card-fields">
<label for="cardNumber">Card information</label><input id="cardNumber" name="cardNumber" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234"><div class="FieldError" id="cardNumber-fieldError" role="alert"></div>
<div class="Row"><div><label for="cardExpiry">Expiration</label><input id="cardExpiry" name="cardExpiry" inputmode="numeric" autocomplete="cc-exp" placeholder="MM / YY"><div class="FieldError" id="cardExpiry-fieldError" role="alert"></div></div>
<div><label for="cardCvc">CVC</label><input id="cardCvc" name="cardCvc" inputmode="numeric" autocomplete="cc-csc" placeholder="CVC"><div class="FieldError" id="cardCvc-fieldError" role="alert"></div></div></div>
<label for="billingName">Cardholder name</label><input id="billingName" name="billingName" autocomplete="cc-name"><div class="FieldError" id="billingName-fieldError" role="alert"></div>
<label for="billingCountry">Country or region</label><select id="billingCountry" name="billingCountry">{countries}</select>
<label for="billingPostalCode">ZIP / Postal code</label><input id="billingPostalCode" name="billingPostalCode" autocomplete="postal-code"><div class="FieldError" id="billingPostalCode-fieldError" role="alert"></div>
<label class="Link" for="enableStripePass"><input type="checkbox" id="enableStripePass" name="enableStripePass"><span>Save my information for faster checkout<small>Pay securely at {merchant} and everywhere Link is accepted. (Test mode: nothing is saved.)</small></span></label>
</div>
<button type="submit" id="submit" class="SubmitButton" data-testid="hosted-payment-submit-button">{button}</button>
<div id="error-message" role="alert"></div>
<p class="Note">A test page served by Pasarela: no real payment is made.</p>
</form></section></div>{SCRIPT}</body></html>"#,
        heading = escape(&heading),
        total = escape(&total),
        key = escape(&app.account.publishable_key),
        id = escape(&s.id),
        mode = if s.mode == Mode::Payment {
            "payment"
        } else {
            "setup"
        },
        email = escape(&email),
    )
}

fn gone() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html("<!doctype html><title>Checkout</title><h1>This Checkout Session is no longer available.</h1>"),
    )
        .into_response()
}

/// `GET /c/pay/:id`: the page.
pub async fn show(
    State(app): State<Arc<App>>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Response {
    let opened = visitor
        .act(&app, move |db, exec| flows::checkout::open(db, exec, &id))
        .await;
    match opened {
        Ok(Some(session)) => Html(page_html(&app, &session)).into_response(),
        _ => gone(),
    }
}

/// `POST /c/pay/:id/intent`: the client secret of the session's intent, made on the
/// customer's first submit (`{"client_secret": …}`); 404 once the session is spent.
pub async fn intent(
    State(app): State<Arc<App>>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Response {
    let made = visitor
        .act(&app, move |db, exec| flows::checkout::intent(db, exec, &id))
        .await;
    match made {
        Ok(Some(client_secret)) => {
            axum::Json(serde_json::json!({ "client_secret": client_secret })).into_response()
        }
        _ => gone(),
    }
}

/// `GET /c/pay/:id/return`: back from confirming (or from the authorization page): to
/// the success URL once the session is complete, else to the page again.
pub async fn back(
    State(app): State<Arc<App>>,
    visitor: Visitor,
    Path(id): Path<String>,
) -> Response {
    let page = format!("/c/pay/{id}");
    let done = visitor
        .act(&app, move |db, exec| flows::checkout::finish(db, exec, &id))
        .await;
    let to = match done {
        Ok(Some(success_url)) => success_url,
        Ok(None) => page,
        Err(_) => return gone(),
    };
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}
