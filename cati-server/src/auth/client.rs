//! Where a request comes from, for the login throttle.
//!
//! The address is the connection's peer, unless that peer is one of the trusted reverse proxies
//! (`--trusted-proxy`): then it is the right-most address of `X-Forwarded-For` that is not itself
//! a trusted proxy, the last one a proxy of ours saw. The left-most entries are whatever the
//! client chose to send and are never believed. IPv6 clients are counted by their /64 network,
//! which one subscriber usually holds whole.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

use crate::error::AppError;
use crate::state::AppState;

/// The client a request is counted against, if its address is known (it always is when served
/// by `cati serve`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientAddress(pub Option<IpAddr>);

impl ClientAddress {
    /// The address of a request from `peer` with these `X-Forwarded-For` values.
    pub fn resolve<'a>(
        peer: Option<IpAddr>,
        forwarded_for: impl DoubleEndedIterator<Item = &'a str>,
        trusted_proxies: &[IpAddr],
    ) -> ClientAddress {
        let Some(peer) = peer.map(canonical) else {
            return ClientAddress(None);
        };
        if !trusted_proxies.contains(&peer) {
            return ClientAddress(Some(counted(peer)));
        }
        let mut client = peer;
        let hops = forwarded_for
            .rev()
            .flat_map(|value| value.rsplit(','))
            .map(str::trim);
        for hop in hops {
            match hop.parse::<IpAddr>() {
                Ok(address) => {
                    client = canonical(address);
                    if !trusted_proxies.contains(&client) {
                        break;
                    }
                }
                // A proxy of ours writes addresses: anything else was written by the client.
                Err(_) => break,
            }
        }
        ClientAddress(Some(counted(client)))
    }

    /// The address for messages and the audit log.
    pub fn label(&self) -> String {
        match self.0 {
            Some(IpAddr::V6(network)) => format!("{network}/64"),
            Some(address) => address.to_string(),
            None => "adresse inconnue".to_owned(),
        }
    }
}

/// An IPv4 address written as IPv6 (`::ffff:a.b.c.d`) is the IPv4 address.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

/// The unit a client is counted by: its IPv4 address, or its IPv6 /64 network.
fn counted(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => {
            let segments = v6.segments();
            IpAddr::V6(Ipv6Addr::new(
                segments[0],
                segments[1],
                segments[2],
                segments[3],
                0,
                0,
                0,
                0,
            ))
        }
        v4 => v4,
    }
}

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(peer)| peer.ip());
        let forwarded_for = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok());
        Ok(ClientAddress::resolve(
            peer,
            forwarded_for,
            &state.settings.trusted_proxies,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("address")
    }

    #[test]
    fn a_direct_client_is_its_peer_whatever_it_claims() {
        let client = ClientAddress::resolve(Some(ip("203.0.113.7")), ["10.0.0.1"].into_iter(), &[]);
        assert_eq!(client, ClientAddress(Some(ip("203.0.113.7"))));
    }

    #[test]
    fn behind_a_trusted_proxy_the_last_untrusted_hop_counts() {
        let proxy = ip("127.0.0.1");
        let client = ClientAddress::resolve(
            Some(proxy),
            ["1.2.3.4, 198.51.100.9", "127.0.0.1"].into_iter(),
            &[proxy],
        );
        assert_eq!(client, ClientAddress(Some(ip("198.51.100.9"))));
    }

    #[test]
    fn a_forged_hop_the_proxy_did_not_write_is_ignored() {
        let proxy = ip("127.0.0.1");
        let client = ClientAddress::resolve(
            Some(proxy),
            ["n'importe quoi, 198.51.100.9"].into_iter(),
            &[proxy],
        );
        assert_eq!(client, ClientAddress(Some(ip("198.51.100.9"))));
        let client = ClientAddress::resolve(
            Some(proxy),
            ["198.51.100.9, pas-une-adresse"].into_iter(),
            &[proxy],
        );
        assert_eq!(client, ClientAddress(Some(proxy)));
    }

    #[test]
    fn ipv6_clients_are_counted_by_their_network_and_mapped_ipv4_as_ipv4() {
        let one = ClientAddress::resolve(Some(ip("2001:db8:1:2:aaaa::1")), std::iter::empty(), &[]);
        let other =
            ClientAddress::resolve(Some(ip("2001:db8:1:2:bbbb::9")), std::iter::empty(), &[]);
        assert_eq!(one, other);
        assert_eq!(one.label(), "2001:db8:1:2::/64");
        let mapped = ClientAddress::resolve(Some(ip("::ffff:192.0.2.1")), std::iter::empty(), &[]);
        assert_eq!(mapped, ClientAddress(Some(ip("192.0.2.1"))));
    }
}
