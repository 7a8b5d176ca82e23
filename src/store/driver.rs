//! The narrow interface the two databases implement: run SQL with positional
//! arguments and read text or integer columns. All of Pasarela's SQL lives in
//! `db.rs`, written once; the drivers only differ in placeholders and types.

use super::StoreError;

/// A statement argument.
#[derive(Debug, Clone)]
pub enum Arg {
    Int(i64),
    Text(String),
    Null,
    /// A null integer (PostgreSQL types its parameters).
    NullInt,
}

impl From<i64> for Arg {
    fn from(v: i64) -> Arg {
        Arg::Int(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Arg {
        Arg::Text(v.to_string())
    }
}
impl From<String> for Arg {
    fn from(v: String) -> Arg {
        Arg::Text(v)
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Arg {
        v.map(Arg::Int).unwrap_or(Arg::NullInt)
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Arg {
        v.map(Arg::from).unwrap_or(Arg::Null)
    }
}

/// A value read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Int(i64),
    Text(String),
}

impl Cell {
    pub fn int(&self) -> i64 {
        match self {
            Cell::Int(i) => *i,
            Cell::Text(t) => t.parse().unwrap_or(0),
        }
    }
    pub fn text(self) -> String {
        match self {
            Cell::Text(t) => t,
            Cell::Int(i) => i.to_string(),
        }
    }
}

/// What to read a column as.
#[derive(Debug, Clone, Copy)]
pub enum Col {
    Int,
    Text,
}

pub trait Driver: Send {
    /// Statements without arguments or results (transactions, savepoints, DDL).
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
    /// A statement with `$1`-style placeholders; the number of rows it changed.
    fn execute(&mut self, sql: &str, args: &[Arg]) -> Result<u64, StoreError>;
    /// Rows of a query, each read as `cols`.
    fn query(
        &mut self,
        sql: &str,
        args: &[Arg],
        cols: &[Col],
    ) -> Result<Vec<Vec<Cell>>, StoreError>;
    /// A savepoint statement (`SAVEPOINT sp0`, `RELEASE SAVEPOINT sp0`, ...); run once
    /// per write, so drivers may keep it prepared.
    fn savepoint(&mut self, sql: &str) -> Result<(), StoreError> {
        self.batch(sql)
    }
    /// Holds up to `kib` of the database in memory on this connection (the default
    /// when None): a bulk fill touches every page of the id index, which must stay
    /// cached or each insert costs a read and a write. Nothing where the server caches.
    fn cache_kib(&mut self, _kib: Option<i64>) -> Result<(), StoreError> {
        Ok(())
    }
    /// Brings the planner's statistics up to date after a bulk load. PostgreSQL plans
    /// from them (without, a list of ten read and sorted every row of a fresh fill);
    /// SQLite's plans follow the indexes alone.
    fn analyze(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    /// `BEGIN` for the writer's batch transaction.
    fn begin_write(&mut self) -> Result<(), StoreError>;
    /// Whether a write must lock the rows it reads (`FOR UPDATE`): where other
    /// processes write too, not where one writer owns the file.
    fn locks_rows(&self) -> bool;
    /// SQL true when `column` is one of the strings of the JSON array in parameter
    /// `param`.
    fn among_json_list(&self, column: &str, param: usize) -> String;
}
