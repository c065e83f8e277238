//! `PUT /resellers/{id}/channel-prices`: a reseller's channel prices (seed 001: one channel per
//! reseller with its own price, and whether the reseller may change it).

use super::*;
use crate::domain::application::{validate_terms, ChannelPriceIn, TermsIn};
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
    let r = crate::usecases::resellers::get(api.table.as_ref(), &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no reseller {id}")))?;
    let terms = r.terms.clone().unwrap_or_default();
    if !who.is_staff() && !terms.may_change_channel_price {
        return Err(ApiError::Invalid(vec![field_error(
            "channel_prices",
            "your terms fix your channel prices; ask the partner team",
        )]));
    }
    // the same checks as at approval
    let checked = validate_terms(
        &TermsIn {
            channel_prices: input.channel_prices,
            ..TermsIn::default()
        },
        &api.config.rules.applications,
    )
    .map_err(ApiError::Invalid)?;
    for (i, c) in checked.channel_prices.iter().enumerate() {
        if crate::usecases::catalogue::get(api.table.as_ref(), &c.sku)
            .await?
            .is_none()
        {
            return Err(ApiError::Invalid(vec![field_error(
                &format!("channel_prices[{i}].sku"),
                &format!("no product {} in the catalogue", c.sku),
            )]));
        }
    }
    let mut next = r.clone();
    next.terms = Some(crate::domain::application::Terms {
        channel_prices: checked.channel_prices,
        ..terms
    });
    next.version += 1;
    api.table
        .transact(vec![crate::repo::put_if_version(crate::repo::item(&next)?, r.version)])
        .await?;
    Ok(Json(ResellerView::from(&next)))
}
