//! Reads per dashboard (issue 14): a reseller's month is read from its aggregates, so the
//! reads are the same at 1,000 ledger entries as at 100,000. The entries and their counters
//! are written as the commission step writes them (each entry with its `ADD`s in one
//! transaction) on the embedded table behind the counting wrapper.

use rust_decimal::Decimal;
use shared::adapters::counting::{CountingTable, Counts};
use shared::adapters::embedded::EmbeddedTable;
use shared::domain::aggregates::{commission_counter, Tally};
use shared::ports::table::{Table, Write};
use std::sync::Arc;
use std::time::Instant;

const RESELLER: &str = "01BENCHRESELLER0000000000";

async fn seeded(entries: usize) -> Result<(CountingTable<EmbeddedTable>, Arc<Counts>), String> {
    let counts = Arc::new(Counts::default());
    let table = CountingTable {
        inner: EmbeddedTable::in_memory(),
        counts: counts.clone(),
    };
    for i in 0..entries {
        let month = format!("2026-{:02}", 4 + (i % 7));
        let e = serde_json::json!({
            "pk": format!("LEDGER#{RESELLER}"), "sk": format!("ENTRY#{month}-15T10:00:00.000000Z#P{i}#licence"),
            "entity": "ledger_entry", "amount": "1000.00", "currency": "INR", "component": "licence"
        });
        let mut tally = Tally::default();
        for c in ["licence", "total"] {
            tally.add_money(
                RESELLER,
                &month,
                &commission_counter("INR", c),
                Decimal::from(1000),
                "INR",
            );
        }
        let mut writes = vec![Write::Put {
            item: e.as_object().cloned().ok_or("item")?,
            cond: None,
        }];
        writes.extend(shared::repo::tally_writes(tally));
        table.transact(writes).await.map_err(|e| e.to_string())?;
    }
    Ok((table, counts))
}

pub async fn reads_per_dashboard() -> Result<(), String> {
    println!("\n## Reads per dashboard (embedded table, counted at the adapter)\n");
    println!("| ledger entries | requests | items read | earned YTD | time |");
    println!("|---|---|---|---|---|");
    let mut seen = Vec::new();
    for n in [1_000usize, 100_000] {
        let (table, counts) = seeded(n).await?;
        let before = counts.snapshot();
        let started = Instant::now();
        let d = shared::usecases::dashboard::dashboard(&table, RESELLER, "2026-10")
            .await
            .map_err(|e| e.to_string())?
            .ok_or("no dashboard")?;
        let elapsed = started.elapsed();
        let after = counts.snapshot();
        let ytd = d.earned.first().map(|e| e.ytd).unwrap_or_default();
        if ytd != Decimal::from(1000 * n as i64) {
            return Err(format!("the dashboard says {ytd} for {n} entries of ₹1,000"));
        }
        println!(
            "| {n} | {} | {} | {ytd} | {:.2} ms |",
            after.reads - before.reads,
            after.items_read - before.items_read,
            elapsed.as_secs_f64() * 1000.0
        );
        seen.push((after.reads - before.reads, after.items_read - before.items_read));
    }
    if seen.windows(2).any(|w| w[0] != w[1]) {
        return Err(format!("reads differ with the ledger's size: {seen:?}"));
    }
    Ok(())
}
