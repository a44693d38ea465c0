//! The whole application, started in-process on a random port over a fresh database, and
//! a small HTTP client that speaks to it as any client would.

use std::sync::mpsc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use api::auth::TokenKeys;
use api::config::Config;
use api::limits::Limits;
use api::query_code::QueryCodeKey;
use api::state::{AppState, Settings};
use chrono::{FixedOffset, Utc};
use domain::ids::{UserId, WindowId};
use domain::repository::UserRepository;
use domain::user::{Role, UserInput};
use persistence::{DatabaseUrl, Store, StoreOptions};
use serde_json::Value;

use super::db::{Backend, TestDb};

pub const ADMIN_PASSWORD: &str = "admin password for tests";
pub(super) const JWT_SECRET: &str = "a test secret that is at least 32 bytes long";
/// The key that seals personal data in tests (required on PostgreSQL).
pub const DATA_KEY: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Asserts an RFC 9457 problem with this status, and returns it.
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(self.status, status, "{}", self.text);
        assert_eq!(
            self.content_type, "application/problem+json",
            "{}",
            self.text
        );
        let problem = self.json();
        assert_eq!(problem["status"], status);
        assert!(
            problem["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("urn:service-hall:problem:"))
        );
        assert!(
            problem["title"].is_string() && problem["detail"].is_string(),
            "{problem}"
        );
        problem
    }

    /// Asserts a 429 problem with a usable `Retry-After` (whole seconds, at least one).
    pub fn refused_for_a_while(&self) {
        self.problem(429);
        assert!(
            self.header("retry-after")
                .and_then(|s| s.parse::<u64>().ok())
                .is_some_and(|s| s >= 1),
            "{:?}",
            self.headers
        );
    }
}

/// A running app.
pub struct TestApp {
    pub client: Client,
    pub state: AppState,
    server: ServerHandle,
    _db: Option<TestDb>,
}

impl std::ops::Deref for TestApp {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

/// Speaks HTTP to a running app, in-process or not, as any client would.
#[derive(Debug)]
pub struct Client {
    pub base: String,
    agent: ureq::Agent,
}

fn config(url: &str) -> Config {
    Config {
        database_url: url.to_owned(),
        read_database_url: None,
        bind: "127.0.0.1:0".into(),
        jwt_secret: Some(JWT_SECRET.into()),
        admin_password: Some(ADMIN_PASSWORD.into()),
        token_ttl_seconds: 3600,
        db_pool_size: 4,
        db_timeout_seconds: 2,
        workers: 1,
        utc_offset: FixedOffset::east_opt(8 * 3600).expect("offset"),
        yellow_days: 2,
        sqlite_busy_timeout_ms: 10_000,
        idempotency_ttl_seconds: 24 * 3600,
        query_code_secret: None,
        log_format: "text".into(),
        public_rate: 30,
        public_write_rate: 10,
        login_rate: 10,
        login_failures: 10,
        kiosk_case_failures: 10,
        kiosk_case_window_seconds: 3600,
        hash_concurrency: 2,
        hash_queue: 32,
        trusted_proxies: vec![],
        cors_origins: vec![],
        public_url: "http://127.0.0.1:8080".into(),
        body_timeout_seconds: 30,
        keep_alive_seconds: 0,
        max_connections: 1000,
        display_streams: 800,
        display_streams_per_client: 50,
        display_stream_seconds: 3600,
        data_key: Some(DATA_KEY.into()),
        data_key_file: None,
        data_key_previous: vec![],
        retention_years: 30,
        appointment_cancel_before_minutes: 120,
        outbox_max_attempts: 8,
        outbox_retry_base_ms: 10_000,
        outbox_workers: 2,
        stats_projector: true,
        webhook_timeout_seconds: 10,
        webhook_allow_private: true,
        exchange_url: None,
        exchange_secret: None,
        exchange_authorization: None,
        sms_url: None,
        sms_authorization: None,
        sms_body_template: None,
    }
}

impl TestApp {
    /// Starts the app over a fresh database of the backend.
    pub fn start(backend: Backend) -> Self {
        Self::start_with_read_replica(backend, None)
    }

    /// Starts the app over a fresh database with its clock moved so that it is now `at`
    /// (and runs on from there): for stories on a given date.
    pub fn start_at(backend: Backend, at: chrono::DateTime<chrono::Utc>) -> Self {
        Self::start_at_configured(backend, at, |_| {})
    }

