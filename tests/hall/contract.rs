//! The repository contract: the same tests on SQLite and PostgreSQL, through the domain's
//! traits only, so both backends behave alike.

use chrono::{TimeZone, Utc};
use domain::calendar::{Holiday, YearCalendar, china};
use domain::catalogue::{
    Category, CenterInput, DepartmentInput, Handling, ServiceItemInput, WindowInput, WindowKind,
};
use domain::catalogue::{Center, Department, Material, ServiceItem, Window};
use domain::ids::{CenterId, DepartmentId, ServiceItemId, UserId, WindowId};
use domain::page::PageRequest;
use domain::repository::*;
use domain::user::{Role, UserInput};

use crate::on_both_backends;
use crate::support::{Backend, TestDb};

fn moment() -> chrono::DateTime<Utc> {
    // Microseconds survive both backends.
    Utc.with_ymd_and_hms(2012, 9, 28, 1, 2, 3)
        .single()
        .expect("valid")
        + chrono::Duration::microseconds(456_789)
}

fn center(code: &str, parent_id: Option<CenterId>) -> Center {
    CenterInput {
        code: code.into(),
        name: format!("中心 {code}"),
        // A root keeps its own division; a child inherits it.
        division: Some(
            parent_id
                .is_none()
                .then(|| domain::calendar::Division::parse("640105").expect("a division")),
        ),
        parent_id,
    }
    .into_center(CenterId::new(), moment())
}

fn department(code: &str) -> Department {
    DepartmentInput {
        code: code.into(),
        name: "民政局".into(),
    }
    .into_department(DepartmentId::new(), moment())
}

fn item(code: &str, department_id: DepartmentId) -> ServiceItem {
    ServiceItemInput {
        code: code.into(),
        name: "结婚登记".into(),
        department_id,
        category: Category::Licensing,
        handling: Handling::Committed,
        statutory_days: 20,
        promised_days: 5,
        conditions: "内地居民".into(),
        materials: vec![Material::named("居民身份证"), Material::named("户口簿")],
        procedure: vec!["受理".into(), "审查".into(), "登记".into()],
        steps_removed: 2,
        responsible_post: "登记员".into(),
        fee: "不收费".into(),
        fee_basis: String::new(),
        legal_basis: "《婚姻登记条例》".into(),
        rights_and_remedies: "可申请行政复议".into(),
        contact: "0951-0000000".into(),
        complaint_channel: "12345".into(),
    }
    .into_item(ServiceItemId::new(), moment())
}

fn window(center_id: CenterId, number: u32, item_ids: Vec<ServiceItemId>) -> Window {
    WindowInput {
        center_id,
        number,
        name: format!("{number}号窗口"),
        kind: WindowKind::Permanent,
        item_ids,
    }
    .into_window(WindowId::new(), moment())
}

fn first_page(limit: u32) -> PageRequest {
    PageRequest { limit, after: None }
}

fn centers_read_back_equal_page_by_page_and_refuse_a_taken_code(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.store();
    store
        .transaction(|conn| {
            let district = center("640105", None);
            conn.insert_center(&district)?;
            let street = center("640105001", Some(district.id));
            conn.insert_center(&street)?;
            conn.insert_center(&center("640105002", Some(district.id)))?;
            assert_eq!(conn.center(street.id)?, Some(street.clone()));

            let first = conn.centers(&first_page(2))?;
            assert_eq!(first.items.len(), 2);
            assert_eq!(first.items[0], district);
            let next = PageRequest {
                limit: 2,
                after: first.next_cursor.clone(),
            };
            let second = conn.centers(&next)?;
            assert_eq!(second.items.len(), 1);
            assert_eq!(second.next_cursor, None);

            let renamed = Center {
                name: "兴庆区".into(),
                ..district.clone()
            };
            conn.update_center(&renamed)?;
            assert_eq!(
                conn.center(district.id)?.map(|c| c.name),
                Some("兴庆区".to_owned())
            );
            assert_eq!(conn.center(CenterId::new())?, None);
            Ok::<_, RepositoryError>(())
        })
        .expect("stories on centres");
    let duplicate = store.transaction(|conn| conn.insert_center(&center("640105", None)));
    assert_eq!(duplicate, Err(RepositoryError::Conflict));
    let orphan =
        store.transaction(|conn| conn.insert_center(&center("640106", Some(CenterId::new()))));
    assert_eq!(orphan, Err(RepositoryError::MissingReference));
}

