//! `POST /products`, `PUT /products/{sku}` (admin) and `GET /products` (admin or any reseller).

use super::*;
use crate::domain::catalogue::{validate_product, Product, ProductIn};
use crate::usecases::catalogue::{self as catalogue_uc, CatalogueError};

const MAX_PRODUCT_BODY: usize = 16 * 1024;

impl From<CatalogueError> for ApiError {
    fn from(e: CatalogueError) -> ApiError {
        match e {
            CatalogueError::Exists(_) => ApiError::Conflict(e.to_string()),
            CatalogueError::Unknown(_) => ApiError::NotFound(e.to_string()),
            CatalogueError::Store(s) => ApiError::from(s),
        }
    }
}

/// The catalogue.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(super) struct ProductList {
    products: Vec<Product>,
}

/// Adds a product to the catalogue.
#[utoipa::path(post, path = "/products", tag = "catalogue",
    request_body = ProductIn,
    security(("admin_key" = [])),
    responses((status = 201, description = "added", body = Product),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 409, description = "the SKU exists", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody)))]
pub(super) async fn post_product(
    State(api): State<Arc<LeadApi>>,
    _: Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let input: ProductIn = json_body(&headers, body, MAX_PRODUCT_BODY).await?;
    let product = validate_product(&input, &api.config.limits, api.clock.now()).map_err(ApiError::Invalid)?;
    let created = catalogue_uc::create(api.table.as_ref(), product).await?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// Replaces a product (price changes, deactivation); quotes already made keep their prices.
#[utoipa::path(put, path = "/products/{sku}", tag = "catalogue",
    params(("sku" = String, Path, description = "the product's SKU")),
    request_body = ProductIn,
    security(("admin_key" = [])),
    responses((status = 200, description = "replaced", body = Product),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 404, description = "no such product", body = ErrorBody),
        (status = 409, description = "changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields (or a body naming another SKU)", body = ErrorBody)))]
pub(super) async fn put_product(
    State(api): State<Arc<LeadApi>>,
    _: Caller,
    headers: HeaderMap,
    Path(sku): Path<String>,
    body: Body,
) -> Result<Json<Product>, ApiError> {
    let mut input: ProductIn = json_body(&headers, body, MAX_PRODUCT_BODY).await?;
    if input.sku.as_deref().is_some_and(|s| s.trim() != sku) {
        return Err(ApiError::Invalid(vec![FieldError {
            field: "sku".into(),
            message: format!("the body names another SKU than the path ({sku})"),
        }]));
    }
    input.sku = Some(sku);
    let product = validate_product(&input, &api.config.limits, api.clock.now()).map_err(ApiError::Invalid)?;
    Ok(Json(catalogue_uc::replace(api.table.as_ref(), product).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct ProductParams {
    /// `true`: only products that may be quoted
    active: Option<bool>,
}

/// The catalogue, by SKU.
#[utoipa::path(get, path = "/products", tag = "catalogue",
    params(ProductParams),
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "every product (or only active ones)", body = ProductList),
        (status = 400, description = "a bad query string", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody)))]
pub(super) async fn list_products(
    State(api): State<Arc<LeadApi>>,
    Caller(_): Caller,
    QueryParams(p): QueryParams<ProductParams>,
) -> Result<Json<ProductList>, ApiError> {
    let products = catalogue_uc::list(api.table.as_ref())
        .await?
        .into_iter()
        .filter(|x| p.active != Some(true) || x.active)
        .collect();
    Ok(Json(ProductList { products }))
}
