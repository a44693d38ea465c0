//! Who a client is: its address, or the range of addresses it falls in.

use std::net::{IpAddr, Ipv6Addr};

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

/// The key a client is limited by: its IPv4 address, or the /64 network of its IPv6
/// address (an IPv4 address written as IPv6, `::ffff:a.b.c.d`, counts as IPv4).
pub fn client_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
    }
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
}
