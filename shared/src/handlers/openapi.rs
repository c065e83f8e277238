//! The OpenAPI 3.1 description of every HTTP route, generated from the handlers themselves:
//! each handler carries its `#[utoipa::path]`, and one list of handlers per function
//! (`api_routes!`) makes both its serving router (paths and methods from the annotations, no
//! description built at start-up) and its description, so a route cannot be served without
//! being described. The local stack serves the merged description at `GET /openapi.json`.

use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi, ToSchema};

/// Routes a handler at exactly the path and methods its `#[utoipa::path]` annotation declares,
/// without building its description: the serving routers are made this way so that start-up
/// builds no OpenAPI objects (`described_routes` builds those, for `/openapi.json` and the
/// tests that keep router and description equal).
macro_rules! annotated {
    ($router:expr, $module:ident :: $handler:ident) => {
        $crate::handlers::openapi::annotated!(@at $router, [$module::] $handler)
    };
    ($router:expr, $handler:ident) => {
        $crate::handlers::openapi::annotated!(@at $router, [] $handler)
    };
    (@at $router:expr, [$($module:tt)*] $handler:ident) => {
        utoipa_axum::paste! {{
            use utoipa::Path as _;
            use utoipa_axum::PathItemExt as _;
            let method_router = $($module)*[<__path_ $handler>]::methods()
                .iter()
                .fold(axum::routing::MethodRouter::new(), |r, m| r.on(m.to_method_filter(), $($module)*$handler));
            $router.route(&$($module)*[<__path_ $handler>]::path(), method_router)
        }}
    };
}
pub(crate) use annotated;

/// One list of handlers makes both the serving router (`serving_routes`, no description
/// built at start-up) and the described one (`described_routes`, for `/openapi.json`), so the
/// two can never differ.
macro_rules! api_routes {
    ($state:ty; $($handler:tt)::+ $(, $($rest:tt)::+)* $(,)?) => {
        /// The routes with their descriptions (state still to be given).
        pub fn described_routes() -> utoipa_axum::router::OpenApiRouter<$state> {
            utoipa_axum::router::OpenApiRouter::new()
                .routes(utoipa_axum::routes!($($handler)::+))
                $(.routes(utoipa_axum::routes!($($rest)::+)))*
        }

        /// The same routes, served: each handler at its annotated path and methods.
        fn serving_routes() -> axum::Router<$state> {
            let r = axum::Router::new();
            let r = $crate::handlers::openapi::annotated!(r, $($handler)::+);
            $(let r = $crate::handlers::openapi::annotated!(r, $($rest)::+);)*
            r
        }
    };
}
pub(crate) use api_routes;

/// Security scheme names used by the handlers' annotations.
pub const ADMIN_KEY: &str = "admin_key";
pub const RESELLER_KEY: &str = "reseller_key";
pub const WEBHOOK_SIGNATURE: &str = "webhook_signature";

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let bearer = |what: &str| {
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(what.to_string()))
                    .build(),
            )
        };
        components.add_security_scheme(
            ADMIN_KEY,
            bearer("a key of the vendor's staff (`sk_…`), or for creating staff only the bootstrap key (`ADMIN_API_KEY`); each operation's `x-roles` names who may call it"),
        );
        components.add_security_scheme(
            RESELLER_KEY,
            bearer("a key of a reseller's person (`rk_…`), acting with that person's role (owner, manager or rep)"),
        );
        components.add_security_scheme(
            WEBHOOK_SIGNATURE,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "x-signature",
                "`t=<unix seconds>,v1=<hex HMAC-SHA256(BILLING_WEBHOOK_SECRET, \"<t>.<raw body>\")>`",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Reseller partner platform",
        description = "Leads to money for software resellers: capture, scoring, routing, deal registration, referrals, billing webhooks, the commission ledger, renewals and payouts. Money is a decimal string; errors are JSON.",
        version = "0.1.0"
    ),
    modifiers(&SecuritySchemes),
    components(schemas(ErrorBody, FieldErrorBody)),
    tags(
        (name = "leads", description = "capture, tickets, activities"),
        (name = "resellers", description = "the partner roster"),
        (name = "registrations", description = "deal registration"),
        (name = "referrals", description = "referral links and codes"),
        (name = "tracking", description = "open and click tracking, unsubscribe"),
        (name = "billing", description = "signed webhooks from billing/ERP systems"),
        (name = "ledger", description = "orders, the commission ledger, contracts, payouts"),
        (name = "quotes", description = "quotes with the commission estimate, approvals, proposals"),
        (name = "co-selling", description = "presales help on a deal"),
        (name = "support", description = "L1/L2/L3 support tickets on AMC contracts"),
        (name = "applications", description = "companies applying to become resellers, and their review"),
        (name = "portal", description = "the partner portal: server-rendered HTML pages, a session cookie, forms with a CSRF token"),
        (name = "people", description = "a reseller's people and the vendor's staff, their roles and keys, and the audit trail by person"),
        (name = "meta", description = "this description")
    )
)]
pub struct ApiDoc;

