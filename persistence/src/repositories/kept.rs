//! Statements of a few shapes, written as SQL text, that diesel prepares once per connection
//! and keeps: for the raw SQL that intake and the statistics projector run on every case, and
//! the updates the outbox's dispatcher makes of every message.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Date, Integer, Nullable, Text, Timestamp, Untyped};
use diesel::{QueryResult, RunQueryDsl};

use crate::AnyConnection;
use crate::connection::MultiBackend;

/// A value bound to a statement, with its SQL type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Bind {
    Text(String),
    Date(NaiveDate),
    BigInt(i64),
    Integer(i32),
    Timestamp(NaiveDateTime),
    NullableText(Option<String>),
}

/// A statement that intake, the projector or the dispatcher runs again and again, in a few
/// shapes, with its values bound. diesel prepares it once per connection and keeps it by
/// its text, where a `sql_query` (or any `UPDATE` diesel builds) is parsed and planned by the
/// database on every run. Its text marks each bind's place with [`Kept::BIND`], written `$n`
/// or `?` as the backend wants. Not for statements of many shapes (the statistics' queries, the bulk writer's chunks): each
/// shape stays prepared for as long as the connection lives.
pub(crate) struct Kept {
    pieces: Vec<String>,
    binds: Vec<Bind>,
}

impl Kept {
    /// Where a bind goes in the text given to [`Kept::new`].
    pub(crate) const BIND: char = '\u{1}';

    /// The text with a [`Kept::BIND`] where each of `binds` goes, in order.
    pub(crate) fn new(sql: &str, binds: impl IntoIterator<Item = Bind>) -> Self {
        Self {
            pieces: sql.split(Self::BIND).map(str::to_owned).collect(),
            binds: binds.into_iter().collect(),
        }
    }

    /// A bind's placeholder, for the statistics rows' `RowKey::insert` and `RowKey::update`.
    pub(crate) fn mark(_: usize) -> String {
        Self::BIND.to_string()
    }
}

impl QueryId for Kept {
    type QueryId = ();
    // Kept by its text: diesel looks the prepared statement up by the SQL it writes.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for Kept {
    type SqlType = Untyped;
}

impl QueryFragment<MultiBackend> for Kept {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, MultiBackend>) -> QueryResult<()> {
        if self.pieces.len() != self.binds.len() + 1 {
            return Err(diesel::result::Error::QueryBuilderError(
                format!(
                    "{} binds for {} places",
                    self.binds.len(),
                    self.pieces.len() - 1
                )
                .into(),
            ));
        }
        let mut pieces = self.pieces.iter();
        out.push_sql(pieces.next().map_or("", String::as_str));
        for (bind, piece) in self.binds.iter().zip(pieces) {
            match bind {
                Bind::Text(text) => out.push_bind_param::<Text, _>(text)?,
                Bind::Date(day) => out.push_bind_param::<Date, _>(day)?,
                Bind::BigInt(n) => out.push_bind_param::<BigInt, _>(n)?,
                Bind::Integer(n) => out.push_bind_param::<Integer, _>(n)?,
                Bind::Timestamp(at) => out.push_bind_param::<Timestamp, _>(at)?,
                Bind::NullableText(text) => out.push_bind_param::<Nullable<Text>, _>(text)?,
            }
            out.push_sql(piece);
        }
        Ok(())
    }
}

impl RunQueryDsl<AnyConnection> for Kept {}
