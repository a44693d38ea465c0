//! Rate limits (token buckets, `governor`) per client address for the kiosk endpoints, and
//! per address and per username for signing in; and who the client is behind trusted
//! proxies. The buckets live in each process: with N processes a client gets N times the
//! rate, which is protection enough and needs no shared state.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::problem::ApiError;

/// An address or a range of addresses, e.g. `10.0.0.0/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressRange {
    network: IpAddr,
    prefix: u8,
}

impl AddressRange {
    /// Parses `ADDRESS` or `ADDRESS/PREFIX`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address
            .parse()
            .map_err(|_| format!("{text:?} is not an IP address or range"))?;
        let bits = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => bits,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= bits)
                .ok_or_else(|| format!("{text:?} has a bad prefix length"))?,
        };
        Ok(Self { network, prefix })
    }

    /// Whether `address` lies in the range.
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, address) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// The buckets and the trusted proxies.
#[derive(Clone)]
pub struct Limits {
    public: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    login_by_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    login_by_username: Arc<DefaultKeyedRateLimiter<String>>,
    trusted: Arc<Vec<AddressRange>>,
}

impl std::fmt::Debug for Limits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Limits")
            .field("trusted", &self.trusted)
            .finish_non_exhaustive()
    }
}

fn per_minute(n: u32) -> Quota {
    let n = NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_minute(n).allow_burst(n)
}

impl Limits {
    /// Buckets of `public_rate` kiosk requests and `login_rate` sign-ins a minute.
    pub fn new(public_rate: u32, login_rate: u32, trusted: Vec<AddressRange>) -> Self {
        Self {
            public: Arc::new(RateLimiter::keyed(per_minute(public_rate))),
            login_by_address: Arc::new(RateLimiter::keyed(per_minute(login_rate))),
            login_by_username: Arc::new(RateLimiter::keyed(per_minute(login_rate))),
            trusted: Arc::new(trusted),
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

    /// Takes a token for a kiosk request, or answers 429.
    pub fn check_public(&self, request: &HttpRequest) -> Result<(), ApiError> {
        take(&self.public, &self.client_address(request))
    }

    /// Takes a token for a sign-in attempt, per address and per username, or answers 429.
    pub fn check_login(&self, request: &HttpRequest, username: &str) -> Result<(), ApiError> {
        take(&self.login_by_address, &self.client_address(request))?;
        take(&self.login_by_username, &username.to_lowercase())
    }
}

fn take<K: std::hash::Hash + Eq + Clone>(
    limiter: &DefaultKeyedRateLimiter<K>,
    key: &K,
) -> Result<(), ApiError> {
    // Forget idle clients now and then so the map does not grow without end.
    if limiter.len() > 100_000 {
        limiter.retain_recent();
    }
    limiter.check_key(key).map_err(|not_until| {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        ApiError::RateLimited {
            retry_after: wait.as_secs().max(1),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_contain_their_addresses() {
        let range = AddressRange::parse("10.0.0.0/8").expect("range");
        assert!(range.contains("10.1.2.3".parse().expect("ip")));
        assert!(!range.contains("11.0.0.1".parse().expect("ip")));
        let one = AddressRange::parse("192.168.1.7").expect("address");
        assert!(one.contains("192.168.1.7".parse().expect("ip")));
        assert!(!one.contains("192.168.1.8".parse().expect("ip")));
        assert!(
            AddressRange::parse("::1/128")
                .expect("v6")
                .contains("::1".parse().expect("ip"))
        );
        assert!(AddressRange::parse("10.0.0.0/33").is_err());
        assert!(AddressRange::parse("proxy").is_err());
    }

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
}
