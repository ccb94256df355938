//! Sign-in flood benchmark (not part of the product): against a running `cantara`, 1,000
//! concurrent wrong sign-ins (unknown usernames, from 127.0.0.1 or spread over several loopback
//! addresses), and during them one correct sign-in from 127.0.0.250. Prints how the flood was
//! answered, how long the correct sign-in took, and the server's peak resident memory.
//!
//!   cantara-signin-bench --url http://127.0.0.1:PORT --password P --server-pid PID
//!                        [--attempts 1000] [--addresses 1]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use clap::Parser;

#[derive(Parser)]
struct Args {
    #[arg(long)]
    url: String,
    #[arg(long)]
    password: String,
    #[arg(long)]
    server_pid: u32,
    #[arg(long, default_value_t = 1000)]
    attempts: usize,
    /// Loopback addresses the flood comes from (127.0.0.1 …).
    #[arg(long, default_value_t = 1)]
    addresses: u8,
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn client(from: Ipv4Addr) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::V4(from))
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

async fn login(c: &reqwest::Client, url: &str, user: &str, password: &str) -> (u16, Duration) {
    let started = Instant::now();
    let body = serde_urlencoded::to_string([
        ("tenant_id", ""),
        ("username", user),
        ("password", password),
    ])
    .unwrap();
    let status = match c
        .post(format!("{url}/api/login"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Accept", "application/json")
        .body(body)
        .send()
        .await
    {
        Ok(r) => r.status().as_u16(),
        Err(_) => 0,
    };
    (status, started.elapsed())
}

#[tokio::main]
async fn main() {
    let a = Args::parse();
    let before = rss_kib(a.server_pid, "VmRSS:");
    println!(
        "Sign-in flood: {} concurrent wrong sign-ins from {} address(es); server resident before: {} MB",
        a.attempts,
        a.addresses,
        before / 1024
    );
    let started = Instant::now();
    let mut flood = Vec::new();
    for i in 0..a.attempts {
        let from = Ipv4Addr::new(127, 0, 0, 1 + (i % usize::from(a.addresses.max(1))) as u8);
        let url = a.url.clone();
        flood.push(tokio::spawn(async move {
            login(&client(from), &url, &format!("nobody{i}"), "wrong-password").await
        }));
    }
    // The real person, elsewhere, a moment into the flood.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let (status, took) = login(
        &client(Ipv4Addr::new(127, 0, 0, 250)),
        &a.url,
        "admin",
        &a.password,
    )
    .await;
    let peak_during = rss_kib(a.server_pid, "VmHWM:");
    let mut answers: BTreeMap<u16, usize> = BTreeMap::new();
    let mut slowest = Duration::ZERO;
    for t in flood {
        let (s, d) = t.await.unwrap();
        *answers.entry(s).or_default() += 1;
        slowest = slowest.max(d);
    }
    let peak = rss_kib(a.server_pid, "VmHWM:").max(peak_during);
    println!(
        "  correct sign-in from 127.0.0.250: HTTP {status} in {} ms",
        took.as_millis()
    );
    println!(
        "  flood answers (status: count): {answers:?}; slowest {} ms; all done in {} ms",
        slowest.as_millis(),
        started.elapsed().as_millis()
    );
    println!("  server peak resident memory (VmHWM): {} MB", peak / 1024);
}
