//! Limits that protect without locking out. Per client address (an IPv4 address, or an
//! IPv6 /64, which one subscriber usually holds whole): token buckets (`governor`) for the
//! kiosk, for signing in and for password changes. Per username: an allowance of wrong
//! passwords, drawn for failures only, so that guesses from many addresses cannot turn the
//! limit against the account's owner (see [`Limits::check_login`]). Per case number: wrong
//! query codes, counted in the database so every process sees them (the kiosk routes do
//! that with [`Limits::case_lookups`]). And the concurrency of password hashing
//! ([`HashGate`]). Who the client is comes from the connection, or from `X-Forwarded-For`
//! when a trusted proxy sent it. The buckets live in each process: with N processes a
//! client gets N times the rate, which is protection enough and needs no shared state.

mod address;
mod failures;

pub use address::*;

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_web::HttpRequest;
use domain::ValidationErrors;
use domain::user::MAX_USERNAME_BYTES;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::auth::password::HashGate;
use crate::problem::ApiError;
use failures::Failures;

/// How long wrong passwords count against a username.
const FAILURE_WINDOW: Duration = Duration::from_secs(3600);

/// Keys a bucket map may hold before idle ones are dropped at once.
const MAX_BUCKET_KEYS: usize = 100_000;

/// Every this many checks, idle keys are dropped from every map.
const PRUNE_EVERY: u64 = 1024;

/// The limits' settings, with their defaults (see README's configuration table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitSettings {
    /// Kiosk requests a minute per client address (`HALL_PUBLIC_RATE`).
    pub public_rate: u32,
    /// Of those, tickets taken and appointments booked a minute per client address
    /// (`HALL_PUBLIC_WRITE_RATE`).
    pub public_write_rate: u32,
    /// Sign-in attempts, and password-change attempts, a minute per client address
    /// (`HALL_LOGIN_RATE`).
    pub login_rate: u32,
    /// Wrong passwords an hour per username from all addresses together before each address
    /// gets only one more try that hour (`HALL_LOGIN_FAILURES`); also the wrong current
    /// passwords an hour a signed-in user may give when changing it.
    pub login_failures: u32,
    /// Wrong query codes for one case number, from anyone, before the number answers 429
    /// (`HALL_KIOSK_CASE_FAILURES`).
    pub kiosk_case_failures: u32,
    /// How long a wrong query code counts (`HALL_KIOSK_CASE_WINDOW_SECONDS`).
    pub kiosk_case_window: Duration,
    /// Password hashes computed at once (`HALL_HASH_CONCURRENCY`).
    pub hash_concurrency: usize,
    /// Password hashes that may wait for a thread; beyond, 503 (`HALL_HASH_QUEUE`).
    pub hash_queue: usize,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            public_rate: 30,
            public_write_rate: 10,
            login_rate: 10,
            login_failures: 10,
            kiosk_case_failures: 10,
            kiosk_case_window: Duration::from_secs(3600),
            hash_concurrency: 2,
            hash_queue: 32,
        }
    }
}

/// How many wrong query codes a case number takes, and for how long they count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseLookupLimit {
    /// Wrong codes within the window after which the number answers 429.
    pub failures: u32,
    /// How long a wrong code counts.
    pub window: Duration,
}

/// A sign-in attempt let through, to be charged if its password proves wrong.
#[derive(Debug, Clone)]
pub struct LoginAttempt {
    username: String,
    address: IpAddr,
}

/// The buckets, the failure allowances, the hashing threads and the trusted proxies.
#[derive(Clone)]
pub struct Limits {
    public: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    public_writes: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    login_by_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    password_by_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    login_failures: Arc<Failures<String>>,
    login_failures_by_address: Arc<Failures<(String, IpAddr)>>,
    password_failures: Arc<Failures<String>>,
    hashing: HashGate,
    case_lookups: CaseLookupLimit,
    trusted: Arc<Vec<AddressRange>>,
    checks: Arc<AtomicU64>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits")
            .field("trusted", &self.trusted)
            .field("case_lookups", &self.case_lookups)
            .finish_non_exhaustive()
    }
}

fn per_minute(n: u32) -> Quota {
    let n = NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(n).allow_burst(n)
}

