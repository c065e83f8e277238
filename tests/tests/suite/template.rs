//! template.yaml matches the code: every function crate is deployed with its binary, every env
//! var a function reads is set, every queue it sends to exists with a DLQ and a visibility
//! timeout ≥ 6× its consumer's timeout, every route is wired, the table has the indexes the
//! code queries. (cfn-lint runs in ./scripts/test.)

use serde_yaml::Value;
use shared::config::env::BY_FUNCTION;
use shared::ports::table::Index;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace")
        .to_path_buf()
}

fn template() -> Value {
    let text = std::fs::read_to_string(root().join("template.yaml")).expect("template.yaml");
    serde_yaml::from_str(&text).expect("template parses")
}

fn untag(v: &Value) -> &Value {
    match v {
        Value::Tagged(t) => &t.value,
        other => other,
    }
}

/// `!Ref X` → X; `!GetAtt X.Arn` → X.
fn referenced(v: &Value) -> Option<String> {
    match v {
        Value::Tagged(t) if t.tag == "!Ref" || t.tag == "!GetAtt" => {
            t.value.as_str().map(|s| s.split('.').next().unwrap_or(s).to_string())
        }
        _ => None,
    }
}

fn functions(t: &Value) -> Vec<(String, &Value)> {
    t["Resources"]
        .as_mapping()
        .expect("resources")
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(k, r)| (k.as_str().unwrap_or("").to_string(), r))
        .collect()
}

fn binary(f: &Value) -> String {
    f["Metadata"]["BuildProperties"]["Binary"]
        .as_str()
        .expect("BuildProperties.Binary")
        .to_string()
}

#[test]
fn every_function_crate_is_deployed_from_its_binary() {
    let t = template();
    let deployed: Vec<String> = functions(&t).iter().map(|(_, f)| binary(f)).collect();
    let crates: Vec<String> = std::fs::read_dir(root().join("functions"))
        .expect("functions/")
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    for c in &crates {
        assert!(deployed.contains(c), "functions/{c} is not deployed by template.yaml");
        let manifest = std::fs::read_to_string(root().join("functions").join(c).join("Cargo.toml")).expect("manifest");
        assert!(
            manifest.contains(&format!("name = \"{c}\"")),
            "functions/{c}'s package is not named {c}"
        );
        assert!(root().join("functions").join(c).join("src/main.rs").exists());
    }
    for d in &deployed {
        assert!(
            crates.contains(d),
            "template.yaml deploys {d}, which is not a crate under functions/"
        );
    }
    assert_eq!(t["Globals"]["Function"]["Runtime"], "provided.al2023");
    assert_eq!(t["Globals"]["Function"]["Handler"], "bootstrap");
    assert_eq!(t["Globals"]["Function"]["Architectures"][0], "arm64");
    for (name, f) in functions(&t) {
        assert_eq!(f["Metadata"]["BuildMethod"], "rust-cargolambda", "{name}");
    }
}

