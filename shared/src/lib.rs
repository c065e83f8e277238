//! The reseller partner platform's library: domain rules, ports, adapters, use cases and the
//! HTTP/SQS entry points every Lambda (and the local stack) wires up.

pub mod access;
pub mod adapters;
pub mod charts;
pub mod config;
pub mod csv_out;
pub mod csv_stream;
pub mod domain;
pub mod events;
pub mod handlers;
pub mod ids;
pub mod mail;
pub mod payout_docs;
pub mod policy;
pub mod ports;
pub mod proposal;
pub mod repo;
pub mod runtime;
pub mod usecases;
pub mod wiring;
