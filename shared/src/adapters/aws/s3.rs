//! The blob port on S3.

use crate::ports::blobs::*;
use async_trait::async_trait;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;

#[derive(Clone)]
pub struct S3Blobs {
    client: Client,
    bucket: String,
}

fn map_err<E: ProvideErrorMetadata>(key: &str, e: E) -> BlobError {
    match e.code() {
        Some("NoSuchKey") | Some("NotFound") | Some("404") => BlobError::NotFound(key.into()),
        c => BlobError::Unavailable(format!("{}: {}", c.unwrap_or("?"), e.message().unwrap_or(""))),
    }
}

impl S3Blobs {
    /// The object, or the byte range of it, read to the end.
    async fn fetch(&self, key: &str, range: Option<String>) -> Result<Vec<u8>, BlobError> {
        let out = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .set_range(range)
            .send()
            .await
            .map_err(|e| map_err(key, e))?;
        let data = out
            .body
            .collect()
            .await
            .map_err(|e| BlobError::Unavailable(e.to_string()))?;
        Ok(data.into_bytes().to_vec())
    }

    pub fn new(config: &aws_types::SdkConfig, bucket: impl Into<String>) -> S3Blobs {
        let conf = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(super::uses_custom_endpoint())
            .build();
        S3Blobs {
            client: Client::from_conf(conf),
            bucket: bucket.into(),
        }
    }

    pub async fn ensure_bucket(&self) -> Result<(), BlobError> {
        if self.client.head_bucket().bucket(&self.bucket).send().await.is_ok() {
            return Ok(());
        }
        // outside us-east-1, S3 wants the bucket's region stated
        let region = self.client.config().region().map(|r| r.to_string()).unwrap_or_default();
        let location = (!region.is_empty() && region != "us-east-1").then(|| {
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(region.as_str()))
                .build()
        });
        self.client
            .create_bucket()
            .bucket(&self.bucket)
            .set_create_bucket_configuration(location)
            .send()
            .await
            .map_err(|e| map_err(&self.bucket, e))?;
        Ok(())
    }
}

#[async_trait]
impl BlobWriter for S3Blobs {
    async fn put(&self, key: &str, bytes: Vec<u8>, content_type: &str) -> Result<(), BlobError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(bytes))
            .send()
            .await
            .map_err(|e| map_err(key, e))?;
        Ok(())
    }
}

#[async_trait]
impl Blobs for S3Blobs {
    async fn get(&self, key: &str) -> Result<Vec<u8>, BlobError> {
        self.fetch(key, None).await
    }

    async fn get_range(&self, key: &str, start: u64, end: u64) -> Result<Vec<u8>, BlobError> {
        if start >= end {
            return Ok(vec![]);
        }
        // One GET: S3 clips a range past the end itself and answers a start past it with
        // InvalidRange (416), which is an empty read here.
        match self.fetch(key, Some(format!("bytes={start}-{}", end - 1))).await {
            Err(BlobError::Unavailable(m)) if m.starts_with("InvalidRange") => Ok(vec![]),
            other => other,
        }
    }

    async fn size(&self, key: &str) -> Result<u64, BlobError> {
        let out = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| map_err(key, e))?;
        Ok(out.content_length.unwrap_or(0).max(0) as u64)
    }

    async fn compose(&self, key: &str, sources: &[String], content_type: &str) -> Result<(), BlobError> {
        use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
        let mut buffer = Vec::new();
        let mut upload: Option<String> = None;
        let mut parts = Vec::new();
        for (i, source) in sources.iter().enumerate() {
            buffer.extend(self.get(source).await?);
            let last = i + 1 == sources.len();
            // small results are one PUT; larger ones go up in parts of at least 5 MB
            if buffer.len() < MIN_PART_BYTES && !(last && upload.is_some()) {
                continue;
            }
            let id = match &upload {
                Some(id) => id.clone(),
                None => {
                    let created = self
                        .client
                        .create_multipart_upload()
                        .bucket(&self.bucket)
                        .key(key)
                        .content_type(content_type)
                        .send()
                        .await
                        .map_err(|e| map_err(key, e))?;
                    let id = created
                        .upload_id
                        .ok_or_else(|| BlobError::Unavailable("no upload id".into()))?;
                    upload = Some(id.clone());
                    id
                }
            };
            let number = parts.len() as i32 + 1;
            let sent = self
                .client
                .upload_part()
                .bucket(&self.bucket)
                .key(key)
                .upload_id(&id)
                .part_number(number)
                .body(ByteStream::from(std::mem::take(&mut buffer)))
                .send()
                .await
                .map_err(|e| map_err(key, e))?;
            parts.push(
                CompletedPart::builder()
                    .part_number(number)
                    .set_e_tag(sent.e_tag)
                    .build(),
            );
        }
        match upload {
            None => self.put(key, buffer, content_type).await,
            Some(id) => {
                self.client
                    .complete_multipart_upload()
                    .bucket(&self.bucket)
                    .key(key)
                    .upload_id(&id)
                    .multipart_upload(CompletedMultipartUpload::builder().set_parts(Some(parts)).build())
                    .send()
                    .await
                    .map_err(|e| map_err(key, e))?;
                Ok(())
            }
        }
    }
}
