//! `/v1/payment_intents`: create, retrieve, update, list, confirm, capture, cancel.

use super::auth::KeyKind;
use super::form::{Params, Patch};
use super::{expand, pagination, payment_methods, Ctx, Reply};
use crate::domain::availability::{self, Unavailable, SUPPORTED_TYPES};
use crate::domain::customer::Customer;
use crate::domain::ids;
use crate::domain::money::{Currency, MAX_AMOUNT};
use crate::domain::payment_intent::{
    AutomaticPaymentMethods, CaptureMethod, PaymentIntent, Status,
};
use crate::error::{ApiError, ApiResult};
use crate::flows::payment_intent::{self as flow, ConfirmInput, Confirmed};
use crate::flows::Exec;
use crate::store::Db;
use crate::versions::{self, ApiVersion, Operation};
use crate::views;
use axum::extract::Path;
use serde_json::{Map, Value};

const COMMON: &[&str] = &[
    "amount",
    "currency",
    "customer",
    "description",
    "metadata[*]",
    "payment_method",
    "payment_method_types[]",
    "allowed_payment_method_types[]",
    "excluded_payment_method_types[]",
    "capture_method",
    "receipt_email",
    "setup_future_usage",
    "statement_descriptor",
    "statement_descriptor_suffix",
    "payment_method_options[**]",
    "expand[]",
    "transfer_group",
];
/// `shipping[...]`, on create, update and confirm.
const SHIPPING: &[&str] = &[
    "shipping[name]",
    "shipping[phone]",
    "shipping[carrier]",
    "shipping[tracking_number]",
    "shipping[address][city]",
    "shipping[address][country]",
    "shipping[address][line1]",
    "shipping[address][line2]",
    "shipping[address][postal_code]",
    "shipping[address][state]",
];
const CREATE_ONLY: &[&str] = &[
    "automatic_payment_methods[enabled]",
    "automatic_payment_methods[allow_redirects]",
    "confirmation_method",
    "confirm",
    "return_url",
    "off_session",
    "error_on_requires_action",
    "use_stripe_sdk",
    "mandate",
    "mandate_data[**]",
    "radar_options[**]",
];
const CONFIRM_SHAPE: &[&str] = &[
    "payment_method",
    "payment_method_types[]",
    "return_url",
    "off_session",
    "setup_future_usage",
    "receipt_email",
    "payment_method_options[**]",
    "error_on_requires_action",
    "mandate",
    "mandate_data[**]",
    "use_stripe_sdk",
    "expand[]",
    "client_secret",
    "capture_method",
    "expected_payment_method_type",
    "save_payment_method",
    "radar_options[**]",
    "setup_future_usage",
];

fn data_shape_paths() -> &'static [&'static str] {
    static PATHS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    PATHS.get_or_init(|| {
        payment_methods::DATA_SHAPE
            .iter()
            .map(|f| {
                let (head, rest) = match f.find('[') {
                    Some(i) => (&f[..i], &f[i..]),
                    None => (*f, ""),
                };
                &*Box::leak(format!("payment_method_data[{head}]{rest}").into_boxed_str())
            })
            .collect()
    })
}

