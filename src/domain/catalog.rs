//! Products and their Prices: what a Checkout Session's `line_items[][price]` names.
//! One-time prices only (recurring ones need Subscriptions, which Pasarela does not serve).

use super::money::Currency;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Product {
    pub id: String,
    pub created: i64,
    pub updated: i64,
    pub name: String,
    pub description: Option<String>,
    pub active: bool,
    pub images: Vec<String>,
    pub url: Option<String>,
    pub metadata: Map<String, Value>,
    pub default_price: Option<String>,
    pub deleted: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Price {
    pub id: String,
    pub created: i64,
    pub product: String,
    pub currency: Currency,
    pub unit_amount: i64,
    pub active: bool,
    pub nickname: Option<String>,
    pub lookup_key: Option<String>,
    pub metadata: Map<String, Value>,
    /// Made inline (`price_data`): inactive, retrievable, and in no list.
    #[serde(default)]
    pub inline: bool,
}

impl Price {
    /// A new active one-time price of `product`.
    pub fn new(product: &str, currency: Currency, unit_amount: i64, now: i64) -> Price {
        Price {
            id: super::ids::new_id("price"),
            created: now,
            product: product.to_string(),
            currency,
            unit_amount,
            active: true,
            nickname: None,
            lookup_key: None,
            metadata: Map::new(),
            inline: false,
        }
    }
}

impl Product {
    pub fn new(id: String, name: String, now: i64) -> Product {
        Product {
            id,
            created: now,
            updated: now,
            name,
            description: None,
            active: true,
            images: vec![],
            url: None,
            metadata: Map::new(),
            default_price: None,
            deleted: false,
        }
    }
}

/// Why a price cannot be sold in a Checkout Session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotSellable {
    Inactive,
    ProductInactive,
}

/// Whether `price` of `product` can be put in a Checkout Session now.
pub fn sellable(price: &Price, product: &Product) -> Result<(), NotSellable> {
    if !price.active {
        return Err(NotSellable::Inactive);
    }
    if !product.active || product.deleted {
        return Err(NotSellable::ProductInactive);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_active_prices_of_active_products_sell() {
        let mut product = Product::new("prod_1".into(), "Poster".into(), 0);
        let mut price = Price {
            id: "price_1".into(),
            created: 0,
            product: product.id.clone(),
            currency: Currency::parse("usd").unwrap(),
            unit_amount: 1500,
            active: true,
            nickname: None,
            lookup_key: None,
            metadata: Map::new(),
            inline: false,
        };
        assert_eq!(sellable(&price, &product), Ok(()));
        product.active = false;
        assert_eq!(
            sellable(&price, &product),
            Err(NotSellable::ProductInactive)
        );
        product.active = true;
        price.active = false;
        assert_eq!(sellable(&price, &product), Err(NotSellable::Inactive));
    }
}
