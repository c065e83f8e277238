//! Objects as files under a folder, keyed like S3 (`prospects/spring/list.csv`).

use crate::ports::blobs::*;
use async_trait::async_trait;
use std::path::{Component, Path, PathBuf};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

pub struct DiskBlobs {
    root: PathBuf,
}

impl DiskBlobs {
    pub fn open(root: PathBuf) -> std::io::Result<DiskBlobs> {
        std::fs::create_dir_all(&root)?;
        Ok(DiskBlobs { root })
    }

    fn path(&self, key: &str) -> Result<PathBuf, BlobError> {
        let rel = Path::new(key);
        let safe =
            !key.is_empty() && !key.ends_with('/') && rel.components().all(|c| matches!(c, Component::Normal(_)));
        if !safe {
            return Err(BlobError::InvalidKey(key.into()));
        }
        Ok(self.root.join(rel))
    }
}

fn io_err(key: &str, e: std::io::Error) -> BlobError {
    if e.kind() == std::io::ErrorKind::NotFound {
        BlobError::NotFound(key.into())
    } else {
        BlobError::Unavailable(e.to_string())
    }
}

#[async_trait]
impl BlobWriter for DiskBlobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, _content_type: &str) -> Result<(), BlobError> {
        let path = self.path(key)?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(|e| io_err(key, e))?;
        }
        // write then rename, so a reader never sees half an object
        let tmp = path.with_extension("part~");
        tokio::fs::write(&tmp, bytes).await.map_err(|e| io_err(key, e))?;
        tokio::fs::rename(&tmp, &path).await.map_err(|e| io_err(key, e))
    }
}

#[async_trait]
impl Blobs for DiskBlobs {
    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        tokio::fs::read(self.path(key)?).await.map_err(|e| io_err(key, e))
    }

    async fn get_range(&self, key: &str, start: u64, end: u64) -> Result<Vec<u8>, BlobError> {
        let mut f = tokio::fs::File::open(self.path(key)?)
            .await
            .map_err(|e| io_err(key, e))?;
        let size = f.metadata().await.map_err(|e| io_err(key, e))?.len();
        let end = end.min(size);
        if start >= end {
            return Ok(vec![]);
        }
        f.seek(std::io::SeekFrom::Start(start))
            .await
            .map_err(|e| io_err(key, e))?;
        let mut buf = vec![0u8; (end - start) as usize];
        f.read_exact(&mut buf).await.map_err(|e| io_err(key, e))?;
        Ok(buf)
    }

    async fn size(&self, key: &str) -> Result<u64, BlobError> {
        let meta = tokio::fs::metadata(self.path(key)?).await.map_err(|e| io_err(key, e))?;
        Ok(meta.len())
    }

    async fn compose(&self, key: &str, sources: &[String], _content_type: &str) -> Result<(), BlobError> {
        let path = self.path(key)?;
        if let Some(parent) = path.parent() {
            tokio::fs::create_dir_all(parent).await.map_err(|e| io_err(key, e))?;
        }
        let tmp = path.with_extension("part~");
        let mut out = tokio::fs::File::create(&tmp).await.map_err(|e| io_err(key, e))?;
        for source in sources {
            let mut f = tokio::fs::File::open(self.path(source)?)
                .await
                .map_err(|e| io_err(source, e))?;
            tokio::io::copy(&mut f, &mut out).await.map_err(|e| io_err(key, e))?;
        }
        out.sync_all().await.map_err(|e| io_err(key, e))?;
        tokio::fs::rename(&tmp, &path).await.map_err(|e| io_err(key, e))
    }
}
