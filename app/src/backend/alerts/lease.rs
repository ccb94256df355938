//! Leases in the database: a job that must run on one instance at a time (the alert checks)
//! is run by whoever holds its lease. The holder renews it each round; when it stops, another
//! instance takes it over once it has expired.

use crate::backend::clock::now;
use crate::backend::error::Result;
use crate::backend::Backend;

impl Backend {
    /// Takes or renews the lease `name` for `holder` for `secs`; `false` when another holds it.
    pub async fn take_lease(&self, name: &str, holder: &str, secs: i64) -> Result<bool> {
        let ts = now();
        let _writer = self.db.lock_writes().await;
        let done = sqlx::query(
            "INSERT INTO job_lease (name, holder, expires_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
             WHERE job_lease.holder = excluded.holder OR job_lease.expires_at < $4",
        )
        .bind(name)
        .bind(holder)
        .bind(ts + secs)
        .bind(ts)
        .execute(&self.db.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