impl Limits {
    /// Buckets of `public_rate` kiosk requests and `login_rate` sign-ins a minute, the
    /// other settings at their defaults.
    pub fn new(public_rate: u32, login_rate: u32, trusted: Vec<AddressRange>) -> Self {
        Self::with_settings(
            LimitSettings {
                public_rate,
                login_rate,
                ..LimitSettings::default()
            },
            trusted,
        )
    }

    /// The limits as configured.
    pub fn with_settings(settings: LimitSettings, trusted: Vec<AddressRange>) -> Self {
        Self {
            public: Arc::new(RateLimiter::keyed(per_minute(settings.public_rate))),
            public_writes: Arc::new(RateLimiter::keyed(per_minute(settings.public_write_rate))),
            login_by_address: Arc::new(RateLimiter::keyed(per_minute(settings.login_rate))),
            password_by_address: Arc::new(RateLimiter::keyed(per_minute(settings.login_rate))),
            login_failures: Arc::new(Failures::new(settings.login_failures, FAILURE_WINDOW)),
            // One wrong password per address and username in the window counts once the
            // username's own allowance is spent.
            login_failures_by_address: Arc::new(Failures::new(1, FAILURE_WINDOW)),
            password_failures: Arc::new(Failures::new(settings.login_failures, FAILURE_WINDOW)),
            hashing: HashGate::new(settings.hash_concurrency, settings.hash_queue),
            case_lookups: CaseLookupLimit {
                failures: settings.kiosk_case_failures.max(1),
                window: settings.kiosk_case_window.max(Duration::from_secs(1)),
            },
            trusted: Arc::new(trusted),
            checks: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The client's address: the connection's peer, or, when the peer is a trusted proxy,
    /// the last address in `X-Forwarded-For` that is not a trusted proxy.
    pub fn client_address(&self, request: &HttpRequest) -> IpAddr {
        let peer = request
            .peer_addr()
            .map_or(IpAddr::from([127, 0, 0, 1]), |a| a.ip());
        let trusted = |ip: IpAddr| self.trusted.iter().any(|range| range.contains(ip));
        if !trusted(peer) {
            return peer;
        }
        let forwarded = request
            .headers()
            .get_all("X-Forwarded-For")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
            .collect::<Vec<_>>();
        forwarded
            .into_iter()
            .rev()
            .find(|ip| !trusted(*ip))
            .unwrap_or(peer)
    }

    /// The client's limiter key: its address, or its IPv6 /64.
    fn client(&self, request: &HttpRequest) -> IpAddr {
        client_key(self.client_address(request))
    }

    /// Takes a token for a kiosk request, or answers 429.
    pub fn check_public(&self, request: &HttpRequest) -> Result<(), ApiError> {
        self.tick();
        take(&self.public, &self.client(request))
    }

    /// Takes a token for a kiosk write (a ticket, a booking) from both the kiosk bucket and
    /// the tighter one of writes, or answers 429: a script must not empty a queue's day.
    pub fn check_public_write(&self, request: &HttpRequest) -> Result<(), ApiError> {
        self.check_public(request)?;
        take(&self.public_writes, &self.client(request))
    }

    /// Lets a sign-in attempt through, or answers 429 (too many from this address) or 422
    /// (a username longer than any account's, refused before it is kept anywhere).
    ///
    /// Every attempt takes a token from the address's bucket. Wrong passwords are charged
    /// afterwards ([`Self::login_failed`]) to the username's hourly allowance, which
    /// addresses share, and to the pair of username and address. While the username's
    /// allowance is spent, an address that gave a wrong password for it this hour is
    /// refused, and any other address still gets its one try: whoever guesses from many
    /// addresses gets one guess per address an hour, and the owner, from an address of
    /// theirs, still signs in with the right password.
    pub fn check_login(
        &self,
        request: &HttpRequest,
        username: &str,
    ) -> Result<LoginAttempt, ApiError> {
        self.tick();
        let address = self.client(request);
        take(&self.login_by_address, &address)?;
        if username.len() > MAX_USERNAME_BYTES {
            return Err(ApiError::Invalid(ValidationErrors::single(
                "username",
                format!("must be at most {MAX_USERNAME_BYTES} bytes long"),
            )));
        }
        let attempt = LoginAttempt {
            username: username.to_lowercase(),
            address,
        };
        let now = Instant::now();
        if let Some(spent) = self.login_failures.refusal(&attempt.username, now)
            && let Some(failed_here) = self
                .login_failures_by_address
                .refusal(&(attempt.username.clone(), address), now)
        {
            return Err(rate_limited(spent.min(failed_here)));
        }
        Ok(attempt)
    }

    /// Charges a wrong password (or an unknown username) to the attempt's allowances.
    pub fn login_failed(&self, attempt: &LoginAttempt) {
        let now = Instant::now();
        self.login_failures.record(attempt.username.clone(), now);
        self.login_failures_by_address
            .record((attempt.username.clone(), attempt.address), now);
    }

    /// Lets a password change through, or answers 429: per address, as signing in, and per
    /// user, whose wrong current passwords have an hourly allowance of their own (a guess
    /// needs the user's token, so nobody else can spend it).
    pub fn check_password_change(&self, request: &HttpRequest, user: &str) -> Result<(), ApiError> {
        self.tick();
        take(&self.password_by_address, &self.client(request))?;
        match self.password_failures.refusal(user, Instant::now()) {
            Some(wait) => Err(rate_limited(wait)),
            None => Ok(()),
        }
    }

    /// Charges a wrong current password to the user's allowance.
    pub fn password_change_failed(&self, user: &str) {
        self.password_failures
            .record(user.to_owned(), Instant::now());
    }

    /// The threads password hashing runs on.
    pub fn hashing(&self) -> &HashGate {
        &self.hashing
    }

    /// How many wrong query codes a case number takes.
    pub fn case_lookups(&self) -> CaseLookupLimit {
        self.case_lookups
    }

    /// How many keys the limiters hold in all: bounded by the clients seen lately.
    pub fn key_count(&self) -> usize {
        self.public.len()
            + self.public_writes.len()
            + self.login_by_address.len()
            + self.password_by_address.len()
            + self.login_failures.len()
            + self.login_failures_by_address.len()
            + self.password_failures.len()
    }

    /// Counts a check, and now and then drops the keys that no longer limit anyone.
    fn tick(&self) {
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.prune();
        }
    }

    /// Drops every key whose client would be treated as new anyway.
    pub fn prune(&self) {
        for bucket in [
            &self.public,
            &self.public_writes,
            &self.login_by_address,
            &self.password_by_address,
        ] {
            bucket.retain_recent();
            bucket.shrink_to_fit();
        }
        let now = Instant::now();
        self.login_failures.prune(now);
        self.login_failures_by_address.prune(now);
        self.password_failures.prune(now);
    }
}

fn rate_limited(wait: Duration) -> ApiError {
    // Rounded up, so that a client waiting as told is let through.
    let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    ApiError::RateLimited {
        retry_after: seconds.max(1),
    }
}

fn take<K: Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), ApiError> {
    // Forget idle clients at once when the map grows large between regular prunes.
    if limiter.len() > MAX_BUCKET_KEYS {
        limiter.retain_recent();
    }
    limiter
        .check_key(key)
        .map_err(|not_until| rate_limited(not_until.wait_time_from(DefaultClock::default().now())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_thirty_first_request_in_a_minute_is_refused() {
        let limits = Limits::new(30, 10, vec![]);
        let request = actix_web::test::TestRequest::default()
            .peer_addr("203.0.113.9:5000".parse().expect("addr"))
            .to_http_request();
        for _ in 0..30 {
            assert!(limits.check_public(&request).is_ok());
        }
        assert!(matches!(
            limits.check_public(&request),
            Err(ApiError::RateLimited { .. })
        ));
    }

    #[test]
    fn forwarded_addresses_count_only_from_trusted_proxies() {
        let limits = Limits::new(
            30,
            10,
            vec![AddressRange::parse("10.0.0.0/8").expect("range")],
        );
        let via_proxy = actix_web::test::TestRequest::default()
            .peer_addr("10.0.0.2:5000".parse().expect("addr"))
            .insert_header(("X-Forwarded-For", "198.51.100.4, 10.0.0.9"))
            .to_http_request();
        assert_eq!(
            limits.client_address(&via_proxy),
            "198.51.100.4".parse::<IpAddr>().expect("ip")
        );
        let spoofed = actix_web::test::TestRequest::default()
            .peer_addr("203.0.113.9:5000".parse().expect("addr"))
            .insert_header(("X-Forwarded-For", "198.51.100.4"))
            .to_http_request();
        assert_eq!(
            limits.client_address(&spoofed),
            "203.0.113.9".parse::<IpAddr>().expect("ip")
        );
    }

    fn from(peer: &str, forwarded: &str) -> HttpRequest {
        actix_web::test::TestRequest::default()
            .peer_addr(peer.parse().expect("addr"))
            .insert_header(("X-Forwarded-For", forwarded))
            .to_http_request()
    }

    #[test]
    fn ipv6_clients_are_limited_per_64_and_ipv4_per_address() {
        let key = |ip: &str| client_key(ip.parse().expect("ip"));
        assert_eq!(
            key("2001:db8:1:2::1"),
            key("2001:db8:1:2:ffff:ffff:ffff:ffff")
        );
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2::"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_ne!(key("198.51.100.4"), key("198.51.100.5"));
        assert_eq!(key("::ffff:198.51.100.4"), key("198.51.100.4"));

        let limits = Limits::new(30, 10, vec![]);
        let request = |peer: &str| {
            actix_web::test::TestRequest::default()
                .peer_addr(peer.parse().expect("addr"))
                .to_http_request()
        };
        for n in 0..30 {
            let peer = format!("[2001:db8:1:2::{:x}]:5000", n + 1);
            assert!(limits.check_public(&request(&peer)).is_ok());
        }
        assert!(matches!(
            limits.check_public(&request("[2001:db8:1:2:abcd::1]:5000")),
            Err(ApiError::RateLimited { .. })
        ));
        assert!(
            limits
                .check_public(&request("[2001:db8:1:3::1]:5000"))
                .is_ok()
        );
        assert_eq!(limits.key_count(), 2, "one key per /64");
    }

    #[test]
    fn a_username_longer_than_any_account_is_refused_before_it_is_kept() {
        let limits = Limits::new(30, 1000, vec![]);
        let request = from("203.0.113.9:5000", "");
        for n in 0..100 {
            let username = format!("{n}{}", "x".repeat(250_000));
            assert!(matches!(
                limits.check_login(&request, &username),
                Err(ApiError::Invalid(_))
            ));
        }
        assert_eq!(limits.key_count(), 1, "only the address is kept");
    }

    #[test]
    fn guesses_from_many_addresses_leave_the_owner_a_fresh_address() {
        let proxy = vec![AddressRange::parse("10.0.0.1").expect("proxy")];
        let limits = Limits::with_settings(
            LimitSettings {
                login_failures: 10,
                ..LimitSettings::default()
            },
            proxy,
        );
        for n in 0..40 {
            let request = from("10.0.0.1:5000", &format!("198.51.100.{}", n % 20));
            match limits.check_login(&request, "clerk11") {
                Ok(attempt) => limits.login_failed(&attempt),
                Err(ApiError::RateLimited { retry_after }) => {
                    assert!(n >= 20, "refused only from an address that failed already");
                    assert!(retry_after >= 1);
                }
                Err(other) => panic!("{other}"),
            }
        }
        let owner = from("10.0.0.1:5000", "203.0.113.50");
        assert!(limits.check_login(&owner, "clerk11").is_ok());
        // Other usernames are not touched by the guesses.
        let guesser = from("10.0.0.1:5000", "198.51.100.3");
        assert!(limits.check_login(&guesser, "clerk12").is_ok());
    }

    #[test]
    fn wrong_current_passwords_are_limited_per_user_from_any_address() {
        let proxy = vec![AddressRange::parse("10.0.0.1").expect("proxy")];
        let limits = Limits::with_settings(LimitSettings::default(), proxy);
        for n in 0..10 {
            let request = from("10.0.0.1:5000", &format!("198.51.100.{n}"));
            assert!(limits.check_password_change(&request, "user-1").is_ok());
            limits.password_change_failed("user-1");
        }
        let request = from("10.0.0.1:5000", "198.51.100.200");
        assert!(matches!(
            limits.check_password_change(&request, "user-1"),
            Err(ApiError::RateLimited { retry_after }) if retry_after >= 1
        ));
        assert!(limits.check_password_change(&request, "user-2").is_ok());
    }
}
