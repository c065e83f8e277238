//! Ports: the small traits the use cases need from the world. Each has an AWS adapter and an
//! embedded one; `tests/contract` runs one suite against both.

pub mod blobs;
pub mod clock;
pub mod mailer;
pub mod queue;
pub mod table;

pub use blobs::{BlobWriter, Blobs};
pub use clock::Clock;
pub use mailer::Mailer;
pub use queue::{Queue, QueueSender};
pub use table::Table;
