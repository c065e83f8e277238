//! The AWS partition the SDK resolves endpoints in, read from a file at start.
//!
//! Each SDK service crate parses its embedded table of eight partitions (with every region's
//! name) and compiles eight region patterns when its first client is built — 0.37 M
//! instructions per crate, a quarter of a small function's init (docs/BENCHMARKS.md). When
//! `SMITHY_CLIENT_SDK_CUSTOM_PARTITION` names a file, the SDK reads that table instead. The
//! template deploys `infra/sdk-partitions/` as a layer (at `/opt`) and names
//! `/opt/${AWS::Partition}.json`: the one partition the stack runs in, matched by its pattern
//! (`scripts/sdk-partitions` writes the files from the SDK's own table).

use serde::Deserialize;

use crate::config::env::SDK_PARTITIONS_FILE as CUSTOM_PARTITION;
use crate::config::Env;

#[derive(Deserialize)]
struct Table {
    partitions: Vec<Partition>,
}

#[derive(Deserialize)]
struct Partition {
    id: String,
    #[serde(rename = "regionRegex")]
    region_regex: String,
}

/// The SDK panics building its first client when the file is missing or not a partitions
/// table; this records why in `env` first, so that start-up fails with a configuration error
/// that names the file.
pub fn check(env: &mut Env) {
    let Some(path) = env.optional(CUSTOM_PARTITION) else {
        return;
    };
    let problem = match std::fs::read(&path) {
        Err(e) => Some(format!("cannot read {path}: {e}")),
        Ok(bytes) => match serde_json::from_slice::<Table>(&bytes) {
            Err(e) => Some(format!("{path} is not a partitions table: {e}")),
            Ok(t)
                if t.partitions
                    .iter()
                    .any(|p| p.id.is_empty() || p.region_regex.is_empty()) =>
            {
                Some(format!("{path}: a partition without its id or region pattern"))
            }
            Ok(t) if t.partitions.is_empty() => Some(format!("{path} lists no partition")),
            Ok(_) => None,
        },
    };
    if let Some(p) = problem {
        env.problem(format!("{CUSTOM_PARTITION}: {p}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::{Path, PathBuf};
    use std::process::Command;

    /// A region of each partition (the files carry no region list: their pattern decides).
    const REGIONS: [(&str, &str); 10] = [
        ("aws", "ap-south-1"),
        ("aws", "me-central-1"),
        ("aws", "us-east-1"),
        ("aws-cn", "cn-north-1"),
        ("aws-eusc", "eusc-de-east-1"),
        ("aws-iso", "us-iso-east-1"),
        ("aws-iso-b", "us-isob-east-1"),
        ("aws-iso-e", "eu-isoe-west-1"),
        ("aws-iso-f", "us-isof-south-1"),
        ("aws-us-gov", "us-gov-west-1"),
    ];

    fn partitions_dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/sdk-partitions")
    }

    /// The endpoint `$sdk`'s built-in resolver gives for a request in `$region`.
    macro_rules! endpoint {
        ($sdk:ident, $region:expr $(, $param:ident($value:expr))*) => {{
            use $sdk::config::endpoint::{DefaultResolver, Params, ResolveEndpoint as _};
            let params = Params::builder().region($region)$(.$param($value))*.build().expect("params");
            DefaultResolver::new().resolve_endpoint(&params).await
        }};
    }

    /// Limits the test below to one partition's regions (set in its child processes).
    const PROBE: &str = "SDK_PARTITIONS_PROBE";

    fn regions_of(partition: &str) -> Vec<&'static str> {
        REGIONS
            .iter()
            .filter(|(p, _)| *p == partition)
            .map(|(_, r)| *r)
            .collect()
    }

    /// Every service's endpoint in every sample region as this process's SDK resolves them,
    /// one `ENDPOINT service region url` line each (the test below runs it in child processes,
    /// with and without the variable: the SDK reads it once per process).
    #[tokio::test]
    async fn endpoints_of_every_service_in_every_partition() {
        let regions = match std::env::var(PROBE) {
            Ok(partition) => regions_of(&partition),
            Err(_) => REGIONS.iter().map(|(_, r)| *r).collect(),
        };
        assert!(!regions.is_empty());
        for region in regions {
            let urls = [
                ("dynamodb", endpoint!(aws_sdk_dynamodb, region)),
                ("sqs", endpoint!(aws_sdk_sqs, region)),
                ("ses", endpoint!(aws_sdk_ses, region)),
                ("s3", endpoint!(aws_sdk_s3, region, bucket("imports"))),
            ];
            for (service, url) in urls {
                let url = url.expect("an endpoint").url().to_string();
                assert!(url.starts_with("https://"), "{service} {region}: {url}");
                println!("ENDPOINT {service} {region} {url}");
            }
        }
    }

    /// The `ENDPOINT` lines of a child process resolving `partition`'s regions, with the SDK's
    /// built-in table or with `file`.
    fn endpoints(partition: &str, file: Option<&Path>) -> Vec<String> {
        let mut child = Command::new(std::env::current_exe().expect("the test binary"));
        child.args([
            "adapters::aws::partitions::tests::endpoints_of_every_service_in_every_partition",
            "--exact",
            "--nocapture",
        ]);
        child.env(PROBE, partition);
        match file {
            Some(f) => child.env(CUSTOM_PARTITION, f),
            None => child.env_remove(CUSTOM_PARTITION),
        };
        let out = child.output().expect("the test binary runs");
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
        let lines: Vec<String> = stdout
            .lines()
            .filter(|l| l.starts_with("ENDPOINT "))
            .map(str::to_string)
            .collect();
        assert_eq!(lines.len(), regions_of(partition).len() * 4, "{stdout}");
        lines
    }

    #[test]
    fn each_partition_file_resolves_its_regions_as_the_sdks_own_table_does() {
        let mut files = 0;
        for entry in std::fs::read_dir(partitions_dir()).expect("infra/sdk-partitions") {
            let file = entry.expect("entry").path();
            let id = file.file_stem().and_then(|s| s.to_str()).expect("a name").to_string();
            let table: Table = serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("a table");
            assert_eq!(table.partitions.len(), 1, "{id}: one partition per file");
            assert_eq!(table.partitions[0].id, id, "the file is named for its partition");
            assert_eq!(endpoints(&id, Some(&file)), endpoints(&id, None), "{id}");
            files += 1;
        }
        assert_eq!(files, 8, "one file per partition the SDK knows");
    }

    #[test]
    fn a_missing_or_broken_file_is_a_configuration_error() {
        let dir = std::env::temp_dir().join(format!("sdk-partitions-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let broken = dir.join("broken.json");
        std::fs::write(&broken, b"{\"partitions\": [{\"id\": \"aws\"}]}").expect("write");
        let good = partitions_dir().join("aws.json");
        for (path, expect) in [
            (dir.join("absent.json"), Some("cannot read")),
            (broken, Some("is not a partitions table")),
            (good, None),
        ] {
            let value = path.to_string_lossy().to_string();
            let mut env = Env::from_fn(move |n| (n == CUSTOM_PARTITION).then(|| value.clone()));
            check(&mut env);
            match (env.finish(), expect) {
                (Ok(()), None) => {}
                (Err(e), Some(why)) => assert!(e.to_string().contains(why), "{e}"),
                (got, want) => panic!("{}: {got:?}, wanted {want:?}", path.display()),
            }
        }
        let mut unset = Env::from_fn(|_| None);
        check(&mut unset);
        assert!(unset.finish().is_ok());
    }
}