/// Whether a function's package asks `cargo lambda build` (what `sam build` runs) to abort on a
/// panic: `profile.release.panic="abort"` in its `[package.metadata.lambda.build]` config.
fn aborts_on_panic(crate_name: &str) -> bool {
    let manifest =
        std::fs::read_to_string(root().join("functions").join(crate_name).join("Cargo.toml")).expect("manifest");
    let Some((_, after)) = manifest.split_once("[package.metadata.lambda.build]") else {
        return false;
    };
    let section = after.split("\n[").next().unwrap_or("");
    section.contains(r#"profile.release.panic="abort""#)
}

/// A function that aborts on a panic loses the whole invocation, so each invocation must carry
/// one piece of work: an HTTP request, or an SQS batch of one. A batch of more would lose its
/// other records' outcomes (the SQS handlers catch a panicking record and fail it alone, which
/// needs unwinding).
#[test]
fn only_functions_with_one_piece_of_work_per_invocation_abort_on_panic() {
    let t = template();
    let mut aborting = 0;
    for (name, f) in functions(&t) {
        let crate_name = binary(f);
        if !aborts_on_panic(&crate_name) {
            continue;
        }
        aborting += 1;
        let events = f["Properties"]["Events"].as_mapping().expect("events");
        for (event, e) in events {
            let one_at_a_time =
                e["Type"] == "HttpApi" || (e["Type"] == "SQS" && e["Properties"]["BatchSize"].as_u64() == Some(1));
            assert!(
                one_at_a_time,
                "{name} ({crate_name}) aborts on a panic, but its event {event:?} ({:?}) can carry more than one piece of work",
                e["Type"]
            );
        }
    }
    assert!(aborts_on_panic("portal") && !aborts_on_panic("scoring"));
    assert!(aborting >= 2, "{aborting} functions abort on a panic");
}

#[test]
fn every_env_var_the_code_reads_is_set() {
    let t = template();
    let globals = &t["Globals"]["Function"]["Environment"]["Variables"];
    for (crate_name, vars) in BY_FUNCTION {
        let (name, f) = functions(&t)
            .into_iter()
            .find(|(_, f)| binary(f) == *crate_name)
            .unwrap_or_else(|| panic!("{crate_name} not in template"));
        let own = &f["Properties"]["Environment"]["Variables"];
        for v in *vars {
            assert!(!own[*v].is_null() || !globals[*v].is_null(), "{name} does not set {v}");
        }
    }
}

/// Every function reads the partitions table of the partition it is deployed in from a layer:
/// the variable names `/opt/${AWS::Partition}.json` and a layer's directory holds that file for
/// each partition (the SDK panics at start on a missing file); likewise the domain lists.
#[test]
fn every_function_reads_its_partition_and_lists_from_the_layers() {
    let t = template();
    let globals = &t["Globals"]["Function"];
    let layers: Vec<String> = globals["Layers"]
        .as_sequence()
        .expect("Globals.Function.Layers")
        .iter()
        .filter_map(referenced)
        .collect();
    // every layer's files are at /opt: the variables' files must be in one of them
    let dirs: Vec<std::path::PathBuf> = layers
        .iter()
        .map(|l| {
            let layer = &t["Resources"][l.as_str()];
            assert_eq!(layer["Type"], "AWS::Serverless::LayerVersion");
            root().join(layer["Properties"]["ContentUri"].as_str().expect("ContentUri"))
        })
        .collect();
    let in_a_layer = |file: &str| dirs.iter().any(|d| d.join(file).is_file());
    let variables = &globals["Environment"]["Variables"];
    let variable = &variables[shared::config::env::SDK_PARTITIONS_FILE];
    assert!(matches!(variable, Value::Tagged(t) if t.tag == "!Sub"), "{variable:?}");
    let path = untag(variable).as_str().expect("a path");
    let file = path.strip_prefix("/opt/").expect("a layer's files are at /opt");
    for partition in ["aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-eusc"] {
        let name = file.replace("${AWS::Partition}", partition);
        assert!(in_a_layer(&name), "no layer has {name}");
    }
    // the long domain lists, which every function checks for at start
    assert_eq!(variables[shared::config::env::DOMAIN_LISTS_DIR].as_str(), Some("/opt"));
    use shared::domain::company_domain::{DISPOSABLE_MAIL_FILE, PUBLIC_SUFFIX_FILE};
    for name in [PUBLIC_SUFFIX_FILE, DISPOSABLE_MAIL_FILE] {
        assert!(in_a_layer(name), "no layer has {name}");
    }
    for (name, f) in functions(&t) {
        assert!(f["Properties"]["Layers"].is_null(), "{name} sets its own layers");
        let own = &f["Properties"]["Environment"]["Variables"];
        for v in [
            shared::config::env::SDK_PARTITIONS_FILE,
            shared::config::env::DOMAIN_LISTS_DIR,
        ] {
            assert!(own[v].is_null(), "{name} overrides {v}");
        }
    }
}

#[test]
fn a_consumers_dead_letter_queue_is_the_one_its_queue_redrives_to() {
    let t = template();
    let resources = &t["Resources"];
    let mut checked = 0;
    for (name, f) in functions(&t) {
        let value = &f["Properties"]["Environment"]["Variables"][shared::config::env::DEAD_LETTER_QUEUE_URL];
        if value.is_null() {
            continue;
        }
        let dlq = referenced(value).unwrap_or_else(|| panic!("{name}: DEAD_LETTER_QUEUE_URL must !Ref a queue"));
        let consumed: Vec<String> = f["Properties"]["Events"]
            .as_mapping()
            .into_iter()
            .flatten()
            .filter(|(_, e)| e["Type"] == "SQS")
            .filter_map(|(_, e)| referenced(&e["Properties"]["Queue"]))
            .collect();
        assert!(
            !consumed.is_empty(),
            "{name} has a dead-letter queue but consumes no queue"
        );
        for q in consumed {
            let target = referenced(&resources[q.as_str()]["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]);
            assert_eq!(target.as_deref(), Some(dlq.as_str()), "{name}: {q} redrives elsewhere");
        }
        let policies = serde_yaml::to_string(&f["Properties"]["Policies"]).unwrap_or_default();
        assert!(
            policies.contains("SQSSendMessagePolicy") && policies.contains(&dlq),
            "{name} may not send to {dlq}"
        );
        checked += 1;
    }
    assert!(checked >= 1, "the commission function moves poison messages aside");
}

#[test]
fn queues_the_code_sends_to_exist_with_dead_letter_queues_and_long_visibility() {
    let t = template();
    let resources = &t["Resources"];
    let globals = &t["Globals"]["Function"]["Environment"]["Variables"];
    for (crate_name, vars) in BY_FUNCTION {
        let (_, f) = functions(&t)
            .into_iter()
            .find(|(_, f)| binary(f) == *crate_name)
            .expect("function");
        for v in vars
            .iter()
            .filter(|v| v.ends_with("_QUEUE_URL") && **v != shared::config::env::DEAD_LETTER_QUEUE_URL)
        {
            let value = if f["Properties"]["Environment"]["Variables"][*v].is_null() {
                &globals[*v]
            } else {
                &f["Properties"]["Environment"]["Variables"][*v]
            };
            let queue = referenced(value).unwrap_or_else(|| panic!("{v} must !Ref a queue"));
            let q = &resources[queue.as_str()];
            assert_eq!(q["Type"], "AWS::SQS::Queue", "{v} → {queue}");
            let redrive = &q["Properties"]["RedrivePolicy"];
            assert!(
                redrive["maxReceiveCount"].as_u64().unwrap_or(0) >= 5,
                "{queue} needs maxReceiveCount ≥ 5"
            );
            let dlq = referenced(&redrive["deadLetterTargetArn"]).expect("DLQ reference");
            assert_eq!(resources[dlq.as_str()]["Type"], "AWS::SQS::Queue");
            // the consumer (if any) must finish well inside the visibility timeout
            let visibility = q["Properties"]["VisibilityTimeout"].as_u64().unwrap_or(30);
            for (cname, consumer) in functions(&t) {
                let consumes = consumer["Properties"]["Events"]
                    .as_mapping()
                    .into_iter()
                    .flatten()
                    .any(|(_, e)| {
                        e["Type"] == "SQS" && referenced(&e["Properties"]["Queue"]).as_deref() == Some(queue.as_str())
                    });
                if consumes {
                    let timeout = consumer["Properties"]["Timeout"].as_u64().expect("timeout");
                    assert!(
                        visibility >= 6 * timeout,
                        "{queue}: visibility {visibility}s < 6 × {cname}'s {timeout}s"
                    );
                    let events = consumer["Properties"]["Events"].as_mapping().expect("events");
                    assert!(events
                        .iter()
                        .any(|(_, e)| e["Properties"]["FunctionResponseTypes"][0] == "ReportBatchItemFailures"));
                }
            }
        }
    }
}

#[test]
fn every_route_is_wired_to_its_function() {
    let t = template();
    for (crate_name, routes) in shared::handlers::HTTP_FUNCTIONS.iter().copied() {
        let (_, f) = functions(&t)
            .into_iter()
            .find(|(_, f)| binary(f) == crate_name)
            .expect("function");
        let events = f["Properties"]["Events"].as_mapping().expect("events");
        for (method, path) in routes {
            assert!(
                events.iter().any(|(_, e)| e["Type"] == "HttpApi"
                    && e["Properties"]["Method"] == *method
                    && e["Properties"]["Path"] == *path),
                "{method} {path} is not routed to {crate_name} in template.yaml"
            );
        }
    }
}

#[test]
fn table_has_the_indexes_the_code_queries_and_the_admin_key_is_secret() {
    let t = template();
    let table = &t["Resources"]["Table"]["Properties"];
    let gsis = table["GlobalSecondaryIndexes"].as_sequence().expect("gsis");
    for index in Index::ALL {
        let gsi = gsis
            .iter()
            .find(|g| g["IndexName"] == index.name())
            .unwrap_or_else(|| panic!("{} missing", index.name()));
        assert_eq!(gsi["KeySchema"][0]["AttributeName"], index.pk_attr());
        assert_eq!(gsi["KeySchema"][1]["AttributeName"], index.sk_attr());
        assert_eq!(gsi["Projection"]["ProjectionType"], "ALL");
    }
    assert_eq!(table["KeySchema"][0]["AttributeName"], "pk");
    assert_eq!(table["KeySchema"][1]["AttributeName"], "sk");
    // short-lived items (rate counters, login links, sessions, idempotency records) expire
    assert_eq!(
        table["TimeToLiveSpecification"]["AttributeName"],
        shared::ports::table::EXPIRES_ATTRIBUTE
    );
    assert_eq!(table["TimeToLiveSpecification"]["Enabled"], true);
    assert_eq!(t["Parameters"]["AdminApiKey"]["NoEcho"], true);
    assert_eq!(t["Parameters"]["BillingWebhookSecret"]["NoEcho"], true);
    assert_eq!(
        untag(&t["Resources"]["LeadCaptureFunction"]["Properties"]["Environment"]["Variables"]["ADMIN_API_KEY"])
            .as_str(),
        Some("AdminApiKey")
    );
}

/// The function's ScheduleV2 event: its cron expression in India's time zone, and the local
/// stack runs it as a job.
fn assert_schedule(crate_name: &str, cron: &str) {
    let t = template();
    let (_, f) = functions(&t)
        .into_iter()
        .find(|(_, f)| binary(f) == crate_name)
        .expect("function");
    let events = f["Properties"]["Events"].as_mapping().expect("events");
    let schedule = events
        .iter()
        .map(|(_, e)| e)
        .find(|e| e["Type"] == "ScheduleV2")
        .expect("a ScheduleV2 event");
    assert_eq!(schedule["Properties"]["ScheduleExpression"], cron);
    assert_eq!(schedule["Properties"]["ScheduleExpressionTimezone"], "Asia/Kolkata");
    let control = std::fs::read_to_string(root().join("infra/local-stack/src/control.rs")).expect("control.rs");
    assert!(
        control.contains(&format!("\"{crate_name}\"")),
        "the local stack runs {crate_name} as a job"
    );
}

#[test]
fn the_renewal_scan_runs_nightly_at_two_in_india() {
    assert_schedule("renewal-risk-scan", "cron(0 2 * * ? *)");
}

#[test]
fn the_payout_runs_on_the_first_at_half_past_two_in_india() {
    assert_schedule("monthly-payout", "cron(30 2 1 * ? *)");
}

#[test]
fn uploads_under_prospects_reach_the_importer() {
    let t = template();
    let bucket = &t["Resources"]["ProspectBucket"]["Properties"];
    let notification = &bucket["NotificationConfiguration"]["QueueConfigurations"][0];
    assert_eq!(notification["Event"], "s3:ObjectCreated:*");
    let queue = referenced(&notification["Queue"]).expect("a queue");
    let rules = &notification["Filter"]["S3Key"]["Rules"];
    let rule = |name: &str| {
        rules
            .as_sequence()
            .into_iter()
            .flatten()
            .find(|r| r["Name"] == name)
            .map(|r| r["Value"].as_str().unwrap_or("").to_string())
    };
    assert_eq!(rule("prefix").as_deref(), Some(shared::domain::prospects::PREFIX));
    assert_eq!(rule("suffix").as_deref(), Some(".csv"));
    assert_eq!(bucket["VersioningConfiguration"]["Status"], "Enabled");
    let (_, importer) = functions(&t)
        .into_iter()
        .find(|(_, f)| binary(f) == "prospect-import")
        .expect("importer");
    let vars = &importer["Properties"]["Environment"]["Variables"];
    assert_eq!(referenced(&vars["IMPORT_QUEUE_URL"]).as_deref(), Some(queue.as_str()));
    assert_eq!(referenced(&vars["BUCKET_NAME"]).as_deref(), Some("ProspectBucket"));
    let consumes = importer["Properties"]["Events"]
        .as_mapping()
        .into_iter()
        .flatten()
        .any(|(_, e)| e["Type"] == "SQS" && referenced(&e["Properties"]["Queue"]).as_deref() == Some(queue.as_str()));
    assert!(consumes, "the importer consumes {queue}");
}

#[test]
fn the_sla_watch_runs_every_quarter_hour() {
    assert_schedule("sla-watch", "rate(15 minutes)");
}

/// Every `dynamodb:` action a function's policies grant.
fn dynamodb_actions(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s.starts_with("dynamodb:") => out.push(s.clone()),
        Value::Sequence(items) => items.iter().for_each(|i| dynamodb_actions(i, out)),
        Value::Mapping(m) => m.values().for_each(|i| dynamodb_actions(i, out)),
        Value::Tagged(t) => dynamodb_actions(&t.value, out),
        _ => {}
    }
}

#[test]
fn every_function_that_writes_may_move_the_dashboards_counters() {
    // the counters are `ADD` updates inside the transactions of the writes they count
    // (captured, routed, moved, paid, clicked, flagged…): a function that puts items needs
    // UpdateItem too, or its transactions are refused in AWS
    let t = template();
    for (name, f) in functions(&t) {
        let mut actions = Vec::new();
        dynamodb_actions(&f["Properties"]["Policies"], &mut actions);
        if actions.iter().any(|a| a == "dynamodb:PutItem") {
            assert!(
                actions.iter().any(|a| a == "dynamodb:UpdateItem"),
                "{name} puts items but may not update them"
            );
        }
    }
}

/// Every name a template refers to: `!Ref X`, `!GetAtt X.Attr`, `${X}` / `${X.Attr}` in `!Sub`.
fn names_referred_to(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Tagged(t) if t.tag == "!Sub" => {
            let text = match &t.value {
                Value::String(s) => s.clone(),
                Value::Sequence(parts) => parts.first().and_then(Value::as_str).unwrap_or("").to_string(),
                _ => String::new(),
            };
            for piece in text.split("${").skip(1) {
                if let Some(name) = piece.split('}').next() {
                    out.push(name.split('.').next().unwrap_or(name).to_string());
                }
            }
            names_referred_to(&t.value, out);
        }
        Value::Tagged(t) => {
            if let Some(name) = referenced(v) {
                out.push(name);
            }
            names_referred_to(&t.value, out);
        }
        Value::Sequence(items) => items.iter().for_each(|i| names_referred_to(i, out)),
        Value::Mapping(m) => m.values().for_each(|i| names_referred_to(i, out)),
        _ => {}
    }
}

/// What cfn-lint does not catch in this template (tried: a `!Ref` to a missing resource and a
/// bogus event type both pass it): every name referred to exists, every function event is a
/// type SAM knows.
fn sam_problems(t: &Value) -> Vec<String> {
    let known: std::collections::BTreeSet<String> = ["Parameters", "Resources", "Conditions"]
        .iter()
        .filter_map(|s| t[*s].as_mapping())
        .flat_map(|m| m.keys().filter_map(Value::as_str).map(str::to_string))
        .collect();
    let mut names = Vec::new();
    names_referred_to(&t["Resources"], &mut names);
    names_referred_to(&t["Outputs"], &mut names);
    names_referred_to(&t["Globals"], &mut names);
    let mut problems: Vec<String> = names
        .into_iter()
        .filter(|n| !n.starts_with("AWS::") && !known.contains(n))
        .map(|n| format!("refers to {n}, which is neither a parameter nor a resource"))
        .collect();
    const EVENT_TYPES: &[&str] = &[
        "HttpApi",
        "Api",
        "SQS",
        "S3",
        "Schedule",
        "ScheduleV2",
        "SNS",
        "EventBridgeRule",
    ];
    for (name, f) in functions(t) {
        for (event, e) in f["Properties"]["Events"].as_mapping().into_iter().flatten() {
            let ty = e["Type"].as_str().unwrap_or("");
            if !EVENT_TYPES.contains(&ty) {
                problems.push(format!(
                    "{name}'s event {event:?} has the type {ty:?}, which SAM does not know"
                ));
            }
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

#[test]
fn every_name_the_template_refers_to_exists_and_every_event_type_is_sams() {
    assert_eq!(sam_problems(&template()), Vec::<String>::new());
    // and the check does catch both mistakes
    let text = std::fs::read_to_string(root().join("template.yaml")).expect("template.yaml");
    let broken = text
        .replacen("!Ref ScoringQueue\n", "!Ref ScoringQueueTypo\n", 1)
        .replacen("Type: HttpApi\n", "Type: HttpApiTypo\n", 1);
    let problems = sam_problems(&serde_yaml::from_str(&broken).expect("parses"));
    assert!(problems.iter().any(|p| p.contains("ScoringQueueTypo")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("HttpApiTypo")), "{problems:?}");
}

/// The local stack serves nothing the template does not deploy: besides the functions' own
/// routers (each routed by the template, see `every_route_is_wired_to_its_function`), its only
/// routes are its `/_local` control surface.
#[test]
fn the_local_stack_serves_nothing_the_template_does_not() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let lib = std::fs::read_to_string(root.join("infra/local-stack/src/lib.rs")).expect("lib.rs");
    let control = std::fs::read_to_string(root.join("infra/local-stack/src/control.rs")).expect("control.rs");
    for source in [&lib, &control] {
        for (i, _) in source.match_indices(".route(\"") {
            let path = source[i + 8..].split('"').next().unwrap_or("");
            assert!(
                path.starts_with("/_local"),
                "the local stack serves {path}, which no function does"
            );
        }
    }
    // every function's router is merged, and nothing else
    let merged: Vec<&str> = lib
        .match_indices("::router(")
        .map(|(i, _)| {
            let start = lib[..i]
                .rfind(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .map_or(0, |s| s + 1);
            &lib[start..i]
        })
        .collect();
    for (function, _) in shared::handlers::HTTP_FUNCTIONS {
        let module = match *function {
            "lead-capture" => "lead_api",
            "order-commission" => "billing_api",
            "sales-api" => "sales_api",
            "proposals" => "proposals",
            "partner-api" => "partner_api",
            "portal" => "portal",
            "portal-admin" => "admin_pages",
            "api-description" => "api_description",
            other => panic!("a new HTTP function {other}: name its module here"),
        };
        assert!(
            merged.iter().any(|m| m.ends_with(module)),
            "{module} is not served locally: {merged:?}"
        );
    }
}