    /// As [`Self::start_at`], configured as the test's story needs.
    pub fn start_at_configured(
        backend: Backend,
        at: chrono::DateTime<chrono::Utc>,
        configure: impl FnOnce(&mut Config),
    ) -> Self {
        let db = TestDb::new(backend);
        let mut config = config(&db.url);
        configure(&mut config);
        let (mut state, _) = api::bootstrap::prepare(&config).expect("prepare the app");
        state.settings.clock_shift = at - chrono::Utc::now();
        Self::serve(state, Some(db))
    }

    /// Another app process over the same database whose clock says it is now `at`: the
    /// same hall later in the day.
    pub fn another_at(
        &self,
        at: chrono::DateTime<chrono::Utc>,
        configure: impl FnOnce(&mut Config),
    ) -> Self {
        let url = &self._db.as_ref().expect("an app over a test database").url;
        let mut config = config(url);
        configure(&mut config);
        let (mut state, _) = api::bootstrap::prepare(&config).expect("prepare the app");
        state.settings.clock_shift = at - chrono::Utc::now();
        Self::serve(state, None)
    }

    /// Starts the app over a fresh database, configured as the test's story needs.
    pub fn start_configured(backend: Backend, configure: impl FnOnce(&mut Config)) -> Self {
        let db = TestDb::new(backend);
        let mut config = config(&db.url);
        configure(&mut config);
        let (state, _) = api::bootstrap::prepare(&config).expect("prepare the app");
        Self::serve(state, Some(db))
    }

    /// Another app process (in this test process) over the same database, configured the
    /// same way but with nothing else shared: what a second `hall` behind the load balancer
    /// would be.
    pub fn another_on_the_same_database(&self, configure: impl FnOnce(&mut Config)) -> Self {
        let url = &self._db.as_ref().expect("an app over a test database").url;
        let mut config = config(url);
        configure(&mut config);
        let (state, _) = api::bootstrap::prepare(&config).expect("prepare the app");
        Self::serve(state, None)
    }

    /// Starts the app over a fresh database, with kiosk and statistics reads sent to
    /// `read_url` when given.
    pub fn start_with_read_replica(backend: Backend, read_url: Option<&str>) -> Self {
        let db = TestDb::new(backend);
        let mut config = config(&db.url);
        config.read_database_url = read_url.map(str::to_owned);
        let (state, generated) = api::bootstrap::prepare(&config).expect("prepare the app");
        assert_eq!(generated, None, "the configured admin password is used");
        Self::serve(state, Some(db))
    }

    /// Starts the app over an existing database, which outlives it, with the test
    /// configuration changed by `tweak`: for stories that restart the hall.
    pub fn start_over(url: &str, tweak: impl FnOnce(&mut Config)) -> Self {
        let mut config = config(url);
        tweak(&mut config);
        let (state, _) = api::bootstrap::prepare(&config).expect("prepare the app");
        Self::serve(state, None)
    }

    /// Starts the app over a database that cannot be reached, without migrating.
    pub fn start_without_database() -> Self {
        let url = DatabaseUrl::parse("postgres://postgres@127.0.0.1:1/none?connect_timeout=1")
            .expect("valid");
        let options = StoreOptions {
            max_connections: 2,
            connection_timeout: Duration::from_secs(1),
            ..StoreOptions::default()
        };
        let store = Store::open(url, &options);
        let state = AppState {
            replica: store.clone().into(),
            display: api::display::Hub::new(store.clone(), api::display::StreamGate::new(10, 10)),
            store,
            tokens: TokenKeys::new(JWT_SECRET.as_bytes(), Duration::from_secs(60)),
            query_codes: QueryCodeKey::new(JWT_SECRET.as_bytes()),
            settings: Settings {
                utc_offset: FixedOffset::east_opt(8 * 3600).expect("offset"),
                yellow_days: 2,
                edge: Default::default(),
                idempotency_ttl: chrono::TimeDelta::days(1),
                clock_shift: chrono::TimeDelta::zero(),
                appointments: Default::default(),
                outbox: Default::default(),
                stats_projector: true,
            },
            limits: Limits::new(30, 10, vec![]),
            metrics: api::metrics::Metrics::new(),
            calendars: Default::default(),
            replica_calendars: Default::default(),
            cors_origins: Default::default(),
            public_url: "http://127.0.0.1:8080".into(),
            exchange: Default::default(),
            sms: None,
        };
        Self::serve(state, None)
    }

