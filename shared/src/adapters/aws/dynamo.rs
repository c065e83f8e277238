//! The table port on DynamoDB: items through serde_dynamo, conditions as expressions, errors
//! kept typed (a failed condition is `ConditionFailed`, never a string).

use crate::ports::table::*;
use async_trait::async_trait;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, ConditionCheck, Delete, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, KeysAndAttributes, Projection, ProjectionType, Put, PutRequest, ScalarAttributeType, TransactWriteItem,
    Update, WriteRequest,
};
use aws_sdk_dynamodb::Client;
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

type AvMap = HashMap<String, AttributeValue>;

#[derive(Clone)]
pub struct DynamoTable {
    client: Client,
    table: String,
}

impl DynamoTable {
    pub fn new(config: &aws_types::SdkConfig, table: impl Into<String>) -> DynamoTable {
        DynamoTable {
            client: Client::new(config),
            table: table.into(),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Creates the table with its three GSIs (on-demand) unless it exists; used by the local
    /// stack's `--aws` mode and by tests. In AWS, template.yaml creates it.
    pub async fn ensure_table(&self) -> Result<(), StoreError> {
        if self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
            .is_ok()
        {
            return Ok(());
        }
        let attr = |n: &str| {
            AttributeDefinition::builder()
                .attribute_name(n)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(invalid)
        };
        let key = |n: &str, t: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(n)
                .key_type(t)
                .build()
                .map_err(invalid)
        };
        let mut req = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key("pk", KeyType::Hash)?)
            .key_schema(key("sk", KeyType::Range)?)
            .attribute_definitions(attr("pk")?)
            .attribute_definitions(attr("sk")?);
        for index in Index::ALL {
            req = req
                .attribute_definitions(attr(index.pk_attr())?)
                .attribute_definitions(attr(index.sk_attr())?)
                .global_secondary_indexes(
                    GlobalSecondaryIndex::builder()
                        .index_name(index.name())
                        .key_schema(key(index.pk_attr(), KeyType::Hash)?)
                        .key_schema(key(index.sk_attr(), KeyType::Range)?)
                        .projection(Projection::builder().projection_type(ProjectionType::All).build())
                        .build()
                        .map_err(invalid)?,
                );
        }
        req.send().await.map_err(map_err)?;
        Ok(())
    }
}

fn invalid(e: impl std::fmt::Display) -> StoreError {
    StoreError::Invalid(e.to_string())
}

fn to_av(item: &Item) -> Result<AvMap, StoreError> {
    serde_dynamo::to_item(Value::Object(item.clone())).map_err(invalid)
}

fn from_av(item: AvMap) -> Result<Item, StoreError> {
    match serde_dynamo::from_item::<_, Value>(item).map_err(invalid)? {
        Value::Object(m) => Ok(m),
        _ => Err(StoreError::Invalid("item is not a map".into())),
    }
}

fn key_av(key: &Key) -> AvMap {
    HashMap::from([
        ("pk".to_string(), AttributeValue::S(key.pk.clone())),
        ("sk".to_string(), AttributeValue::S(key.sk.clone())),
    ])
}

/// Builds a condition expression with its placeholder names and values.
#[derive(Default)]
struct Expr {
    names: HashMap<String, String>,
    values: AvMap,
}

impl Expr {
    fn name(&mut self, n: &str) -> String {
        let p = format!("#n{}", self.names.len());
        self.names.insert(p.clone(), n.to_string());
        p
    }
    fn value(&mut self, v: AttributeValue) -> String {
        let p = format!(":v{}", self.values.len());
        self.values.insert(p.clone(), v);
        p
    }
    fn cond(&mut self, c: &Cond) -> Result<String, StoreError> {
        Ok(match c {
            Cond::NotExists => format!("attribute_not_exists({})", self.name("pk")),
            Cond::Exists => format!("attribute_exists({})", self.name("pk")),
            Cond::Equals(attr, v) => {
                let av = serde_dynamo::to_attribute_value(v).map_err(invalid)?;
                format!("{} = {}", self.name(attr), self.value(av))
            }
            Cond::Missing(attr) => format!("attribute_not_exists({})", self.name(attr)),
            Cond::All(cs) => {
                let parts = cs.iter().map(|c| self.cond(c)).collect::<Result<Vec<_>, _>>()?;
                format!("({})", parts.join(" AND "))
            }
        })
    }
    fn names(&self) -> Option<HashMap<String, String>> {
        (!self.names.is_empty()).then(|| self.names.clone())
    }
    fn values(&self) -> Option<AvMap> {
        (!self.values.is_empty()).then(|| self.values.clone())
    }
}

