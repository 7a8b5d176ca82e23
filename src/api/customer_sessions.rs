//! `POST /v1/customer_sessions`: what Stripe.js's components may do for one customer
//! (seed 002 creates one beside its PaymentIntent). Stripe has no retrieve or list.

use super::form::Params;
use super::{Ctx, Reply};
use crate::domain::customer_session::{self, CustomerSession, PaymentElement};
use crate::domain::ids;
use crate::error::{ApiError, ApiResult};
use crate::flows::live_customer;
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

/// Components echoed but not served, with the features each takes (name, allowed values;
/// an empty list of values is a list of `allow_redisplay` values).
const OTHERS: &[(&str, &[(&str, &[&str])])] = &[
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

/// An error about a parameter of `sub`, renamed to its full name.
fn within<T>(prefix: &str, r: ApiResult<T>) -> ApiResult<T> {
    r.map_err(|mut e| {
        if let Some(p) = e.param.take() {
            let (head, rest) = p.split_once('[').map_or((p.as_str(), ""), |(h, r)| (h, r));
            let rest = if rest.is_empty() {
                String::new()
            } else {
                format!("[{rest}")
            };
            e.param = Some(format!("{prefix}[{head}]{rest}"));
        }
        e
    })
}

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
            .param(&format!("{name}[{i}]")));
        }
    }
    Ok(Some(list))
}

/// `enabled`: required for every component given.
fn enabled(p: &Params) -> ApiResult<bool> {
    p.bool("enabled")?
        .ok_or_else(|| ApiError::missing("enabled"))
}

fn payment_element(p: &Params) -> ApiResult<Option<PaymentElement>> {
    if !enabled(p)? {
        return Ok(None);
    }
    let mut pe = PaymentElement::default();
    if let Some(f) = p.sub("features") {
        within(
            "features",
            (|| {
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
                        .param("payment_method_redisplay_limit"));
                    }
                    pe.redisplay_limit = n;
                }
                pe.save_usage =
                    f.enum_("payment_method_save_usage", &["off_session", "on_session"])?;
                Ok(())
            })(),
        )?;
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
            Some(f) if allowed.is_empty() => {
                within("features", filters(f))?.map_or(Value::Null, |l| json!(l))
            }
            Some(f) => {
                within("features", f.enum_(name, allowed))?.map_or(Value::Null, Value::String)
            }
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
        Some(pe) => within("components[payment_element]", payment_element(&pe))?,
        None => None,
    };
    let mut others = Vec::new();
    for (name, features) in OTHERS {
        if let Some(c) = components.sub(name) {
            let prefix = format!("components[{name}]");
            others.push((name.to_string(), within(&prefix, other(&c, features))?));
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
        Ok((200, views::customer_session(&session)))
    })
    .await
}
