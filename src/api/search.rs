//! The Search API (`/v1/{payment_intents,customers,charges}/search`): Stripe's query
//! language (`field:"value"`, `~` substring, `> < >= <=`, `-` negation,
//! `metadata["key"]`, `AND` or `OR`) evaluated over the rendered objects. An AND query
//! with an equality on an indexed field reads only the objects that index names
//! (`narrowed`); the others read every object of the kind, off the async threads.

use super::{expand, pagination, Ctx, Reply};
use crate::error::{ApiError, ApiResult};
use crate::store::{metadata_field, Db, ListQuery, StoreError, Stored};
use base64::Engine;
use serde_json::{json, Value};

#[derive(Debug, Clone, PartialEq)]
enum Op {
    Eq,
    Contains,
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Debug, Clone, PartialEq)]
enum Field {
    Path(String),
    Metadata(String),
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Str(String),
    Num(f64),
    Null,
}

#[derive(Debug, Clone, PartialEq)]
struct Clause {
    negate: bool,
    field: Field,
    op: Op,
    value: Val,
}

/// A parsed query: clauses joined by AND (all) or OR (any).
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    clauses: Vec<Clause>,
    any: bool,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::invalid(message).param("query")
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Lexer<'a> {
    fn skip_ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn quoted(&mut self) -> ApiResult<String> {
        let quote = self
            .peek()
            .ok_or_else(|| invalid("Search query ended where a quoted value was expected."))?;
        self.i += 1;
        let mut out = Vec::new();
        while let Some(b) = self.peek() {
            self.i += 1;
            if b == b'\\' {
                if let Some(n) = self.peek() {
                    out.push(n);
                    self.i += 1;
                }
            } else if b == quote {
                return String::from_utf8(out)
                    .map_err(|_| invalid("Search query is not valid UTF-8."));
            } else {
                out.push(b);
            }
        }
        Err(invalid("Search query has an unterminated quoted value."))
    }
    fn word(&mut self) -> String {
        let start = self.i;
        while let Some(b) = self.peek() {
            if b.is_ascii_alphanumeric() || b == b'_' || b == b'.' || b == b'-' {
                self.i += 1;
            } else {
                break;
            }
        }
        String::from_utf8_lossy(&self.s[start..self.i]).into_owned()
    }
}

/// Parses `query` for a resource whose searchable fields are `fields`.
pub fn parse(query: &str, resource: &str, fields: &[&str]) -> ApiResult<Query> {
    let mut lx = Lexer {
        s: query.as_bytes(),
        i: 0,
    };
    let mut clauses = Vec::new();
    let mut joiner: Option<bool> = None;
    loop {
        lx.skip_ws();
        if lx.peek().is_none() {
            break;
        }
        clauses.push(clause(&mut lx, query, resource, fields)?);
        lx.skip_ws();
        if lx.peek().is_none() {
            break;
        }
        let any = match lx.word().as_str() {
            "AND" => false,
            "OR" => true,
            word => {
                return Err(invalid(format!(
                    "Search query: expected AND or OR, found `{word}`."
                )))
            }
        };
        if joiner.is_some_and(|j| j != any) {
            return Err(invalid(
                "Search query: AND and OR cannot be combined in one query.",
            ));
        }
        joiner = Some(any);
    }
    if clauses.is_empty() {
        return Err(ApiError::missing("query"));
    }
    if clauses.len() > 10 {
        return Err(invalid("Search query: at most 10 clauses."));
    }
    Ok(Query {
        clauses,
        any: joiner.unwrap_or(false),
    })
}

/// One clause: `[-]field op value`.
fn clause(lx: &mut Lexer, query: &str, resource: &str, fields: &[&str]) -> ApiResult<Clause> {
    let negate = lx.eat(b'-');
    let field = field(lx, query, resource, fields)?;
    let op = operator(lx)?;
    let value = value(lx)?;
    if op == Op::Contains && !matches!(&value, Val::Str(s) if s.chars().count() >= 3) {
        return Err(invalid(
            "Search query: a substring (`~`) value needs at least 3 characters.",
        ));
    }
    Ok(Clause {
        negate,
        field,
        op,
        value,
    })
}

