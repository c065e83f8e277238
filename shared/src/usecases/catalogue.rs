//! The product catalogue: an admin adds and replaces products; everyone signed in reads them.

use crate::domain::catalogue::Product;
use crate::ports::table::{Index, Query, StoreError, Table};
use crate::repo;

#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("product {0} already exists; PUT /products/{0} replaces it")]
    Exists(String),
    #[error("no product {0}")]
    Unknown(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Adds a product; its SKU must be new.
pub async fn create(table: &dyn Table, product: Product) -> Result<Product, CatalogueError> {
    match table.transact(vec![repo::put_new(repo::item(&product)?)]).await {
        Ok(()) => Ok(product),
        Err(e) if e.is_conflict() => Err(CatalogueError::Exists(product.sku)),
        Err(e) => Err(e.into()),
    }
}

/// Replaces an existing product (its creation time stays), on the version read.
pub async fn replace(table: &dyn Table, mut product: Product) -> Result<Product, CatalogueError> {
    let current: Product = repo::get_record(table, &repo::product_key(&product.sku))
        .await?
        .ok_or_else(|| CatalogueError::Unknown(product.sku.clone()))?;
    product.created_at = current.created_at;
    product.version = repo::version_after(Some(&current));
    table
        .transact(vec![repo::put_if_version(repo::item(&product)?, current.version)])
        .await?;
    Ok(product)
}

pub async fn get(table: &dyn Table, sku: &str) -> Result<Option<Product>, StoreError> {
    repo::get_record(table, &repo::product_key(sku)).await
}

/// Every product, by SKU.
pub async fn list(table: &dyn Table) -> Result<Vec<Product>, StoreError> {
    repo::query_all(table, Query::new(repo::PRODUCTS_INDEX_PK).index(Index::Gsi1))
        .await?
        .into_iter()
        .map(repo::record)
        .collect()
}
