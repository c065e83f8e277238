//! Free text from outside — names, notes, reasons, ids — read one way everywhere: trimmed,
//! empty means absent, too long is an error (never cut), and characters that hide or reorder
//! what a person reads (control characters, bidirectional overrides, zero-width characters)
//! are refused. Only multi-line fields (messages, notes) may hold line breaks and tabs.

use crate::domain::field::FieldError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lines {
    /// names, titles, ids, reasons: one line
    Single,
    /// messages and notes: line breaks and tabs allowed
    Multi,
}

/// Characters that change how text reads without being visible.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
        | '\u{202A}'..='\u{202E}' // bidirectional embeddings and overrides
        | '\u{2060}'..='\u{2064}' // word joiner, invisible operators
        | '\u{2066}'..='\u{2069}' // bidirectional isolates
        | '\u{061C}'              // Arabic letter mark
        | '\u{FEFF}'              // zero-width no-break space (BOM)
    )
}

/// Whether `c` may appear in a field of this kind.
pub fn allowed(c: char, lines: Lines) -> bool {
    if c.is_control() {
        return lines == Lines::Multi && matches!(c, '\n' | '\r' | '\t');
    }
    !is_invisible(c)
}

fn error(field: &str, message: String) -> FieldError {
    FieldError {
        field: field.into(),
        message,
    }
}

/// The problem with a text value, if any (the value as given, before trimming).
pub fn problem(value: &str, max_chars: usize, lines: Lines) -> Option<String> {
    let t = value.trim();
    if t.chars().count() > max_chars {
        return Some(format!("must be at most {max_chars} characters"));
    }
    if !t.chars().all(|c| allowed(c, lines)) {
        return Some(match lines {
            Lines::Single => "must be one line without control or invisible characters".into(),
            Lines::Multi => "must not contain control or invisible characters".into(),
        });
    }
    None
}

/// A display value from a spreadsheet (a name, a title, a company) on one line: line breaks,
/// tabs and runs of spaces become single spaces. Only whitespace is changed: control,
/// bidirectional and zero-width characters are left for the field's check to refuse.
pub fn one_line(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An optional text field: `Ok(None)` when absent or blank.
pub fn optional(
    field: &str,
    value: Option<&str>,
    max_chars: usize,
    lines: Lines,
) -> Result<Option<String>, FieldError> {
    match value {
        None => Ok(None),
        Some(v) => match problem(v, max_chars, lines) {
            Some(m) => Err(error(field, m)),
            None => Ok(Some(v.trim().to_string()).filter(|s| !s.is_empty())),
        },
    }
}

/// A required text field.
pub fn required(field: &str, value: Option<&str>, max_chars: usize, lines: Lines) -> Result<String, FieldError> {
    optional(field, value, max_chars, lines)?.ok_or_else(|| error(field, "is required".into()))
}

/// Collects the error into `errors` and returns the value (or nothing) — for validators that
/// report every problem at once.
pub fn collect<T>(result: Result<T, FieldError>, errors: &mut Vec<FieldError>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e) => {
            errors.push(e);
            None
        }
    }
}

pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_characters_are_refused_and_nothing_is_cut() {
        for bad in ["a\0b", "a\u{202E}b", "a\u{200B}b", "a\u{FEFF}", "x\u{7F}", "a\u{85}b"] {
            assert!(problem(bad, 100, Lines::Multi).is_some(), "{bad:?}");
        }
        assert!(problem("two\r\nlines", 100, Lines::Single).is_some());
        assert_eq!(one_line(" Head of\r\nFinance\t(APAC)  "), "Head of Finance (APAC)");
        assert!(
            problem(&one_line("Pri\u{200B}ya\nRao"), 100, Lines::Single).is_some(),
            "invisible stays refused"
        );
        assert!(problem("two\r\nlines\tand a tab", 100, Lines::Multi).is_none());
        assert!(problem("प्रिया 🚀 <b>", 100, Lines::Single).is_none());
        assert_eq!(
            problem(&"x".repeat(201), 200, Lines::Single).as_deref(),
            Some("must be at most 200 characters")
        );
        assert_eq!(optional("f", Some("  "), 10, Lines::Single), Ok(None));
        assert_eq!(
            required("f", Some("  "), 10, Lines::Single).unwrap_err().message,
            "is required"
        );
        assert_eq!(
            required("f", Some(&"x".repeat(60_000)), 200, Lines::Single)
                .unwrap_err()
                .message,
            "must be at most 200 characters"
        );
    }
}
