//! The names a field-less enum goes by on the wire, written once per enum.
//!
//! `wire_names!(Severity { S1 = "s1", … })` gives the enum `ALL` (every value, in the order
//! written), `as_str`, `parse` (trimmed and case-insensitive, with any extra spellings after
//! `|`) and `Display`. The enum's serde names are the same words; each enum's `serde_agrees`
//! (run by the test below for every enum) fails when they drift apart.

macro_rules! wire_names {
    ($ty:ident { $($variant:ident = $name:literal $(| $alias:literal)*),+ $(,)? }) => {
        impl $ty {
            /// Every value, in the order its names are listed.
            pub const ALL: [$ty; [$($name),+].len()] = [$($ty::$variant),+];

            /// Its name on the wire (the serde name).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $name),+
                }
            }

            /// The value a name (or an accepted spelling) stands for, whatever its case and
            /// surrounding spaces.
            pub fn parse(s: &str) -> Option<$ty> {
                let s = s.trim();
                $(
                    if s.eq_ignore_ascii_case($name) $(|| s.eq_ignore_ascii_case($alias))* {
                        return Some($ty::$variant);
                    }
                )+
                None
            }

            /// Panics unless serde writes and reads every value by its `as_str` name.
            #[cfg(test)]
            pub(crate) fn serde_agrees() {
                for v in $ty::ALL {
                    let name = serde_json::Value::String(v.as_str().to_string());
                    assert_eq!(serde_json::to_value(v).ok(), Some(name.clone()), "{}", stringify!($ty));
                    assert_eq!(serde_json::from_value::<$ty>(name).ok(), Some(v), "{}", stringify!($ty));
                    assert_eq!($ty::parse(&v.as_str().to_uppercase()), Some(v));
                }
            }
        }

        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use wire_names;

#[cfg(test)]
mod tests {
    use crate::domain::application::ApplicationStatus;
    use crate::domain::catalogue::ProductKind;
    use crate::domain::commission::{Component, PaymentKind};
    use crate::domain::forecast::PartKind;
    use crate::domain::ledger::EntrySource;
    use crate::domain::people::Role;
    use crate::domain::pipeline::LostReason;
    use crate::domain::quote::QuoteStatus;
    use crate::domain::reseller::{ResellerStatus, Tier};
    use crate::domain::scoring::Band;
    use crate::domain::support::{CoSellKind, CoSellStatus, Severity};

    #[test]
    fn every_enum_is_named_on_the_wire_as_serde_names_it() {
        ApplicationStatus::serde_agrees();
        ProductKind::serde_agrees();
        PaymentKind::serde_agrees();
        Role::serde_agrees();
        LostReason::serde_agrees();
        QuoteStatus::serde_agrees();
        ResellerStatus::serde_agrees();
        Tier::serde_agrees();
        Band::serde_agrees();
        CoSellKind::serde_agrees();
        CoSellStatus::serde_agrees();
        Severity::serde_agrees();
        Component::serde_agrees();
        EntrySource::serde_agrees();
        PartKind::serde_agrees();
    }

    #[test]
    fn names_parse_trimmed_in_any_case_with_their_other_spellings() {
        assert_eq!(ProductKind::parse(" License "), Some(ProductKind::Licence));
        assert_eq!(ResellerStatus::parse("approved"), Some(ResellerStatus::Active));
        assert_eq!(LostReason::parse("No_Budget"), Some(LostReason::NoBudget));
        assert_eq!(Role::parse("programme admin"), None);
        assert_eq!(QuoteStatus::parse(""), None);
        assert_eq!(Tier::ALL.len(), 4);
        assert_eq!(Severity::S2.to_string(), "s2");
    }
}
