//! `PUT /resellers/{id}/channel-prices`: a reseller's channel prices (seed 001: one channel per
//! reseller with its own price, and whether the reseller may change it).

use super::*;
use crate::domain::application::ChannelPriceIn;
use crate::handlers::lead_api::ResellerView;

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub(crate) struct ChannelPricesBody {
    #[serde(default)]
    channel_prices: Vec<ChannelPriceIn>,
}

/// Replaces the reseller's channel prices: an admin always; the reseller only when its terms
/// say it may change them (`may_change_channel_price`), else `422`.
#[utoipa::path(put, path = "/resellers/{id}/channel-prices", tag = "resellers",
    params(("id" = String, Path, description = "reseller id")),
    request_body = ChannelPricesBody,
    security(("reseller_key" = []), ("admin_key" = [])),
    responses((status = 200, description = "the reseller with its new prices", body = ResellerView),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller", body = ErrorBody),
        (status = 404, description = "no such reseller", body = ErrorBody),
        (status = 409, description = "changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid prices, an unknown SKU, or its terms fix its prices", body = ErrorBody)))]
pub(super) async fn put_channel_prices(
    State(api): State<Arc<PartnerApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<ResellerView>, ApiError> {
    require_sees_reseller(&who, &id)?;
    let input: ChannelPricesBody = json_body(&headers, body, 64 * 1024).await?;
    let next = crate::usecases::resellers::set_channel_prices(
        api.table.as_ref(),
        &id,
        input.channel_prices,
        who.is_staff(),
        &api.config.rules.applications,
    )
    .await?
    .ok_or_else(|| ApiError::NotFound(format!("no reseller {id}")))?;
    Ok(Json(ResellerView::from(&next)))
}
