//! Indian tax identifiers, checked as the Income Tax Department and GSTN define them: the PAN
//! (five letters, four digits, a letter; the fourth letter says who holds it) and the GSTIN (a
//! state code, the holder's PAN, an entity number, `Z`, and a check character computed over
//! the first fourteen in base 36).

/// The PAN's fourth letter: the kind of holder (C company, P person, H HUF, F firm, A AOP,
/// T trust, B BOI, L local authority, J artificial juridical person, G government, E LLP).
pub const PAN_HOLDER_TYPES: &str = "ABCEFGHJLPT";

/// `Ok(PAN)` upper-cased, or why it is not one.
pub fn pan(text: &str) -> Result<String, String> {
    let p = text.trim().to_ascii_uppercase();
    let b = p.as_bytes();
    let shape = b.len() == 10
        && b[..5].iter().all(u8::is_ascii_uppercase)
        && b[5..9].iter().all(u8::is_ascii_digit)
        && b[9].is_ascii_uppercase();
    if !shape {
        return Err("must be five letters, four digits and a letter (e.g. AAPCK1234L)".into());
    }
    if !PAN_HOLDER_TYPES.as_bytes().contains(&b[3]) {
        return Err(format!(
            "its fourth letter ({}) is not a holder type ({PAN_HOLDER_TYPES})",
            b[3] as char
        ));
    }
    Ok(p)
}

const BASE36: &[u8; 36] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

fn base36(c: u8) -> Option<u32> {
    BASE36.iter().position(|x| *x == c).map(|i| i as u32)
}

/// The GSTIN check character of its first fourteen characters.
pub fn gstin_check_char(first14: &str) -> Option<char> {
    let mut sum = 0u32;
    for (i, c) in first14.bytes().enumerate() {
        let factor = if i % 2 == 0 { 1 } else { 2 };
        let product = base36(c)? * factor;
        sum += product / 36 + product % 36;
    }
    let check = (36 - sum % 36) % 36;
    Some(BASE36[check as usize] as char)
}

/// A checked GSTIN: upper-cased, with its state code and embedded PAN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gstin {
    pub gstin: String,
    /// `01`…`38` (and `97` other territory, `99` centre jurisdiction)
    pub state_code: String,
    pub pan: String,
}

pub fn gstin(text: &str) -> Result<Gstin, String> {
    let g = text.trim().to_ascii_uppercase();
    if g.len() != 15 || !g.bytes().all(|c| c.is_ascii_alphanumeric()) {
        return Err("must be 15 letters and digits".into());
    }
    let state: u32 = g[..2].parse().map_err(|_| "must start with a two-digit state code")?;
    if !((1..=38).contains(&state) || state == 97 || state == 99) {
        return Err(format!("{:02} is not a state code", state));
    }
    let embedded = pan(&g[2..12]).map_err(|e| format!("characters 3–12 must be the holder's PAN: {e}"))?;
    if g.as_bytes()[13] != b'Z' {
        return Err("its 14th character must be Z".into());
    }
    match gstin_check_char(&g[..14]) {
        Some(c) if g.ends_with(c) => Ok(Gstin {
            state_code: g[..2].to_string(),
            pan: embedded,
            gstin: g,
        }),
        _ => Err("its check character is wrong (a typing error?)".into()),
    }
}

/// `Ok(IFSC)` upper-cased: four letters (the bank), `0`, six letters or digits (the branch).
pub fn ifsc(text: &str) -> Result<String, String> {
    let v = text.trim().to_ascii_uppercase();
    let b = v.as_bytes();
    let ok = b.len() == 11
        && b[..4].iter().all(u8::is_ascii_uppercase)
        && b[4] == b'0'
        && b[5..].iter().all(u8::is_ascii_alphanumeric);
    if ok {
        Ok(v)
    } else {
        Err("must be 4 letters, 0, then 6 letters or digits (e.g. HDFC0001234)".into())
    }
}

/// `Ok(account number)`: 9 to 18 digits.
pub fn bank_account(text: &str) -> Result<String, String> {
    let v: String = text.trim().chars().filter(|c| *c != ' ').collect();
    if (9..=18).contains(&v.len()) && v.bytes().all(|c| c.is_ascii_digit()) {
        Ok(v)
    } else {
        Err("must be 9 to 18 digits".into())
    }
}

/// Shows only the last `keep` characters: `XXXXXX1234`.
pub fn mask(value: &str, keep: usize) -> String {
    let n = value.chars().count();
    value
        .chars()
        .enumerate()
        .map(|(i, c)| if i + keep < n { 'X' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bank_details_are_shaped_and_masked() {
        assert_eq!(ifsc(" hdfc0001234 ").as_deref(), Ok("HDFC0001234"));
        assert!(ifsc("HDFC1001234").is_err() && ifsc("HDF00001234").is_err());
        assert_eq!(bank_account("5010 0123 4567 89").as_deref(), Ok("50100123456789"));
        assert!(bank_account("12345678").is_err() && bank_account("12345678901234567a").is_err());
        assert_eq!(mask("50100123456789", 4), "XXXXXXXXXX6789");
        assert_eq!(mask("AAPCK1234L", 4), "XXXXXX234L");
    }

    #[test]
    fn pans_are_shaped_and_typed() {
        assert_eq!(pan(" aapck1234l ").as_deref(), Ok("AAPCK1234L"));
        assert!(pan("AAPCK1234").is_err());
        assert!(pan("AAP1K1234L").is_err());
        assert!(pan("AAPXK1234L").is_err_and(|e| e.contains("holder type")));
    }

    #[test]
    fn gstins_carry_a_state_a_pan_and_a_check_character() {
        // a GSTIN whose check character is computed here, then one typing error away
        let first14 = "27AAPCK1234L1Z";
        let check = gstin_check_char(first14).expect("check");
        let good = format!("{first14}{check}");
        let g = gstin(&good.to_lowercase()).expect("valid");
        assert_eq!((g.state_code.as_str(), g.pan.as_str()), ("27", "AAPCK1234L"));
        let typo = format!("27AAPCK1243L1Z{check}");
        assert!(gstin(&typo).is_err_and(|e| e.contains("check character")));
        assert!(gstin("29AAPCK1234L1Y5").is_err());
        assert!(gstin(&format!("45AAPCK1234L1Z{check}")).is_err_and(|e| e.contains("state code")));
        // a published example (GSTN's own documentation format): 27AAPFU0939F1ZV
        assert!(gstin("27AAPFU0939F1ZV").is_ok());
    }
}
