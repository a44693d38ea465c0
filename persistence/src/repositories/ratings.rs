use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use domain::ids::{RatingId, WindowId};
use domain::rating::{self, Rating, Rectification};
use domain::repository::{RatingRepository, RepositoryError, RepositoryResult};

use crate::AnyConnection;
use crate::convert::{id, utc};
use crate::error::db;
use crate::schema::{cases, ratings};

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = ratings)]
pub(crate) struct RatingRow {
    id: String,
    case_id: String,
    score: i32,
    comment: String,
    rated_at: NaiveDateTime,
    rated_on: NaiveDate,
    rectification_deadline: Option<NaiveDate>,
    rectified_at: Option<NaiveDateTime>,
    rectified_by: Option<String>,
    rectification_note: Option<String>,
    region: String,
}

impl RatingRow {
    pub(crate) fn from_domain(region: &str, r: &Rating) -> Self {
        let fix = r.rectification.as_ref();
        Self {
            region: region.to_owned(),
            id: r.id.to_string(),
            case_id: r.case_id.to_string(),
            score: i32::from(r.score),
            comment: r.comment.clone(),
            rated_at: r.rated_at.naive_utc(),
            rated_on: r.rated_on,
            rectification_deadline: fix.map(|f| f.deadline),
            rectified_at: fix.and_then(|f| f.closed_at).map(|t| t.naive_utc()),
            rectified_by: fix.and_then(|f| f.closed_by).map(|u| u.to_string()),
            rectification_note: fix.and_then(|f| f.note.clone()),
        }
    }

    fn into_domain(self) -> RepositoryResult<Rating> {
        let score = u8::try_from(self.score)
            .ok()
            .filter(|s| (1..=5).contains(s))
            .ok_or_else(|| {
                RepositoryError::Internal(format!("stored score {} is out of range", self.score))
            })?;
        let rectification = match self.rectification_deadline {
            None => None,
            Some(deadline) => Some(Rectification {
                deadline,
                closed_at: self.rectified_at.map(utc),
                closed_by: self.rectified_by.as_deref().map(id).transpose()?,
                note: self.rectification_note,
            }),
        };
        Ok(Rating {
            id: id(&self.id)?,
            case_id: id(&self.case_id)?,
            score,
            level: rating::level(score),
            comment: self.comment,
            rated_at: utc(self.rated_at),
            rated_on: self.rated_on,
            rectification,
        })
    }
}

impl RatingRepository for AnyConnection {
    fn insert_rating(&mut self, region: &str, rating: &Rating) -> RepositoryResult<()> {
        diesel::insert_into(ratings::table)
            .values(RatingRow::from_domain(region, rating))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn rating(&mut self, rating_id: RatingId) -> RepositoryResult<Option<Rating>> {
        ratings::table
            .find(rating_id.to_string())
            .select(RatingRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?
            .map(RatingRow::into_domain)
            .transpose()
    }

    fn rectifications(
        &mut self,
        open_only: bool,
        windows: Option<&[WindowId]>,
    ) -> RepositoryResult<Vec<Rating>> {
        let mut query = ratings::table
            .inner_join(cases::table)
            .filter(ratings::rectification_deadline.is_not_null())
            .order((
                ratings::rectification_deadline.asc(),
                ratings::rated_at.asc(),
            ))
            .select(RatingRow::as_select())
            .into_boxed();
        if open_only {
            query = query.filter(ratings::rectified_at.is_null());
        }
        if let Some(windows) = windows {
            query = query.filter(
                cases::window_id
                    .eq_any(windows.iter().map(ToString::to_string).collect::<Vec<_>>()),
            );
        }
        query
            .load(self)
            .map_err(db)?
            .into_iter()
            .map(RatingRow::into_domain)
            .collect()
    }

    fn close_rectification(&mut self, rating: &Rating) -> RepositoryResult<()> {
        let fix = rating.rectification.as_ref();
        diesel::update(ratings::table.filter(ratings::id.eq(rating.id.to_string())))
            .set((
                ratings::rectified_at.eq(fix.and_then(|f| f.closed_at).map(|t| t.naive_utc())),
                ratings::rectified_by.eq(fix.and_then(|f| f.closed_by).map(|u| u.to_string())),
                ratings::rectification_note.eq(fix.and_then(|f| f.note.clone())),
            ))
            .execute(self)
            .map_err(db)?;
        Ok(())
    }
}
