//! `/v1/payment_methods` (create, retrieve), and turning `payment_method` /
//! `payment_method_data` parameters of intents into stored PaymentMethods.

use super::auth::KeyKind;
use super::form::Params;
use super::{expand, Ctx, Reply};
use crate::domain::availability::KNOWN_TYPES;
use crate::domain::event::EventType;
use crate::domain::ids;
use crate::domain::payment_method::{
    billing_details_from, CardDetails, PaymentMethod, PaymentMethodType,
};
use crate::domain::test_cards;
use crate::error::{ApiError, ApiResult, ErrorType};
use crate::flows::Exec;
use crate::flows::{load, Lookup};
use crate::store::Db;
use crate::views;
use axum::extract::Path;
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
const RAW_CARD_DATA: &str = "Sending credit card numbers directly to the Stripe API is generally unsafe. We suggest you use test tokens that map to the test card you are using, see https://stripe.com/docs/testing. To enable raw card data APIs in test mode, see https://support.stripe.com/questions/enabling-access-to-raw-card-data-apis.";
const NOT_ATTACHED: &str =
    "The payment method you provided is not attached to a customer so detachment is impossible.";

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
    let Some(kind) = PaymentMethodType::parse(&kind) else {
        return Err(unactivated(&kind, &name("type")));
    };
    let card = if kind == PaymentMethodType::Card {
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
    let mut pm = PaymentMethod::new(ids::new_id("pm"), now, kind);
    pm.billing_details = billing_details_from(billing.as_ref());
    pm.card = card;
    pm.metadata = metadata;
    pm.allow_redisplay = allow_redisplay;
    Ok(pm)
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
        return Err(ApiError::new(
            402,
            ErrorType::InvalidRequestError,
            RAW_CARD_DATA,
        ));
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
    1970 + crate::clock::now() / 31_556_952 + 1
}

pub async fn create(ctx: Ctx) -> ApiResult<Reply> {
    let mut shape = DATA_SHAPE.to_vec();
    shape.extend(["expand[]", "customer", "payment_method"]);
    ctx.params.check(&shape)?;
    let expand_paths = ctx.expand_paths("payment_method", false)?;
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

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.retrieve(
        id,
        ("payment_method", "PaymentMethod", "payment_method"),
        views::payment_method,
    )
    .await
}

fn load_method(db: &Db, id: &str) -> ApiResult<PaymentMethod> {
    load::<PaymentMethod>(db, id, Lookup("PaymentMethod", "payment_method", 404))
}

fn respond_pm(
    db: &Db,
    exec: &Exec,
    pm: &PaymentMethod,
    expand_paths: &[String],
) -> ApiResult<(u16, Value)> {
    let mut body = views::payment_method(pm);
    expand::apply(db, &mut body, expand_paths)?;
    Ok((200, crate::versions::render(body, exec.version)))
}

pub async fn attach_endpoint(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params
        .check(&["customer", "customer_account", "expand[]"])?;
    let expand_paths = ctx.expand_paths("payment_method", false)?;
    let customer = ctx
        .params
        .str("customer")?
        .ok_or_else(|| ApiError::missing("customer"))?;
    ctx.execute(move |db, exec| {
        let mut pm = match crate::domain::payment_method::from_alias(&id, exec.now) {
            Some(pm) => pm,
            None => load_method(db, &id)?,
        };
        crate::flows::payment_methods::attach(db, exec, &mut pm, &customer)?;
        respond_pm(db, exec, &pm, &expand_paths)
    })
    .await
}

pub async fn detach(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&["expand[]"])?;
    let expand_paths = ctx.expand_paths("payment_method", false)?;
    ctx.execute(move |db, exec| {
        let pm = load_method(db, &id)?;
        if pm.customer.is_none() {
            return Err(ApiError::invalid(NOT_ATTACHED).param("payment_method"));
        }
        let pm = crate::flows::payment_methods::detach(db, exec, pm)?;
        respond_pm(db, exec, &pm, &expand_paths)
    })
    .await
}

const UPDATE_SHAPE: &[&str] = &[
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
    "card[exp_month]",
    "card[exp_year]",
    "card[networks][preferred]",
    "expand[]",
];

