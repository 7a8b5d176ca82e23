//! Products and prices coming into being: saved with their `product.created` and
//! `price.created` events, wherever they are made (the catalog's own endpoints, a product's
//! `default_price_data`, a price's `product_data`, a Checkout line's `price_data`).

use super::Exec;
use crate::domain::catalog::{Price, Product};
use crate::domain::event::EventType;
use crate::store::{Db, StoreError};
use crate::views;

pub fn create_product(db: &Db, exec: &Exec, product: &Product) -> Result<(), StoreError> {
    db.put(product)?;
    exec.event(
        db,
        EventType::ProductCreated,
        &views::product(product),
        None,
    )?;
    Ok(())
}

pub fn create_price(db: &Db, exec: &Exec, price: &Price) -> Result<(), StoreError> {
    db.put(price)?;
    exec.event(db, EventType::PriceCreated, &views::price(price), None)?;
    Ok(())
}