fn items_keep_their_guides_and_windows_their_items_in_order(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.store();
    store
        .transaction(|conn| {
            let hall = center("640105", None);
            conn.insert_center(&hall)?;
            let civil = department("MZ");
            conn.insert_department(&civil)?;
            assert_eq!(conn.department(civil.id)?, Some(civil.clone()));
            let marriage = item("MZ-001", civil.id);
            let adoption = item("MZ-002", civil.id);
            conn.insert_item(&marriage)?;
            conn.insert_item(&adoption)?;
            assert_eq!(conn.item(marriage.id)?, Some(marriage.clone()));
            let unknown = ServiceItemId::new();
            assert_eq!(conn.missing_items(&[marriage.id, unknown])?, vec![unknown]);

            let counter = window(hall.id, 1, vec![adoption.id, marriage.id]);
            conn.insert_window(&counter)?;
            assert_eq!(conn.window(counter.id)?, Some(counter.clone()));
            let narrowed = Window {
                item_ids: vec![marriage.id],
                ..counter.clone()
            };
            conn.update_window(&narrowed)?;
            assert_eq!(
                conn.window(counter.id)?.map(|w| w.item_ids),
                Some(vec![marriage.id])
            );
            let listed = conn.windows(&first_page(10))?;
            assert_eq!(listed.items, vec![narrowed]);
            assert_eq!(conn.departments(&first_page(10))?.items, vec![civil]);
            assert_eq!(conn.items(&first_page(10))?.items.len(), 2);
            Ok::<_, RepositoryError>(())
        })
        .expect("stories on items and windows");
    let hall = store
        .read(|conn| conn.centers(&first_page(1)))
        .expect("read")
        .items
        .remove(0);
    let same_number = store.transaction(|conn| conn.insert_window(&window(hall.id, 1, vec![])));
    assert_eq!(same_number, Err(RepositoryError::Conflict));
}

fn users_sign_in_by_username_and_usernames_are_unique(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.store();
    let clerk = UserInput {
        username: "li.ming".into(),
        display_name: "李明".into(),
        role: Role::Analyst,
        window_id: None,
    }
    .into_user(UserId::new(), moment());
    store
        .transaction(|conn| conn.insert_user(&clerk, "$argon2id$hash"))
        .expect("insert");
    let credentials = store
        .read(|conn| conn.credentials("li.ming"))
        .expect("read")
        .expect("found");
    assert_eq!(credentials.user, clerk);
    assert_eq!(credentials.password_hash, "$argon2id$hash");
    assert_eq!(
        store.read(|conn| conn.user(clerk.id)),
        Ok(Some(clerk.clone()))
    );
    assert_eq!(store.read(|conn| conn.credentials("nobody")), Ok(None));
    assert_eq!(store.read(|conn| conn.count_users()), Ok(1));
    let twin = UserInput {
        username: "li.ming".into(),
        display_name: String::new(),
        role: Role::Admin,
        window_id: None,
    }
    .into_user(UserId::new(), moment());
    assert_eq!(
        store.transaction(|conn| conn.insert_user(&twin, "x")),
        Err(RepositoryError::Conflict)
    );
}

