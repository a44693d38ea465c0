use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use domain::calendar::{Division, RegionalYear, YearCalendar};
use domain::repository::{CalendarRepository, CalendarRevision, RepositoryError, RepositoryResult};

use crate::AnyConnection;
use crate::error::db;
use crate::schema::{calendar_revision, calendar_years, regional_calendar_years};

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = regional_calendar_years)]
struct RegionalRow {
    region: String,
    year: i32,
    document: String,
    updated_at: NaiveDateTime,
}

fn regional(region: String, document: &str) -> RepositoryResult<RegionalYear> {
    Ok(RegionalYear {
        region: Division::parse(&region)
            .map_err(|e| RepositoryError::Internal(format!("stored region: {e}")))?,
        calendar: parse(document)?,
    })
}

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
    fn calendar_revision(&mut self, lock: bool) -> RepositoryResult<CalendarRevision> {
        let row = calendar_revision::table
            .find(1)
            .select(calendar_revision::n);
        // `FOR SHARE` is PostgreSQL's; SQLite serialises writers with BEGIN IMMEDIATE anyway.
        let number = match self {
            AnyConnection::Postgresql(conn) if lock => row.for_share().first::<i64>(conn),
            AnyConnection::Postgresql(conn) => row.first::<i64>(conn),
            AnyConnection::Sqlite(conn) => row.first::<i64>(conn),
        }
        .map_err(db)?;
        Ok(CalendarRevision { number })
    }

    fn bump_calendar_revision(&mut self) -> RepositoryResult<()> {
        diesel::update(calendar_revision::table.find(1))
            .set(calendar_revision::n.eq(calendar_revision::n + 1))
            .execute(self)
            .map_err(db)?;
        Ok(())
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
        self.bump_calendar_revision()?;
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

    fn regional_calendar_years(&mut self) -> RepositoryResult<Vec<RegionalYear>> {
        let rows: Vec<(String, String)> = regional_calendar_years::table
            .order((
                regional_calendar_years::region,
                regional_calendar_years::year,
            ))
            .select((
                regional_calendar_years::region,
                regional_calendar_years::document,
            ))
            .load(self)
            .map_err(db)?;
        rows.into_iter()
            .map(|(region, document)| regional(region, &document))
            .collect()
    }

    fn regional_calendar_year(
        &mut self,
        region: &Division,
        year: i32,
    ) -> RepositoryResult<Option<RegionalYear>> {
        regional_calendar_years::table
            .find((region.to_string(), year))
            .select(regional_calendar_years::document)
            .first::<String>(self)
            .optional()
            .map_err(db)?
            .map(|d| regional(region.to_string(), &d))
            .transpose()
    }

    fn put_regional_calendar_year(
        &mut self,
        doc: &RegionalYear,
        now: DateTime<Utc>,
    ) -> RepositoryResult<()> {
        let row = RegionalRow {
            region: doc.region.to_string(),
            year: doc.calendar.year,
            document: serde_json::to_string(&doc.calendar)
                .map_err(|e| RepositoryError::Internal(e.to_string()))?,
            updated_at: now.naive_utc(),
        };
        self.bump_calendar_revision()?;
        let key = (row.region.clone(), row.year);
        let updated = diesel::update(regional_calendar_years::table.find(key))
            .set(&row)
            .execute(self)
            .map_err(db)?;
        if updated == 0 {
            diesel::insert_into(regional_calendar_years::table)
                .values(&row)
                .execute(self)
                .map_err(db)?;
        }
        Ok(())
    }
}
