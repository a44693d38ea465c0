//! Where a subscriber may be: an `http` or `https` URL whose host resolves only to public
//! addresses, unless the hall allows private ones (`HALL_WEBHOOK_ALLOW_PRIVATE`). Checked at
//! registration, again before each delivery, and by the resolver the delivery connects
//! through ([`PublicResolver`]), since a name may resolve elsewhere between the two.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};

use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// Why a subscriber URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// Not an absolute `http(s)` URL with a host and without credentials.
    #[error("{0}")]
    Malformed(String),
    /// The host does not resolve.
    #[error("the host {0} does not resolve")]
    Unresolved(String),
    /// The host is, or resolves to, a private, loopback or link-local address.
    #[error("the host {0} is a private, loopback or link-local address")]
    Private(String),
}

/// Checks `url` (resolving its host unless private addresses are allowed).
pub fn check(url: &str, allow_private: bool) -> Result<(), AddressError> {
    let parsed =
        url::Url::parse(url).map_err(|e| AddressError::Malformed(format!("not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(AddressError::Malformed(
            "must be an http or https URL".into(),
        ));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(AddressError::Malformed(
            "must not carry a user name or password".into(),
        ));
    }
    let host = parsed
        .host()
        .ok_or_else(|| AddressError::Malformed("must name a host".into()))?;
    if allow_private {
        return Ok(());
    }
    let port = parsed.port_or_known_default().unwrap_or(80);
    let addresses: Vec<IpAddr> = match host {
        url::Host::Ipv4(ip) => vec![IpAddr::V4(ip)],
        url::Host::Ipv6(ip) => vec![IpAddr::V6(ip)],
        url::Host::Domain(name) => (name, port)
            .to_socket_addrs()
            .map_err(|_| AddressError::Unresolved(name.to_owned()))?
            .map(|a| a.ip())
            .collect(),
    };
    if addresses.is_empty() {
        return Err(AddressError::Unresolved(host.to_string()));
    }
    if addresses.iter().any(|ip| !is_public(*ip)) {
        return Err(AddressError::Private(host.to_string()));
    }
    Ok(())
}

/// The resolver of deliveries when private addresses are not allowed: it refuses a name that
/// resolves to any address [`check`] refuses, so the addresses checked are the ones connected
/// to and a name re-pointed after the check (DNS rebinding) cannot reach inside the network.
#[derive(Debug, Default)]
pub struct PublicResolver(DefaultResolver);

impl Resolver for PublicResolver {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let resolved = self.0.resolve(uri, config, timeout)?;
        if let Some(private) = resolved.iter().find(|a| !is_public(a.ip())) {
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!(
                    "{} resolves to {}, a private, loopback or link-local address",
                    uri.host().unwrap_or_default(),
                    private.ip()
                ),
            )));
        }
        Ok(resolved)
    }
}

/// Whether a subscriber may be at `ip` without the allowance.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(ip) => is_public_v4(ip),
        IpAddr::V6(ip) => match ip.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(ip),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    !(ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        // 100.64.0.0/10, shared address space (carrier-grade NAT).
        || (a == 100 && (64..128).contains(&b)))
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // fc00::/7 unique local, fe80::/10 link-local.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_never_connects_to_a_name_that_resolves_inside_the_network() {
        // The check before the delivery is bypassed here, as a name re-pointed between the
        // check and the connection would bypass it: the resolver still refuses.
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("a port");
        listener.set_nonblocking(true).expect("nonblocking");
        let port = listener.local_addr().expect("addr").port();
        let agent = ureq::Agent::with_parts(
            ureq::Agent::config_builder().build(),
            ureq::unversioned::transport::DefaultConnector::new(),
            PublicResolver::default(),
        );
        let refused = agent
            .post(&format!("http://localhost:{port}/h"))
            .send("{}")
            .expect_err("a loopback name is refused");
        assert!(refused.to_string().contains("private"), "{refused}");
        assert!(
            listener.accept().is_err(),
            "nothing connected to the loopback receiver"
        );
    }

    #[test]
    fn private_loopback_and_link_local_hosts_are_refused_unless_allowed() {
        for url in [
            "http://127.0.0.1:9/h",
            "http://10.1.2.3/h",
            "http://192.168.0.1/h",
            "http://169.254.169.254/latest",
            "http://[::1]/h",
            "http://[fe80::1]/h",
            "http://[fd00::1]/h",
            "http://[::ffff:127.0.0.1]/h",
            "http://100.64.0.1/h",
            "http://localhost:8080/h",
        ] {
            assert!(
                matches!(check(url, false), Err(AddressError::Private(_))),
                "{url}"
            );
            assert_eq!(check(url, true), Ok(()), "{url}");
        }
        assert_eq!(check("https://93.184.215.14/h", false), Ok(()));
        assert!(matches!(
            check("ftp://93.184.215.14/", true),
            Err(AddressError::Malformed(_))
        ));
        assert!(matches!(
            check("http://u:p@93.184.215.14/", true),
            Err(AddressError::Malformed(_))
        ));
    }
}