fn a_calendar_year_is_stored_replaced_and_listed_in_order(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.store();
    let mut years = china();
    let y2013 = years.remove(1);
    let mut y2012 = years.remove(0);
    store
        .transaction(|conn| conn.put_calendar_year(&y2013, moment()))
        .expect("put 2013");
    store
        .transaction(|conn| conn.put_calendar_year(&y2012, moment()))
        .expect("put 2012");
    y2012.holidays.push(Holiday {
        name: "test".into(),
        from: "2012-10-08".parse().expect("date"),
        to: "2012-10-08".parse().expect("date"),
    });
    store
        .transaction(|conn| conn.put_calendar_year(&y2012, moment()))
        .expect("replace 2012");
    let stored: Vec<YearCalendar> = store.read(|conn| conn.calendar_years()).expect("read");
    assert_eq!(stored, vec![y2012, y2013]);
    assert_eq!(store.read(|conn| conn.calendar_year(2030)), Ok(None));
}

fn a_failed_transaction_leaves_nothing_behind(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.store();
    let civil = department("MZ");
    let result = store.transaction(|conn| {
        conn.insert_department(&civil)?;
        conn.insert_department(&department("MZ"))
    });
    assert_eq!(result, Err(RepositoryError::Conflict));
    assert_eq!(store.read(|conn| conn.department(civil.id)), Ok(None));
}

/// Intake writes a case's event before the case, whose number is drawn last: the reference
/// is still checked, at the commit, and an event of no case is not stored.
fn an_event_written_before_its_case_is_checked_at_the_commit(backend: Backend) {
    use domain::case::{ActionKind, CaseEvent, CaseStatus, EventDetails};
    use domain::ids::{CaseEventId, CaseId};
    let db = TestDb::new(backend);
    let store = db.store();
    let event = CaseEvent {
        id: CaseEventId::new(),
        case_id: CaseId::new(),
        seq: 1,
        action: ActionKind::Refuse,
        from_status: None,
        to_status: CaseStatus::NotAccepted,
        actor_id: None,
        at: moment(),
        payload: EventDetails::Refuse {
            item_id: ServiceItemId::new(),
            window_id: WindowId::new(),
            handling: Handling::Immediate,
            promised_days: 0,
            reason: None,
        },
    };
    let unasked = store.transaction(|conn| conn.append_event("640105", &event));
    assert!(unasked.is_err(), "refused without asking too: {unasked:?}");
    let deferred = store.transaction(|conn| {
        conn.defer_case_references()?;
        conn.append_event("640105", &event)
    });
    assert!(deferred.is_err(), "checked at the commit: {deferred:?}");
    assert_eq!(
        store.read(|conn| conn.case_events(event.case_id)),
        Ok(vec![])
    );
}

