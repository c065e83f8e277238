//! Signed tokens for tracking and unsubscribe links: `base64url(payload).hex(HMAC)`. A token
//! with any character changed does not verify, and names nothing.

use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

fn mac(secret: &str, payload: &[u8]) -> Vec<u8> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    m.update(payload);
    m.finalize().into_bytes()[..16].to_vec()
}

pub fn sign(secret: &str, payload: &str) -> String {
    let b = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload.as_bytes());
    format!("{b}.{}", hex::encode(mac(secret, payload.as_bytes())))
}

/// The payload, if the token is intact under any of `secrets` (a rotated secret's old value
/// keeps its links working).
pub fn verify(secrets: &[String], token: &str) -> Option<String> {
    secrets.iter().find_map(|s| verify_one(s, token))
}

fn verify_one(secret: &str, token: &str) -> Option<String> {
    let (b, sig) = token.split_once('.')?;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(b).ok()?;
    let given = hex::decode(sig).ok()?;
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).ok()?;
    m.update(&payload);
    m.verify_truncated_left(&given).ok()?;
    if given.len() != 16 {
        return None;
    }
    String::from_utf8(payload).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_tampering_fails() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let t = sign("s", "c|LEAD1|STEP#nurture#0|0");
        assert_eq!(verify(&s(&["s"]), &t).as_deref(), Some("c|LEAD1|STEP#nurture#0|0"));
        assert_eq!(verify(&s(&["other"]), &t), None);
        // rotation: the new secret first, the old one still accepted
        assert_eq!(
            verify(&s(&["new", "s"]), &t).as_deref(),
            Some("c|LEAD1|STEP#nurture#0|0")
        );
        assert_eq!(verify(&[], &t), None);
        for i in 0..t.len() {
            let mut chars: Vec<char> = t.chars().collect();
            chars[i] = if chars[i] == 'a' { 'b' } else { 'a' };
            let tampered: String = chars.into_iter().collect();
            if tampered != t {
                assert_eq!(verify(&s(&["s"]), &tampered), None, "changed at {i}");
            }
        }
        assert_eq!(verify(&s(&["s"]), "garbage"), None);
    }
}
