//! Salesforce record ids: a three-character key prefix naming the object, twelve more characters,
//! and the three-character suffix that makes the 18-character form safe for case-insensitive
//! systems. Clients compare the 18-character form, so the simulator must issue it exactly.

/// Key prefixes of the objects the simulator serves.
pub mod prefix {
    pub const LEAD: &str = "00Q";
    pub const CONTACT: &str = "003";
    pub const EVENT: &str = "00U";
    pub const USER: &str = "005";
    pub const ORG: &str = "00D";
}

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const SUFFIX: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// The 18-character id for `prefix` (three characters) and a sequence number.
pub fn id18(prefix: &str, sequence: u64) -> String {
    let mut body = [b'0'; 12];
    let mut n = sequence;
    for slot in body.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    let mut id = String::with_capacity(18);
    id.push_str(prefix);
    id.extend(body.iter().map(|b| char::from(*b)));
    let suffix = checksum(id.as_bytes());
    id.extend(suffix.iter().map(|b| char::from(*b)));
    id
}

/// The three suffix characters of a 15-character id: per five-character chunk, a bit per
/// uppercase letter (lowest bit first), looked up in `A–Z0–5`.
pub fn checksum(id15: &[u8]) -> [u8; 3] {
    let mut out = [b'A'; 3];
    for (chunk, slot) in id15.chunks(5).take(3).zip(out.iter_mut()) {
        let bits = chunk
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_ascii_uppercase())
            .fold(0usize, |acc, (i, _)| acc | (1 << i));
        *slot = SUFFIX[bits];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_salesforce_id_gets_its_known_suffix() {
        // A documented pair: 001A0000006Vm9r → 001A0000006Vm9rIAC.
        assert_eq!(&checksum(b"001A0000006Vm9r"), b"IAC");
    }

    #[test]
    fn ids_are_18_characters_with_the_prefix_and_unique() {
        let a = id18(prefix::LEAD, 1);
        let b = id18(prefix::LEAD, 62 * 62 + 7);
        assert_eq!(a.len(), 18);
        assert!(a.starts_with("00Q"));
        assert_ne!(a, b);
        assert_eq!(&checksum(&a.as_bytes()[..15]), &a.as_bytes()[15..]);
    }
}
