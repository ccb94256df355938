//! SCIM load generator: provisions N users and G groups the way Microsoft Entra ID does
//! (match-before-create GET + POST per user; group GET + POST, then member PATCHes in batches),
//! then updates users and looks them up, at a fixed concurrency. Prints requests/s and p50/p99
//! latency per phase, and the server's peak RSS when given its pid. See scripts/bench.sh.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Parser;
use serde_json::{json, Value};

#[derive(Parser, Debug)]
struct Args {
    /// The SCIM Tenant URL, e.g. http://127.0.0.1:3000/scim/v2/<TenantID>; given more than once
    /// (instances of one installation), requests go to each in turn, as a round-robin balancer.
    #[arg(long, required = true)]
    url: Vec<String>,
    #[arg(long)]
    token: String,
    #[arg(long, default_value_t = 10_000)]
    users: usize,
    #[arg(long, default_value_t = 100)]
    groups: usize,
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Members per PATCH.
    #[arg(long, default_value_t = 50)]
    batch: usize,
    /// Lookups by userName in the last phase.
    #[arg(long, default_value_t = 20_000)]
    lookups: usize,
    /// The server's pid, to report its peak RSS (once per instance).
    #[arg(long)]
    server_pid: Vec<u32>,
}

struct Phase {
    name: &'static str,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

impl Phase {
    fn print(&self) {
        let mut l = self.latencies.clone();
        l.sort();
        let pct = |p: f64| {
            l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        println!(
            "{:<26} {:>8} req {:>8.1} s {:>9.0} req/s   p50 {:>7.2} ms   p99 {:>7.2} ms",
            self.name,
            l.len(),
            self.elapsed.as_secs_f64(),
            l.len() as f64 / self.elapsed.as_secs_f64(),
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
        );
    }
}

#[derive(Clone)]
struct Client {
    http: reqwest::Client,
    urls: Arc<[Arc<str>]>,
    next: Arc<std::sync::atomic::AtomicUsize>,
    auth: Arc<str>,
}

impl Client {
    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
        expect: u16,
    ) -> anyhow::Result<(Duration, Value)> {
        let turn = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let url = &self.urls[turn % self.urls.len()];
        let mut req = self
            .http
            .request(method.clone(), format!("{url}{path}"))
            .header("Authorization", &*self.auth);
        if let Some(b) = body {
            req = req
                .header("Content-Type", "application/scim+json")
                .body(b.to_string());
        }
        let start = Instant::now();
        let res = req.send().await?;
        let status = res.status().as_u16();
        let bytes = res.bytes().await?;
        let took = start.elapsed();
        if status != expect {
            bail!(
                "{method} {path}: expected {expect}, got {status}: {}",
                String::from_utf8_lossy(&bytes)
            );
        }
        let v = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)?
        };
        Ok((took, v))
    }
}

fn user_name(i: usize) -> String {
    format!("user{i:06}@bench.example.com")
}

fn user_body(i: usize) -> Value {
    let upn = user_name(i);
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": format!("user{i:06}"),
        "userName": upn,
        "active": true,
        "displayName": format!("Bench User {i}"),
        "emails": [{"primary": true, "type": "work", "value": upn}],
        "name": {"formatted": format!("Bench User {i}"), "familyName": "User", "givenName": format!("Bench{i}")},
        "phoneNumbers": [{"type": "mobile", "value": format!("+1 555 {i:07}")}],
        "meta": {"resourceType": "User"},
    })
}

/// Runs `jobs` jobs over `concurrency` workers; each job returns the latencies of its requests.
async fn run<F, Fut>(
    name: &'static str,
    jobs: usize,
    concurrency: usize,
    job: F,
) -> anyhow::Result<Phase>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<Vec<Duration>>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let job = Arc::new(job);
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (next, job) = (next.clone(), job.clone());
        workers.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= jobs {
                    return Ok::<_, anyhow::Error>(lat);
                }
                lat.extend(job(i).await?);
            }
        }));
    }
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await??);
    }
    Ok(Phase {
        name,
        latencies,
        elapsed: start.elapsed(),
    })
}

