//! Sequences (SPEC §5): which sequence a qualified lead joins, its steps, and when a step may
//! go out — weekdays, business hours of the lead's time zone.

use crate::domain::region::Region;
use chrono::{DateTime, Duration, Utc};
use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepTemplate {
    /// after enrolment
    pub delay_hours: i64,
    pub subject: String,
    /// `{{name}}`, `{{company}}`, `{{reseller}}`, `{{signature}}` are filled in
    pub text: String,
    pub html: String,
    /// links in the email; each goes through the click tracker
    #[serde(default)]
    pub links: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SequenceRules {
    pub sequences: BTreeMap<String, Vec<StepTemplate>>,
    pub open_hour: u32,
    pub close_hour: u32,
    /// at most this many emails per sender run (the configured SES rate × the run's share)
    pub sends_per_run: usize,
    /// the hot-lead call task is due this many hours after qualification
    pub call_within_hours: i64,
    /// at least this many hours between two emails to one lead: after downtime or a clock
    /// jump, a backlog of due steps is spread out, never sent together
    pub min_gap_hours: i64,
}

/// When a due step may go, given when the lead's previous email went: `None` now, else the
/// time it waits for (the gap after the previous email).
pub fn catch_up(previous_sent: Option<DateTime<Utc>>, now: DateTime<Utc>, min_gap_hours: i64) -> Option<DateTime<Utc>> {
    let ready = previous_sent? + Duration::hours(min_gap_hours);
    (ready > now).then_some(ready)
}

fn step(delay_days: i64, subject: &str, body: &str, link: &str) -> StepTemplate {
    StepTemplate {
        delay_hours: delay_days * 24,
        subject: subject.into(),
        text: format!("Hello {{{{name}}}},\n\n{body}\n\nRead more: {link}\n\n{{{{signature}}}}"),
        html: format!(
            "<p>Hello {{{{name}}}},</p><p>{body}</p><p><a href=\"{link}\">Read more</a></p><p>{{{{signature}}}}</p>"
        ),
        links: vec![link.into()],
    }
}

impl Default for SequenceRules {
    fn default() -> Self {
        let guide = "https://www.example.com/erp-buyers-guide";
        let cases = "https://www.example.com/customer-stories";
        let demo = "https://www.example.com/book-a-demo";
        SequenceRules {
            sequences: BTreeMap::from([
                (
                    "nurture".to_string(),
                    vec![
                        step(
                            0,
                            "Thanks for your interest, {{name}}",
                            "Here is our ERP buyer's guide for companies like {{company}}.",
                            guide,
                        ),
                        step(
                            4,
                            "How companies like {{company}} run on our ERP",
                            "A few customer stories from your industry.",
                            cases,
                        ),
                        step(
                            10,
                            "Questions about licences and AMC?",
                            "We can walk you through pricing and annual maintenance.",
                            demo,
                        ),
                        step(
                            21,
                            "Shall we book a demo?",
                            "Thirty minutes is enough to see the product on your data.",
                            demo,
                        ),
                    ],
                ),
                (
                    "drip".to_string(),
                    (0..6)
                        .map(|m| {
                            step(
                                m * 30,
                                "ERP notes for {{company}}",
                                "This month's ideas for running a leaner business.",
                                guide,
                            )
                        })
                        .collect(),
                ),
                (
                    "post_event".to_string(),
                    vec![
                        step(
                            0,
                            "Thanks for joining us, {{name}}",
                            "The recording and slides are ready for you.",
                            guide,
                        ),
                        step(
                            3,
                            "Your questions from the session",
                            "We collected the answers to the most common questions.",
                            demo,
                        ),
                    ],
                ),
                (
                    "campaign".to_string(),
                    vec![
                        step(
                            0,
                            "An ERP made for {{company}}",
                            "We help businesses like yours run on one system.",
                            guide,
                        ),
                        step(
                            7,
                            "Worth a conversation?",
                            "A short call could show whether we fit.",
                            demo,
                        ),
                    ],
                ),
            ]),
            open_hour: 9,
            close_hour: 18,
            sends_per_run: 500,
            call_within_hours: 4,
            min_gap_hours: 24,
        }
    }
}

/// The sequence a lead joins: hot leads get a call alert instead; events and prospect lists
/// have their own sequences.
pub fn sequence_for(band: &str, channel: &str) -> Option<&'static str> {
    match (band, channel) {
        ("hot", _) => None,
        (_, "webinar" | "event") => Some("post_event"),
        (_, "prospect_list") => Some("campaign"),
        ("warm", _) => Some("nurture"),
        _ => Some("drip"),
    }
}

/// Where a lead is when its region says nothing (India).
pub const HOME_TIME_ZONE: &str = "Asia/Kolkata";

/// A US lead's zone by state (ISO 3166-2); the eastern zone for the other states.
const US_ZONES: [(&[&str], &str); 4] = [
    (&["US-CA", "US-WA", "US-OR", "US-NV"], "America/Los_Angeles"),
    (&["US-TX", "US-IL", "US-MN", "US-MO", "US-WI"], "America/Chicago"),
    (&["US-CO", "US-UT", "US-NM"], "America/Denver"),
    (&["US-AZ"], "America/Phoenix"),
];
const US_EAST: &str = "America/New_York";

