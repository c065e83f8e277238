//! An object store (S3): whole-object put/get and byte ranges for streaming large files.

use async_trait::async_trait;

#[derive(Debug, thiserror::Error)]
pub enum BlobError {
    #[error("no object {0}")]
    NotFound(String),
    #[error("invalid key {0}")]
    InvalidKey(String),
    #[error("blob store unavailable: {0}")]
    Unavailable(String),
}

/// Storing whole objects: all a function that only keeps documents holds. Apart from the rest
/// of [`Blobs`] so that such a function's binary links the store's put alone (an
/// `Arc<dyn BlobWriter>`'s vtable names nothing else: the S3 client's get, head and multipart
/// operations are left out of the proposals function).
#[async_trait]
pub trait BlobWriter: Send + Sync {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError>;
}

#[async_trait]
pub trait Blobs: BlobWriter {
    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError>;
    /// Bytes `start..end` (end exclusive, clipped to the object's size).
    async fn get_range(&self, key: &str, start: u64, end: u64) -> Result<Vec<u8>, BlobError>;
    async fn size(&self, key: &str) -> Result<u64, BlobError>;
    /// Writes `key` as the concatenation of `sources`, in order, holding at most about one
    /// multipart part in memory (S3: a multipart upload of ≥ 5 MB parts).
    async fn compose(&self, key: &str, sources: &[String], content_type: &str) -> Result<(), BlobError>;
}

/// S3's smallest part but the last; the S3 adapter uploads parts of at least this size.
pub const MIN_PART_BYTES: usize = 5 * 1024 * 1024;
