//! `/v1/payment_methods` (create, retrieve), and turning `payment_method` /
//! `payment_method_data` parameters of intents into stored PaymentMethods.

use super::auth::KeyKind;
use super::error::{ApiError, ApiResult, ErrorType};
use super::form::Params;
use super::{expand, Ctx, Exec, Reply};
use crate::domain::availability::{KNOWN_TYPES, SUPPORTED_TYPES};
use crate::domain::ids;
use crate::domain::payment_method::{billing_details_from, CardDetails, PaymentMethod};
use crate::domain::test_cards;
use crate::store::Db;
use crate::views;
use axum::extract::Path;
use axum::response::Response;
use serde_json::{Map, Value};

/// The `payment_method_data` hash and the create endpoint share this shape.
pub const DATA_SHAPE: &[&str] = &[
    "type",
    "billing_details[email]",
    "billing_details[name]",
    "billing_details[phone]",
    "billing_details[tax_id]",
    "billing_details[address][city]",
    "billing_details[address][country]",
    "billing_details[address][line1]",
    "billing_details[address][line2]",
    "billing_details[address][postal_code]",
    "billing_details[address][state]",
    "metadata[*]",
    "allow_redisplay",
    "card[number]",
    "card[exp_month]",
    "card[exp_year]",
    "card[cvc]",
    "card[token]",
    "card[networks][**]",
    "amazon_pay[**]",
    "alma[**]",
    "radar_options[**]",
];

fn unactivated(t: &str, param: &str) -> ApiError {
    ApiError::invalid(format!(
        "The payment method type provided: {t} is invalid. Please ensure the provided type is activated in your dashboard (https://dashboard.stripe.com/account/payments/settings) and your account is enabled for any preview features that you are trying to use."
    ))
    .code("payment_method_unactivated")
    .param(param)
}

fn card_error(code: &str, message: &str, param: &str) -> ApiError {
    ApiError::new(402, ErrorType::CardError, message)
        .code(code)
        .param(param)
}

/// Builds (not stores) a PaymentMethod from `type` + type hash, as PM create and
/// `payment_method_data` take them. `prefix` names the parameter in errors.
pub fn build(p: &Params, key: KeyKind, prefix: &str, now: i64) -> ApiResult<PaymentMethod> {
    let name = |f: &str| {
        if prefix.is_empty() {
            f.to_string()
        } else {
            format!("{prefix}[{f}]")
        }
    };
    let kind = p
        .str("type")?
        .ok_or_else(|| ApiError::missing(&name("type")))?;
    if !KNOWN_TYPES.contains(&kind.as_str()) {
        return Err(ApiError::invalid(format!(
            "Invalid {}: must be one of {}",
            name("type"),
            super::form::one_of(KNOWN_TYPES)
        ))
        .param(name("type")));
    }
    if !SUPPORTED_TYPES.contains(&kind.as_str()) {
        return Err(unactivated(&kind, &name("type")));
    }
    let card = if kind == "card" {
        let c = p
            .sub("card")
            .ok_or_else(|| ApiError::missing(&name("card")))?;
        Some(card_details(&c, key, &name("card"))?)
    } else {
        None
    };
    let mut metadata = Map::new();
    p.apply_metadata(&mut metadata)?;
    let allow_redisplay = p
        .enum_("allow_redisplay", &["always", "limited", "unspecified"])?
        .unwrap_or_else(|| "unspecified".into());
    let billing = match p.hash_patch("billing_details")? {
        super::form::Patch::Set(v) => Some(v),
        _ => None,
    };
    Ok(PaymentMethod {
        id: ids::new_id("pm"),
        created: now,
        kind,
        billing_details: billing_details_from(billing.as_ref()),
        card,
        customer: None,
        metadata,
        allow_redisplay,
        consumed: false,
    })
}

