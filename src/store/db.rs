//! Pasarela's queries, written once over a `Driver`: typed objects in and out, list
//! pages, idempotency records, the account, and savepoints.

use super::driver::{Arg, Cell, Col, Driver};
use super::{
    decode, search_terms, AccountRow, IdempotentRecord, ListPage, ListQuery, StoreError, Stored,
};
use std::borrow::Cow;
use std::cell::{Cell as StdCell, RefCell};
use std::collections::HashMap;

/// `PUT_OBJECTS` of one row with `PUT_OBJECTS_UPSERT`, written out: the statement of
/// almost every write.
const PUT_OBJECT: &str = "INSERT INTO objects (id, kind, created, customer, ref1, hidden, due, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO UPDATE SET customer = excluded.customer, ref1 = excluded.ref1, hidden = excluded.hidden, due = excluded.due, body = excluded.body";
const PUT_OBJECTS: &str =
    "INSERT INTO objects (id, kind, created, customer, ref1, hidden, due, body) VALUES";
/// On update an object keeps its `seq`, so its place in lists; a trigger drops its old
/// `search_terms` (migration 0004).
const PUT_OBJECTS_UPSERT: &str = " ON CONFLICT (id) DO UPDATE SET customer = excluded.customer, ref1 = excluded.ref1, hidden = excluded.hidden, due = excluded.due, body = excluded.body";
const PUT_TERMS: &str = "INSERT INTO search_terms (kind, field, value, seq) VALUES";
/// Rows per statement of a bulk put: 500 x 8 arguments stays under both databases'
/// limits, and longer statements gain little.
const BULK_ROWS: usize = 500;
const CLAIM_IDEMPOTENCY_KEY: &str = "INSERT INTO idempotency (key, request, status, body, request_id, created) VALUES ($1, $2, 0, '', $3, $4)
             ON CONFLICT (key) DO NOTHING";
const GET_ACCOUNT: &str =
    "SELECT secret_key, publishable_key, country, api_version, created FROM account WHERE id = 1";
const PUT_ACCOUNT: &str = "INSERT INTO account (id, secret_key, publishable_key, country, api_version, created) VALUES (1, $1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET secret_key = excluded.secret_key, publishable_key = excluded.publishable_key,
             country = excluded.country, api_version = excluded.api_version";

/// A connection with the queries Pasarela needs, used by readers and the writer alike.
pub struct Db {
    driver: RefCell<Box<dyn Driver>>,
    depth: StdCell<u32>,
    /// The writer locks the rows it reads, so that writes from other processes that
    /// share the database wait instead of racing.
    writer: bool,
}

impl Db {
    pub(super) fn new(driver: Box<dyn Driver>, writer: bool) -> Db {
        Db {
            driver: RefCell::new(driver),
            depth: StdCell::new(0),
            writer,
        }
    }

    pub(super) fn batch(&self, sql: &str) -> Result<(), StoreError> {
        self.driver.borrow_mut().batch(sql)
    }

    pub(super) fn begin_write(&self) -> Result<(), StoreError> {
        self.driver.borrow_mut().begin_write()
    }

    fn execute(&self, sql: &str, args: &[Arg]) -> Result<u64, StoreError> {
        self.driver.borrow_mut().execute(sql, args)
    }

    fn query(&self, sql: &str, args: &[Arg], cols: &[Col]) -> Result<Vec<Vec<Cell>>, StoreError> {
        self.driver.borrow_mut().query(sql, args, cols)
    }