    fn serve(state: AppState, db: Option<TestDb>) -> Self {
        super::logs::install();
        let (sender, receiver) = mpsc::channel();
        let server_state = state.clone();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let (server, addrs) =
                    api::server::start(server_state, "127.0.0.1:0", 1).expect("bind");
                sender
                    .send((server.handle(), addrs[0]))
                    .expect("report the address");
                server.await
            })
        });
        let (server, addr) = receiver.recv().expect("server started");
        Self {
            client: Client::new(&format!("http://{addr}")),
            state,
            server,
            _db: db,
        }
    }

    /// Creates an account directly in storage (the users API is not part of these stories)
    /// and signs it in.
    pub fn user_token(&self, username: &str, role: Role, window_id: Option<WindowId>) -> String {
        let password = format!("{username} password");
        let hash = api::auth::password::hash(&password).expect("hash");
        let user = UserInput {
            username: username.into(),
            display_name: String::new(),
            role,
            window_id,
        }
        .into_user(UserId::new(), domain::clock::stored_moment(Utc::now()));
        self.state
            .store
            .transaction(|conn| conn.insert_user(&user, &hash))
            .expect("insert user");
        self.login(username, &password)
    }
}

impl Client {
    pub fn new(base: &str) -> Self {
        Self::with_timeout(base, Duration::from_secs(30))
    }

    /// A client that waits up to `timeout` for each phase of an exchange: connecting, sending,
    /// the answer's head and its body.
    pub fn with_timeout(base: &str, timeout: Duration) -> Self {
        // Not one global timeout: ureq 3 resolves the host before it looks in its pool, on
        // every request, and under a timeout that covers the resolving it does so on a thread
        // spawned for it. A thread per request cost the HTTP benchmark's clients more CPU than
        // the hall's handlers on the same two cores. No phase here times the resolving, which
        // for the IP address in `base` is a parse.
        let phase = Some(timeout);
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(phase)
            .timeout_send_request(phase)
            .timeout_send_body(phase)
            .timeout_recv_response(phase)
            .timeout_recv_body(phase)
            .build()
            .new_agent();
        Self {
            base: base.to_owned(),
            agent,
        }
    }

    /// One exchange; `None` when no HTTP answer came (refused, reset, timed out).
    pub fn try_send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Option<Answer> {
        let url = format!("{}{path}", self.base);
        let response = match method {
            "GET" => Self::headed(self.agent.get(url), token, headers).call(),
            "HEAD" => Self::headed(self.agent.head(url), token, headers).call(),
            "POST" => Self::headed(self.agent.post(url), token, headers).send(body),
            "PUT" => Self::headed(self.agent.put(url), token, headers).send(body),
            "DELETE" => Self::headed(self.agent.delete(url), token, headers).call(),
            other => panic!("unsupported method {other}"),
        };
        Self::read(response).ok()
    }

    /// The request with the headers and, when given, the bearer token.
    fn headed<B>(
        mut request: ureq::RequestBuilder<B>,
        token: Option<&str>,
        headers: &[(&str, &str)],
    ) -> ureq::RequestBuilder<B> {
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(token) = token {
            request = request.header("Authorization", format!("Bearer {token}"));
        }
        request
    }

    fn read(
        response: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Answer, ureq::Error> {
        let mut response = response?;
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or_default().to_owned()))
            .collect::<Vec<_>>();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        Ok(Answer {
            status: response.status().as_u16(),
            content_type,
            headers,
            text: response.body_mut().read_to_string()?,
        })
    }

    /// A GET with one extra header and no token.
    pub fn get_with_header(&self, path: &str, header: (&str, &str)) -> Answer {
        self.try_send("GET", path, None, &[header], "")
            .expect("HTTP exchange")
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.try_send("GET", path, token, &[], "")
            .expect("HTTP exchange")
    }

    /// Sends a raw body with a content type.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: &str,
    ) -> Answer {
        self.try_send(method, path, token, &[("Content-Type", content_type)], body)
            .expect("HTTP exchange")
    }

    /// Sends a JSON body with one more header.
    pub fn send_with_header(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        header: (&str, &str),
        body: &str,
    ) -> Answer {
        self.try_send(
            method,
            path,
            token,
            &[("Content-Type", "application/json"), header],
            body,
        )
        .expect("HTTP exchange")
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Answer {
        self.send("POST", path, token, "application/json", &body.to_string())
    }

    pub fn put(&self, path: &str, token: Option<&str>, body: &Value) -> Answer {
        self.send("PUT", path, token, "application/json", &body.to_string())
    }

    /// Signs in and returns the access token.
    pub fn login(&self, username: &str, password: &str) -> String {
        let answer = self.post(
            "/api/v1/auth/login",
            None,
            &serde_json::json!({"username": username, "password": password}),
        );
        assert_eq!(answer.status, 200, "{}", answer.text);
        answer.json()["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    pub fn admin_token(&self) -> String {
        self.login("admin", ADMIN_PASSWORD)
    }
}

impl std::fmt::Debug for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestApp")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop serving before the database is dropped.
        actix_web::rt::System::new().block_on(self.server.stop(false));
    }
}
