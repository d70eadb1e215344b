//! What a connection achieved, defined once for every command (docs/scenario-format.md,
//! "Works, one-way, denied"): a connection **works** when its request arrives and its reply
//! returns; it is **one-way** when the request arrives and the reply does not; otherwise it is
//! **denied**. Data can leave on a one-way path as soon as the request arrives with data in it:
//! any connectionless request (UDP, ICMP, ESP, AH), but not a TCP one, whose data waits for
//! the handshake the lost reply never completes.

use crate::trace::Disposition;
use vnetsim_model::Protocol;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Completion {
    Works,
    /// The request arrives; its reply is dropped on the way back.
    OneWay,
    Denied,
}

impl Completion {
    pub fn of(request: Disposition, reply: Option<Disposition>) -> Completion {
        match (request.is_delivered(), reply.is_some_and(Disposition::is_delivered)) {
            (true, true) => Completion::Works,
            (true, false) => Completion::OneWay,
            (false, _) => Completion::Denied,
        }
    }

    /// Whether data reaches the destination (see the module docs).
    pub fn carries_data(self, protocol: Protocol) -> bool {
        match self {
            Completion::Works => true,
            Completion::OneWay => protocol != Protocol::Tcp,
            Completion::Denied => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_way_paths_carry_data_only_without_a_handshake() {
        let (ok, drop) = (Disposition::Delivered, Disposition::AsymmetricDrop);
        assert_eq!(Completion::of(ok, Some(ok)), Completion::Works);
        assert_eq!(Completion::of(ok, Some(drop)), Completion::OneWay);
        assert_eq!(Completion::of(ok, None), Completion::OneWay);
        assert_eq!(Completion::of(Disposition::DeniedByNsg, None), Completion::Denied);
        assert!(Completion::OneWay.carries_data(Protocol::Udp));
        assert!(Completion::OneWay.carries_data(Protocol::Icmp));
        assert!(!Completion::OneWay.carries_data(Protocol::Tcp));
        assert!(Completion::Works.carries_data(Protocol::Tcp));
        assert!(!Completion::Denied.carries_data(Protocol::Udp));
    }
}