    /// Runs `f` in a savepoint: its writes are kept on `Ok` and undone on `Err`.
    pub fn savepoint<T, E>(&self, f: impl FnOnce(&Db) -> Result<T, E>) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let name = format!("sp{}", self.depth.get());
        let sp = |sql: String| self.driver.borrow_mut().savepoint(&sql);
        sp(format!("SAVEPOINT {name}"))?;
        self.depth.set(self.depth.get() + 1);
        let result = f(self);
        self.depth.set(self.depth.get() - 1);
        if result.is_err() {
            sp(format!("ROLLBACK TO SAVEPOINT {name}"))?;
        }
        sp(format!("RELEASE SAVEPOINT {name}"))?;
        result
    }

    pub fn get_raw(&self, kind: &str, id: &str) -> Result<Option<String>, StoreError> {
        const READ: &str = "SELECT body FROM objects WHERE id = $1 AND kind = $2";
        const LOCK: &str = "SELECT body FROM objects WHERE id = $1 AND kind = $2 FOR UPDATE";
        let lock = self.writer && self.driver.borrow().locks_rows();
        let mut rows = self.query(
            if lock { LOCK } else { READ },
            &[id.into(), kind.into()],
            &[Col::Text],
        )?;
        Ok(rows.pop().and_then(|mut r| r.pop()).map(Cell::text))
    }

    pub fn get<T: Stored>(&self, id: &str) -> Result<Option<T>, StoreError> {
        match self.get_raw(T::KIND, id)? {
            Some(body) => Ok(Some(decode(&body)?)),
            None => Ok(None),
        }
    }

    /// How many of the objects `ids` of `T`'s kind have a ref1 other than `ref1_not`
    /// (an event's deliveries not yet succeeded): one statement however many ids.
    pub fn count_among<T: Stored>(
        &self,
        ids: &[String],
        ref1_not: &str,
    ) -> Result<usize, StoreError> {
        if ids.is_empty() {
            return Ok(0);
        }
        let list = serde_json::to_string(ids).expect("strings serialize");
        let among = self.driver.borrow().among_json_list("id", 3);
        let sql =
            format!("SELECT count(*) FROM objects WHERE kind = $1 AND ref1 <> $2 AND {among}");
        let rows = self.query(
            &sql,
            &[T::KIND.into(), ref1_not.into(), list.into()],
            &[Col::Int],
        )?;
        Ok(rows.first().and_then(|r| r.first()).map_or(0, Cell::int) as usize)
    }

    /// Caches up to `kib` of the database on this connection while a bulk fill runs
    /// (`None`: back to the default); see `Driver::cache_kib`.
    pub fn cache_kib(&self, kib: Option<i64>) -> Result<(), StoreError> {
        self.driver.borrow_mut().cache_kib(kib)
    }

    /// After a bulk load: see `Driver::analyze`.
    pub fn analyze(&self) -> Result<(), StoreError> {
        self.driver.borrow_mut().analyze()
    }

    /// Inserts or replaces the object (keeping its place in lists), and its search terms.
    pub fn put<T: Stored>(&self, obj: &T) -> Result<(), StoreError> {
        self.put_all(std::slice::from_ref(obj))
    }

    /// Inserts or replaces many objects of one kind, `BULK_ROWS` to a statement: what
    /// filling a large database needs (the caller chooses the transaction around it).
    /// The same rows as `put` of each, in order.
    pub fn put_all<T: Stored>(&self, objs: &[T]) -> Result<(), StoreError> {
        for chunk in objs.chunks(BULK_ROWS) {
            let terms: Vec<Vec<(String, String)>> = chunk.iter().map(search_terms).collect();
            let mut args = Vec::with_capacity(chunk.len() * 8);
            for obj in chunk {
                args.extend([
                    obj.id().into(),
                    T::KIND.into(),
                    obj.created().into(),
                    obj.customer().into(),
                    obj.ref1().into(),
                    (obj.hidden() as i64).into(),
                    obj.due().into(),
                    serde_json::to_string(obj)?.into(),
                ]);
            }
            let sql: Cow<str> = if chunk.len() == 1 {
                Cow::Borrowed(PUT_OBJECT)
            } else {
                Cow::Owned(rows_sql(PUT_OBJECTS, 8, chunk.len()) + PUT_OBJECTS_UPSERT)
            };
            if terms.iter().all(Vec::is_empty) {
                // The common case (an intent without metadata): one statement, no more.
                self.execute(&sql, &args)?;
                continue;
            }
            let sql = format!("{sql} RETURNING id, seq");
            let seqs: HashMap<String, i64> = self
                .query(&sql, &args, &[Col::Text, Col::Int])?
                .into_iter()
                .map(|mut r| {
                    let seq = r.pop().map(|c| c.int()).unwrap_or(0);
                    (r.pop().map(Cell::text).unwrap_or_default(), seq)
                })
                .collect();
            let mut rows = Vec::new();
            for (obj, terms) in chunk.iter().zip(terms) {
                let seq = *seqs
                    .get(obj.id())
                    .ok_or_else(|| StoreError::Other(format!("{} was not stored", obj.id())))?;
                for (field, value) in terms {
                    rows.extend([T::KIND.into(), field.into(), value.into(), seq.into()]);
                }
            }
            for part in rows.chunks(BULK_ROWS * 4) {
                self.execute(&rows_sql(PUT_TERMS, 4, part.len() / 4), part)?;
            }
        }
        Ok(())
    }

    /// Up to `limit` objects whose time has come (`due <= now`), soonest first, leaving
    /// out those whose customer column is one of `passed_over`. The writer on PostgreSQL
    /// locks them and skips rows another node holds, so nodes sharing the database take
    /// different work.
    pub fn due<T: Stored>(
        &self,
        now: i64,
        limit: usize,
        passed_over: &[String],
    ) -> Result<Vec<T>, StoreError> {
        let lock = self.writer && self.driver.borrow().locks_rows();
        let mut args: Vec<Arg> = vec![T::KIND.into(), now.into()];
        let mut sql = String::from(
            "SELECT body FROM objects WHERE kind = $1 AND due IS NOT NULL AND due <= $2",
        );
        if !passed_over.is_empty() {
            // One argument however many are passed over (thousands of hanging endpoints).
            let list = serde_json::to_string(passed_over).expect("strings serialize");
            args.push(list.into());
            let among = self.driver.borrow().among_json_list("customer", args.len());
            sql.push_str(&format!(" AND NOT {among}"));
        }
        sql.push_str(&format!(" ORDER BY due, seq LIMIT {limit}"));
        if lock {
            sql.push_str(" FOR UPDATE SKIP LOCKED");
        }
        self.query(&sql, &args, &[Col::Text])?
            .into_iter()
            .filter_map(|mut r| r.pop())
            .map(|c| decode(&c.text()))
            .collect()
    }

    fn seq_of(&self, kind: &str, id: &str) -> Result<Option<i64>, StoreError> {
        let mut rows = self.query(
            "SELECT seq FROM objects WHERE id = $1 AND kind = $2",
            &[id.into(), kind.into()],
            &[Col::Int],
        )?;
        Ok(rows.pop().and_then(|mut r| r.pop()).map(|c| c.int()))
    }

    /// One page of a list, newest first. `Err(cursor)` when a cursor names no object
    /// of this kind.
    pub fn list(&self, kind: &str, q: &ListQuery) -> Result<Result<ListPage, String>, StoreError> {
        let (Select { sql, args }, ascending) = match self.page_select(kind, q)? {
            Ok(page) => page,
            Err(cursor) => return Ok(Err(cursor)),
        };
        let rows = self.query(&sql, &args, &[Col::Text])?;
        let mut bodies: Vec<String> = rows
            .into_iter()
            .filter_map(|mut r| r.pop())
            .map(Cell::text)
            .collect();
        let has_more = bodies.len() > q.limit;
        bodies.truncate(q.limit);
        if ascending {
            bodies.reverse();
        }
        Ok(Ok(ListPage { bodies, has_more }))
    }

    /// The query of one page of a list (one more row than the page holds, to tell
    /// `has_more`), and whether it reads oldest first.
    fn page_select(
        &self,
        kind: &str,
        q: &ListQuery,
    ) -> Result<Result<(Select, bool), String>, StoreError> {
        let mut select = Select::filtered(kind, q);
        let ascending = if let Some(cursor) = &q.starting_after {
            let Some(seq) = self.seq_of(kind, cursor)? else {
                return Ok(Err(cursor.clone()));
            };
            select.push(" AND seq < {}", seq.into());
            false
        } else if let Some(cursor) = &q.ending_before {
            let Some(seq) = self.seq_of(kind, cursor)? else {
                return Ok(Err(cursor.clone()));
            };
            select.push(" AND seq > {}", seq.into());
            true
        } else {
            q.oldest_first
        };
        select.sql.push_str(if ascending {
            " ORDER BY seq ASC"
        } else {
            " ORDER BY seq DESC"
        });
        select.sql.push_str(&format!(" LIMIT {}", q.limit + 1));
        Ok(Ok((select, ascending)))
    }

    pub fn idempotent_get(&self, key: &str) -> Result<Option<IdempotentRecord>, StoreError> {
        let mut rows = self.query(
            "SELECT request, status, body, request_id FROM idempotency WHERE key = $1",
            &[key.into()],
            &[Col::Text, Col::Int, Col::Text, Col::Text],
        )?;
        Ok(rows.pop().map(|r| {
            let mut it = r.into_iter();
            let request = it.next().map(Cell::text).unwrap_or_default();
            let status = it.next().map(|c| c.int()).unwrap_or(0) as u16;
            let body = it.next().map(Cell::text).unwrap_or_default();
            let request_id = it.next().map(Cell::text).unwrap_or_default();
            IdempotentRecord {
                request,
                status,
                body,
                request_id,
            }
        }))
    }

    /// Claims `key` for this request; `false` when another request holds it already.
    /// (On PostgreSQL a claim racing with an uncommitted one waits for it to finish.)
    pub fn idempotent_claim(
        &self,
        key: &str,
        request: &str,
        request_id: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let n = self.execute(
            CLAIM_IDEMPOTENCY_KEY,
            &[key.into(), request.into(), request_id.into(), now.into()],
        )?;
        Ok(n == 1)
    }

    /// Saves the answer of the request that claimed `key`.
    pub fn idempotent_finish(&self, key: &str, status: u16, body: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE idempotency SET status = $1, body = $2 WHERE key = $3",
            &[(status as i64).into(), body.into(), key.into()],
        )?;
        Ok(())
    }

    /// Forgets idempotency keys older than `before`.
    pub fn idempotent_prune(&self, before: i64) -> Result<u64, StoreError> {
        self.execute(
            "DELETE FROM idempotency WHERE created < $1",
            &[before.into()],
        )
    }

    pub fn account(&self) -> Result<Option<AccountRow>, StoreError> {
        let mut rows = self.query(
            GET_ACCOUNT,
            &[],
            &[Col::Text, Col::Text, Col::Text, Col::Text, Col::Int],
        )?;
        Ok(rows.pop().map(|r| {
            let mut it = r.into_iter();
            let mut text = || it.next().map(Cell::text).unwrap_or_default();
            let (secret_key, publishable_key, country, api_version) =
                (text(), text(), text(), text());
            let created = text().parse().unwrap_or(0);
            AccountRow {
                secret_key,
                publishable_key,
                country,
                api_version,
                created,
            }
        }))
    }

    pub fn put_account(&self, a: &AccountRow) -> Result<(), StoreError> {
        self.execute(
            PUT_ACCOUNT,
            &[
                a.secret_key.as_str().into(),
                a.publishable_key.as_str().into(),
                a.country.as_str().into(),
                a.api_version.as_str().into(),
                a.created.into(),
            ],
        )?;
        Ok(())
    }
}

