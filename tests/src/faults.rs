//! Fault injection through every multi-step flow: the flow runs once to learn its writes, then
//! once per write with the process "crashing" just before it (that write and every call after
//! it fail), then restarts and recovers as production would — SQS redelivers, the billing
//! system and the admin retry what answered 5xx, the schedules run again, the outbox sweeper
//! sends what is owed — and the flow's stated guarantee is checked: nothing lost, nothing done
//! twice, an email at least once (twice only when the crash fell between its send and its mark).

use crate::flows::Api;
use local_stack::Running;
use shared::adapters::embedded::SentMail;
use shared::adapters::faults::{Faults, Plan};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub struct Harness {
    pub stack: Running,
    pub faults: Arc<Faults>,
    pub api: Api,
}

impl Harness {
    /// An embedded stack whose functions run behind a fault plan; messages come back 150 ms
    /// after a failed delivery.
    pub async fn new() -> Harness {
        Harness::with(|_| {}).await
    }

    /// The same with some options changed.
    pub async fn with(change: impl FnOnce(&mut local_stack::Options)) -> Harness {
        let faults = Arc::new(Faults::default());
        let f = faults.clone();
        let stack = crate::embedded_stack_with(move |o| {
            o.faults = Some(f);
            o.visibility = Duration::from_millis(150);
            change(o);
        })
        .await;
        let api = Api::of(&stack);
        Harness { stack, faults, api }
    }

    async fn queued(&self) -> u64 {
        let mut n = 0;
        for (_, id) in &self.stack.stack.queue_ids {
            n += self.stack.stack.queue.depth(id).await.unwrap_or(0);
        }
        n
    }

    /// Waits for the flow to stop: its fault fired (then the failing handler is given time to
    /// return), or its queues are empty and nothing was written for a while.
    async fn settle(&self) {
        let started = Instant::now();
        let mut last = (usize::MAX, Instant::now());
        loop {
            if self.faults.fired() {
                tokio::time::sleep(Duration::from_millis(100)).await;
                return;
            }
            let writes = self.faults.writes();
            if writes != last.0 {
                last = (writes, Instant::now());
            }
            if self.queued().await == 0 && last.1.elapsed() > Duration::from_millis(60) {
                return;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "the flow did not settle");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Runs a scheduled job as its schedule would: whether it succeeded (a crash fails it).
    pub async fn try_job(&self, name: &str, now: &str) -> bool {
        self.api
            .http
            .post(format!("{}/_local/jobs/{name}", self.api.base))
            .json(&serde_json::json!({ "now": now }))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success())
    }

    /// What the stack mailed to an address.
    pub async fn mail_to(&self, to: &str) -> Vec<SentMail> {
        crate::outbox_mail(&self.stack)(to.to_string()).await
    }

    /// Dead-letter queues hold nothing: no message was given up on.
    pub async fn assert_no_dead_letters(&self) {
        for (_, id) in &self.stack.stack.queue_ids {
            let dlq = shared::ports::queue::dead_letter_queue_of(id);
            let depth = self.stack.stack.queue.depth(&dlq).await.unwrap_or(0);
            assert_eq!(depth, 0, "{dlq} holds a message");
        }
    }
}

/// Emails of a kind: once, or twice when a crash fell right after a send.
pub fn assert_mailed(mail: &[SentMail], subject: &str, resend_allowed: bool) {
    let n = mail.iter().filter(|m| m.subject.contains(subject)).count();
    let allowed = if resend_allowed { 1..=2 } else { 1..=1 };
    assert!(
        allowed.contains(&n),
        "{n} emails '{subject}' (resend allowed: {resend_allowed}); sent: {:?}",
        mail.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );
}

/// One multi-step flow: fresh data for run `k`, the act the faults hit, the recovery and the
/// guarantee.
#[allow(async_fn_in_trait)]
pub trait Flow {
    type Ctx;
    async fn setup(&self, h: &Harness, k: usize) -> Self::Ctx;
    async fn act(&self, h: &Harness, c: &mut Self::Ctx);
    async fn recover(&self, h: &Harness, c: &mut Self::Ctx);
    /// `resend` — the crash fell between an email's send and its mark
    async fn check(&self, h: &Harness, c: &Self::Ctx, resend: bool);
}

/// What a run over every write boundary saw.
#[derive(Debug)]
pub struct Swept {
    /// the flow's writes, in order, in a run without faults
    pub writes: Vec<&'static str>,
    /// runs that crashed (one per write)
    pub crashes: usize,
    /// runs whose single failed write was retried through
    pub failures: usize,
}

/// Runs `flow` without faults, then crashing before each of its writes, then failing each
/// write once; checks the guarantee after every run.
pub async fn at_every_write<F: Flow>(h: &Harness, flow: &F) -> Swept {
    let mut c = flow.setup(h, 0).await;
    h.faults.record();
    flow.act(h, &mut c).await;
    h.settle().await;
    let writes = h.faults.disarm();
    flow.recover(h, &mut c).await;
    flow.check(h, &c, false).await;
    h.assert_no_dead_letters().await;
    assert!(!writes.is_empty(), "the flow wrote nothing");
    println!("run 0: no fault, writes: {writes:?}");
    let mut run = 1;
    let mut swept = Swept {
        writes: writes.clone(),
        crashes: 0,
        failures: 0,
    };
    for plan in (1..=writes.len())
        .map(Plan::Crash)
        .chain((1..=writes.len()).map(Plan::Fail))
    {
        let mut c = flow.setup(h, run).await;
        run += 1;
        h.faults.arm(plan);
        flow.act(h, &mut c).await;
        h.settle().await;
        let fired = h.faults.fired();
        let seen = h.faults.disarm();
        let at = match plan {
            Plan::Crash(at) | Plan::Fail(at) => at,
        };
        // a send and its mark are neighbours: a crash (or a lost answer) between them resends
        let resend = fired && at >= 2 && seen.get(at - 2) == Some(&"mail.send")
            || fired && seen.get(at - 1) == Some(&"mail.send");
        // shown when a check fails
        println!("run {}: {plan:?}, fired: {fired}, writes: {seen:?}", run - 1);
        flow.recover(h, &mut c).await;
        flow.check(h, &c, resend).await;
        h.assert_no_dead_letters().await;
        if fired {
            match plan {
                Plan::Crash(_) => swept.crashes += 1,
                Plan::Fail(_) => swept.failures += 1,
            }
        }
    }
    swept
}

/// A Monday at 10:00 in India, `k` weeks after the first of the series.
pub fn monday(k: usize, hh_mm: &str) -> String {
    let first = chrono::NaiveDate::from_ymd_opt(2027, 1, 4).expect("date");
    let day = first + chrono::Duration::weeks(k as i64);
    format!("{day}T{hh_mm}:00+05:30")
}
