//! Small server-rendered SVG charts for the portal: commission by month with the forecast,
//! the pipeline funnel, renewal risk. Amounts on axes in lakh and crore; every chart has a title and a
//! description for screen readers; labels are escaped.

use crate::domain::money::indian_grouping;
use crate::domain::text::escape_html;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

/// `₹2.9 L`, `₹1.25 Cr`, `₹40,000` — how an axis or a bar label says an amount.
pub fn short_inr(v: Decimal) -> String {
    let crore = Decimal::from(10_000_000);
    let lakh = Decimal::from(100_000);
    let trim = |d: Decimal| d.round_dp(2).normalize().to_string();
    if v.abs() >= crore {
        format!("₹{} Cr", trim(v / crore))
    } else if v.abs() >= lakh {
        format!("₹{} L", trim(v / lakh))
    } else {
        let g = indian_grouping(v.round_dp(0));
        format!("₹{}", g.trim_end_matches(".00"))
    }
}

/// A bar: its label, its amount, and whether it is a forecast (drawn hatched).
pub struct Bar {
    pub label: String,
    pub value: Decimal,
    pub forecast: bool,
}

/// A column chart of amounts (negative months are drawn at zero height and labelled).
pub fn bars(title: &str, description: &str, data: &[Bar]) -> String {
    let (w, h, left, bottom, top) = (640.0_f64, 260.0_f64, 70.0_f64, 40.0_f64, 20.0_f64);
    let max = data
        .iter()
        .map(|b| b.value.to_f64().unwrap_or(0.0))
        .fold(0.0_f64, f64::max)
        .max(1.0);
    let plot_h = h - bottom - top;
    let slot = (w - left - 10.0) / (data.len().max(1) as f64);
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="c-title c-desc"><title id="c-title">{}</title><desc id="c-desc">{}</desc><defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#f3d9a8"/><line x1="0" y1="0" x2="0" y2="6" stroke="#c77700" stroke-width="2"/></pattern></defs>"##,
        escape_html(title),
        escape_html(description)
    );
    for i in 0..=4 {
        let v = max * f64::from(i) / 4.0;
        let y = top + plot_h - plot_h * f64::from(i) / 4.0;
        let label = short_inr(Decimal::from_f64_retain(v).unwrap_or_default().round_dp(0));
        svg.push_str(&format!(
            r##"<line x1="{left}" y1="{y:.1}" x2="{w}" y2="{y:.1}" stroke="#d9dee5"/><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="end" fill="#5b6775">{}</text>"##,
            left - 6.0,
            y + 4.0,
            escape_html(&label)
        ));
    }
    for (i, b) in data.iter().enumerate() {
        let v = b.value.to_f64().unwrap_or(0.0).max(0.0);
        let bh = plot_h * v / max;
        let x = left + slot * i as f64 + slot * 0.15;
        let bw = slot * 0.7;
        let y = top + plot_h - bh;
        let fill = if b.forecast { "url(#hatch)" } else { "#1f4e79" };
        svg.push_str(&format!(
            r##"<rect x="{x:.1}" y="{y:.1}" width="{bw:.1}" height="{bh:.1}" fill="{fill}"><title>{}: {}{}</title></rect><text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle" fill="#1d2733">{}</text>"##,
            escape_html(&b.label),
            escape_html(&short_inr(b.value)),
            if b.forecast { " (forecast)" } else { "" },
            x + bw / 2.0,
            h - bottom + 16.0,
            escape_html(&b.label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// One horizontal bar: its label, its length (in `max`'s units), its colour, what it says.
struct Row<'a> {
    label: &'a str,
    value: f64,
    fill: &'static str,
    says: String,
}

/// Horizontal bars on a common scale `0..=max`; `id` keeps two charts on a page apart.
fn horizontal(id: &str, title: &str, description: &str, rows: &[Row], max: f64) -> String {
    let (w, row, left) = (640.0_f64, 24.0_f64, 150.0_f64);
    let h = row * rows.len().max(1) as f64 + 10.0;
    let max = max.max(1.0);
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-labelledby="{id}-title {id}-desc"><title id="{id}-title">{}</title><desc id="{id}-desc">{}</desc>"##,
        escape_html(title),
        escape_html(description)
    );
    for (i, r) in rows.iter().enumerate() {
        let y = 5.0 + row * i as f64;
        let bw = (w - left - 60.0) * r.value.max(0.0) / max;
        svg.push_str(&format!(
            r##"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end" fill="#1d2733">{}</text><rect x="{left}" y="{:.1}" width="{bw:.1}" height="{:.1}" fill="{}"><title>{}: {}</title></rect><text x="{:.1}" y="{:.1}" font-size="12" fill="#1d2733">{}</text>"##,
            left - 8.0,
            y + row * 0.65,
            escape_html(r.label),
            y + 3.0,
            row - 6.0,
            r.fill,
            escape_html(r.label),
            escape_html(&r.says),
            left + bw + 6.0,
            y + row * 0.65,
            escape_html(&r.says),
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// The pipeline funnel: one horizontal bar per stage, its length the number of leads there.
pub fn funnel(title: &str, description: &str, stages: &[(String, usize)]) -> String {
    let max = stages.iter().map(|(_, n)| *n).max().unwrap_or(0) as f64;
    let rows: Vec<Row> = stages
        .iter()
        .map(|(label, n)| Row {
            label,
            value: *n as f64,
            fill: "#1f4e79",
            says: n.to_string(),
        })
        .collect();
    horizontal("f", title, description, &rows, max)
}

/// Renewal risk: one bar per contract on a 0–100 scale, red at or above the alert threshold.
pub fn risk(title: &str, description: &str, contracts: &[(String, u32)], threshold: u32) -> String {
    let rows: Vec<Row> = contracts
        .iter()
        .map(|(label, score)| Row {
            label,
            value: f64::from(*score),
            fill: if *score >= threshold { "#b3261e" } else { "#7a8a99" },
            says: format!("{score}/100"),
        })
        .collect();
    horizontal("r", title, description, &rows, 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_lakh_and_crore_and_labels_escaped() {
        assert_eq!(short_inr(Decimal::from(290_000)), "₹2.9 L");
        assert_eq!(short_inr(Decimal::from(12_500_000)), "₹1.25 Cr");
        assert_eq!(short_inr(Decimal::from(40_000)), "₹40,000");
        let svg = bars(
            "Commission <by month>",
            "d",
            &[
                Bar {
                    label: "Oct".into(),
                    value: Decimal::from(290_000),
                    forecast: false,
                },
                Bar {
                    label: "Nov".into(),
                    value: Decimal::from(62_500),
                    forecast: true,
                },
            ],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("&lt;by month&gt;") && svg.contains("url(#hatch)"));
        assert!(svg.contains("Oct: ₹2.9 L"));
    }

    #[test]
    fn the_funnel_has_a_bar_per_stage_sized_by_its_count() {
        let svg = funnel(
            "Pipeline",
            "leads per stage",
            &[("Qualify".into(), 4), ("Demo".into(), 2), ("Negotiate".into(), 0)],
        );
        assert_eq!(svg.matches("<rect").count(), 3);
        assert!(svg.contains("<title>Qualify: 4</title>") && svg.contains("width=\"0.0\""));
    }

    #[test]
    fn renewal_risk_is_drawn_on_a_hundred_point_scale_red_from_the_threshold() {
        let svg = risk(
            "Renewal risk",
            "d",
            &[("Acme <Pvt>".into(), 70), ("Beta".into(), 30)],
            60,
        );
        assert!(svg.contains("<title>Acme &lt;Pvt&gt;: 70/100</title>"));
        // 430 units wide at 100: 70 → 301, 30 → 129
        assert!(
            svg.contains("width=\"301.0\" height=\"18.0\" fill=\"#b3261e\""),
            "{svg}"
        );
        assert!(
            svg.contains("width=\"129.0\" height=\"18.0\" fill=\"#7a8a99\""),
            "{svg}"
        );
        assert!(svg.contains("aria-labelledby=\"r-title r-desc\""));
    }
}
