//! The Customer object as stored.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Customer {
    pub id: String,
    pub created: i64,
    pub email: Option<String>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub phone: Option<String>,
    pub address: Option<Value>,
    pub shipping: Option<Value>,
    pub balance: i64,
    pub metadata: Map<String, Value>,
    pub preferred_locales: Vec<String>,
    pub tax_exempt: Option<String>,
    pub default_payment_method: Option<String>,
    pub invoice_prefix: String,
    #[serde(default)]
    pub invoice_footer: Option<String>,
    #[serde(default)]
    pub invoice_custom_fields: Option<Value>,
    #[serde(default = "first_invoice")]
    pub next_invoice_sequence: i64,
    pub deleted: bool,
}

fn first_invoice() -> i64 {
    1
}

impl Customer {
    /// A customer with nothing set yet.
    pub fn new(id: String, invoice_prefix: String, created: i64) -> Customer {
        Customer {
            id,
            created,
            email: None,
            name: None,
            description: None,
            phone: None,
            address: None,
            shipping: None,
            balance: 0,
            metadata: Map::new(),
            preferred_locales: vec![],
            tax_exempt: None,
            default_payment_method: None,
            invoice_prefix,
            invoice_footer: None,
            invoice_custom_fields: None,
            next_invoice_sequence: 1,
            deleted: false,
        }
    }
}
