//! In-process adapters for the local stack and fast tests, persisted under a data folder.

pub mod blobs;
pub mod mailer;
pub mod queue;
pub mod table;

pub use blobs::DiskBlobs;
pub use mailer::{OutboxMailer, SentMail};
pub use queue::EmbeddedQueue;
pub use table::EmbeddedTable;