/// Every intake writes its event and its statistics deltas, draws the region's number and
/// inserts the case: the database prepares each of these statements once per connection and
/// then only runs it, rather than parsing and planning it on every intake (diesel never
/// keeps a `sql_query`, nor, on PostgreSQL, an insert whose `None` may be written as
/// `DEFAULT`). Diesel reports each statement it prepares to keep; the event's and the case's
/// inserts fail on their references here, after that.
fn intakes_writes_are_prepared_once_per_connection(backend: Backend) {
    use std::sync::{Arc, Mutex};

    use diesel::Connection;
    use diesel::connection::InstrumentationEvent;
    use domain::calendar::WorkingCalendar;
    use domain::case::{Intake, IntakeDecision, IntakeMaterials};
    use persistence::personal::DataKeys;

    let db = TestDb::new(backend);
    let store = db.store().with_data_keys(DataKeys::new(&[7; 32], &[]));
    let hall = center("640105", None);
    let item = item("MZ-001", DepartmentId::new());
    let window = window(hall.id, 1, vec![item.id]);
    let applicant = serde_json::from_value(crate::support::applicant()).expect("an applicant");
    let opened = Intake {
        item: &item,
        window: &window,
        center: &hall,
        applicant,
        note: String::new(),
        materials: IntakeMaterials::AllReceived,
        decision: IntakeDecision::Accept,
    }
    .open_unnumbered(
        moment(),
        moment().date_naive(),
        UserId::new(),
        &WorkingCalendar::new(china()),
    )
    .expect("opened")
    .numbered("640105-20261128-00001".into());

    let prepared = Arc::new(Mutex::new(Vec::<String>::new()));
    let kept = prepared.clone();
    let _ = store.read(|conn| {
        conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
            if let InstrumentationEvent::CacheQuery { sql, .. } = event {
                kept.lock().expect("kept").push(sql.to_owned());
            }
        });
        let event = conn.append_event("640105", &opened.event);
        conn.add_stats(&StatsKey::of(&opened.case), &opened.deltas)?;
        conn.next_case_seq("640105", opened.case.received_on)?;
        let case = conn.insert_case(&opened.case, "0");
        conn.set_instrumentation(|_: InstrumentationEvent<'_>| {});
        assert!(
            event.is_err() && case.is_err(),
            "no case, no catalogue: {event:?} {case:?}"
        );
        Ok::<_, RepositoryError>(())
    });
    let prepared = prepared.lock().expect("prepared");
    // Unquoted: diesel quotes names, `` ` `` on SQLite and `"` on PostgreSQL.
    let prepared: Vec<String> = prepared
        .iter()
        .map(|sql| sql.replace(['`', '"'], ""))
        .collect();
    for statement in [
        "INSERT INTO case_events",
        "INSERT INTO stats_pending",
        "UPDATE case_sequences",
        "INSERT INTO cases",
    ] {
        assert!(
            prepared.iter().any(|sql| sql.starts_with(statement)),
            "{statement} is not prepared: {prepared:?}"
        );
    }
}

on_both_backends!(
    intakes_writes_are_prepared_once_per_connection,
    an_event_written_before_its_case_is_checked_at_the_commit,
    centers_read_back_equal_page_by_page_and_refuse_a_taken_code,
    items_keep_their_guides_and_windows_their_items_in_order,
    users_sign_in_by_username_and_usernames_are_unique,
    a_calendar_year_is_stored_replaced_and_listed_in_order,
    a_failed_transaction_leaves_nothing_behind,
);

#[derive(diesel::QueryableByName, Debug)]
struct Key {
    #[diesel(sql_type = diesel::sql_types::Text)]
    table_name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    first_column: String,
}

/// Citus distributes a table by one column, which must begin every primary key, unique
/// constraint and reference between distributed tables (docs/SCALING.md): the case tables
/// and the statistics written with them.
#[test]
fn on_postgresql_every_key_of_the_case_tables_begins_with_the_region() {
    use diesel::RunQueryDsl;
    let db = TestDb::new(Backend::Postgres);
    db.store();
    let keys: Vec<Key> = diesel::sql_query(
        "SELECT c.conrelid::regclass::text AS table_name, c.conname::text AS name, \
                a.attname::text AS first_column \
         FROM pg_constraint c \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] \
         WHERE c.conrelid::regclass::text IN \
               ('cases', 'case_events', 'ratings', 'idempotency_keys', 'case_sequences', \
                'case_stats', 'stats_day', 'stats_month', 'stats_year') \
           AND (c.contype IN ('p', 'u') \
                OR (c.contype = 'f' AND c.confrelid::regclass::text = 'cases')) \
         ORDER BY 1, 2",
    )
    .load(&mut db.connect())
    .expect("read the constraints");
    let tables: std::collections::BTreeSet<&str> =
        keys.iter().map(|k| k.table_name.as_str()).collect();
    assert_eq!(tables.len(), 9, "{keys:?}");
    let astray: Vec<String> = keys
        .iter()
        .filter(|k| k.first_column != "region")
        .map(|k| format!("{}.{} begins with {}", k.table_name, k.name, k.first_column))
        .collect();
    assert!(astray.is_empty(), "keys not led by the region: {astray:?}");
}
