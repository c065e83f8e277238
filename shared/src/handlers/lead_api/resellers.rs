//! `POST /resellers` (admin), `GET /resellers/{id}` and `PUT /resellers/{id}/brand` (admin or
//! that reseller).

use super::*;

/// A reseller as the API shows it (never its key's hash; the key itself once, at creation).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ResellerView {
    pub reseller_id: String,
    pub name: String,
    pub email: String,
    pub regions: Vec<String>,
    pub industries: Vec<String>,
    #[schema(value_type = String)]
    pub tier: crate::domain::reseller::Tier,
    pub capacity: u32,
    #[schema(value_type = String)]
    pub status: crate::domain::reseller::ResellerStatus,
    /// 0–1, a decimal string: won ÷ decided over the trailing 12 months once there are enough
    /// decided deals (`outcomes.applies`), the configured rate before that
    pub win_rate: rust_decimal::Decimal,
    /// the rate configured for the reseller (used until enough deals are decided)
    pub configured_win_rate: rust_decimal::Decimal,
    /// the decided deals the win rate comes from
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcomes: Option<crate::domain::pipeline::Outcomes>,
    pub referral_code: String,
    pub open_leads: u32,
    pub last_assigned_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// its white label on proposals
    #[serde(skip_serializing_if = "Option::is_none")]
    pub brand: Option<crate::domain::reseller::Brand>,
    /// what it was approved with (an applicant's terms)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terms: Option<crate::domain::application::Terms>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_domain: Option<String>,
    /// each suspension, reactivation and deactivation with its reason
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub status_history: Vec<crate::domain::reseller::StatusChange>,
    /// its tax profile: PAN, GSTIN and account number masked except for the admin
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax: Option<crate::domain::tax_profile::TaxProfile>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tax_changes: Vec<crate::domain::reseller::TaxChange>,
    /// only in the answer to `POST /resellers`
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
}

impl ResellerView {
    /// The view for `who`: the admin sees the tax profile in full.
    pub fn for_reader(r: &Reseller, admin: bool) -> ResellerView {
        ResellerView {
            tax: r.tax.as_ref().map(|t| crate::domain::tax_profile::shown(t, admin)),
            ..ResellerView::from(r)
        }
    }
}

impl From<&Reseller> for ResellerView {
    fn from(r: &Reseller) -> ResellerView {
        ResellerView {
            reseller_id: r.reseller_id.clone(),
            name: r.name.clone(),
            email: r.email.clone(),
            regions: r.regions.clone(),
            industries: r.industries.clone(),
            tier: r.tier,
            capacity: r.capacity,
            status: r.status,
            win_rate: r.effective_win_rate(),
            configured_win_rate: r.win_rate,
            outcomes: r.outcomes.clone(),
            referral_code: r.referral_code.clone(),
            open_leads: r.open_leads,
            last_assigned_at: r.last_assigned_at,
            created_at: r.created_at,
            brand: r.brand.clone(),
            terms: r.terms.clone(),
            company_domain: r.company_domain.clone(),
            status_history: r.status_history.clone(),
            tax: r.tax.as_ref().map(|t| crate::domain::tax_profile::shown(t, false)),
            tax_changes: r.tax_changes.clone(),
            api_key: None,
        }
    }
}

#[utoipa::path(post, path = "/resellers", tag = "resellers",
    request_body = NewReseller,
    security(("admin_key" = [])),
    responses((status = 201, description = "the reseller, its referral code and (once) its API key", body = ResellerView), (status = 400, description = "malformed body or query", body = ErrorBody), (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "not the admin", body = ErrorBody),
        (status = 409, description = "the email (in any case) already belongs to an account", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody)))]
pub(super) async fn post_reseller(
    State(api): State<Arc<LeadApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let input: NewReseller = json_body(&headers, body, MAX_LEAD_BODY).await?;
    let (reseller, api_key) = resellers_uc::create_by(api.table.as_ref(), api.clock.as_ref(), &who, &input).await?;
    let body = ResellerView {
        api_key: Some(api_key),
        ..ResellerView::from(&reseller)
    };
    Ok((StatusCode::CREATED, Json(body)).into_response())
}

#[utoipa::path(get, path = "/resellers/{id}", tag = "resellers",
    params(("id" = String, Path, description = "reseller id")),
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "the reseller (never its key)", body = ResellerView),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller", body = ErrorBody),
        (status = 404, description = "no such reseller", body = ErrorBody)))]
pub(super) async fn get_reseller(
    State(api): State<Arc<LeadApi>>,
    Caller(who): Caller,
    Path(id): Path<String>,
) -> Result<Json<ResellerView>, ApiError> {
    require_sees_reseller(&who, &id)?;
    let r = resellers_uc::get(api.table.as_ref(), &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no reseller {id}")))?;
    // counted afresh, so deals that left the trailing window no longer count
    let outcomes =
        crate::usecases::pipeline::count_outcomes(api.table.as_ref(), &id, &api.config.pipeline, api.clock.now())
            .await?;
    Ok(Json(ResellerView {
        win_rate: match (&outcomes.win_rate, outcomes.applies) {
            (Some(rate), true) => *rate,
            _ => r.win_rate,
        },
        outcomes: Some(outcomes),
        ..ResellerView::for_reader(&r, who.unmasked_tax())
    }))
}

/// Sets the reseller's white label (display name, logo, colours, signature) on its proposals.
#[utoipa::path(put, path = "/resellers/{id}/brand", tag = "resellers",
    params(("id" = String, Path, description = "reseller id")),
    request_body = crate::domain::reseller::BrandIn,
    security(("admin_key" = []), ("reseller_key" = [])),
    responses((status = 200, description = "the reseller with its brand", body = ResellerView),
        (status = 400, description = "malformed body", body = ErrorBody),
        (status = 401, description = "no valid key", body = ErrorBody),
        (status = 403, description = "another reseller", body = ErrorBody),
        (status = 404, description = "no such reseller", body = ErrorBody),
        (status = 409, description = "changed meanwhile", body = ErrorBody),
        (status = 415, description = "not JSON", body = ErrorBody),
        (status = 422, description = "invalid fields", body = ErrorBody)))]
pub(super) async fn put_brand(
    State(api): State<Arc<LeadApi>>,
    Caller(who): Caller,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Result<Json<ResellerView>, ApiError> {
    crate::handlers::http::require_sees_reseller(&who, &id)?;
    let input: crate::domain::reseller::BrandIn = json_body(&headers, body, 16 * 1024).await?;
    let brand = crate::domain::reseller::validate_brand(&input).map_err(ApiError::Invalid)?;
    let r = resellers_uc::set_brand(api.table.as_ref(), &id, brand)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no reseller {id}")))?;
    Ok(Json(ResellerView::from(&r)))
}
