use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::calendar::YearCalendar;
use domain::repository::{CalendarRepository, CalendarRevision, RepositoryError, RepositoryResult};

use crate::AnyConnection;
use crate::error::db;
use crate::schema::calendar_years;

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = calendar_years)]
struct YearRow {
    year: i32,
    document: String,
    updated_at: NaiveDateTime,
}

fn parse(document: &str) -> RepositoryResult<YearCalendar> {
    serde_json::from_str(document)
        .map_err(|e| RepositoryError::Internal(format!("stored calendar is not valid: {e}")))
}

impl CalendarRepository for AnyConnection {
    fn calendar_revision(&mut self) -> RepositoryResult<CalendarRevision> {
        let (years, last_change) = calendar_years::table
            .select((
                diesel::dsl::count_star(),
                diesel::dsl::max(calendar_years::updated_at),
            ))
            .first::<(i64, Option<NaiveDateTime>)>(self)
            .map_err(db)?;
        Ok(CalendarRevision { years, last_change })
    }

    fn calendar_years(&mut self) -> RepositoryResult<Vec<YearCalendar>> {
        let documents: Vec<String> = calendar_years::table
            .order(calendar_years::year)
            .select(calendar_years::document)
            .load(self)
            .map_err(db)?;
        documents.iter().map(|d| parse(d)).collect()
    }

    fn calendar_year(&mut self, year: i32) -> RepositoryResult<Option<YearCalendar>> {
        calendar_years::table
            .find(year)
            .select(calendar_years::document)
            .first::<String>(self)
            .optional()
            .map_err(db)?
            .map(|d| parse(&d))
            .transpose()
    }

    fn put_calendar_year(
        &mut self,
        doc: &YearCalendar,
        now: DateTime<Utc>,
    ) -> RepositoryResult<()> {
        let row = YearRow {
            year: doc.year,
            document: serde_json::to_string(doc)
                .map_err(|e| RepositoryError::Internal(e.to_string()))?,
            updated_at: now.naive_utc(),
        };
        // `ON CONFLICT` does not compile through the two-backend connection: update, and
        // insert when nothing was there.
        let updated = diesel::update(calendar_years::table.find(doc.year))
            .set(&row)
            .execute(self)
            .map_err(db)?;
        if updated == 0 {
            diesel::insert_into(calendar_years::table)
                .values(&row)
                .execute(self)
                .map_err(db)?;
        }
        Ok(())
    }
}
