//! How a merchant chooses an intent's payment method types (an explicit list, an
//! allowed list, or automatic with exclusions), and the types that choice gives for the
//! account's country, the currency and the amount. PaymentIntents use it; SetupIntents
//! will too.

use super::availability::{self, Unavailable};
use super::money::Currency;
use super::payment_intent::{AllowRedirects, AutomaticPaymentMethods};
use super::payment_method::PaymentMethodType;

/// The merchant's choice, as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeChoice {
    /// `payment_method_types[]`: each must be usable.
    Explicit(Vec<String>),
    /// `allowed_payment_method_types[]`: those that are usable, at least one.
    Allowed(Vec<String>),
    /// `automatic_payment_methods`: every usable type, less the excluded ones.
    Automatic {
        allow_redirects: Option<AllowRedirects>,
        excluded: Option<Vec<String>>,
    },
}

/// What an intent keeps of the choice: the computed types and how they were chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenTypes {
    pub types: Vec<PaymentMethodType>,
    pub allowed: Option<Vec<String>>,
    pub excluded: Option<Vec<String>>,
    pub automatic: Option<AutomaticPaymentMethods>,
}

/// Why a choice gives nothing usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChoiceRefused {
    /// An explicitly listed type cannot pay this intent.
    Unusable(String, Unavailable),
    /// No allowed type can pay this intent.
    NoneAllowed(Vec<String>),
}

impl TypeChoice {
    /// The types this choice gives for `amount` in `currency` on an account in `country`.
    pub fn resolve(
        &self,
        country: &str,
        currency: &Currency,
        amount: i64,
    ) -> Result<ChosenTypes, ChoiceRefused> {
        self.resolve_with(&|t| availability::check(t, country, currency, Some(amount)))
    }

    /// The types this choice gives a SetupIntent (no amount yet) on an account in
    /// `country`: those that can be set up for later.
    pub fn resolve_for_setup(&self, country: &str) -> Result<ChosenTypes, ChoiceRefused> {
        self.resolve_with(&|t| {
            if t.can_be_set_up() {
                availability::check_country(t, country)
            } else {
                Err(Unavailable::NotActivated)
            }
        })
    }

    /// The types this choice gives, `usable` saying which can serve the intent.
    fn resolve_with(
        &self,
        usable: &dyn Fn(PaymentMethodType) -> Result<(), Unavailable>,
    ) -> Result<ChosenTypes, ChoiceRefused> {
        // Those of `names` that are usable, in Stripe's order.
        let pick = |names: &[&str]| -> Vec<PaymentMethodType> {
            PaymentMethodType::ALL
                .into_iter()
                .filter(|t| names.contains(&t.as_str()) && usable(*t).is_ok())
                .collect()
        };
        let chosen = |types, allowed, excluded, automatic| ChosenTypes {
            types,
            allowed,
            excluded,
            automatic,
        };
        match self {
            TypeChoice::Explicit(list) => {
                let mut types = Vec::new();
                for name in list {
                    let t = PaymentMethodType::parse(name)
                        .ok_or(Unavailable::NotActivated)
                        .and_then(|t| usable(t).map(|()| t))
                        .map_err(|e| ChoiceRefused::Unusable(name.clone(), e))?;
                    if !types.contains(&t) {
                        types.push(t);
                    }
                }
                Ok(chosen(types, None, None, None))
            }
            TypeChoice::Allowed(list) => {
                let names: Vec<&str> = list.iter().map(String::as_str).collect();
                let types = pick(&names);
                if types.is_empty() {
                    return Err(ChoiceRefused::NoneAllowed(list.clone()));
                }
                Ok(chosen(types, Some(list.clone()), None, None))
            }
            TypeChoice::Automatic {
                allow_redirects,
                excluded,
            } => {
                let all: Vec<&str> = availability::supported_names().collect();
                let mut types = pick(&all);
                if let Some(ex) = excluded {
                    types.retain(|t| !ex.iter().any(|e| e == t.as_str()));
                }
                if *allow_redirects == Some(AllowRedirects::Never) {
                    types.retain(|t| !t.is_redirect());
                }
                let automatic = AutomaticPaymentMethods {
                    enabled: true,
                    allow_redirects: *allow_redirects,
                };
                Ok(chosen(types, None, excluded.clone(), Some(automatic)))
            }
        }
    }

    /// The choice an intent was made with (to recompute its types after an update of
    /// amount or currency).
    pub fn of(chosen: &ChosenTypes) -> TypeChoice {
        if let Some(a) = &chosen.automatic {
            TypeChoice::Automatic {
                allow_redirects: a.allow_redirects,
                excluded: chosen.excluded.clone(),
            }
        } else if let Some(l) = &chosen.allowed {
            TypeChoice::Allowed(l.clone())
        } else {
            TypeChoice::Explicit(
                chosen
                    .types
                    .iter()
                    .map(|t| t.as_str().to_string())
                    .collect(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PaymentMethodType::*;

    fn usd() -> Currency {
        Currency::parse("usd").unwrap()
    }
    fn eur() -> Currency {
        Currency::parse("eur").unwrap()
    }
    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn each_choice_gives_its_types() {
        let auto = |allow_redirects, excluded: Option<Vec<String>>| TypeChoice::Automatic {
            allow_redirects,
            excluded,
        };
        // (choice, country, currency, amount) -> types
        let table: Vec<(TypeChoice, &str, Currency, i64, Vec<PaymentMethodType>)> = vec![
            (auto(None, None), "US", usd(), 1000, vec![Card, AmazonPay]),
            (
                auto(None, None),
                "FR",
                eur(),
                6000,
                vec![Card, Alma, AmazonPay],
            ),
            (auto(None, None), "FR", eur(), 1000, vec![Card, AmazonPay]),
            (
                auto(Some(AllowRedirects::Never), None),
                "FR",
                eur(),
                6000,
                vec![Card],
            ),
            (
                auto(None, Some(names(&["card"]))),
                "US",
                usd(),
                1000,
                vec![AmazonPay],
            ),
            (
                TypeChoice::Allowed(names(&["alma", "card", "klarna"])),
                "US",
                usd(),
                1000,
                vec![Card],
            ),
            (
                TypeChoice::Explicit(names(&["amazon_pay", "amazon_pay"])),
                "US",
                usd(),
                1000,
                vec![AmazonPay],
            ),
        ];
        for (choice, country, currency, amount, want) in table {
            let got = choice.resolve(country, &currency, amount).unwrap();
            assert_eq!(got.types, want, "{choice:?} {country} {currency} {amount}");
            assert_eq!(
                TypeChoice::of(&got)
                    .resolve(country, &currency, amount)
                    .unwrap(),
                got
            );
        }
    }

    #[test]
    fn unusable_choices_are_refused() {
        let e = TypeChoice::Explicit(names(&["card", "alma"]))
            .resolve("US", &usd(), 1000)
            .unwrap_err();
        assert_eq!(
            e,
            ChoiceRefused::Unusable("alma".into(), Unavailable::Country)
        );
        let e = TypeChoice::Explicit(names(&["ideal"]))
            .resolve("NL", &eur(), 1000)
            .unwrap_err();
        assert_eq!(
            e,
            ChoiceRefused::Unusable("ideal".into(), Unavailable::NotActivated)
        );
        let e = TypeChoice::Allowed(names(&["alma"]))
            .resolve("US", &usd(), 1000)
            .unwrap_err();
        assert_eq!(e, ChoiceRefused::NoneAllowed(names(&["alma"])));
    }
}