/// `head` followed by `rows` parenthesized groups of `cols` placeholders, numbered on.
fn rows_sql(head: &str, cols: usize, rows: usize) -> String {
    let mut sql = String::with_capacity(head.len() + rows * cols * 5);
    sql.push_str(head);
    for r in 0..rows {
        sql.push_str(if r == 0 { " (" } else { ", (" });
        for c in 0..cols {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", r * cols + c + 1));
        }
        sql.push(')');
    }
    sql
}

/// A list query's SQL as it is built: each clause's `{}` becomes the next argument.
struct Select {
    sql: String,
    args: Vec<Arg>,
}

impl Select {
    /// The objects of `kind` in lists that pass the filters of `q` (not its cursors).
    fn filtered(kind: &str, q: &ListQuery) -> Select {
        let mut s = Select {
            sql: String::from("SELECT body FROM objects WHERE objects.kind = $1 AND hidden = 0"),
            args: vec![kind.into()],
        };
        if let Some((field, value)) = &q.term {
            // Read through the terms' index, newest first, and fetch each object by seq;
            // the other clauses' columns are only in `objects`, so they stay unqualified.
            s.sql = String::from(
                "SELECT body FROM search_terms JOIN objects USING (seq) \
                 WHERE search_terms.kind = $1 AND objects.kind = $1 AND hidden = 0",
            );
            s.push(" AND field = {}", field.clone().into());
            s.push(" AND value = {}", value.clone().into());
        }
        if let Some(c) = &q.customer {
            s.push(" AND customer = {}", c.clone().into());
        }
        if let Some(r) = &q.ref1 {
            s.push(" AND ref1 = {}", r.clone().into());
        }
        if let Some(r) = &q.ref1_like {
            s.push(" AND ref1 LIKE {}", r.clone().into());
        }
        if let Some(list) = &q.ref1_in {
            s.push_any("ref1", list);
        }
        if let Some(list) = &q.customer_in {
            s.push_any("customer", list);
        }
        for (clause, v) in [
            (" AND created > {}", q.created_gt),
            (" AND created >= {}", q.created_gte),
            (" AND created < {}", q.created_lt),
            (" AND created <= {}", q.created_lte),
        ] {
            if let Some(v) = v {
                s.push(clause, v.into());
            }
        }
        s
    }