/// A lead's zone by country (ISO 3166-1); India's for the others.
const COUNTRY_ZONES: [(&[&str], &str); 19] = [
    (&["GB"], "Europe/London"),
    (&["AE", "OM"], "Asia/Dubai"),
    (&["SA", "KW", "BH", "QA"], "Asia/Riyadh"),
    (&["SG"], "Asia/Singapore"),
    (&["MY"], "Asia/Kuala_Lumpur"),
    (&["ID"], "Asia/Jakarta"),
    (&["LK"], "Asia/Colombo"),
    (&["NP"], "Asia/Kathmandu"),
    (&["BD"], "Asia/Dhaka"),
    (&["AU"], "Australia/Sydney"),
    (&["NZ"], "Pacific/Auckland"),
    (&["CA"], "America/Toronto"),
    (&["DE"], "Europe/Berlin"),
    (&["FR"], "Europe/Paris"),
    (&["NL"], "Europe/Amsterdam"),
    (&["KE"], "Africa/Nairobi"),
    (&["NG"], "Africa/Lagos"),
    (&["ZA"], "Africa/Johannesburg"),
    (&["IN"], HOME_TIME_ZONE),
];

fn zone_of(table: &[(&[&str], &'static str)], code: &str) -> Option<&'static str> {
    table.iter().find(|(codes, _)| codes.contains(&code)).map(|(_, z)| *z)
}

/// The lead's time zone (its IANA name), from its region; India when unknown.
pub fn timezone_for(region: &Region) -> &'static str {
    match region.country.as_deref() {
        Some("US") => zone_of(&US_ZONES, region.subdivision.as_deref().unwrap_or("")).unwrap_or(US_EAST),
        Some(country) => zone_of(&COUNTRY_ZONES, country).unwrap_or(HOME_TIME_ZONE),
        None => HOME_TIME_ZONE,
    }
}

/// The zone of that name from the embedded database; India's for a name it does not know
/// (every name `timezone_for` gives is known: a test checks).
fn zone(name: &str) -> TimeZone {
    TimeZone::get(name)
        .or_else(|_| TimeZone::get(HOME_TIME_ZONE))
        .unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(5)))
}

fn weekday(d: Weekday) -> bool {
    !matches!(d, Weekday::Saturday | Weekday::Sunday)
}

/// `t` if it falls on a weekday within business hours in the zone named `time_zone`, else the
/// next opening.
pub fn next_opening(t: DateTime<Utc>, time_zone: &str, open_hour: u32, close_hour: u32) -> DateTime<Utc> {
    let tz = zone(time_zone);
    let Ok(instant) = jiff::Timestamp::from_millisecond(t.timestamp_millis()) else {
        return t;
    };
    let local = instant.to_zoned(tz.clone());
    let hour = u32::try_from(local.hour()).unwrap_or_default();
    if weekday(local.weekday()) && hour >= open_hour && hour < close_hour {
        return t;
    }
    // before opening on a weekday: today's opening; otherwise from tomorrow
    let mut day = local.date();
    if !(weekday(local.weekday()) && hour < open_hour) {
        day = day.tomorrow().unwrap_or(day);
    }
    while !weekday(day.weekday()) {
        day = day.tomorrow().unwrap_or(day);
    }
    let opening = day.at(i8::try_from(open_hour).unwrap_or(9), 0, 0, 0);
    opening
        .to_zoned(tz)
        .ok()
        .and_then(|z| DateTime::<Utc>::from_timestamp_millis(z.timestamp().as_millisecond()))
        .unwrap_or(t + Duration::hours(1))
}