/// Maps an SDK error by its modelled type (DynamoDB's service-wide error enum): a failed
/// condition, throttling and transient conflicts (worth retrying), or anything else. Only
/// errors the model does not name (`ValidationException`) are told apart by their code.
fn map_err<E, R>(e: SdkError<E, R>) -> StoreError
where
    aws_sdk_dynamodb::Error: From<SdkError<E, R>>,
{
    use aws_sdk_dynamodb::Error as Dynamo;
    match Dynamo::from(e) {
        Dynamo::ConditionalCheckFailedException(_) => StoreError::ConditionFailed,
        Dynamo::ProvisionedThroughputExceededException(_)
        | Dynamo::ThrottlingException(_)
        | Dynamo::RequestLimitExceeded(_)
        | Dynamo::TransactionConflictException(_)
        | Dynamo::TransactionInProgressException(_)
        | Dynamo::InternalServerError(_) => StoreError::Throttled,
        other if other.code() == Some("ValidationException") => {
            StoreError::Invalid(other.message().unwrap_or("validation").to_string())
        }
        other => StoreError::Unavailable(other.to_string()),
    }
}

#[async_trait]
impl Table for DynamoTable {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key_av(key)))
            .consistent_read(true)
            .send()
            .await
            .map_err(map_err)?;
        out.item.map(from_av).transpose()
    }

    async fn put(&self, item: Item, cond: Option<Cond>) -> Result<(), StoreError> {
        let mut expr = Expr::default();
        let cond = cond.as_ref().map(|c| expr.cond(c)).transpose()?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_av(&item)?))
            .set_condition_expression(cond)
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .send()
            .await
            .map_err(map_err)?;
        Ok(())
    }

    async fn transact(&self, writes: Vec<Write>) -> Result<(), StoreError> {
        let mut items = Vec::with_capacity(writes.len());
        for w in &writes {
            let mut expr = Expr::default();
            let tw = match w {
                Write::Put { item, cond } => {
                    let c = cond.as_ref().map(|c| expr.cond(c)).transpose()?;
                    let put = Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(to_av(item)?))
                        .set_condition_expression(c)
                        .set_expression_attribute_names(expr.names())
                        .set_expression_attribute_values(expr.values())
                        .build()
                        .map_err(invalid)?;
                    TransactWriteItem::builder().put(put).build()
                }
                Write::Delete { key, cond } => {
                    let c = cond.as_ref().map(|c| expr.cond(c)).transpose()?;
                    let del = Delete::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_av(key)))
                        .set_condition_expression(c)
                        .set_expression_attribute_names(expr.names())
                        .set_expression_attribute_values(expr.values())
                        .build()
                        .map_err(invalid)?;
                    TransactWriteItem::builder().delete(del).build()
                }
                Write::Check { key, cond } => {
                    let c = expr.cond(cond)?;
                    let check = ConditionCheck::builder()
                        .table_name(&self.table)
                        .set_key(Some(key_av(key)))
                        .condition_expression(c)
                        .set_expression_attribute_names(expr.names())
                        .set_expression_attribute_values(expr.values())
                        .build()
                        .map_err(invalid)?;
                    TransactWriteItem::builder().condition_check(check).build()
                }
                Write::Add { key, deltas } => {
                    let mut parts = Vec::with_capacity(deltas.len());
                    let mut update = Update::builder().table_name(&self.table).set_key(Some(key_av(key)));
                    for (i, (attr, delta)) in deltas.iter().enumerate() {
                        parts.push(format!("#a{i} :d{i}"));
                        update = update
                            .expression_attribute_names(format!("#a{i}"), attr)
                            .expression_attribute_values(format!(":d{i}"), AttributeValue::N(delta.to_string()));
                    }
                    let update = update
                        .update_expression(format!("ADD {}", parts.join(", ")))
                        .build()
                        .map_err(invalid)?;
                    TransactWriteItem::builder().update(update).build()
                }
            };
            items.push(tw);
        }
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(SdkError::ServiceError(se)) if se.err().is_transaction_canceled_exception() => {
                let reasons: Vec<Option<String>> = match se.err() {
                    aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(t) => {
                        t.cancellation_reasons().iter().map(|r| r.code().map(str::to_string)).collect()
                    }
                    _ => vec![],
                };
                let failed: Vec<bool> = reasons
                    .iter()
                    .map(|c| c.as_deref() == Some("ConditionalCheckFailed"))
                    .collect();
                if failed.iter().any(|f| *f) {
                    Err(StoreError::TransactionCancelled { failed })
                } else {
                    // cancelled by a concurrent transaction or throttling: worth retrying
                    Err(StoreError::Throttled)
                }
            }
            Err(e) => Err(map_err(e)),
        }
    }

    async fn query(&self, q: &Query) -> Result<Page, StoreError> {
        let mut expr = Expr::default();
        let (pk_attr, sk_attr) = match q.index {
            None => ("pk", "sk"),
            Some(i) => (i.pk_attr(), i.sk_attr()),
        };
        let pk = format!(
            "{} = {}",
            expr.name(pk_attr),
            expr.value(AttributeValue::S(q.pk.clone()))
        );
        let s = |v: &String| AttributeValue::S(v.clone());
        let sk = match &q.sk {
            SkRange::All => None,
            SkRange::BeginsWith(p) => Some(format!("begins_with({}, {})", expr.name(sk_attr), expr.value(s(p)))),
            SkRange::Between(a, b) => {
                let n = expr.name(sk_attr);
                Some(format!("{n} BETWEEN {} AND {}", expr.value(s(a)), expr.value(s(b))))
            }
            SkRange::UpTo(b) => Some(format!("{} <= {}", expr.name(sk_attr), expr.value(s(b)))),
            SkRange::From(a) => Some(format!("{} >= {}", expr.name(sk_attr), expr.value(s(a)))),
        };
        let key_cond = match sk {
            Some(sk) => format!("{pk} AND {sk}"),
            None => pk,
        };
        let start = query_start(q)?.map(|at| {
            at.into_iter()
                .map(|(k, v)| (k, AttributeValue::S(v.as_str().unwrap_or_default().to_string())))
                .collect::<AvMap>()
        });
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(q.index.map(|i| i.name().to_string()))
            .key_condition_expression(key_cond)
            .set_expression_attribute_names(expr.names())
            .set_expression_attribute_values(expr.values())
            .scan_index_forward(q.forward)
            .set_limit(q.limit.map(|l| l as i32))
            .set_exclusive_start_key(start)
            .set_consistent_read(q.index.is_none().then_some(true))
            .send()
            .await
            .map_err(map_err)?;
        let items = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(from_av)
            .collect::<Result<Vec<_>, _>>()?;
        let cursor = match out.last_evaluated_key {
            Some(k) => Some(encode_cursor(&from_av(k)?)),
            None => None,
        };
        Ok(Page { items, cursor })
    }

    async fn increment(&self, key: &Key, attr: &str, delta: i64, expires_at: Option<i64>) -> Result<i64, StoreError> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key_av(key)))
            .expression_attribute_names("#a", attr)
            .expression_attribute_values(":d", AttributeValue::N(delta.to_string()));
        update = match expires_at {
            Some(at) => update
                .update_expression("ADD #a :d SET #x = :x")
                .expression_attribute_names("#x", crate::ports::table::EXPIRES_ATTRIBUTE)
                .expression_attribute_values(":x", AttributeValue::N(at.to_string())),
            None => update.update_expression("ADD #a :d"),
        };
        let out = update
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await
            .map_err(map_err)?;
        out.attributes
            .and_then(|a| a.get(attr).and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok()))
            .ok_or_else(|| StoreError::Invalid(format!("{attr} came back without a number")))
    }

    async fn batch_get(&self, keys: &[Key]) -> Result<Vec<Item>, StoreError> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(MAX_BATCH_GET_KEYS) {
            let mut pending = Some(
                KeysAndAttributes::builder()
                    .set_keys(Some(chunk.iter().map(key_av).collect()))
                    .consistent_read(true)
                    .build()
                    .map_err(invalid)?,
            );
            // UnprocessedKeys are asked for again with exponential backoff.
            let mut attempt = 0u32;
            while let Some(request) = pending.take() {
                let got = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(map_err)?;
                for item in got
                    .responses
                    .and_then(|mut r| r.remove(&self.table))
                    .unwrap_or_default()
                {
                    out.push(from_av(item)?);
                }
                pending = got
                    .unprocessed_keys
                    .and_then(|mut m| m.remove(&self.table))
                    .filter(|k| !k.keys.is_empty());
                if pending.is_some() {
                    attempt += 1;
                    if attempt > 8 {
                        return Err(StoreError::Throttled);
                    }
                    tokio::time::sleep(Duration::from_millis(25 << attempt.min(6))).await;
                }
            }
        }
        Ok(out)
    }

    async fn batch_put(&self, items: Vec<Item>) -> Result<(), StoreError> {
        for chunk in items.chunks(MAX_BATCH_ITEMS) {
            let mut pending = chunk
                .iter()
                .map(|i| {
                    Ok(WriteRequest::builder()
                        .put_request(
                            PutRequest::builder()
                                .set_item(Some(to_av(i)?))
                                .build()
                                .map_err(invalid)?,
                        )
                        .build())
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            // UnprocessedItems are retried with exponential backoff, never dropped.
            let mut attempt = 0u32;
            while !pending.is_empty() {
                let out = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(map_err)?;
                pending = out
                    .unprocessed_items
                    .and_then(|mut m| m.remove(&self.table))
                    .unwrap_or_default();
                if !pending.is_empty() {
                    attempt += 1;
                    if attempt > 8 {
                        return Err(StoreError::Throttled);
                    }
                    tokio::time::sleep(Duration::from_millis(25 << attempt.min(6))).await;
                }
            }
        }
        Ok(())
    }
}
