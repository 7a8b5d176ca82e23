//! `POST /v1/customer_sessions`: what Stripe.js's components may do for one customer
//! (seed 002 creates one beside its PaymentIntent). Stripe has no retrieve or list.

use super::form::Params;
use super::{Ctx, Reply};
use crate::domain::customer_session::{self, CustomerSession, PaymentElement};
use crate::domain::ids;
use crate::domain::payment_method::PaymentMethod;
use crate::error::{ApiError, ApiResult};
use crate::flows::live_customer;
use crate::store::Stored;
use crate::views;
use serde_json::{json, Map, Value};

const CREATE: &[&str] = &[
    "customer",
    "components[payment_element][enabled]",
    "components[payment_element][features][payment_method_allow_redisplay_filters][]",
    "components[payment_element][features][payment_method_redisplay]",
    "components[payment_element][features][payment_method_redisplay_limit]",
    "components[payment_element][features][payment_method_remove]",
    "components[payment_element][features][payment_method_save]",
    "components[payment_element][features][payment_method_save_usage]",
    "components[buy_button][enabled]",
    "components[pricing_table][enabled]",
    "components[customer_portal][enabled]",
    "components[active_entitlements][enabled]",
    "components[customer_sheet][enabled]",
    "components[customer_sheet][features][payment_method_allow_redisplay_filters][]",
    "components[customer_sheet][features][payment_method_remove]",
    "components[mobile_payment_element][enabled]",
    "components[mobile_payment_element][features][payment_method_allow_redisplay_filters][]",
    "components[mobile_payment_element][features][payment_method_redisplay]",
    "components[mobile_payment_element][features][payment_method_remove]",
    "components[mobile_payment_element][features][payment_method_save]",
    "components[mobile_payment_element][features][payment_method_save_allow_redisplay_override]",
    "expand[]",
];

const REDISPLAY: &[&str] = &["always", "limited", "unspecified"];
const ON_OFF: &[&str] = &["enabled", "disabled"];

/// A component's features, each with the values it takes.
type Features = &'static [(&'static str, &'static [&'static str])];

/// Components echoed but not served, with the features each takes (name, allowed values;
/// an empty list of values is a list of `allow_redisplay` values).
const OTHERS: &[(&str, Features)] = &[
    ("active_entitlements", &[]),
    ("buy_button", &[]),
    ("customer_portal", &[]),
    (
        "customer_sheet",
        &[
            ("payment_method_allow_redisplay_filters", &[]),
            ("payment_method_remove", ON_OFF),
        ],
    ),
    (
        "mobile_payment_element",
        &[
            ("payment_method_allow_redisplay_filters", &[]),
            ("payment_method_redisplay", ON_OFF),
            ("payment_method_remove", ON_OFF),
            ("payment_method_save", ON_OFF),
            ("payment_method_save_allow_redisplay_override", REDISPLAY),
        ],
    ),
    ("pricing_table", &[]),
];

/// `payment_method_allow_redisplay_filters[]`: `allow_redisplay` values.
fn filters(p: &Params) -> ApiResult<Option<Vec<String>>> {
    let name = "payment_method_allow_redisplay_filters";
    let Some(list) = p.str_list(name)? else {
        return Ok(None);
    };
    for (i, v) in list.iter().enumerate() {
        if !REDISPLAY.contains(&v.as_str()) {
            return Err(ApiError::invalid(format!(
                "Invalid {name}[{i}]: must be one of always, limited, or unspecified"
            ))
            .param(format!("{}[{i}]", p.path(name))));
        }
    }
    Ok(Some(list))
}

/// `enabled`: required for every component given.
fn enabled(p: &Params) -> ApiResult<bool> {
    p.bool("enabled")?
        .ok_or_else(|| ApiError::missing("enabled").param(p.path("enabled")))
}

