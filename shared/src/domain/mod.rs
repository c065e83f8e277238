//! Pure domain rules: no I/O, no async, no SDK types; the clock is always passed in.

pub mod audit;
pub mod billing;
pub mod catalogue;
pub mod categorise;
pub mod commission;
pub mod company_domain;
pub mod lead;
pub mod ledger;
pub mod money;
pub mod payout;
pub mod pipeline;
pub mod prospects;
pub mod quote;
pub mod referral;
pub mod region;
pub mod registration;
pub mod renewal;
pub mod reseller;
pub mod routing;
pub mod scoring;
pub mod sequence;
pub mod sla;
pub mod stage;
pub mod support;
pub mod text;
pub mod token;
