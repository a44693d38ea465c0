use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::prelude::*;
use domain::ids::UserId;
use domain::page::{Page, PageRequest};
use domain::repository::{RepositoryResult, UserRepository};

use super::fetch_limit;
use domain::user::{Credentials, Role, User};

use crate::AnyConnection;
use crate::convert::{id, named, utc};
use crate::error::db;
use crate::schema::users;

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
struct UserRow {
    id: String,
    username: String,
    display_name: String,
    password_hash: String,
    role: String,
    window_id: Option<String>,
    active: bool,
    token_version: i64,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

impl UserRow {
    fn into_credentials(self) -> RepositoryResult<Credentials> {
        let user = User {
            id: id(&self.id)?,
            username: self.username,
            display_name: self.display_name,
            role: named(&self.role, Role::parse)?,
            window_id: self.window_id.as_deref().map(id).transpose()?,
            active: self.active,
            token_version: self.token_version,
            created_at: utc(self.created_at),
            updated_at: utc(self.updated_at),
        };
        Ok(Credentials {
            user,
            password_hash: self.password_hash,
        })
    }
}

impl UserRepository for AnyConnection {
    fn insert_user(&mut self, user: &User, password_hash: &str) -> RepositoryResult<()> {
        diesel::insert_into(users::table)
            .values(UserRow {
                id: user.id.to_string(),
                username: user.username.clone(),
                display_name: user.display_name.clone(),
                password_hash: password_hash.to_owned(),
                role: user.role.as_str().to_owned(),
                window_id: user.window_id.map(|w| w.to_string()),
                active: user.active,
                token_version: user.token_version,
                created_at: user.created_at.naive_utc(),
                updated_at: user.updated_at.naive_utc(),
            })
            .execute(self)
            .map_err(db)?;
        Ok(())
    }

    fn user(&mut self, user_id: UserId) -> RepositoryResult<Option<User>> {
        // Every signed-in request checks its token against the account: on the backend's own
        // connection (`load_native`), with the row's columns since `as_select()`'s type names
        // one backend.
        let account = users::table
            .find(user_id.to_string())
            .select(<UserRow as Selectable<Pg>>::construct_selection())
            .limit(1);
        let rows: Vec<UserRow> = self.load_native(account).map_err(db)?;
        rows.into_iter()
            .next()
            .map(|row| row.into_credentials().map(|c| c.user))
            .transpose()
    }

    fn credentials(&mut self, username: &str) -> RepositoryResult<Option<Credentials>> {
        users::table
            .filter(users::username.eq(username))
            .select(UserRow::as_select())
            .first(self)
            .optional()
            .map_err(db)?
            .map(UserRow::into_credentials)
            .transpose()
    }

    fn count_users(&mut self) -> RepositoryResult<u64> {
        let n: i64 = users::table.count().get_result(self).map_err(db)?;
        Ok(u64::try_from(n).unwrap_or_default())
    }

    fn users(&mut self, page: &PageRequest) -> RepositoryResult<Page<User>> {
        let mut query = users::table
            .select(UserRow::as_select())
            .order(users::id)
            .limit(fetch_limit(page))
            .into_boxed();
        if let Some(after) = super::uuid_after(page)? {
            query = query.filter(users::id.gt(after));
        }
        let found = query
            .load(self)
            .map_err(db)?
            .into_iter()
            .map(|row| row.into_credentials().map(|c| c.user))
            .collect::<RepositoryResult<Vec<_>>>()?;
        Ok(Page::from_fetched(found, page.limit, |u| u.id.to_string()))
    }

    fn update_user(&mut self, user: &User, password_hash: Option<&str>) -> RepositoryResult<()> {
        let target = || users::table.find(user.id.to_string());
        diesel::update(target())
            .set((
                users::display_name.eq(&user.display_name),
                users::role.eq(user.role.as_str()),
                users::window_id.eq(user.window_id.map(|w| w.to_string())),
                users::active.eq(user.active),
                users::token_version.eq(user.token_version),
                users::updated_at.eq(user.updated_at.naive_utc()),
            ))
            .execute(self)
            .map_err(db)?;
        if let Some(hash) = password_hash {
            diesel::update(target())
                .set(users::password_hash.eq(hash))
                .execute(self)
                .map_err(db)?;
        }
        Ok(())
    }
}
