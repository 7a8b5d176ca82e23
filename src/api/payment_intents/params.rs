//! The parameters of `/v1/payment_intents` calls: their shapes, and each read and
//! checked before the write, so that the writer only writes.

use crate::api::auth::KeyKind;
use crate::api::form::{one_of, Params, Patch};
use crate::api::payment_methods;
use crate::domain::availability::{self, Unavailable};
use crate::domain::mandate::Client;
use crate::domain::method_choice::{ChoiceRefused, TypeChoice};
use crate::domain::money::{Currency, MAX_AMOUNT};
use crate::domain::payment_intent::{AllowRedirects, CaptureMethod, ConfirmRequest, PaymentIntent};
use crate::domain::payment_method::{FutureUsage, PaymentMethodType};
use crate::error::{ApiError, ApiResult};
use crate::flows::payment_intent::MethodChoice;
use serde_json::{Map, Value};

pub const COMMON: &[&str] = &[
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
pub const SHIPPING: &[&str] = &[
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
pub const CREATE_ONLY: &[&str] = &[
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
pub const CONFIRM_SHAPE: &[&str] = &[
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

pub fn data_shape_paths() -> &'static [&'static str] {
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

pub fn full_shape(parts: &[&[&'static str]]) -> Vec<&'static str> {
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

/// Stripe's error for a SetupIntent's choice of types that gives nothing usable.
pub fn setup_choice_refused(e: ChoiceRefused) -> ApiError {
    match e {
        ChoiceRefused::Unusable(t, _) => ApiError::invalid(format!(
            "The payment method type provided: {t} is invalid. Please ensure the provided type is activated in your dashboard (https://dashboard.stripe.com/account/payments/settings) and supports setting up future payments."
        ))
        .param("payment_method_types"),
        ChoiceRefused::NoneAllowed(list) => ApiError::invalid(format!(
            "None of the payment method types in allowed_payment_method_types ({}) can be set up for future payments.",
            list.join(", ")
        ))
        .param("allowed_payment_method_types"),
    }
}

/// Stripe's error for a choice of types that gives nothing usable.
pub fn choice_refused(e: ChoiceRefused, currency: &Currency) -> ApiError {
    match e {
        ChoiceRefused::Unusable(t, why) => {
            unavailable_error(&t, why, currency, "payment_method_types")
        }
        ChoiceRefused::NoneAllowed(list) => ApiError::invalid(format!(
            "None of the payment method types in allowed_payment_method_types ({}) can be used with this PaymentIntent's currency ({}) and amount.",
            list.join(", "),
            currency.code()
        ))
        .param("allowed_payment_method_types"),
    }
}

pub fn parse_amount(p: &Params, required: bool) -> ApiResult<Option<i64>> {
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

pub fn parse_currency(p: &Params, required: bool) -> ApiResult<Option<Currency>> {
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

pub fn check_minimum(amount: i64, currency: &Currency) -> ApiResult<()> {
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

/// Pairs of type parameters Stripe refuses together; the first is named in the error.
/// `automatic_payment_methods` refuses an explicit list only when enabled.
const EXCLUSIVE: &[(&str, &str)] = &[
    ("automatic_payment_methods[enabled]", "payment_method_types"),
    ("allowed_payment_method_types", "payment_method_types"),
    ("allowed_payment_method_types", "automatic_payment_methods"),
    (
        "allowed_payment_method_types",
        "excluded_payment_method_types",
    ),
    ("excluded_payment_method_types", "payment_method_types"),
];

fn check_exclusive(given: impl Fn(&str) -> bool) -> ApiResult<()> {
    match EXCLUSIVE.iter().find(|(a, b)| given(a) && given(b)) {
        Some((a, b)) => {
            let a = a.trim_end_matches("[enabled]");
            Err(ApiError::invalid(format!(
                "You may only specify one of these parameters: {a}, {b}."
            ))
            .param(a))
        }
        None => Ok(()),
    }
}

/// Every name in a list of types must be one Stripe knows.
fn check_known(name: &str, list: &[String]) -> ApiResult<()> {
    if list
        .iter()
        .any(|t| !availability::KNOWN_TYPES.contains(&t.as_str()))
    {
        return Err(ApiError::invalid(format!(
            "Invalid {name}[]: must be one of {}",
            one_of(availability::KNOWN_TYPES)
        ))
        .param(name));
    }
    Ok(())
}

/// The types a new intent takes: as `type_choice` on create, except that a request at a
/// version before 2023-08-16 that names none gets cards only (no `automatic_payment_methods`).
pub fn create_choice(p: &Params, version: crate::versions::ApiVersion) -> ApiResult<TypeChoice> {
    let choice = type_choice(p, true)?.expect("create always chooses");
    let named = [
        "payment_method_types",
        "allowed_payment_method_types",
        "excluded_payment_method_types",
        "automatic_payment_methods",
    ]
    .iter()
    .any(|n| p.has(n));
    if !named
        && crate::versions::old_behaviour(version, crate::versions::Behaviour::CardsOnlyByDefault)
    {
        return Ok(TypeChoice::Explicit(vec!["card".to_string()]));
    }
    Ok(choice)
}

/// How the merchant chose payment method types: see `domain::method_choice`.
/// The merchant's choice of types in `p`; on create, automatic when none is given.
pub fn type_choice(p: &Params, create: bool) -> ApiResult<Option<TypeChoice>> {
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
            .enum_("allow_redirects", &["always", "never"])?
            .as_deref()
            .and_then(AllowRedirects::parse),
        None => None,
    };
    let given = |name: &str| match name {
        "payment_method_types" => explicit.is_some(),
        "allowed_payment_method_types" => allowed.is_some(),
        "excluded_payment_method_types" => excluded.is_some(),
        "automatic_payment_methods" => apm.is_some(),
        _ => apm_enabled == Some(true), // automatic_payment_methods enabled
    };
    check_exclusive(given)?;
    for (name, list) in [
        ("payment_method_types", &explicit),
        ("allowed_payment_method_types", &allowed),
        ("excluded_payment_method_types", &excluded),
    ] {
        check_known(name, list.as_deref().unwrap_or_default())?;
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
const NO_DESCRIPTOR_FOR_CARDS: &str = "The statement_descriptor parameter is not supported for the payment_method_type `card`. To continue supporting payment_method_type `card`, please pass in `statement_descriptor_suffix` or remove the `statement_descriptor` parameter altogether. Please see https://support.stripe.com/questions/use-of-the-statement-descriptor-parameter-on-paymentintents-for-card-charges for additional details.";

pub fn check_statement_descriptor(pi: &PaymentIntent) -> ApiResult<()> {
    if pi.statement_descriptor.is_some()
        && pi.payment_method_types.contains(&PaymentMethodType::Card)
    {
        return Err(ApiError::invalid(NO_DESCRIPTOR_FOR_CARDS).param("statement_descriptor"));
    }
    Ok(())
}

pub fn validate_descriptor(p: &Params, name: &str, max: usize) -> ApiResult<Patch<String>> {
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

/// `payment_method_options[<type>][<key>]` as given and checked: each type's keys, a
/// `None` value removing the key (sent as `""`).
#[derive(Debug, Clone, Default)]
pub struct OptionsPatch(Vec<(String, MethodOptions)>);

/// One method's options: each set, or removed (`None`).
type MethodOptions = Vec<(String, Option<Value>)>;

impl OptionsPatch {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Merges into the intent's options.
    pub fn apply(&self, options: &mut Map<String, Value>) {
        for (t, keys) in &self.0 {
            let entry = options
                .entry(t.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            let Value::Object(m) = entry else {
                continue;
            };
            for (k, v) in keys {
                match v {
                    None => m.remove(k),
                    Some(v) => m.insert(k.clone(), v.clone()),
                };
            }
        }
    }
}

/// Reads and checks `payment_method_options`.
pub fn options(p: &Params) -> ApiResult<OptionsPatch> {
    let Patch::Set(Value::Object(given)) = p.hash_patch("payment_method_options")? else {
        return Ok(OptionsPatch::default());
    };
    let mut patch = Vec::new();
    for (t, o) in given {
        if !availability::KNOWN_TYPES.contains(&t.as_str()) {
            return Err(ApiError::unknown_parameter(&format!(
                "payment_method_options[{t}]"
            )));
        }
        let processed = PaymentMethodType::parse(&t).is_some();
        let Value::Object(keys) = o else {
            return Err(
                ApiError::invalid(format!("Invalid hash: payment_method_options[{t}]"))
                    .param(format!("payment_method_options[{t}]")),
            );
        };
        let mut out = Vec::new();
        for (k, v) in keys {
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
                            one_of(allowed)
                        ))
                        .param(param))
                    }
                }
            }
            let value = match v.as_str() {
                Some("") => None,
                Some(b @ ("true" | "false")) => Some(Value::Bool(b == "true")),
                _ => Some(v),
            };
            out.push((k, value));
        }
        patch.push((t, out));
    }
    Ok(OptionsPatch(patch))
}

/// `capture_method`.
pub fn capture_method(p: &Params) -> ApiResult<Option<CaptureMethod>> {
    Ok(p.enum_(
        "capture_method",
        &["automatic", "automatic_async", "manual"],
    )?
    .as_deref()
    .and_then(CaptureMethod::parse))
}

/// `setup_future_usage`: absent, unset (`""`), or a value.
pub fn future_usage(p: &Params) -> ApiResult<Patch<FutureUsage>> {
    Ok(
        match p.enum_patch("setup_future_usage", &["off_session", "on_session"])? {
            Patch::Absent => Patch::Absent,
            Patch::Unset => Patch::Unset,
            Patch::Set(s) => Patch::Set(FutureUsage::parse(&s).expect("checked")),
        },
    )
}

/// `payment_method_data[...]` (a new method) or `payment_method` (a stored one, or a
/// test alias).
pub fn method_choice(p: &Params, key: KeyKind) -> ApiResult<MethodChoice> {
    if let Some(data) = p.sub("payment_method_data") {
        let now = crate::clock::now();
        return Ok(MethodChoice::New(payment_methods::build(
            &data,
            key,
            "payment_method_data",
            now,
        )?));
    }
    Ok(match p.str("payment_method")? {
        Some(id) => MethodChoice::Named(id),
        None => MethodChoice::Current,
    })
}

/// `mandate_data[customer_acceptance]`, as given (resolved against the client on use).
pub fn mandate_acceptance(p: &Params, key: KeyKind, client: &Client) -> ApiResult<Option<Value>> {
    let Patch::Set(data) = p.hash_patch("mandate_data")? else {
        return Ok(None);
    };
    let Some(given) = data.get("customer_acceptance") else {
        return Err(ApiError::missing("mandate_data[customer_acceptance]"));
    };
    match given.get("type").and_then(Value::as_str) {
        Some("online" | "offline") => {}
        _ => {
            return Err(ApiError::invalid(
                "Invalid mandate_data[customer_acceptance][type]: must be one of online or offline",
            )
            .param("mandate_data[customer_acceptance][type]"))
        }
    }
    // The browser can only vouch for itself: Stripe.js sends `infer_from_client`.
    let inferred = given.get("type").and_then(Value::as_str) == Some("online")
        && given
            .get("online")
            .and_then(|o| o.get("infer_from_client"))
            .and_then(Value::as_str)
            == Some("true");
    if key == KeyKind::Publishable && !inferred {
        return Err(ApiError::invalid(PK_ACCEPTANCE).param("mandate_data[customer_acceptance]"));
    }
    Ok(Some(crate::domain::mandate::acceptance(
        Some(given),
        client,
        crate::clock::now(),
    )))
}

const PK_ACCEPTANCE: &str = "With a publishable key, mandate_data[customer_acceptance] must be of type online with online[infer_from_client]=true; other acceptances are recorded with your secret key.";

/// What a confirm (or a create with `confirm=true`) asks besides the method.
pub fn confirm_request(p: &Params, key: KeyKind, client: &Client) -> ApiResult<ConfirmRequest> {
    let off_session = match p.get("off_session").and_then(|n| n.as_str()) {
        Some("one_off") | Some("recurring") => true,
        _ => p.bool("off_session")?.unwrap_or(false),
    };
    Ok(ConfirmRequest {
        return_url: p.url_patch("return_url")?.set(),
        off_session,
        use_stripe_sdk: p.bool("use_stripe_sdk")?.unwrap_or(false),
        error_on_requires_action: p.bool("error_on_requires_action")?.unwrap_or(false),
        setup_future_usage: match future_usage(p)? {
            Patch::Absent => None,
            Patch::Unset => Some(None),
            Patch::Set(s) => Some(Some(s)),
        },
        from_server: key == KeyKind::Secret,
        mandate: None,
        mandate_acceptance: mandate_acceptance(p, key, client)?,
    })
}

/// Everything a confirm call asks, read before the write.
pub struct ConfirmParams {
    pub client_secret: Option<String>,
    pub capture_method: Option<CaptureMethod>,
    pub receipt_email: Option<String>,
    pub shipping: Option<Value>,
    pub options: OptionsPatch,
    /// Before endive, confirm may still set the list of types.
    pub types: Option<TypeChoice>,
    pub method: MethodChoice,
    pub request: ConfirmRequest,
}

pub fn confirm(p: &Params, key: KeyKind, client: &Client) -> ApiResult<ConfirmParams> {
    let client_secret = p.str("client_secret")?;
    if key == KeyKind::Publishable && client_secret.is_none() {
        return Err(ApiError::missing("client_secret"));
    }
    // A payment without the customer is the merchant's server's to make, never a page's.
    if key == KeyKind::Publishable && p.has("off_session") {
        return Err(ApiError::invalid(
            "off_session cannot be set with a publishable key: confirm off-session payments from your server with the secret key.",
        )
        .param("off_session"));
    }
    Ok(ConfirmParams {
        client_secret,
        capture_method: capture_method(p)?,
        receipt_email: p.email_patch("receipt_email")?.set(),
        shipping: p.shipping_patch("shipping")?.set(),
        options: options(p)?,
        types: type_choice(p, false)?,
        method: method_choice(p, key)?,
        request: confirm_request(p, key, client)?,
    })
}