fn payment_element(p: &Params) -> ApiResult<Option<PaymentElement>> {
    if !enabled(p)? {
        return Ok(None);
    }
    let mut pe = PaymentElement::default();
    if let Some(f) = p.sub("features") {
        if let Some(list) = filters(&f)? {
            pe.allow_redisplay_filters = list;
        }
        let on = |name| -> ApiResult<Option<bool>> {
            Ok(f.enum_(name, ON_OFF)?.map(|v| v == "enabled"))
        };
        pe.redisplay = on("payment_method_redisplay")?.unwrap_or(pe.redisplay);
        pe.remove = on("payment_method_remove")?.unwrap_or(pe.remove);
        pe.save = on("payment_method_save")?.unwrap_or(pe.save);
        if let Some(n) = f.int_at_least("payment_method_redisplay_limit", 1)? {
            if n > customer_session::MAX_REDISPLAY_LIMIT {
                return Err(ApiError::invalid(format!(
                    "payment_method_redisplay_limit must be at most {}.",
                    customer_session::MAX_REDISPLAY_LIMIT
                ))
                .param(f.path("payment_method_redisplay_limit")));
            }
            pe.redisplay_limit = n;
        }
        pe.save_usage = f.enum_("payment_method_save_usage", &["off_session", "on_session"])?;
    }
    Ok(Some(pe))
}

/// A component Pasarela echoes: None when disabled, else its features as given (each
/// feature Stripe knows shown, null when not given).
fn other(p: &Params, features: &[(&str, &[&str])]) -> ApiResult<Option<Value>> {
    if !enabled(p)? {
        return Ok(None);
    }
    let f = p.sub("features");
    let mut out = Map::new();
    for (name, allowed) in features {
        let value = match &f {
            None => Value::Null,
            Some(f) if allowed.is_empty() => filters(f)?.map_or(Value::Null, |l| json!(l)),
            Some(f) => f.enum_(name, allowed)?.map_or(Value::Null, Value::String),
        };
        out.insert(name.to_string(), value);
    }
    Ok(Some(Value::Object(out)))
}

pub async fn create(ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let p = &ctx.params;
    p.check(CREATE)?;
    let customer = p
        .str("customer")?
        .ok_or_else(|| ApiError::missing("customer"))?;
    let components = p
        .sub("components")
        .ok_or_else(|| ApiError::missing("components"))?;
    let payment_element = match components.sub("payment_element") {
        Some(pe) => payment_element(&pe)?,
        None => None,
    };
    let mut others = Vec::new();
    for (name, features) in OTHERS {
        if let Some(c) = components.sub(name) {
            others.push((name.to_string(), other(&c, features)?));
        }
    }
    if payment_element.is_none() && others.iter().all(|(_, o)| o.is_none()) {
        return Err(
            ApiError::invalid("You must enable at least one component in `components`.")
                .param("components"),
        );
    }
    ctx.execute(move |db, exec| {
        live_customer(db, &customer)?;
        let id = ids::new_id("cuss");
        let session = CustomerSession {
            client_secret: CustomerSession::secret_of_id(&id),
            id,
            created: exec.now,
            customer,
            expires_at: exec.now + customer_session::LIFETIME,
            payment_element,
            others,
        };
        db.put(&session)?;
        Ok((
            200,
            crate::versions::render(views::customer_session(&session), exec.version),
        ))
    })
    .await
}

/// `GET /v1/elements/saved_payment_methods?customer_session_client_secret=...&client_secret=...`:
/// what Pasarela's Payment Element asks, with the publishable key, to show a returning
/// customer's saved methods (Stripe.js asks Stripe's own `elements/sessions`). The session
/// must be live and, with an intent's client secret, for that intent's customer; the
/// methods are those the session lets the Payment Element redisplay, of the intent's
/// types, newest first, at most the session's limit; with whether it may offer to save a
/// new one (`payment_method_save`, `payment_method_save_usage`).
pub async fn saved_payment_methods(ctx: Ctx) -> ApiResult<Reply> {
    let p = &ctx.params;
    p.check(&["customer_session_client_secret", "client_secret"])?;
    let param = "customer_session_client_secret";
    let secret = p.str(param)?.ok_or_else(|| ApiError::missing(param))?;
    let intent_secret = p.str("client_secret")?;
    let body = ctx
        .app
        .store
        .read(move |db| -> ApiResult<Value> {
            let session = live_session(db, &secret, crate::clock::now())?;
            let types = match &intent_secret {
                Some(s) => Some(intent_for(db, s, &session.customer)?),
                None => None,
            };
            let q = crate::store::ListQuery {
                customer: Some(session.customer.clone()),
                limit: 100,
                ..Default::default()
            };
            let mut shown = Vec::new();
            if let Ok(page) = db.list(PaymentMethod::KIND, &q)? {
                for body in &page.bodies {
                    let pm = crate::store::decode::<PaymentMethod>(body)?;
                    let kind = pm.kind.as_str();
                    let of_intent = types.as_ref().is_none_or(|t| t.iter().any(|x| x == kind));
                    if of_intent && session.redisplays(kind, &pm.allow_redisplay) {
                        shown.push(views::payment_method(&pm));
                    }
                    if shown.len() == session.redisplay_limit() {
                        break;
                    }
                }
            }
            let mut list = views::list("/v1/elements/saved_payment_methods", shown, false);
            // What else the Payment Element may offer: the save checkbox and its usage.
            let pe = session.payment_element.clone().unwrap_or_default();
            list["payment_method_save"] = json!(pe.save && session.payment_element.is_some());
            list["payment_method_save_usage"] = json!(pe.save_usage);
            list["payment_method_remove"] = json!(pe.remove && session.payment_element.is_some());
            Ok(list)
        })
        .await?;
    Ok(Reply::ok(&body))
}

