//! Stories of limits that protect without locking out: someone guesses a clerk's password
//! from many addresses and the clerk still signs in; a stolen token cannot guess the current
//! password on and on; a username of 250 kB is refused before anything keeps it; and a case's
//! query code cannot be brute-forced from many addresses, whichever `hall` process is asked.
//! The clients' addresses come from `X-Forwarded-For`, which the apps here believe from
//! loopback, as a hall behind its proxy does.

use api::config::Config;
use chrono::{Duration, TimeZone, Utc};
use domain::repository::KioskAttemptRepository;
use domain::user::Role;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::support::{Answer, Backend, TestApp, TestDb, applicant, hall_over_http};

/// The apps here sit behind a proxy on loopback, whose `X-Forwarded-For` names the client.
fn behind_a_proxy(config: &mut Config) {
    config.trusted_proxies = vec!["127.0.0.1".into()];
}

/// A POST from the client at `address`, as the proxy forwards it.
fn post_from(
    app: &TestApp,
    address: &str,
    path: &str,
    token: Option<&str>,
    body: &Value,
) -> Answer {
    app.send_with_header(
        "POST",
        path,
        token,
        ("X-Forwarded-For", address),
        &body.to_string(),
    )
}

fn sign_in_from(app: &TestApp, address: &str, username: &str, password: &str) -> Answer {
    post_from(
        app,
        address,
        "/api/v1/auth/login",
        None,
        &json!({"username": username, "password": password}),
    )
}

fn a_supervisor_signs_in_from_a_fresh_address_while_someone_guesses_from_twenty(backend: Backend) {
    let app = TestApp::start_configured(backend, behind_a_proxy);
    app.user_token("chief", Role::Supervisor, None);

    // Sixty wrong passwords from twenty addresses, three each: well under each address's
    // own limit. The first ten spend the username's hourly allowance; after that each
    // address still gets one try, and an address that guessed wrong is refused.
    let statuses: Vec<u16> = (0..60)
        .map(|n| {
            let guesser = format!("198.51.100.{}", n % 20 + 1);
            sign_in_from(&app, &guesser, "chief", "a wrong guess").status
        })
        .collect();
    assert_eq!(statuses[..20], [401; 20], "{statuses:?}");
    assert_eq!(statuses[20..], [429; 40], "{statuses:?}");

    // The supervisor, at their own desk, signs in with the right password.
    let owner = sign_in_from(&app, "203.0.113.7", "chief", "chief password");
    assert_eq!(owner.status, 200, "{}", owner.text);
    assert!(owner.json()["access_token"].is_string());
    // The guessers stay refused, even with the right password.
    sign_in_from(&app, "198.51.100.1", "chief", "chief password").refused_for_a_while();
}

fn the_eleventh_wrong_current_password_is_refused_whatever_the_address(backend: Backend) {
    let app = TestApp::start_configured(backend, behind_a_proxy);
    let token = app.user_token("analyst", Role::Analyst, None);
    let change = |address: &str, old: &str| {
        post_from(
            &app,
            address,
            "/api/v1/auth/password",
            Some(&token),
            &json!({"old_password": old, "new_password": "a brand new password"}),
        )
    };
    for n in 0..10 {
        change(&format!("198.51.100.{}", n + 1), "a wrong guess").problem(422);
    }
    change("198.51.100.11", "a wrong guess").refused_for_a_while();
    // The limit counts wrong guesses of the user, not of an address: the right password
    // waits too, and the account keeps its password.
    change("203.0.113.7", "analyst password").refused_for_a_while();
    assert_eq!(
        sign_in_from(&app, "203.0.113.7", "analyst", "analyst password").status,
        200
    );
}

fn a_username_of_250_kb_is_refused_and_kept_nowhere(backend: Backend) {
    let app = TestApp::start_configured(backend, |config| config.login_rate = 1000);
    let keys_before = app.state.limits.key_count();
    for n in 0..100 {
        let username = format!("{n}{}", "x".repeat(250_000));
        let answer = app.post(
            "/api/v1/auth/login",
            None,
            &json!({"username": username, "password": "a wrong guess"}),
        );
        let problem = answer.problem(422);
        assert_eq!(problem["errors"][0]["field"], "username", "{problem}");
    }
    // The one key added is the client's address; no username became a key.
    assert!(
        app.state.limits.key_count() <= keys_before + 1,
        "{} keys",
        app.state.limits.key_count()
    );
}