/// Fills `{{key}}` placeholders in one pass over the template; `escape` makes every value safe
/// for HTML. A value is never read again for placeholders (a lead named `{{reseller}}` stays
/// so named), and an unknown placeholder is left as written.
pub fn render(template: &str, vars: &[(&str, &str)], escape: bool) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let known = after
            .find("}}")
            .and_then(|end| vars.iter().find(|(k, _)| *k == &after[..end]).map(|(_, v)| (end, v)));
        match known {
            Some((end, v)) => {
                if escape {
                    out.push_str(&crate::domain::text::escape_html(v));
                } else {
                    out.push_str(v);
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Where a sequence step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    /// waiting for its time (listed in the due index)
    Scheduled,
    /// claimed and handed to the mailer
    Sent,
    Skipped,
    Failed,
}

/// One scheduled email of a lead's sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    pub lead_id: String,
    pub sequence: String,
    pub index: usize,
    pub due_at: DateTime<Utc>,
    pub status: StepStatus,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub message_id: Option<String>,
    #[serde(default)]
    pub sent_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub links: Vec<String>,
    pub version: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backlog_waits_its_gap_after_the_last_email() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).map(|d| d.to_utc()).unwrap();
        let now = t("2027-01-10T10:00:00Z");
        assert_eq!(catch_up(None, now, 24), None, "nothing sent yet: now");
        assert_eq!(catch_up(Some(t("2027-01-09T09:00:00Z")), now, 24), None);
        assert_eq!(
            catch_up(Some(t("2027-01-10T09:59:00Z")), now, 24),
            Some(t("2027-01-11T09:59:00Z"))
        );
    }

    fn ist(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn zone_of_country(country: &str, subdivision: Option<&str>) -> &'static str {
        timezone_for(&Region {
            country: Some(country.into()),
            subdivision: subdivision.map(Into::into),
        })
    }

    /// Each row: a moment, the lead's zone, the next opening (09:00–18:00 on weekdays).
    fn assert_openings(rows: &[(&str, &str, &str)]) {
        for (at, zone, opening) in rows {
            assert_eq!(next_opening(ist(at), zone, 9, 18), ist(opening), "{at} in {zone}");
        }
    }

    #[test]
    fn friday_evening_in_india_waits_for_monday_morning() {
        let india = zone_of_country("IN", None);
        // 2026-11-20 is a Friday
        assert_openings(&[
            ("2026-11-20T20:00:00+05:30", india, "2026-11-23T09:00:00+05:30"),
            ("2026-11-21T11:00:00+05:30", india, "2026-11-23T09:00:00+05:30"),
            ("2026-11-23T08:59:00+05:30", india, "2026-11-23T09:00:00+05:30"),
            ("2026-11-23T09:00:00+05:30", india, "2026-11-23T09:00:00+05:30"),
            ("2026-11-23T17:59:00+05:30", india, "2026-11-23T17:59:00+05:30"),
            ("2026-11-23T18:00:00+05:30", india, "2026-11-24T09:00:00+05:30"),
        ]);
    }

    #[test]
    fn every_zone_a_lead_can_have_is_in_the_embedded_database() {
        let names = US_ZONES.iter().chain(COUNTRY_ZONES.iter()).map(|(_, z)| *z);
        for name in names.chain([US_EAST, HOME_TIME_ZONE]) {
            assert!(TimeZone::get(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn business_hours_follow_daylight_saving_time() {
        let (ny, london, kathmandu) = (
            zone_of_country("US", Some("US-NY")),
            zone_of_country("GB", None),
            zone_of_country("NP", None),
        );
        assert_openings(&[
            // New York moves to daylight time on Sunday 2027-03-14: Friday evening's next
            // opening is Monday 09:00 EDT (13:00Z); a week earlier 09:00 EST (14:00Z)
            ("2027-03-12T23:00:00Z", ny, "2027-03-15T13:00:00Z"),
            ("2027-03-05T23:00:00Z", ny, "2027-03-08T14:00:00Z"),
            // London in summer (BST, UTC+1): 08:30Z is 09:30 there, open; in winter 08:30
            ("2027-06-15T08:30:00Z", london, "2027-06-15T08:30:00Z"),
            ("2027-01-12T08:30:00Z", london, "2027-01-12T09:00:00Z"),
            // Kathmandu is UTC+05:45
            ("2027-01-12T03:00:00Z", kathmandu, "2027-01-12T03:15:00Z"),
        ]);
    }

    #[test]
    fn time_zones_and_sequences() {
        let ca = Region {
            country: Some("US".into()),
            subdivision: Some("US-CA".into()),
        };
        assert_eq!(timezone_for(&ca), "America/Los_Angeles");
        assert_eq!(timezone_for(&Region::default()), "Asia/Kolkata");
        assert_eq!(sequence_for("hot", "website"), None);
        assert_eq!(sequence_for("warm", "website"), Some("nurture"));
        assert_eq!(sequence_for("cold", "website"), Some("drip"));
        assert_eq!(sequence_for("warm", "webinar"), Some("post_event"));
        assert_eq!(sequence_for("cold", "prospect_list"), Some("campaign"));
        let r = SequenceRules::default();
        assert_eq!(
            r.sequences["nurture"]
                .iter()
                .map(|s| s.delay_hours / 24)
                .collect::<Vec<_>>(),
            [0, 4, 10, 21]
        );
        assert_eq!(r.sequences["drip"].len(), 6);
    }

    #[test]
    fn rendering_escapes_lead_text_in_html_only() {
        let vars = [("name", "<b>Tom & \"Jerry\"</b>")];
        assert_eq!(
            render("Hi {{name}}", &vars, true),
            "Hi &lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt;"
        );
        assert_eq!(render("Hi {{name}}", &vars, false), "Hi <b>Tom & \"Jerry\"</b>");
    }

    #[test]
    fn a_value_is_never_read_for_placeholders() {
        let vars = [
            ("name", "{{reseller}}"),
            ("reseller", "Acme ERP"),
            ("company", "{{name}}"),
        ];
        assert_eq!(
            render(
                "Hi {{name}} of {{company}}, from {{reseller}} {{unknown}} {{",
                &vars,
                false
            ),
            "Hi {{reseller}} of {{name}}, from Acme ERP {{unknown}} {{"
        );
    }
}