/// `metadata["key"]`, or one of the resource's searchable `fields`.
fn field(lx: &mut Lexer, query: &str, resource: &str, fields: &[&str]) -> ApiResult<Field> {
    if query[lx.i..].starts_with("metadata[") {
        lx.i += "metadata[".len();
        let key = lx.quoted()?;
        if !lx.eat(b']') {
            return Err(invalid(
                "Search query: expected `]` after the metadata key.",
            ));
        }
        return Ok(Field::Metadata(key));
    }
    let name = lx.word();
    if name.is_empty() {
        return Err(invalid(format!(
            "Search query is invalid near position {}.",
            lx.i
        )));
    }
    if !fields.contains(&name.as_str()) {
        let doc = format!(
            "http://stripe.com/docs/search#query-fields-for-{}",
            resource.replace('_', "-")
        );
        return Err(invalid(format!(
            "Field `{name}` is an unsupported search field for resource `{resource}`. \
             See {doc} for a list of supported fields."
        )));
    }
    Ok(Field::Path(name))
}

/// `:`, `~`, `>`, `<`, `>=` or `<=`.
fn operator(lx: &mut Lexer) -> ApiResult<Op> {
    let op = if lx.eat(b':') {
        Op::Eq
    } else if lx.eat(b'~') {
        Op::Contains
    } else if lx.eat(b'>') {
        if lx.eat(b'=') {
            Op::Gte
        } else {
            Op::Gt
        }
    } else if lx.eat(b'<') {
        if lx.eat(b'=') {
            Op::Lte
        } else {
            Op::Lt
        }
    } else {
        return Err(invalid(format!(
            "Search query: expected an operator (`:`, `~`, `>`, `<`, `>=`, `<=`) \
             at position {}.",
            lx.i
        )));
    };
    Ok(op)
}

/// A quoted string, `null`, or a plain decimal number.
fn value(lx: &mut Lexer) -> ApiResult<Val> {
    match lx.peek() {
        Some(b'"') | Some(b'\'') => Ok(Val::Str(lx.quoted()?)),
        _ => {
            let w = lx.word();
            if w == "null" {
                Ok(Val::Null)
            } else if let Some(n) = decimal(&w) {
                Ok(Val::Num(n))
            } else {
                Err(invalid(format!(
                    "Search query: the value `{w}` must be quoted."
                )))
            }
        }
    }
}

fn lookup<'v>(obj: &'v Value, field: &Field) -> Option<&'v Value> {
    match field {
        Field::Metadata(k) => obj.get("metadata").and_then(|m| m.get(k)),
        Field::Path(p) => p.split('.').try_fold(obj, |v, seg| v.get(seg)),
    }
}

fn clause_matches(c: &Clause, obj: &Value) -> bool {
    let got = lookup(obj, &c.field).filter(|v| !v.is_null());
    let result = match (&c.value, got) {
        (Val::Null, got) => got.is_none(),
        (_, None) => false,
        (Val::Str(want), Some(v)) => {
            let have = match v {
                Value::String(s) => s.to_lowercase(),
                other => other.to_string().to_lowercase(),
            };
            let want = want.to_lowercase();
            match c.op {
                Op::Eq => have == want,
                Op::Contains => have.contains(&want),
                _ => false,
            }
        }
        (Val::Num(want), Some(v)) => match v.as_f64() {
            Some(have) => match c.op {
                Op::Eq => have == *want,
                Op::Gt => have > *want,
                Op::Gte => have >= *want,
                Op::Lt => have < *want,
                Op::Lte => have <= *want,
                Op::Contains => false,
            },
            None => false,
        },
    };
    result != c.negate
}

