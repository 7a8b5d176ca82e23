//! A Checkout Session's hosted page: the session it shows, the intent it makes when the
//! customer submits (as Stripe's does, so `payment_intent.created` comes with the payment),
//! and its completion once that intent went through (`checkout.session.completed`).

use super::{render_intent, render_setup, Exec};
use crate::domain::checkout_session::{CheckoutSession, Mode, Status};
use crate::domain::customer::Customer;
use crate::domain::event::EventType;
use crate::domain::ids;
use crate::domain::method_choice::ChosenTypes;
use crate::domain::payment_intent::{self as pi_domain, PaymentIntent};
use crate::domain::payment_method::{FutureUsage, PaymentMethod};
use crate::domain::setup_intent::{self as si_domain, SetupIntent};
use crate::error::ApiResult;
use crate::store::Db;
use crate::views;
use serde_json::{json, Value};

fn chosen(s: &CheckoutSession) -> ChosenTypes {
    ChosenTypes {
        types: s.payment_method_types.clone(),
        allowed: None,
        excluded: None,
        automatic: None,
    }
}

/// The session as its page shows it; None when it no longer takes payments (complete,
/// expired, unknown).
pub fn open(db: &Db, exec: &Exec, id: &str) -> ApiResult<Option<CheckoutSession>> {
    let Some(s) = db.get::<CheckoutSession>(id)? else {
        return Ok(None);
    };
    if s.status == Status::Open && !s.open(exec.now) {
        // Past `expires_at` before the scheduler got to it: it expires now.
        expire_if_due(db, exec, id)?;
        return Ok(None);
    }
    Ok((s.status == Status::Open).then_some(s))
}

/// The client secret of the intent the customer's submit confirms: the session's, made on
/// the first submit; None when the session no longer takes payments.
pub fn intent(db: &Db, exec: &Exec, id: &str) -> ApiResult<Option<String>> {
    let Some(mut s) = open(db, exec, id)? else {
        return Ok(None);
    };
    let client_secret = match s.mode {
        Mode::Payment => match &s.payment_intent {
            Some(id) => db.get::<PaymentIntent>(id)?.map(|pi| pi.client_secret),
            None => {
                let id = ids::new_id("pi");
                let currency = s.currency.clone().expect("payment mode has a currency");
                let mut pi = PaymentIntent::new(
                    id.clone(),
                    ids::client_secret(&id),
                    s.amount_total().unwrap_or_default(),
                    currency,
                );
                pi.created = exec.now;
                pi.customer = s.customer.clone();
                pi.description = s.intent_description.clone();
                pi.metadata = s.intent_metadata.clone();
                pi.set_types(chosen(&s));
                db.put(&pi)?;
                exec.event(
                    db,
                    EventType::PaymentIntentCreated,
                    &render_intent(db, &pi)?,
                    None,
                )?;
                s.payment_intent = Some(id);
                db.put(&s)?;
                Some(pi.client_secret)
            }
        },
        Mode::Setup => match &s.setup_intent {
            Some(id) => db.get::<SetupIntent>(id)?.map(|si| si.client_secret),
            None => {
                let id = ids::new_id("seti");
                let mut si =
                    SetupIntent::new(id.clone(), ids::client_secret(&id), FutureUsage::OffSession);
                si.created = exec.now;
                si.customer = s.customer.clone();
                si.description = s.intent_description.clone();
                si.metadata = s.intent_metadata.clone();
                si.set_types(chosen(&s));
                db.put(&si)?;
                exec.event(
                    db,
                    EventType::SetupIntentCreated,
                    &render_setup(db, &si)?,
                    None,
                )?;
                s.setup_intent = Some(id);
                db.put(&s)?;
                Some(si.client_secret)
            }
        },
    };
    Ok(client_secret)
}