    /// ` AND (column = a OR column = b …)`; nothing matches an empty list.
    fn push_any(&mut self, column: &str, list: &[String]) {
        self.sql.push_str(" AND (1 = 0");
        for v in list {
            self.push(&format!(" OR {column} = {{}}"), v.clone().into());
        }
        self.sql.push(')');
    }

    fn push(&mut self, clause: &str, v: Arg) {
        self.args.push(v);
        self.sql
            .push_str(&clause.replace("{}", &format!("${}", self.args.len())));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::customer::Customer;
    use crate::domain::money::Currency;
    use crate::domain::payment_intent::PaymentIntent;

    fn sqlite(name: &str) -> (Db, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("pasarela-db-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.db").display().to_string();
        let db = Db::new(Box::new(super::super::sqlite::open(&path).unwrap()), true);
        (db, dir)
    }

    fn intent(id: &str, customer: Option<&str>, order: Option<&str>) -> PaymentIntent {
        let mut pi = PaymentIntent::new(
            id.into(),
            format!("{id}_secret_x"),
            1000,
            Currency::parse("usd").unwrap(),
        );
        pi.customer = customer.map(str::to_string);
        if let Some(o) = order {
            pi.metadata.insert("order_id".into(), o.into());
        }
        pi
    }

    /// What SQLite plans for a page of `q`, one line per step.
    fn plan(db: &Db, kind: &str, q: &ListQuery) -> String {
        let (Select { sql, args }, _) = db.page_select(kind, q).unwrap().unwrap();
        let rows = db
            .query(
                &format!("EXPLAIN QUERY PLAN {sql}"),
                &args,
                &[Col::Int, Col::Int, Col::Int, Col::Text],
            )
            .unwrap();
        rows.into_iter()
            .map(|mut r| r.pop().unwrap().text())
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn lists_and_search_candidates_read_through_an_index() {
        let (db, dir) = sqlite("plans");
        db.put(&intent("pi_a", Some("cus_a"), Some("A-1"))).unwrap();
        let page = |q: ListQuery| ListQuery { limit: 10, ..q };
        let cases = [
            ("payment_intent", page(ListQuery::default())),
            (
                "payment_intent",
                page(ListQuery {
                    customer: Some("cus_a".into()),
                    ..Default::default()
                }),
            ),
            (
                "payment_intent",
                page(ListQuery {
                    term: Some(("metadata[order_id]".into(), "a-1".into())),
                    starting_after: Some("pi_a".into()),
                    ..Default::default()
                }),
            ),
            (
                "event",
                page(ListQuery {
                    ref1: Some("payment_intent.created".into()),
                    ..Default::default()
                }),
            ),
        ];
        for (kind, q) in cases {
            let plan = plan(&db, kind, &q);
            assert!(
                plan.contains("USING INDEX") || plan.contains("USING COVERING INDEX"),
                "{q:?}: {plan}"
            );
            assert!(!plan.contains("SCAN"), "{q:?}: {plan}");
            assert!(!plan.contains("TEMP B-TREE"), "{q:?} sorts: {plan}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn search_terms_follow_the_object() {
        let (db, dir) = sqlite("terms");
        let terms = |db: &Db| {
            db.query(
                "SELECT kind, field, value FROM search_terms ORDER BY seq, field",
                &[],
                &[Col::Text, Col::Text, Col::Text],
            )
            .unwrap()
            .into_iter()
            .map(|r| r.into_iter().map(Cell::text).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
        };
        db.put(&intent("pi_a", None, None)).unwrap();
        assert!(terms(&db).is_empty());
        let mut pi = intent("pi_a", None, Some("Ord-1"));
        db.put(&pi).unwrap();
        assert_eq!(terms(&db), ["payment_intent metadata[order_id] ord-1"]);
        pi.metadata.clear();
        db.put(&pi).unwrap();
        assert!(terms(&db).is_empty(), "an update keeps old terms");
        let mut c = Customer::new("cus_a".into(), "ABC".into(), 1);
        c.email = Some("Jo@Example.com".into());
        let bulk: Vec<PaymentIntent> = (0..1200)
            .map(|i| intent(&format!("pi_{i}"), None, (i % 600 == 0).then_some("X")))
            .collect();
        db.put_all(&bulk).unwrap();
        db.put(&c).unwrap();
        assert_eq!(
            terms(&db),
            [
                "payment_intent metadata[order_id] x",
                "payment_intent metadata[order_id] x",
                "customer email jo@example.com"
            ]
        );
        let listed = db
            .list(
                "payment_intent",
                &ListQuery {
                    term: Some(("metadata[order_id]".into(), "x".into())),
                    limit: 10,
                    ..Default::default()
                },
            )
            .unwrap()
            .unwrap();
        let ids: Vec<String> = listed
            .bodies
            .iter()
            .map(|b| decode::<PaymentIntent>(b).unwrap().id)
            .collect();
        assert_eq!(ids, ["pi_600", "pi_0"]);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn one_row_put_is_the_bulk_statement_of_one_row() {
        assert_eq!(PUT_OBJECT, rows_sql(PUT_OBJECTS, 8, 1) + PUT_OBJECTS_UPSERT);
    }
}