impl Query {
    /// The objects of kind `T` that an index says may match: an equality (not negated,
    /// in an AND query) on a field kept in a column or in `search_terms`; the most
    /// selective such field when there are several. Every clause is still checked on
    /// each candidate rendered, so the results are the same as reading them all.
    fn narrowed<T: Stored>(&self) -> ListQuery {
        let mut q = ListQuery::default();
        if self.any && self.clauses.len() > 1 {
            return q;
        }
        for c in &self.clauses {
            let (false, Op::Eq, Val::Str(v)) = (c.negate, &c.op, &c.value) else {
                continue;
            };
            match &c.field {
                Field::Metadata(key) => {
                    q.term
                        .get_or_insert((metadata_field(key), v.to_lowercase()));
                }
                Field::Path(p) if T::REF1_SEARCHED_AS == Some(p.as_str()) => {
                    q.term.get_or_insert((p.clone(), v.to_lowercase()));
                }
                // Ids in a column are compared exactly: an id typed in another case than
                // it has is not found (reading every object, search ignores case).
                Field::Path(p) if p == "payment_intent" && T::KIND == "charge" => {
                    q.ref1 = Some(v.clone());
                }
                Field::Path(p) if p == "customer" && T::KIND != "customer" => {
                    q.customer.get_or_insert(v.clone());
                }
                Field::Path(_) => {}
            }
        }
        // One index is enough: an intent's charges or a metadata value are fewer than a
        // customer's objects.
        if q.ref1.is_some() || q.term.is_some() {
            q.customer = None;
        }
        if q.ref1.is_some() {
            q.term = None;
        }
        q
    }

    pub fn matches(&self, obj: &Value) -> bool {
        if self.any {
            self.clauses.iter().any(|c| clause_matches(c, obj))
        } else {
            self.clauses.iter().all(|c| clause_matches(c, obj))
        }
    }
}

/// A search request end to end: parse, scan newest first, page with an opaque token.
pub async fn respond<T: Stored + 'static>(
    ctx: &Ctx,
    resource: &'static str,
    fields: &'static [&'static str],
    view: fn(&Db, &T) -> Result<Value, StoreError>,
) -> ApiResult<Reply> {
    ctx.require_secret()?;
    ctx.params.check(&["query", "limit", "page", "expand[]"])?;
    let query = parse(
        &ctx.params
            .str("query")?
            .ok_or_else(|| ApiError::missing("query"))?,
        resource,
        fields,
    )?;
    let limit = pagination::query(&ctx.params)?.limit;
    let paths = ctx.params.expand()?;
    let total = paths.iter().any(|p| p == "total_count");
    let item_paths: Vec<String> = paths.into_iter().filter(|p| p != "total_count").collect();
    expand::validate(T::KIND, &item_paths, true)?;
    let after = match ctx.params.str("page")? {
        None => None,
        Some(token) => Some(page_after(&token)?),
    };
    let url = format!("/v1/{resource}/search");
    let version = ctx.version;
    let candidates = query.narrowed::<T>();
    let indexed = candidates.is_narrowed();
    let run = move |db: &Db| -> ApiResult<Value> {
        let found = scan(db, &query, candidates, view, after, limit, total)?;
        let next_page = if found.has_more {
            found
                .items
                .last()
                .map(|(id, _)| json!(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(id)))
        } else {
            None
        };
        let mut out = json!({
            "object": "search_result",
            "data": found.items.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
            "has_more": found.has_more,
            "next_page": next_page,
            "url": url,
        });
        if total {
            out["total_count"] = json!(found.count);
        }
        expand::apply(db, &mut out, &item_paths)?;
        Ok(crate::flows::embeds::render_at(db, out, version)?)
    };
    // Read through an index, a search costs what a list does and runs where lists run;
    // without one it reads every object of the kind, off the async threads.
    let store = &ctx.app.store;
    let body = if indexed {
        store.read(run).await?
    } else {
        store.read_long(run).await?
    };
    Ok(Reply::ok(&body))
}

fn invalid_page_token() -> ApiError {
    ApiError::invalid("Invalid page token.").param("page")
}

/// The id a `page` token resumes after.
fn page_after(token: &str) -> ApiResult<String> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(invalid_page_token)
}

/// What a scan found: the first `limit` matches (id, rendered), how many matched in
/// all (counted only as far as the scan went), and whether more matched.
struct Found {
    items: Vec<(String, Value)>,
    count: usize,
    has_more: bool,
}

