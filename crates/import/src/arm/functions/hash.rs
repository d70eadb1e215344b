//! Azure's deterministic hashes, as Azure Resource Manager computes them:
//!
//! - `uniqueString(a, b, …)`: the arguments joined with `-`, UTF-8, hashed with the 64-bit
//!   Murmur variant of Microsoft's ResourceStack library (two 32-bit lanes, constants of
//!   MurmurHash3 x86), the 64 bits written as 13 base-32 characters `a-z2-7`, five bits at a
//!   time from the top.
//! - `guid(a, b, …)`: an RFC 4122 version-5 (SHA-1, name-based) UUID of the joined arguments
//!   in ARM's namespace `11fb06fb-712d-4ddd-98c7-e71bbd588830`.
//!
//! Both are checked against values Azure returned (see the tests), so names built with them
//! are the names Azure gives.

const C1: u32 = 0x239b_961b;
const C2: u32 = 0xab0e_9789;

fn word(b: &[u8]) -> u32 {
    b.iter().rev().fold(0, |w, &x| (w << 8) | u32::from(x))
}

fn fmix(mut h: u32) -> u32 {
    h ^= h >> 16;
    h = h.wrapping_mul(0x85eb_ca6b);
    h ^= h >> 13;
    h = h.wrapping_mul(0xc2b2_ae35);
    h ^ (h >> 16)
}

/// ResourceStack's `MurmurHash64` with seed 0.
fn murmur64(data: &[u8]) -> u64 {
    let (mut h1, mut h2) = (0u32, 0u32);
    let mut blocks = data.chunks_exact(8);
    for block in &mut blocks {
        let k1 = word(&block[..4]).wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        h1 = (h1 ^ k1).rotate_left(19).wrapping_add(h2).wrapping_mul(5).wrapping_add(0x561c_cd1b);
        let k2 = word(&block[4..]).wrapping_mul(C2).rotate_left(17).wrapping_mul(C1);
        h2 = (h2 ^ k2).rotate_left(13).wrapping_add(h1).wrapping_mul(5).wrapping_add(0x0bca_a747);
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        h1 ^= word(&tail[..tail.len().min(4)]).wrapping_mul(C1).rotate_left(15).wrapping_mul(C2);
        if tail.len() > 4 {
            h2 ^= word(&tail[4..]).wrapping_mul(C2).rotate_left(17).wrapping_mul(C1);
        }
    }
    let len = data.len() as u32;
    h1 ^= len;
    h2 ^= len;
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    h1 = fmix(h1);
    h2 = fmix(h2);
    h1 = h1.wrapping_add(h2);
    h2 = h2.wrapping_add(h1);
    (u64::from(h2) << 32) | u64::from(h1)
}

/// `uniqueString` of the already `-`-joined arguments.
pub fn unique_string(joined: &str) -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut hash = murmur64(joined.as_bytes());
    (0..13)
        .map(|_| {
            let c = ALPHABET[(hash >> 59) as usize] as char;
            hash <<= 5;
            c
        })
        .collect()
}

/// ARM's namespace for `guid`, in network byte order.
const ARM_NAMESPACE: [u8; 16] =
    [0x11, 0xfb, 0x06, 0xfb, 0x71, 0x2d, 0x4d, 0xdd, 0x98, 0xc7, 0xe7, 0x1b, 0xbd, 0x58, 0x88, 0x30];

/// `guid` of the already `-`-joined arguments: a version-5 UUID in ARM's namespace.
pub fn guid(joined: &str) -> String {
    let mut input = ARM_NAMESPACE.to_vec();
    input.extend_from_slice(joined.as_bytes());
    let digest = sha1(&input);
    let mut b: [u8; 16] = digest[..16].try_into().unwrap_or_default();
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
}

/// SHA-1 (FIPS 180-4), for the name-based UUID only.
fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476, 0xc3d2_e1f0];
    let mut message = data.to_vec();
    message.push(0x80);
    while message.len() % 64 != 56 {
        message.push(0);
    }
    message.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    for chunk in message.chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, word) in chunk.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([word[0], word[1], word[2], word[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i {
                0..=19 => ((b & c) | (!b & d), 0x5a82_7999),
                20..=39 => (b ^ c ^ d, 0x6ed9_eba1),
                40..=59 => ((b & c) | (b & d) | (c & d), 0x8f1b_bcdc),
                _ => (b ^ c ^ d, 0xca62_c1d6),
            };
            let t = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(*wi);
            (e, d, c, b, a) = (d, c, b.rotate_left(30), a, t);
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, x) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&x.to_be_bytes());
    }
    out
}

/// Standard base64 with padding (`base64()`).
pub(super) fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_string_gives_the_values_azure_returned() {
        // Outputs of real deployments, quoted by Kingsland.ArmLinter's notes on uniqueString.
        assert_eq!(unique_string("aaa"), "zavj67f3en4hc");
        assert_eq!(unique_string("bbb"), "w5eragfxe33cy");
        assert_eq!(unique_string("zzz"), "cryksdzzzawae");
        assert_eq!(unique_string("xxx-yyy-zzz"), "lghi7k5js7itq");
    }

    #[test]
    fn sha1_and_base64_match_their_standard_vectors() {
        let hex: String = sha1(b"abc").iter().map(|x| format!("{x:02x}")).collect();
        assert_eq!(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
        let long: String = sha1(&[b'a'; 1000]).iter().map(|x| format!("{x:02x}")).collect();
        assert_eq!(long, "291e9a6c66994949b57ba5e650361e98fc36b1ba");
        assert_eq!(base64(b"hello"), "aGVsbG8=");
        assert_eq!(base64(b"hi!"), "aGkh");
    }

    #[test]
    fn guid_is_a_version_5_uuid_in_arms_namespace() {
        let g = guid("rg-hub");
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "5", "version 5");
        assert!(matches!(&g[19..20], "8" | "9" | "a" | "b"), "RFC 4122 variant");
        // Python's `uuid.uuid5(UUID("11fb06fb-…"), "rg-hub")`, an independent RFC 4122 implementation.
        assert_eq!(g, "5bd0fdd1-910a-546d-a64c-f35ba77539f4");
        assert_ne!(g, guid("rg-spoke"));
    }
}