fn peak_rss(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |k: &str| {
        status
            .lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency * 2)
        .build()?;
    let c = Client {
        http,
        urls: args
            .url
            .iter()
            .map(|u| Arc::from(u.trim_end_matches('/')))
            .collect(),
        next: Arc::default(),
        auth: format!("Bearer {}", args.token).into(),
    };
    let (users, groups, conc, batch) = (
        args.users,
        args.groups.max(1),
        args.concurrency,
        args.batch.max(1),
    );
    println!("SCIM benchmark: {users} users, {groups} groups, concurrency {conc}, {batch} members per PATCH");
    let ids: Arc<Vec<std::sync::OnceLock<String>>> =
        Arc::new((0..users).map(|_| std::sync::OnceLock::new()).collect());

    let mut phases = Vec::new();
    let total_start = Instant::now();
    {
        let (c, ids) = (c.clone(), ids.clone());
        phases.push(
            run("users: GET match + POST", users, conc, move |i| {
                let (c, ids) = (c.clone(), ids.clone());
                async move {
                    let (t1, found) = c
                        .send(
                            reqwest::Method::GET,
                            &format!("/Users?filter=userName+eq+%22{}%22", user_name(i)),
                            None,
                            200,
                        )
                        .await?;
                    if found["totalResults"] != 0 {
                        bail!("user {i} exists already");
                    }
                    let (t2, created) = c
                        .send(reqwest::Method::POST, "/Users", Some(user_body(i)), 201)
                        .await?;
                    let _ = ids[i].set(created["id"].as_str().context("id")?.to_owned());
                    Ok(vec![t1, t2])
                }
            })
            .await?,
        );
    }
    {
        let (c, ids) = (c.clone(), ids.clone());
        phases.push(run("groups: GET + POST + PATCH", groups, conc, move |g| {
            let (c, ids) = (c.clone(), ids.clone());
            async move {
                let name = format!("Bench Group {g:04}");
                let (t1, _) = c.send(reqwest::Method::GET, &format!("/Groups?excludedAttributes=members&filter=displayName+eq+%22{}%22", name.replace(' ', "+")), None, 200).await?;
                let (t2, created) = c.send(reqwest::Method::POST, "/Groups", Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": name, "members": []})), 201).await?;
                let gid = created["id"].as_str().context("id")?.to_owned();
                let members: Vec<&String> = (g..ids.len()).step_by(groups).filter_map(|i| ids[i].get()).collect();
                let mut lat = vec![t1, t2];
                for chunk in members.chunks(batch) {
                    let value: Vec<Value> = chunk.iter().map(|id| json!({"value": id})).collect();
                    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "Add", "path": "members", "value": value}]});
                    lat.push(c.send(reqwest::Method::PATCH, &format!("/Groups/{gid}?excludedAttributes=members"), Some(body), 204).await?.0);
                }
                Ok(lat)
            }
        }).await?);
    }
    let provisioning_requests: usize = phases.iter().map(|p| p.latencies.len()).sum();
    let provisioning_secs = total_start.elapsed().as_secs_f64();
    {
        let (c, ids) = (c.clone(), ids.clone());
        phases.push(run("updates: PATCH user", users, conc, move |i| {
            let (c, ids) = (c.clone(), ids.clone());
            async move {
                let id = ids[i].get().context("id")?;
                let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [
                    {"op": "Replace", "path": "displayName", "value": format!("Renamed {i}")},
                    {"op": "Replace", "path": "name.givenName", "value": format!("Renamed{i}")},
                ]});
                Ok(vec![c.send(reqwest::Method::PATCH, &format!("/Users/{id}"), Some(body), 200).await?.0])
            }
        }).await?);
    }
    {
        let c = c.clone();
        let lookups = args.lookups;
        phases.push(
            run("lookups: GET by userName", lookups, conc, move |k| {
                let c = c.clone();
                async move {
                    let i = (k.wrapping_mul(2_654_435_761)) % users;
                    let (t, found) = c
                        .send(
                            reqwest::Method::GET,
                            &format!("/Users?filter=userName+eq+%22{}%22", user_name(i)),
                            None,
                            200,
                        )
                        .await?;
                    if found["totalResults"] != 1 {
                        bail!("lookup of user {i} found {}", found["totalResults"]);
                    }
                    Ok(vec![t])
                }
            })
            .await?,
        );
    }
    println!();
    for p in &phases {
        p.print();
    }
    println!(
        "{:<26} {:>8} req {:>8.1} s {:>9.0} req/s",
        "provisioning mix (1+2)",
        provisioning_requests,
        provisioning_secs,
        provisioning_requests as f64 / provisioning_secs
    );
    for (peak, now) in args.server_pid.iter().filter_map(|pid| peak_rss(*pid)) {
        println!(
            "server RSS: peak {:.1} MB, now {:.1} MB",
            peak as f64 / 1024.0,
            now as f64 / 1024.0
        );
    }
    Ok(())
}