/// Scans the `candidates` (`Query::narrowed`) newest first after `after`, rendering each
/// and keeping those that match; stops once past `limit` matches unless every match
/// must be counted (`total`).
fn scan<T: Stored>(
    db: &Db,
    query: &Query,
    candidates: ListQuery,
    view: fn(&Db, &T) -> Result<Value, StoreError>,
    after: Option<String>,
    limit: usize,
    total: bool,
) -> ApiResult<Found> {
    let (mut items, mut count, mut has_more) = (Vec::new(), 0usize, false);
    let mut q = ListQuery {
        // Through an index most candidates match: one more than a page is likely enough.
        limit: if candidates.is_narrowed() {
            limit + 1
        } else {
            100
        },
        starting_after: after,
        ..candidates
    };
    loop {
        let page = db.list(T::KIND, &q)?.map_err(|_| invalid_page_token())?;
        let mut last = None;
        for body in &page.bodies {
            let obj: T = crate::store::decode(body)?;
            last = Some(obj.id().to_string());
            let rendered = view(db, &obj)?;
            if query.matches(&rendered) {
                count += 1;
                if items.len() < limit {
                    items.push((obj.id().to_string(), rendered));
                } else {
                    has_more = true;
                }
            }
        }
        if !page.has_more || (has_more && !total) {
            break;
        }
        q.starting_after = last;
        q.limit = 100;
    }
    Ok(Found {
        items,
        count,
        has_more,
    })
}

/// A plain decimal number (`-12`, `10.5`): no `NaN`, `inf`, exponents, or values too
/// large to compare.
fn decimal(w: &str) -> Option<f64> {
    let digits = w.strip_prefix('-').unwrap_or(w);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let plain = !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(digits.contains('.') && frac.is_empty());
    let n = w.parse::<f64>().ok()?;
    (plain && n.is_finite() && n.abs() < 1e18).then_some(n)
}

pub const PAYMENT_INTENT_FIELDS: &[&str] = &["amount", "created", "currency", "customer", "status"];
pub const CUSTOMER_FIELDS: &[&str] = &["created", "email", "name", "phone"];
pub const PRODUCT_FIELDS: &[&str] = &["active", "created", "description", "name", "url"];
pub const PRICE_FIELDS: &[&str] = &[
    "active",
    "created",
    "currency",
    "lookup_key",
    "product",
    "type",
];
pub const CHARGE_FIELDS: &[&str] = &[
    "amount",
    "billing_details.address.postal_code",
    "created",
    "currency",
    "customer",
    "disputed",
    "payment_intent",
    "payment_method_details.card.brand",
    "payment_method_details.card.exp_month",
    "payment_method_details.card.exp_year",
    "payment_method_details.card.fingerprint",
    "payment_method_details.card.last4",
    "refunded",
    "status",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> ApiResult<Query> {
        parse(s, "payment_intents", PAYMENT_INTENT_FIELDS)
    }

    #[test]
    fn parses_and_matches() {
        let pi = json!({
            "amount": 2000,
            "status": "succeeded",
            "currency": "usd",
            "metadata": {"order_id": "6735"},
            "customer": null
        });
        assert!(q("status:'succeeded' AND metadata['order_id']:'6735'")
            .unwrap()
            .matches(&pi));
        assert!(q(r#"amount>1000 AND currency:"USD""#).unwrap().matches(&pi));
        assert!(!q("amount<1000").unwrap().matches(&pi));
        assert!(q("-status:'canceled'").unwrap().matches(&pi));
        assert!(q("customer:null").unwrap().matches(&pi));
        assert!(q("status:'canceled' OR amount:2000").unwrap().matches(&pi));
        assert!(q(r#"metadata["order_id"]~"673""#).unwrap().matches(&pi));
    }

    #[test]
    fn refuses_bad_queries() {
        assert!(q("foo:'x'")
            .unwrap_err()
            .message
            .contains("unsupported search field"));
        assert!(q("status:'a' AND amount:1 OR amount:2").is_err());
        for bad in [
            "amount>NaN",
            "amount>inf",
            "amount<1e400",
            "amount>1e3",
            "amount>1.",
        ] {
            assert!(q(bad).is_err(), "{bad}");
        }
        assert!(q("amount>-1.5").is_ok());
        assert!(q("status:succeeded").is_err());
        assert!(q("status:'a").is_err());
        assert!(q("status~'ab'").is_err());
        assert!(q("").is_err());
    }
}
