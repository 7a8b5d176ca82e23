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
    pub deleted: bool,
}