/// An open session past its `expires_at` expires (`checkout.session.expired`); the
/// scheduler asks at that time, and the page when it is opened after it.
pub fn expire_if_due(db: &Db, exec: &Exec, id: &str) -> ApiResult<()> {
    if let Some(mut s) = db.get::<CheckoutSession>(id)? {
        if s.status == Status::Open && exec.now >= s.expires_at {
            s.status = Status::Expired;
            db.put(&s)?;
            exec.event(
                db,
                EventType::CheckoutSessionExpired,
                &views::checkout_session(&s),
                None,
            )?;
        }
    }
    Ok(())
}

/// Where the customer goes back from the page: the success URL once the session is
/// complete, or None when its intent has not gone through (the page again).
pub fn finish(db: &Db, exec: &Exec, id: &str) -> ApiResult<Option<String>> {
    let Some(mut s) = db.get::<CheckoutSession>(id)? else {
        return Ok(None);
    };
    if s.status == Status::Complete {
        return Ok(Some(s.success_url_filled()));
    }
    if s.status != Status::Open {
        return Ok(None);
    }
    let method = match s.mode {
        Mode::Payment => {
            let pi = s
                .payment_intent
                .as_deref()
                .map(|id| db.get::<PaymentIntent>(id))
                .transpose()?
                .flatten();
            match pi {
                Some(pi)
                    if matches!(
                        pi.status,
                        pi_domain::Status::Succeeded
                            | pi_domain::Status::Processing
                            | pi_domain::Status::RequiresCapture
                    ) =>
                {
                    pi.payment_method
                }
                _ => return Ok(None),
            }
        }
        Mode::Setup => {
            let si = s
                .setup_intent
                .as_deref()
                .map(|id| db.get::<SetupIntent>(id))
                .transpose()?
                .flatten();
            match si {
                Some(si) if si.status == si_domain::Status::Succeeded => si.payment_method,
                _ => return Ok(None),
            }
        }
    };
    let pm = match method {
        Some(id) => db.get::<PaymentMethod>(&id)?,
        None => None,
    };
    s.status = Status::Complete;
    s.customer_details = Some(customer_details(&s, pm.as_ref()));
    if s.customer_creation.as_deref() == Some("always") && s.customer.is_none() {
        // A customer for the buyer, from what they gave, and the payment is theirs.
        let details = s.customer_details.clone().unwrap_or_default();
        let mut c = Customer::new(
            ids::new_id("cus"),
            ids::random_base62(8).to_uppercase(),
            exec.now,
        );
        c.email = details["email"].as_str().map(str::to_string);
        c.name = details["name"].as_str().map(str::to_string);
        db.put(&c)?;
        exec.event(db, EventType::CustomerCreated, &views::customer(&c), None)?;
        if let Some(mut pi) = match &s.payment_intent {
            Some(id) => db.get::<PaymentIntent>(id)?,
            None => None,
        } {
            pi.customer = Some(c.id.clone());
            db.put(&pi)?;
        }
        s.customer = Some(c.id);
    }
    db.put(&s)?;
    exec.event(
        db,
        EventType::CheckoutSessionCompleted,
        &views::checkout_session(&s),
        None,
    )?;
    Ok(Some(s.success_url_filled()))
}

/// `customer_details` from what the customer gave on the page (the method's billing
/// details) or the session's email.
fn customer_details(s: &CheckoutSession, pm: Option<&PaymentMethod>) -> Value {
    let billing = pm
        .map(|pm| pm.billing_details.clone())
        .unwrap_or(Value::Null);
    let email = billing
        .get("email")
        .cloned()
        .filter(|e| !e.is_null())
        .or_else(|| s.customer_email.clone().map(Value::String))
        .unwrap_or(Value::Null);
    json!({
        "address": billing.get("address").cloned().unwrap_or(Value::Null),
        "business_name": null,
        "email": email,
        "individual_name": null,
        "name": billing.get("name").cloned().unwrap_or(Value::Null),
        "phone": null,
        "tax_exempt": "none",
        "tax_ids": []
    })
}
