//! `/v1/account`, `/v1/accounts/:id` (the account's own id; it has no connected accounts)
//! and `/v1/balance`.

use super::{Ctx, Reply};
use crate::domain::account;
use crate::domain::balance_transaction::BalanceTransaction;
use crate::error::{ApiError, ApiResult};
use crate::store::{Db, ListQuery, StoreError};
use crate::views;
use axum::extract::Path;

pub async fn retrieve(ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&["expand[]"])?;
    Ok(Reply::ok(&ctx.render(views::account(&ctx.app.account))))
}

pub async fn retrieve_by_id(Path(id): Path<String>, ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    if id != ctx.app.account.id {
        return Err(ApiError::no_such("account", &id, "id", 404));
    }
    retrieve(ctx).await
}

pub async fn balance(ctx: Ctx) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&["expand[]"])?;
    let now = crate::clock::now();
    let transactions = ctx.app.store.read(every_transaction).await?;
    let funds = account::balance(&transactions, now);
    let body = views::balance(&funds, account::default_currency(&ctx.app.account.country));
    Ok(Reply::ok(&ctx.render(body)))
}

/// Every balance transaction, read a page at a time.
fn every_transaction(db: &Db) -> Result<Vec<BalanceTransaction>, StoreError> {
    let mut all = Vec::new();
    let mut q = ListQuery {
        limit: 1000,
        ..Default::default()
    };
    loop {
        let Ok(page) = db.list(<BalanceTransaction as crate::store::Stored>::KIND, &q)? else {
            break;
        };
        for body in &page.bodies {
            all.push(crate::store::decode::<BalanceTransaction>(body)?);
        }
        match (page.has_more, all.last()) {
            (true, Some(last)) => q.starting_after = Some(last.id.clone()),
            _ => break,
        }
    }
    Ok(all)
}