pub async fn update(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(UPDATE_SHAPE)?;
    let expand_paths = ctx.expand_paths("payment_method", false)?;
    let p = ctx.params.clone();
    let allow_redisplay = p.enum_("allow_redisplay", &["always", "limited", "unspecified"])?;
    let card = p.sub("card");
    let exp_month = match &card {
        Some(c) => c.int("exp_month")?,
        None => None,
    };
    let exp_year = match &card {
        Some(c) => c.int("exp_year")?,
        None => None,
    };
    if exp_month.is_some_and(|m| !(1..=12).contains(&m)) {
        return Err(card_error(
            "invalid_expiry_month",
            "Your card's expiration month is invalid.",
            "card[exp_month]",
        ));
    }
    ctx.execute(move |db, exec| {
        let mut pm = load_method(db, &id)?;
        if pm.customer.is_none() {
            return Err(ApiError::invalid(
                "You must save this PaymentMethod to a customer before you can update it.",
            )
            .param("payment_method"));
        }
        let before = views::payment_method(&pm);
        if let super::form::Patch::Set(given) = p.hash_patch("billing_details")? {
            let mut merged = pm.billing_details.clone();
            if let Value::Object(g) = given {
                for (k, v) in g {
                    if k == "address" {
                        if let Value::Object(a) = v {
                            for (ak, av) in a {
                                merged["address"][ak.as_str()] =
                                    if av == "" { Value::Null } else { av };
                            }
                        }
                    } else {
                        merged[k.as_str()] = if v == "" { Value::Null } else { v };
                    }
                }
            }
            pm.billing_details = merged;
        }
        p.apply_metadata(&mut pm.metadata)?;
        if let Some(a) = allow_redisplay {
            pm.allow_redisplay = a;
        }
        if let Some(c) = pm.card.as_mut() {
            if let Some(m) = exp_month {
                c.exp_month = m;
            }
            if let Some(y) = exp_year {
                c.exp_year = if y < 100 { y + 2000 } else { y };
            }
        } else if exp_month.is_some() || exp_year.is_some() {
            return Err(ApiError::unknown_parameter("card"));
        }
        db.put(&pm)?;
        let after = views::payment_method(&pm);
        exec.event(db, EventType::PaymentMethodUpdated, &after, Some(&before))?;
        respond_pm(db, exec, &pm, &expand_paths)
    })
    .await
}

/// `GET /v1/payment_methods?customer=&type=` and `GET /v1/customers/:id/payment_methods`.
async fn list_for(ctx: &Ctx, customer: Option<String>, url: String) -> ApiResult<Reply> {
    let (mut q, expand_paths) = ctx.list_request(
        "payment_method",
        &["type", "allow_redisplay", "customer", "customer_account"],
    )?;
    if let Some(t) = ctx.params.str("type")? {
        if !KNOWN_TYPES.contains(&t.as_str()) {
            return Err(ApiError::invalid(format!(
                "Invalid type: must be one of {}",
                super::form::one_of(KNOWN_TYPES)
            ))
            .param("type"));
        }
        q.ref1 = Some(t);
    }
    let allow = ctx
        .params
        .enum_("allow_redisplay", &["always", "limited", "unspecified"])?;
    if let Some(c) = &customer {
        let c2 = c.clone();
        let exists = ctx
            .app
            .store
            .read(move |db| -> ApiResult<bool> {
                Ok(db
                    .get::<crate::domain::customer::Customer>(&c2)?
                    .is_some_and(|c| !c.deleted))
            })
            .await?;
        if !exists {
            return Err(ApiError::no_such(
                "customer",
                c,
                "customer",
                if url == "/v1/payment_methods" {
                    400
                } else {
                    404
                },
            ));
        }
    }
    q.customer = customer;
    let view = |_: &Db, pm: &PaymentMethod| Ok(views::payment_method(pm));
    match allow {
        None => super::pagination::respond(ctx, q, "payment_method", url, expand_paths, view).await,
        Some(a) => {
            let keep: super::pagination::Keep<PaymentMethod> =
                Box::new(move |pm| pm.allow_redisplay == a);
            super::pagination::respond_filtered(
                ctx,
                q,
                "payment_method",
                url,
                expand_paths,
                view,
                keep,
            )
            .await
        }
    }
}

pub async fn list(ctx: Ctx) -> ApiResult<Reply> {
    let customer = ctx.params.str("customer")?;
    list_for(&ctx, customer, "/v1/payment_methods".to_string()).await
}

pub async fn list_for_customer(Path(customer): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    if ctx.params.has("customer") {
        return Err(ApiError::unknown_parameter("customer"));
    }
    let url = format!("/v1/customers/{customer}/payment_methods");
    list_for(&ctx, Some(customer), url).await
}

pub async fn retrieve_for_customer(
    Path((customer, id)): Path<(String, String)>,
    ctx: Ctx,
) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&["expand[]"])?;
    let expand_paths = ctx.expand_paths("payment_method", false)?;
    let version = ctx.version;
    let body = ctx
        .app
        .store
        .read(move |db| -> ApiResult<Value> {
            let pm = db
                .get::<PaymentMethod>(&id)?
                .filter(|pm| pm.customer.as_deref() == Some(customer.as_str()))
                .ok_or_else(|| ApiError::no_such("PaymentMethod", &id, "payment_method", 404))?;
            let mut body = views::payment_method(&pm);
            expand::apply(db, &mut body, &expand_paths)?;
            Ok(crate::versions::render(body, version))
        })
        .await?;
    Ok(Reply::ok(&body))
}
