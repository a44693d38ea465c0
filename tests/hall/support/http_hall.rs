//! A hall built over HTTP only, as an administrator would build it: for the tests and
//! benchmarks that run the `hall` binary as a process of its own.

use serde_json::{Value, json};

use super::{ADMIN_PASSWORD, Client};

/// The applicant's resident ID number (valid check digit) and phone in every story.
pub const ID_NUMBER: &str = "11010519491231002X";
pub const PHONE: &str = "13800138000";

/// A person applying, with the ID number and phone the log tests look for.
pub fn applicant() -> Value {
    json!({"kind": "person", "name": "张三", "id_type": "resident_id", "id_number": ID_NUMBER, "phone": PHONE})
}

fn id(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

/// Centres (regions 640105, 640106, …) whose windows all serve one committed item, a clerk
/// at each window, and an analyst — built over HTTP only, as an administrator would.
#[derive(Debug)]
pub struct HttpHall {
    pub windows: Vec<String>,
    pub item: String,
    /// The clerks' tokens, one per window, in the windows' order.
    pub clerks: Vec<String>,
    pub clerk_ids: Vec<String>,
    pub analyst: String,
}

/// Builds `windows` windows spread in turn over `centres` centres.
pub fn hall_over_http(client: &Client, windows: u32, centres: u32) -> HttpHall {
    let admin = client.login("admin", ADMIN_PASSWORD);
    let created = |path: &str, body: Value| {
        let answer = client.post(path, Some(&admin), &body);
        assert_eq!(answer.status, 201, "{path}: {}", answer.text);
        id(&answer.json())
    };
    let centres: Vec<String> = (0..centres.max(1))
        .map(|n| {
            created(
                "/api/v1/centers",
                json!({"code": (640_105 + n).to_string(), "name": format!("第{}政务服务中心", n + 1)}),
            )
        })
        .collect();
    let department = created(
        "/api/v1/departments",
        json!({"code": "MZ", "name": "民政局"}),
    );
    let item = created(
        "/api/v1/items",
        json!({"code": "MZ-001", "name": "婚姻登记", "department_id": department, "category": "licensing",
               "handling": "committed", "statutory_days": 20, "promised_days": 5}),
    );
    let account = |username: &str, role: &str, window: Option<&str>| {
        let password = format!("{username} password");
        let id = created(
            "/api/v1/users",
            json!({"username": username, "display_name": username, "role": role, "window_id": window,
                   "password": password}),
        );
        (id, client.login(username, &password))
    };
    let windows: Vec<String> = (1..=windows)
        .map(|number| {
            created(
                "/api/v1/windows",
                json!({"center_id": centres[(number as usize - 1) % centres.len()], "number": number, "name": format!("{number}号窗口"),
                       "kind": "permanent", "item_ids": [item]}),
            )
        })
        .collect();
    let (clerk_ids, clerks) = windows
        .iter()
        .enumerate()
        .map(|(n, window)| account(&format!("clerk.{}", n + 1), "clerk", Some(window)))
        .collect();
    let (_, analyst) = account("analyst", "analyst", None);
    HttpHall {
        windows,
        item,
        clerks,
        clerk_ids,
        analyst,
    }
}