/// Every error's body: `error` (a code) with a `message`, or for `422` the `errors` by field;
/// a refused stage move adds `from`, `to` and `allowed`, a rate limit `retry_after`, a
/// registration of a company another partner holds `protected_until`. Absent fields are left
/// out, never `null`.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldErrorBody>>,
    /// the stage a refused move started from
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// the stage it asked for
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// the stages it may move to from there
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
    /// seconds to wait (also the `Retry-After` header)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// until when the other partner's registration protects the company
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_until: Option<chrono::DateTime<chrono::Utc>>,
}

impl ErrorBody {
    /// `{"error": code, "message": message}`.
    pub fn new(code: &str, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            error: code.into(),
            message: Some(message.into()),
            ..Default::default()
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FieldErrorBody {
    pub field: String,
    pub message: String,
}

impl From<&crate::domain::field::FieldError> for FieldErrorBody {
    fn from(e: &crate::domain::field::FieldError) -> Self {
        FieldErrorBody {
            field: e.field.clone(),
            message: e.message.clone(),
        }
    }
}

/// The whole description: every function's routes.
pub fn description() -> utoipa::openapi::OpenApi {
    let (_, lead) = crate::handlers::lead_api::described_routes().split_for_parts();
    let (_, billing) = crate::handlers::billing_api::described_routes().split_for_parts();
    let (_, sales) = crate::handlers::sales_api::described_routes().split_for_parts();
    let (_, proposals) = crate::handlers::proposals::described_routes().split_for_parts();
    let (_, partners) = crate::handlers::partner_api::described_routes().split_for_parts();
    let (_, portal) = crate::handlers::portal::described_routes().split_for_parts();
    let (_, portal_admin) = crate::handlers::portal::admin_pages::described_routes().split_for_parts();
    let (_, itself) = crate::handlers::api_description::described_routes().split_for_parts();
    let mut doc = ApiDoc::openapi();
    doc.merge(lead);
    doc.merge(billing);
    doc.merge(sales);
    doc.merge(proposals);
    doc.merge(partners);
    doc.merge(portal);
    doc.merge(portal_admin);
    doc.merge(itself);
    with_roles(doc)
}

/// Each operation's `x-roles`: who the policy table (`crate::policy`) lets call it.
fn with_roles(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::extensions::ExtensionsBuilder;
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in [
            ("GET", &mut item.get),
            ("POST", &mut item.post),
            ("PUT", &mut item.put),
            ("PATCH", &mut item.patch),
            ("DELETE", &mut item.delete),
        ] {
            let Some(op) = op.as_mut() else { continue };
            // an operation missing from the table says so (and the role matrix test fails)
            let roles = crate::policy::access(method, path)
                .map(crate::policy::role_names)
                .unwrap_or_default();
            let ext = ExtensionsBuilder::new()
                .add("x-roles", serde_json::json!(roles))
                .build();
            match op.extensions.as_mut() {
                Some(e) => e.merge(ext),
                None => op.extensions = Some(ext),
            }
        }
    }
    doc
}

/// The description as `docs/openapi.json` holds it: pretty-printed, with a final newline.
pub fn description_json() -> String {
    serde_json::to_string_pretty(&description()).unwrap_or_default()
}

/// `(METHOD, path)` of every operation described.
pub fn operations(doc: &utoipa::openapi::OpenApi) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let value = serde_json::to_value(doc).unwrap_or_default();
    if let Some(paths) = value.get("paths").and_then(|p| p.as_object()) {
        for (path, item) in paths {
            for method in ["get", "post", "put", "patch", "delete"] {
                if item.get(method).is_some() {
                    out.push((method.to_uppercase(), path.clone()));
                }
            }
        }
    }
    out.sort();
    out
}