/// The session a client secret names, if it is still live at `now` (errors name
/// `customer_session_client_secret`).
fn live_session(db: &crate::store::Db, secret: &str, now: i64) -> ApiResult<CustomerSession> {
    let param = "customer_session_client_secret";
    let no_such = || ApiError::no_such("customer session", secret, param, 400);
    let id = CustomerSession::id_of_secret(secret).ok_or_else(no_such)?;
    let session = db
        .get::<CustomerSession>(&id)?
        .filter(|s| ids::same_secret(secret, &s.client_secret))
        .ok_or_else(no_such)?;
    if !session.live(now) {
        return Err(ApiError::invalid(
            "This customer session has expired. Create a new one for the customer.",
        )
        .code("customer_session_expired")
        .param(param));
    }
    Ok(session)
}

/// The payment method types of the intent a client secret opens, which must be for
/// `customer` (a session for another customer shows nothing of this one's).
fn intent_for(db: &crate::store::Db, secret: &str, customer: &str) -> ApiResult<Vec<String>> {
    use crate::domain::{payment_intent::PaymentIntent, setup_intent::SetupIntent};
    let id = secret.split("_secret_").next().unwrap_or_default();
    let (actual, owner, types) = if id.starts_with("seti_") {
        let si = db.get::<SetupIntent>(id)?;
        let si = si.ok_or_else(|| ApiError::no_such("setup_intent", id, "client_secret", 400))?;
        let types = si
            .payment_method_types
            .iter()
            .map(|t| t.as_str().to_string())
            .collect();
        (si.client_secret, si.customer, types)
    } else {
        let pi = db.get::<PaymentIntent>(id)?;
        let pi = pi.ok_or_else(|| ApiError::no_such("payment_intent", id, "client_secret", 400))?;
        let types = pi
            .payment_method_types
            .iter()
            .map(|t| t.as_str().to_string())
            .collect();
        (pi.client_secret, pi.customer, types)
    };
    if !ids::same_secret(secret, &actual) {
        return Err(ApiError::invalid(
            "The client_secret provided does not match the client_secret associated with the intent.",
        )
        .param("client_secret"));
    }
    if owner.as_deref() != Some(customer) {
        return Err(ApiError::invalid(
            "The customer session is for another customer than the intent's: create both for the same customer.",
        )
        .param("customer_session_client_secret"));
    }
    Ok(types)
}

/// `POST /v1/elements/saved_payment_methods/:id/detach` with `customer_session_client_secret`:
/// the Payment Element's "Remove" for a session with `payment_method_remove` enabled; only
/// the session's customer's methods.
pub async fn remove_saved_payment_method(
    axum::extract::Path(pm_id): axum::extract::Path<String>,
    ctx: Ctx,
) -> ApiResult<Reply> {
    let p = &ctx.params;
    p.check(&["customer_session_client_secret"])?;
    let param = "customer_session_client_secret";
    let secret = p.str(param)?.ok_or_else(|| ApiError::missing(param))?;
    ctx.execute(move |db, exec| {
        let session = live_session(db, &secret, exec.now)?;
        if !session.payment_element.as_ref().is_some_and(|pe| pe.remove) {
            return Err(ApiError::invalid(
                "This customer session does not let the Payment Element remove payment methods (payment_method_remove).",
            )
            .param(param));
        }
        let pm = db
            .get::<PaymentMethod>(&pm_id)?
            .filter(|pm| pm.customer.as_deref() == Some(session.customer.as_str()))
            .ok_or_else(|| ApiError::no_such("PaymentMethod", &pm_id, "payment_method", 404))?;
        let pm = crate::flows::payment_methods::detach(db, exec, pm)?;
        Ok((200, json!({"id": pm.id, "object": "payment_method", "detached": true})))
    })
    .await
}