fn a_query_code_cannot_be_brute_forced_from_many_addresses_nor_through_another_process(
    backend: Backend,
) {
    let app = TestApp::start_configured(backend, behind_a_proxy);
    let hall = hall_over_http(&app.client, 1, 1);
    let accept = || {
        let answer = app.post(
            "/api/v1/cases",
            Some(&hall.clerks[0]),
            &json!({"item_id": hall.item, "applicant": applicant()}),
        );
        assert_eq!(answer.status, 201, "{}", answer.text);
        let receipt = answer.json();
        (
            receipt["case_no"].as_str().expect("number").to_owned(),
            receipt["query_code"].as_str().expect("code").to_owned(),
        )
    };
    let (case_no, code) = accept();
    let (other_case, other_code) = accept();
    let lookup = |app: &TestApp, address: &str, case_no: &str, code: &str| {
        app.get_with_header(
            &format!("/api/v1/public/cases/{case_no}?code={code}"),
            ("X-Forwarded-For", address),
        )
    };
    let wrong_codes = (0..1_000_000)
        .map(|n| format!("{n:06}"))
        .filter(|guess| *guess != code);

    // 630 wrong codes from 20 addresses: the first ten are told "not found", every later
    // one is refused, whatever its address.
    let statuses: Vec<u16> = wrong_codes
        .take(630)
        .enumerate()
        .map(|(n, guess)| {
            let guesser = format!("198.51.100.{}", n % 20 + 1);
            lookup(&app, &guesser, &case_no, &guess).status
        })
        .collect();
    assert_eq!(statuses[..10], [404; 10], "{statuses:?}");
    assert!(statuses[10..].iter().all(|s| *s == 429), "{statuses:?}");

    // The right code, from an address that never guessed, waits as well; so does a rating.
    lookup(&app, "203.0.113.7", &case_no, &code).refused_for_a_while();
    post_from(
        &app,
        "203.0.113.7",
        &format!("/api/v1/public/cases/{case_no}/rating"),
        None,
        &json!({"code": code, "score": 5}),
    )
    .refused_for_a_while();
    // Another case is not touched.
    assert_eq!(
        lookup(&app, "203.0.113.7", &other_case, &other_code).status,
        200
    );

    // A second hall process over the same database, with buckets of its own, refuses too.
    let second = app.another_on_the_same_database(behind_a_proxy);
    lookup(&second, "203.0.113.8", &case_no, &code).refused_for_a_while();

    // A number that names no case takes wrong codes the same way, so a 429 tells nothing
    // about whether a number exists.
    let unknown = format!("{}-99999", &case_no[..case_no.rfind('-').expect("-")]);
    for n in 0..10 {
        let guesser = format!("192.0.2.{}", n + 1);
        lookup(&second, &guesser, &unknown, "123456").problem(404);
    }
    let refused = lookup(&app, "192.0.2.99", &unknown, "123456");
    refused.refused_for_a_while();
    let known = lookup(&app, "192.0.2.99", &case_no, &code);
    assert_eq!(refused.json()["type"], known.json()["type"]);
    assert_eq!(refused.json()["title"], known.json()["title"]);
}

fn wrong_codes_are_counted_per_number_within_the_window_and_older_ones_forgotten(backend: Backend) {
    let db = TestDb::new(backend);
    let store = db.store();
    let start = Utc
        .with_ymd_and_hms(2026, 11, 27, 8, 0, 0)
        .single()
        .expect("valid");
    let minutes = |n: i64| start + Duration::minutes(n);
    let count = |case_no: &str, since| {
        store
            .read(|conn| conn.failed_lookups(case_no, since))
            .expect("count")
    };
    assert_eq!(count("640105-20261127-00001", start), (0, None));
    for n in 0..3 {
        store
            .transaction(|conn| {
                conn.record_failed_lookup("640105-20261127-00001", minutes(n * 20), start)
            })
            .expect("record");
    }
    store
        .transaction(|conn| conn.record_failed_lookup("640105-20261127-00002", minutes(61), start))
        .expect("record");
    assert_eq!(count("640105-20261127-00001", start), (3, Some(start)));
    assert_eq!(
        count("640105-20261127-00001", minutes(1)),
        (2, Some(minutes(20)))
    );
    assert_eq!(
        count("640105-20261127-00002", start),
        (1, Some(minutes(61)))
    );
    // Recording forgets every number's wrong codes from before the window.
    store
        .transaction(|conn| {
            conn.record_failed_lookup("640105-20261127-00003", minutes(90), minutes(30))
        })
        .expect("record");
    assert_eq!(
        count("640105-20261127-00001", start - Duration::days(1)),
        (1, Some(minutes(40)))
    );
}

on_both_backends!(
    wrong_codes_are_counted_per_number_within_the_window_and_older_ones_forgotten,
    a_supervisor_signs_in_from_a_fresh_address_while_someone_guesses_from_twenty,
    the_eleventh_wrong_current_password_is_refused_whatever_the_address,
    a_username_of_250_kb_is_refused_and_kept_nowhere,
    a_query_code_cannot_be_brute_forced_from_many_addresses_nor_through_another_process,
);