fn full_shape(parts: &[&[&'static str]]) -> Vec<&'static str> {
    let mut v: Vec<&'static str> = parts.iter().flat_map(|p| p.iter().copied()).collect();
    v.extend(data_shape_paths());
    v
}

/// The error for a type that cannot pay this intent (explicit lists only).
fn unavailable_error(t: &str, e: Unavailable, currency: &Currency, param: &str) -> ApiError {
    let msg = match e {
        Unavailable::NotActivated | Unavailable::Country => format!(
            "The payment method type provided: {t} is invalid. Please ensure the provided type is activated in your dashboard (https://dashboard.stripe.com/account/payments/settings) and your account is enabled for any preview features that you are trying to use."
        ),
        Unavailable::Currency { supported } => format!(
            "The currency provided ({}) is invalid. Payments with {t} support the following currencies: {}.",
            currency.code(),
            supported.join(", ")
        ),
        Unavailable::AmountTooSmall { min } => format!(
            "Amount must be at least {} for {t} payments.",
            currency.format_amount(min)
        ),
        Unavailable::AmountTooLarge { max } => format!(
            "Amount must be no more than {} for {t} payments.",
            currency.format_amount(max)
        ),
    };
    ApiError::invalid(msg).param(param)
}

fn parse_amount(p: &Params, required: bool) -> ApiResult<Option<i64>> {
    let amount = p.int_at_least("amount", 1)?;
    match amount {
        None if required => Err(ApiError::missing("amount")),
        Some(a) if a > MAX_AMOUNT => {
            Err(ApiError::invalid("Amount must be no more than $999,999.99")
                .code("amount_too_large")
                .param("amount"))
        }
        other => Ok(other),
    }
}

fn parse_currency(p: &Params, required: bool) -> ApiResult<Option<Currency>> {
    match p.str("currency")? {
        None if required => Err(ApiError::missing("currency")),
        None => Ok(None),
        Some(c) => Currency::parse(&c).map(Some).map_err(|e| {
            ApiError::invalid(format!(
                "Invalid currency: {}. Stripe currently supports these currencies: {}",
                e.0,
                crate::domain::money::CURRENCIES.join(", ")
            ))
            .code("parameter_invalid_string")
            .param("currency")
        }),
    }
}

fn check_minimum(amount: i64, currency: &Currency) -> ApiResult<()> {
    let min = currency.minimum_amount();
    if amount < min {
        return Err(ApiError::invalid(format!(
            "Amount must be at least {}",
            currency.format_amount(min)
        ))
        .code("amount_too_small")
        .param("amount"));
    }
    Ok(())
}

/// How the merchant chose payment method types.
#[derive(Clone)]
enum TypeChoice {
    Explicit(Vec<String>),
    Allowed(Vec<String>),
    Automatic {
        allow_redirects: Option<String>,
        excluded: Option<Vec<String>>,
    },
}

fn type_choice(p: &Params, create: bool) -> ApiResult<Option<TypeChoice>> {
    let explicit = p.str_list("payment_method_types")?;
    let allowed = p.str_list("allowed_payment_method_types")?;
    let excluded = p.str_list("excluded_payment_method_types")?;
    let apm = p.sub("automatic_payment_methods");
    let apm_enabled = match &apm {
        Some(a) => Some(
            a.bool("enabled")?
                .ok_or_else(|| ApiError::missing("automatic_payment_methods[enabled]"))?,
        ),
        None => None,
    };
    let allow_redirects = match &apm {
        Some(a) => a
            .enum_("allow_redirects", &["always", "never"])
            .map_err(|mut e| {
                e.param = Some("automatic_payment_methods[allow_redirects]".into());
                e
            })?,
        None => None,
    };
    // Pairs Stripe refuses together (the first is named in the error).
    let (apm_on, apm_given) = (apm_enabled == Some(true), apm.is_some());
    let exclusive = [
        (
            "automatic_payment_methods",
            apm_on,
            "payment_method_types",
            explicit.is_some(),
        ),
        (
            "allowed_payment_method_types",
            allowed.is_some(),
            "payment_method_types",
            explicit.is_some(),
        ),
        (
            "allowed_payment_method_types",
            allowed.is_some(),
            "automatic_payment_methods",
            apm_given,
        ),
        (
            "allowed_payment_method_types",
            allowed.is_some(),
            "excluded_payment_method_types",
            excluded.is_some(),
        ),
        (
            "excluded_payment_method_types",
            excluded.is_some(),
            "payment_method_types",
            explicit.is_some(),
        ),
    ];
    if let Some((a, _, b, _)) = exclusive.iter().find(|(_, a, _, b)| *a && *b) {
        return Err(ApiError::invalid(format!(
            "You may only specify one of these parameters: {a}, {b}."
        ))
        .param(*a));
    }
    for (name, list) in [
        ("payment_method_types", &explicit),
        ("allowed_payment_method_types", &allowed),
        ("excluded_payment_method_types", &excluded),
    ] {
        if let Some(l) = list {
            for t in l {
                if !availability::KNOWN_TYPES.contains(&t.as_str()) {
                    return Err(ApiError::invalid(format!(
                        "Invalid {name}[]: must be one of {}",
                        super::form::one_of(availability::KNOWN_TYPES)
                    ))
                    .param(name));
                }
            }
        }
    }
    Ok(if let Some(l) = explicit {
        Some(TypeChoice::Explicit(l))
    } else if let Some(l) = allowed {
        Some(TypeChoice::Allowed(l))
    } else if apm_enabled == Some(false) {
        return Err(ApiError::missing("payment_method_types"));
    } else if apm.is_some() || excluded.is_some() || create {
        Some(TypeChoice::Automatic {
            allow_redirects,
            excluded,
        })
    } else {
        None
    })
}

/// Applies the merchant's choice of types to the intent, computing `payment_method_types`.
fn apply_types(pi: &mut PaymentIntent, choice: &TypeChoice, country: &str) -> ApiResult<()> {
    let currency =
        Currency::parse(&pi.currency).map_err(|_| ApiError::internal("stored currency invalid"))?;
    match choice {
        TypeChoice::Explicit(list) => {
            for t in list {
                if let Err(e) = availability::check(t, country, &currency, Some(pi.amount)) {
                    return Err(unavailable_error(t, e, &currency, "payment_method_types"));
                }
            }
            let mut dedup = list.clone();
            dedup.dedup();
            pi.payment_method_types = dedup;
            pi.allowed_payment_method_types = None;
            pi.excluded_payment_method_types = None;
            pi.automatic_payment_methods = None;
        }
        TypeChoice::Allowed(list) => {
            let candidates: Vec<&str> = list.iter().map(String::as_str).collect();
            let types = availability::filter(&candidates, country, &currency, Some(pi.amount));
            if types.is_empty() {
                return Err(ApiError::invalid(format!(
                    "None of the payment method types in allowed_payment_method_types ({}) can be used with this PaymentIntent's currency ({}) and amount.",
                    list.join(", "),
                    currency.code()
                ))
                .param("allowed_payment_method_types"));
            }
            pi.payment_method_types = types;
            pi.allowed_payment_method_types = Some(list.clone());
            pi.excluded_payment_method_types = None;
            pi.automatic_payment_methods = None;
        }
        TypeChoice::Automatic {
            allow_redirects,
            excluded,
        } => {
            let mut types =
                availability::filter(SUPPORTED_TYPES, country, &currency, Some(pi.amount));
            if let Some(ex) = excluded {
                types.retain(|t| !ex.contains(t));
            }
            if allow_redirects.as_deref() == Some("never") {
                types.retain(|t| !availability::is_redirect(t));
            }
            pi.payment_method_types = types;
            pi.allowed_payment_method_types = None;
            pi.excluded_payment_method_types = excluded.clone();
            pi.automatic_payment_methods = Some(AutomaticPaymentMethods {
                enabled: true,
                allow_redirects: allow_redirects.clone(),
            });
        }
    }
    Ok(())
}

/// The choice an existing intent was made with, to recompute types after an update.
fn current_choice(pi: &PaymentIntent) -> TypeChoice {
    if let Some(a) = &pi.automatic_payment_methods {
        TypeChoice::Automatic {
            allow_redirects: a.allow_redirects.clone(),
            excluded: pi.excluded_payment_method_types.clone(),
        }
    } else if let Some(l) = &pi.allowed_payment_method_types {
        TypeChoice::Allowed(l.clone())
    } else {
        TypeChoice::Explicit(pi.payment_method_types.clone())
    }
}

fn check_statement_descriptor(pi: &PaymentIntent) -> ApiResult<()> {
    if pi.statement_descriptor.is_some() && pi.payment_method_types.iter().any(|t| t == "card") {
        return Err(ApiError::invalid("The statement_descriptor parameter is not supported for the payment_method_type `card`. To continue supporting payment_method_type `card`, please pass in `statement_descriptor_suffix` or remove the `statement_descriptor` parameter altogether. Please see https://support.stripe.com/questions/use-of-the-statement-descriptor-parameter-on-paymentintents-for-card-charges for additional details.").param("statement_descriptor"));
    }
    Ok(())
}

fn validate_descriptor(p: &Params, name: &str, max: usize) -> ApiResult<Patch<String>> {
    let v = p.str_patch(name, max)?;
    if let Patch::Set(s) = &v {
        if s.chars()
            .any(|c| matches!(c, '<' | '>' | '\\' | '\'' | '"' | '*'))
            || !s.chars().any(|c| c.is_ascii_alphabetic())
        {
            return Err(ApiError::invalid(format!(
                "Invalid {name}: must contain at least one letter and none of < > \\ ' \" *"
            ))
            .param(name));
        }
    }
    Ok(v)
}

fn load_customer(db: &Db, id: &str) -> ApiResult<()> {
    match db.get::<Customer>(id)? {
        Some(c) if !c.deleted => Ok(()),
        _ => Err(ApiError::no_such("customer", id, "customer", 400)),
    }
}

/// The options Pasarela keeps per type it processes: (type, key, allowed values).
/// Other known types' options are accepted and kept as given.
const OPTION_KEYS: &[(&str, &str, &[&str])] = &[
    ("card", "capture_method", &["manual"]),
    (
        "card",
        "request_three_d_secure",
        &["any", "automatic", "challenge"],
    ),
    (
        "card",
        "setup_future_usage",
        &["none", "off_session", "on_session"],
    ),
    (
        "card",
        "request_extended_authorization",
        &["if_available", "never"],
    ),
    (
        "card",
        "request_incremental_authorization",
        &["if_available", "never"],
    ),
    ("card", "request_multicapture", &["if_available", "never"]),
    ("card", "request_overcapture", &["if_available", "never"]),
    ("card", "require_cvc_recollection", &["true", "false"]),
    ("amazon_pay", "capture_method", &["manual"]),
    ("amazon_pay", "setup_future_usage", &["none", "off_session"]),
    ("alma", "capture_method", &["manual"]),
];

/// Applies `payment_method_options[<type>][<key>]` (merge; `""` removes a key).
fn payment_method_options(p: &Params, pi: &mut PaymentIntent) -> ApiResult<()> {
    let Patch::Set(Value::Object(opts)) = p.hash_patch("payment_method_options")? else {
        return Ok(());
    };
    for (t, o) in opts {
        if !availability::KNOWN_TYPES.contains(&t.as_str()) {
            return Err(ApiError::unknown_parameter(&format!(
                "payment_method_options[{t}]"
            )));
        }
        let processed = availability::SUPPORTED_TYPES.contains(&t.as_str());
        let mut merged = pi
            .payment_method_options
            .get(&t)
            .cloned()
            .unwrap_or(Value::Object(Map::new()));
        let (Value::Object(m), Value::Object(given)) = (&mut merged, o) else {
            return Err(
                ApiError::invalid(format!("Invalid hash: payment_method_options[{t}]"))
                    .param(format!("payment_method_options[{t}]")),
            );
        };
        for (k, v) in given {
            let param = format!("payment_method_options[{t}][{k}]");
            if processed {
                let Some((_, _, allowed)) =
                    OPTION_KEYS.iter().find(|(ot, ok, _)| *ot == t && *ok == k)
                else {
                    return Err(ApiError::unknown_parameter(&param));
                };
                match v.as_str() {
                    Some("") => {}
                    Some(val) if allowed.contains(&val) => {}
                    _ => {
                        return Err(ApiError::invalid(format!(
                            "Invalid {param}: must be one of {}",
                            super::form::one_of(allowed)
                        ))
                        .param(param))
                    }
                }
            }
            if v == "" {
                m.remove(&k);
            } else if v == "true" || v == "false" {
                m.insert(k, Value::Bool(v == "true"));
            } else {
                m.insert(k, v);
            }
        }
        pi.payment_method_options.insert(t, merged);
    }
    Ok(())
}

/// Renders an intent for the caller: full for secret keys, Stripe.js's view otherwise.
fn render(
    db: &Db,
    pi: &PaymentIntent,
    key: KeyKind,
    version: ApiVersion,
    expand_paths: &[String],
) -> ApiResult<Value> {
    let mut body = crate::flows::render_intent(db, pi)?;
    expand::apply(db, &mut body, expand_paths)?;
    if key == KeyKind::Publishable {
        body = views::payment_intent_publishable(&body);
    }
    Ok(versions::render(body, version))
}

fn confirm_input(db: &Db, exec: &Exec, p: &Params) -> ApiResult<ConfirmInput> {
    let mut input = ConfirmInput::default();
    if let Some(data) = p.sub("payment_method_data") {
        let mut pm = payment_methods::build(&data, exec.key, "payment_method_data", exec.now)?;
        pm.created = exec.now;
        db.put(&pm)?;
        input.payment_method = Some(pm);
    } else if let Some(id) = p.str("payment_method")? {
        input.payment_method = Some(payment_methods::resolve(db, exec, &id, "payment_method")?);
    }
    input.return_url = p.url_patch("return_url")?.set();
    input.off_session = match p.get("off_session").and_then(|n| n.as_str()) {
        Some("one_off") | Some("recurring") => true,
        _ => p.bool("off_session")?.unwrap_or(false),
    };
    input.use_stripe_sdk = p.bool("use_stripe_sdk")?.unwrap_or(false);
    input.error_on_requires_action = p.bool("error_on_requires_action")?.unwrap_or(false);
    input.setup_future_usage =
        match p.enum_patch("setup_future_usage", &["off_session", "on_session"])? {
            Patch::Absent => None,
            Patch::Unset => Some(None),
            Patch::Set(s) => Some(Some(s)),
        };
    Ok(input)
}

/// Runs confirm and turns its outcome into the response.
fn confirm_and_render(
    db: &Db,
    exec: &Exec,
    pi: &mut PaymentIntent,
    p: &Params,
    expand_paths: &[String],
) -> ApiResult<(u16, Value)> {
    let input = confirm_input(db, exec, p)?;
    let outcome = flow::confirm(db, exec, pi, input)?;
    db.put(pi)?;
    match outcome {
        Confirmed::Ok => Ok((200, render(db, pi, exec.key, exec.version, expand_paths)?)),
        Confirmed::Declined(mut e) => {
            if exec.key == KeyKind::Publishable {
                if let Some(full) = e.extra.get("payment_intent").cloned() {
                    e.extra.insert(
                        "payment_intent".into(),
                        views::payment_intent_publishable(&full),
                    );
                }
            }
            if let Some(pi_json) = e.extra.get("payment_intent").cloned() {
                e.extra.insert(
                    "payment_intent".into(),
                    versions::render(pi_json, exec.version),
                );
            }
            Ok((402, e.body()))
        }
    }
}

pub async fn create(ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let p = &ctx.params;
    p.check(&full_shape(&[COMMON, SHIPPING, CREATE_ONLY]))?;
    versions::check_request(ctx.version, Operation::PaymentIntentCreate, p)?;
    let expand_paths = ctx.expand_paths("payment_intent", false)?;
    let amount = parse_amount(p, true)?.unwrap_or_default();
    let currency = parse_currency(p, true)?.expect("required");
    check_minimum(amount, &currency)?;
    let choice = type_choice(p, true)?.expect("create always chooses");
    let confirm_now = p.bool("confirm")?.unwrap_or(false);
    if !confirm_now {
        for f in [
            "return_url",
            "off_session",
            "error_on_requires_action",
            "mandate",
            "mandate_data",
            "use_stripe_sdk",
        ] {
            if p.has(f) {
                return Err(ApiError::invalid(format!(
                    "You can only pass in `{f}` when `confirm` is set to `true`."
                ))
                .param(f));
            }
        }
    }
    let capture_method = p.enum_(
        "capture_method",
        &["automatic", "automatic_async", "manual"],
    )?;
    let confirmation_method = p
        .enum_("confirmation_method", &["automatic", "manual"])?
        .unwrap_or_else(|| "automatic".into());
    let mut metadata = Map::new();
    p.apply_metadata(&mut metadata)?;
    let id = ids::new_id("pi");
    let mut pi = PaymentIntent {
        client_secret: ids::client_secret(&id),
        id,
        created: 0,
        amount,
        currency: currency.code().to_string(),
        status: Status::RequiresPaymentMethod,
        customer: p.str("customer")?,
        description: p.str_patch("description", 1000)?.set(),
        metadata,
        capture_method: capture_method
            .as_deref()
            .and_then(CaptureMethod::parse)
            .unwrap_or(CaptureMethod::AutomaticAsync),
        confirmation_method,
        payment_method: None,
        payment_method_types: vec![],
        allowed_payment_method_types: None,
        excluded_payment_method_types: None,
        automatic_payment_methods: None,
        payment_method_options: Map::new(),
        amount_capturable: 0,
        amount_received: 0,
        canceled_at: None,
        cancellation_reason: None,
        last_payment_error: None,
        latest_charge: None,
        pending_action: None,
        receipt_email: p.email_patch("receipt_email")?.set(),
        setup_future_usage: p.enum_("setup_future_usage", &["off_session", "on_session"])?,
        shipping: p.shipping_patch("shipping")?.set(),
        statement_descriptor: validate_descriptor(p, "statement_descriptor", 22)?.set(),
        statement_descriptor_suffix: validate_descriptor(p, "statement_descriptor_suffix", 22)?
            .set(),
        return_url: None,
        transfer_group: p.str("transfer_group")?,
        off_session: false,
        attempt_type: None,
        action_authenticated: false,
    };
    apply_types(&mut pi, &choice, &ctx.app.account.country)?;
    check_statement_descriptor(&pi)?;
    payment_method_options(p, &mut pi)?;
    if let Some(sfu) = &pi.setup_future_usage {
        if !pi
            .payment_method_types
            .iter()
            .any(|t| availability::allows_setup_future_usage(t, sfu))
        {
            return Err(ApiError::invalid(format!(
                "None of the payment method types on this PaymentIntent ({}) support `setup_future_usage={sfu}`.",
                pi.payment_method_types.join(", ")
            ))
            .param("setup_future_usage"));
        }
    }
    let params = p.clone();
    ctx.execute(move |db, exec| {
        pi.created = exec.now;
        if let Some(c) = &pi.customer {
            load_customer(db, c)?;
        }
        if !confirm_now {
            let input = confirm_input(db, exec, &params)?;
            if let Some(pm) = input.payment_method {
                flow::check_owner(&pi, &pm)?;
                pi.attach_payment_method(pm.id.clone());
            }
        }
        exec.event(
            db,
            "payment_intent.created",
            &crate::flows::render_intent(db, &pi)?,
            None,
        )?;
        if confirm_now {
            // Confirming stores the intent once, in its confirmed state.
            return confirm_and_render(db, exec, &mut pi, &params, &expand_paths);
        }
        db.put(&pi)?;
        Ok((200, render(db, &pi, exec.key, exec.version, &expand_paths)?))
    })
    .await
}

/// Checks the `client_secret` a publishable key must present for the intent.
fn check_client_secret(key: KeyKind, given: Option<&str>, pi: &PaymentIntent) -> ApiResult<()> {
    match (key, given) {
        (KeyKind::Secret, _) => Ok(()),
        (_, None) => Err(ApiError::missing("client_secret")),
        (_, Some(s)) if s == pi.client_secret => Ok(()),
        (_, Some(_)) => Err(ApiError::invalid(
            "The client_secret provided does not match the client_secret associated with the PaymentIntent.",
        )
        .param("client_secret")),
    }
}

fn check_id(id: &str) -> ApiResult<()> {
    if id.contains("_secret_") {
        return Err(ApiError::invalid("You passed a string that looks like a client secret as the PaymentIntent ID, but you must provide a valid PaymentIntent ID. Please use the value in the `id` field of the PaymentIntent.").param("intent"));
    }
    Ok(())
}

pub async fn retrieve(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.params.check(&["expand[]", "client_secret"])?;
    check_id(&id)?;
    let expand_paths = ctx.expand_paths("payment_intent", false)?;
    let (key, version) = (ctx.key, ctx.version);
    let client_secret = ctx.params.str("client_secret")?;
    let body = ctx
        .app
        .store
        .read(move |db| -> ApiResult<Value> {
            let pi = db
                .get::<PaymentIntent>(&id)?
                .ok_or_else(|| ApiError::no_such("payment_intent", &id, "intent", 404))?;
            check_client_secret(key, client_secret.as_deref(), &pi)?;
            render(db, &pi, key, version, &expand_paths)
        })
        .await?;
    Ok(Reply::ok(&body))
}

pub async fn update(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let p = ctx.params.clone();
    p.check(&full_shape(&[COMMON, SHIPPING]))?;
    versions::check_request(ctx.version, Operation::PaymentIntentUpdate, &p)?;
    let expand_paths = ctx.expand_paths("payment_intent", false)?;
    let amount = parse_amount(&p, false)?;
    let currency = parse_currency(&p, false)?;
    let choice = type_choice(&p, false)?;
    let capture_method = p.enum_(
        "capture_method",
        &["automatic", "automatic_async", "manual"],
    )?;
    let description = p.str_patch("description", 1000)?;
    let receipt_email = p.email_patch("receipt_email")?;
    let shipping = p.shipping_patch("shipping")?;
    let sfu = p.enum_patch("setup_future_usage", &["off_session", "on_session"])?;
    let sd = validate_descriptor(&p, "statement_descriptor", 22)?;
    let sds = validate_descriptor(&p, "statement_descriptor_suffix", 22)?;
    let customer = p.str_patch("customer", 5000)?;
    let country = ctx.app.account.country.clone();
    ctx.execute(move |db, exec| {
        let mut pi = db
            .get::<PaymentIntent>(&id)?
            .ok_or_else(|| ApiError::no_such("payment_intent", &id, "intent", 404))?;
        let guarded: [(&str, bool); 8] = [
            ("amount", amount.is_some()),
            ("currency", currency.is_some()),
            (
                "payment_method",
                p.has("payment_method") || p.has("payment_method_data"),
            ),
            ("capture_method", capture_method.is_some()),
            ("setup_future_usage", !sfu.is_absent()),
            ("payment_method_types", choice.is_some()),
            ("customer", !customer.is_absent() && pi.customer.is_some()),
            ("payment_method_options", p.has("payment_method_options")),
        ];
        for (field, given) in guarded {
            if given {
                pi.check_update(field)
                    .map_err(|e| flow::unexpected_state(db, &pi, e.0))?;
            }
        }
        if let Some(c) = &currency {
            pi.currency = c.code().to_string();
        }
        if let Some(a) = amount {
            pi.amount = a;
        }
        if amount.is_some() || currency.is_some() {
            let c =
                Currency::parse(&pi.currency).map_err(|_| ApiError::internal("stored currency"))?;
            check_minimum(pi.amount, &c)?;
        }
        let recompute = choice
            .clone()
            .or_else(|| (amount.is_some() || currency.is_some()).then(|| current_choice(&pi)));
        if let Some(choice) = recompute {
            apply_types(&mut pi, &choice, &country)?;
        }
        if let Some(cm) = capture_method.as_deref().and_then(CaptureMethod::parse) {
            pi.capture_method = cm;
        }
        description.apply(&mut pi.description);
        receipt_email.apply(&mut pi.receipt_email);
        shipping.apply(&mut pi.shipping);
        sfu.apply(&mut pi.setup_future_usage);
        sd.apply(&mut pi.statement_descriptor);
        sds.apply(&mut pi.statement_descriptor_suffix);
        if let Some(t) = p.str("transfer_group")? {
            pi.transfer_group = Some(t);
        }
        match customer {
            Patch::Set(c) => {
                load_customer(db, &c)?;
                pi.customer = Some(c);
            }
            Patch::Unset => pi.customer = None,
            Patch::Absent => {}
        }
        check_statement_descriptor(&pi)?;
        payment_method_options(&p, &mut pi)?;
        p.apply_metadata(&mut pi.metadata)?;
        if p.has("payment_method") && p.str("payment_method")?.is_none() {
            pi.detach_payment_method();
        } else {
            let input = confirm_input(db, exec, &p)?;
            if let Some(pm) = input.payment_method {
                flow::check_owner(&pi, &pm)?;
                pi.attach_payment_method(pm.id.clone());
            }
        }
        // Any update clears the last attempt's error.
        pi.last_payment_error = None;
        db.put(&pi)?;
        Ok((200, render(db, &pi, exec.key, exec.version, &expand_paths)?))
    })
    .await
}

pub async fn confirm(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    let p = ctx.params.clone();
    p.check(&full_shape(&[CONFIRM_SHAPE, SHIPPING]))?;
    check_id(&id)?;
    versions::check_request(ctx.version, Operation::PaymentIntentConfirm, &p)?;
    let expand_paths = ctx.expand_paths("payment_intent", false)?;
    let client_secret = p.str("client_secret")?;
    let key = ctx.key;
    let exec_country = ctx.app.account.country.clone();
    if key == KeyKind::Publishable && client_secret.is_none() {
        return Err(ApiError::missing("client_secret"));
    }
    ctx.execute(move |db, exec| {
        let mut pi = db.get::<PaymentIntent>(&id)?.ok_or_else(|| ApiError::no_such("payment_intent", &id, "intent", 404))?;
        check_client_secret(key, client_secret.as_deref(), &pi)?;
        if key == KeyKind::Publishable {
            if pi.confirmation_method == "manual" {
                return Err(ApiError::invalid("This PaymentIntent's confirmation_method is set to manual, so it can only be confirmed with your secret key.").param("client_secret"));
            }
        }
        if let Some(cm) = p.enum_("capture_method", &["automatic", "automatic_async", "manual"])?.as_deref().and_then(CaptureMethod::parse) {
            pi.capture_method = cm;
        }
        if let Some(r) = p.email_patch("receipt_email")?.set() {
            pi.receipt_email = Some(r);
        }
        if let Patch::Set(s) = p.shipping_patch("shipping")? {
            pi.shipping = Some(s);
        }
        payment_method_options(&p, &mut pi)?;
        // Before endive, confirm may still set the list of types.
        if let Some(choice) = type_choice(&p, false)? {
            pi.check_update("payment_method_types").map_err(|e| flow::unexpected_state(db, &pi, e.0))?;
            apply_types(&mut pi, &choice, &exec_country)?;
        }
        confirm_and_render(db, exec, &mut pi, &p, &expand_paths)
    })
    .await
}

pub async fn capture(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let p = ctx.params.clone();
    p.check(&[
        "amount_to_capture",
        "expand[]",
        "metadata[*]",
        "statement_descriptor",
        "statement_descriptor_suffix",
        "final_capture",
        "application_fee_amount",
    ])?;
    let expand_paths = ctx.expand_paths("payment_intent", false)?;
    let amount_to_capture = p.int_at_least("amount_to_capture", 1)?;
    let final_capture = p.bool("final_capture")?;
    ctx.execute(move |db, exec| {
        let mut pi = db.get::<PaymentIntent>(&id)?.ok_or_else(|| ApiError::no_such("payment_intent", &id, "intent", 404))?;
        let multicapture = pi
            .payment_method_options
            .get("card")
            .and_then(|o| o.get("request_multicapture"))
            .and_then(|v| v.as_str())
            == Some("if_available");
        if final_capture == Some(false) && !multicapture {
            return Err(ApiError::invalid(
                "`final_capture` can only be set to false on PaymentIntents that have multicapture enabled (`payment_method_options[card][request_multicapture]=if_available`).",
            )
            .param("final_capture"));
        }
        pi.check_capture().map_err(|e| flow::unexpected_state(db, &pi, e.0))?;
        let amount = amount_to_capture.unwrap_or(pi.amount_capturable);
        if amount > pi.amount_capturable {
            return Err(ApiError::invalid(format!(
                "The amount to capture ({amount}) must be less than or equal to the amount capturable ({}).",
                pi.amount_capturable
            ))
            .code("amount_too_large")
            .param("amount_to_capture"));
        }
        p.apply_metadata(&mut pi.metadata)?;
        let charge_id = pi.latest_charge.clone().unwrap_or_default();
        let mut charge = db
            .get::<crate::domain::charge::Charge>(&charge_id)?
            .ok_or_else(|| ApiError::internal("held intent without charge"))?;
        charge.capture(amount);
        flow::settle(db, exec, &mut charge)?;
        if versions::old_behaviour(exec.version, versions::Behaviour::ReleasedAuthorizationIsRefund) {
            let released = charge.amount - amount;
            crate::flows::refunds::release_as_refund(db, exec, &mut charge, released)?;
        }
        pi.capture(amount);
        db.put(&charge)?;
        db.put(&pi)?;
        exec.event(db, "charge.captured", &views::charge(&charge), None)?;
        exec.event(db, "payment_intent.succeeded", &crate::flows::render_intent(db, &pi)?, None)?;
        Ok((200, render(db, &pi, exec.key, exec.version, &expand_paths)?))
    })
    .await
}

pub async fn cancel(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    let p = ctx.params.clone();
    p.check(&["cancellation_reason", "expand[]"])?;
    let expand_paths = ctx.expand_paths("payment_intent", false)?;
    let reason = p.enum_(
        "cancellation_reason",
        &[
            "abandoned",
            "duplicate",
            "fraudulent",
            "requested_by_customer",
        ],
    )?;
    ctx.execute(move |db, exec| {
        let mut pi = db
            .get::<PaymentIntent>(&id)?
            .ok_or_else(|| ApiError::no_such("payment_intent", &id, "intent", 404))?;
        pi.check_cancel()
            .map_err(|e| flow::unexpected_state(db, &pi, e.0))?;
        let held = pi.status == Status::RequiresCapture;
        pi.cancel(reason, exec.now);
        if held
            && versions::old_behaviour(
                exec.version,
                versions::Behaviour::ReleasedAuthorizationIsRefund,
            )
        {
            if let Some(mut charge) = db.get::<crate::domain::charge::Charge>(
                pi.latest_charge.as_deref().unwrap_or_default(),
            )? {
                let held_amount = charge.amount;
                crate::flows::refunds::release_as_refund(db, exec, &mut charge, held_amount)?;
            }
        }
        db.put(&pi)?;
        exec.event(
            db,
            "payment_intent.canceled",
            &crate::flows::render_intent(db, &pi)?,
            None,
        )?;
        Ok((200, render(db, &pi, exec.key, exec.version, &expand_paths)?))
    })
    .await
}

pub async fn list(ctx: Ctx) -> ApiResult<Reply> {
    let (mut q, expand_paths) =
        ctx.list_request("payment_intent", &["customer", "customer_account"])?;
    q.customer = ctx.params.str("customer")?;
    pagination::respond(
        &ctx,
        q,
        "payment_intent",
        "/v1/payment_intents",
        expand_paths,
        |db, pi: &PaymentIntent| crate::flows::render_intent(db, pi),
    )
    .await
}

pub async fn search(ctx: Ctx) -> ApiResult<Reply> {
    super::search::respond(
        &ctx,
        "payment_intents",
        super::search::PAYMENT_INTENT_FIELDS,
        |db, pi: &PaymentIntent| crate::flows::render_intent(db, pi),
    )
    .await
}
