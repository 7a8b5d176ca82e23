//! Pasarela's queries, written once over a `Driver`: typed objects in and out, list
//! pages, idempotency records, the account, and savepoints.

use super::driver::{Arg, Cell, Col, Driver};
use super::{decode, AccountRow, IdempotentRecord, ListPage, ListQuery, StoreError, Stored};
use std::cell::{Cell as StdCell, RefCell};

const PUT_OBJECT: &str = "INSERT INTO objects (id, kind, created, customer, ref1, hidden, due, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (id) DO UPDATE SET customer = excluded.customer, ref1 = excluded.ref1, hidden = excluded.hidden, due = excluded.due, body = excluded.body";
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

    /// Inserts or replaces the object (keeping its place in lists).
    pub fn put<T: Stored>(&self, obj: &T) -> Result<(), StoreError> {
        let body = serde_json::to_string(obj)?;
        self.execute(
            PUT_OBJECT,
            &[
                obj.id().into(),
                T::KIND.into(),
                obj.created().into(),
                obj.customer().into(),
                obj.ref1().into(),
                (obj.hidden() as i64).into(),
                obj.due().into(),
                body.into(),
            ],
        )?;
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
        for c in passed_over {
            args.push(c.as_str().into());
            sql.push_str(&format!(" AND customer <> ${}", args.len()));
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
        let Select { mut sql, args } = select;
        sql.push_str(if ascending {
            " ORDER BY seq ASC"
        } else {
            " ORDER BY seq DESC"
        });
        sql.push_str(&format!(" LIMIT {}", q.limit + 1));
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

/// A list query's SQL as it is built: each clause's `{}` becomes the next argument.
struct Select {
    sql: String,
    args: Vec<Arg>,
}

impl Select {
    /// The objects of `kind` in lists that pass the filters of `q` (not its cursors).
    fn filtered(kind: &str, q: &ListQuery) -> Select {
        let mut s = Select {
            sql: String::from("SELECT body FROM objects WHERE kind = $1 AND hidden = 0"),
            args: vec![kind.into()],
        };
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