fn card_details(c: &Params, key: KeyKind, param: &str) -> ApiResult<CardDetails> {
    if let Some(token) = c.str("token")? {
        let card = test_cards::by_alias(&token)
            .ok_or_else(|| ApiError::no_such("token", &token, &format!("{param}[token]"), 400))?;
        return Ok(CardDetails::from_test_card(&card, 12, next_year() + 5));
    }
    let number = c
        .str("number")?
        .ok_or_else(|| ApiError::missing(&format!("{param}[number]")))?;
    if key == KeyKind::Secret {
        return Err(ApiError::new(402, ErrorType::InvalidRequestError, "Sending credit card numbers directly to the Stripe API is generally unsafe. We suggest you use test tokens that map to the test card you are using, see https://stripe.com/docs/testing. To enable raw card data APIs in test mode, see https://support.stripe.com/questions/enabling-access-to-raw-card-data-apis."));
    }
    let card = test_cards::by_number(&number).ok_or_else(|| {
        card_error(
            "incorrect_number",
            "Your card number is incorrect.",
            &format!("{param}[number]"),
        )
    })?;
    let exp_month = c
        .int("exp_month")?
        .ok_or_else(|| ApiError::missing(&format!("{param}[exp_month]")))?;
    let exp_year = c
        .int("exp_year")?
        .ok_or_else(|| ApiError::missing(&format!("{param}[exp_year]")))?;
    if !(1..=12).contains(&exp_month) {
        return Err(card_error(
            "invalid_expiry_month",
            "Your card's expiration month is invalid.",
            &format!("{param}[exp_month]"),
        ));
    }
    let exp_year = if exp_year < 100 {
        exp_year + 2000
    } else {
        exp_year
    };
    if exp_year < next_year() - 1 || exp_year > next_year() + 50 {
        return Err(card_error(
            "invalid_expiry_year",
            "Your card's expiration year is invalid.",
            &format!("{param}[exp_year]"),
        ));
    }
    if let Some(cvc) = c.str("cvc")? {
        if !(3..=4).contains(&cvc.len()) || !cvc.chars().all(|d| d.is_ascii_digit()) {
            return Err(card_error(
                "invalid_cvc",
                "Your card's security code is invalid.",
                &format!("{param}[cvc]"),
            ));
        }
    }
    let mut details = CardDetails::from_test_card(&card, exp_month, exp_year);
    let digits: String = number.chars().filter(|c| c.is_ascii_digit()).collect();
    details.last4 = digits[digits.len() - 4..].to_string();
    Ok(details)
}

/// This year plus one, from the clock (no calendar crate needed for a year).
fn next_year() -> i64 {
    1970 + crate::store::now() / 31_556_952 + 1
}

/// A new PaymentMethod for a test alias (`pm_card_visa`, `tok_visa`): each use makes one.
pub fn from_alias(id: &str, now: i64) -> Option<PaymentMethod> {
    let card = test_cards::by_alias(id)?;
    Some(PaymentMethod {
        id: ids::new_id("pm"),
        created: now,
        kind: "card".into(),
        billing_details: billing_details_from(None),
        card: Some(CardDetails::from_test_card(&card, 12, next_year() + 5)),
        customer: None,
        metadata: Map::new(),
        allow_redisplay: "unspecified".into(),
        consumed: false,
    })
}

/// The PaymentMethod a `payment_method` parameter names: a stored one, or a new one
/// for a test alias. Consumed ones are refused as Stripe refuses them.
pub fn resolve(db: &Db, exec: &Exec, id: &str, param: &str) -> ApiResult<PaymentMethod> {
    if let Some(pm) = from_alias(id, exec.now) {
        db.put(&pm)?;
        return Ok(pm);
    }
    let pm = db
        .get::<PaymentMethod>(id)?
        .ok_or_else(|| ApiError::no_such("PaymentMethod", id, param, 400))?;
    if pm.consumed && pm.customer.is_none() {
        return Err(ApiError::invalid("The provided PaymentMethod was previously used with a PaymentIntent without Customer attachment, shared with a connected account without Customer attachment, or was detached from a Customer. It may not be used again. To use a PaymentMethod multiple times, you must attach it to a Customer first.").param(param));
    }
    Ok(pm)
}

pub async fn create(ctx: Ctx) -> Response {
    let r = async {
        let mut shape = DATA_SHAPE.to_vec();
        shape.extend(["expand[]", "customer", "payment_method"]);
        ctx.params.check(&shape)?;
        let expand_paths = ctx.params.expand()?;
        expand::validate("payment_method", &expand_paths, false)?;
        if ctx.params.has("customer") || ctx.params.has("payment_method") {
            return Err(ApiError::invalid(
                "Cloning PaymentMethods is only available to Connect platforms.",
            )
            .param("customer"));
        }
        let pm = build(&ctx.params, ctx.key, "", 0)?;
        let version = ctx.version;
        ctx.execute(move |db, exec| {
            let mut pm = pm;
            pm.created = exec.now;
            db.put(&pm)?;
            let mut body = views::payment_method(&pm);
            expand::apply(db, &mut body, &expand_paths)?;
            Ok((200, crate::versions::render(body, version)))
        })
        .await
    }
    .await;
    ctx.respond(r)
}

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> Response {
    let r = async {
        ctx.require_secret()?;
        ctx.params.check(&["expand[]"])?;
        let expand_paths = ctx.params.expand()?;
        expand::validate("payment_method", &expand_paths, false)?;
        let body = ctx
            .app
            .store
            .read(move |db| -> ApiResult<Value> {
                let pm = db.get::<PaymentMethod>(&id)?.ok_or_else(|| {
                    ApiError::no_such("PaymentMethod", &id, "payment_method", 404)
                })?;
                let mut body = views::payment_method(&pm);
                expand::apply(db, &mut body, &expand_paths)?;
                Ok(body)
            })
            .await?;
        Ok(Reply::ok(&ctx.render(body)))
    }
    .await;
    ctx.respond(r)
}
