import GRDB

extension SQLiteStore {
    /// The schema, as GRDB migrations. Never edit a shipped migration: append a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE tenants (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE TABLE teams (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL,
                    name TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX teams_tenant ON teams(tenant_id);
                CREATE TABLE users (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL,
                    team_id TEXT,
                    name TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX users_tenant ON users(tenant_id);
                CREATE TABLE api_keys (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    secret_hash TEXT NOT NULL UNIQUE,
                    hint TEXT NOT NULL,
                    tenant_id TEXT NOT NULL,
                    team_id TEXT,
                    user_id TEXT,
                    tags TEXT NOT NULL,
                    allowed_tags TEXT NOT NULL,
                    allowed_models TEXT NOT NULL,
                    default_max_output_tokens INTEGER,
                    status TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER
                );
                CREATE INDEX api_keys_tenant ON api_keys(tenant_id);
                CREATE TABLE budgets (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL,
                    scope_kind TEXT NOT NULL,
                    scope_id TEXT NOT NULL,
                    period TEXT NOT NULL,
                    limit_nanos INTEGER NOT NULL,
                    time_zone TEXT NOT NULL,
                    created_at INTEGER NOT NULL
                );
                CREATE INDEX budgets_tenant ON budgets(tenant_id);
                CREATE TABLE budget_usage (
                    budget_id TEXT NOT NULL,
                    window_start INTEGER NOT NULL,
                    spent_nanos INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (budget_id, window_start)
                ) WITHOUT ROWID;
                CREATE TABLE holds (
                    hold_id TEXT PRIMARY KEY NOT NULL,
                    request_id TEXT NOT NULL,
                    key_id TEXT NOT NULL,
                    tenant_id TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    model TEXT NOT NULL,
                    amount_nanos INTEGER NOT NULL,
                    shares TEXT NOT NULL,
                    tags TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE ledger (
                    id INTEGER PRIMARY KEY,
                    request_id TEXT NOT NULL,
                    hold_id TEXT NOT NULL UNIQUE,
                    key_id TEXT NOT NULL,
                    tenant_id TEXT NOT NULL,
                    team_id TEXT,
                    user_id TEXT,
                    tags TEXT NOT NULL,
                    provider TEXT NOT NULL,
                    model TEXT NOT NULL,
                    endpoint TEXT NOT NULL,
                    input_tokens INTEGER NOT NULL,
                    cached_input_tokens INTEGER NOT NULL,
                    cache_write_tokens INTEGER NOT NULL,
                    extended_cache_write_tokens INTEGER NOT NULL,
                    output_tokens INTEGER NOT NULL,
                    reasoning_tokens INTEGER NOT NULL,
                    rate_input INTEGER NOT NULL,
                    rate_output INTEGER NOT NULL,
                    rate_cached_input INTEGER,
                    rate_cache_write INTEGER,
                    rate_extended_cache_write INTEGER,
                    rate_reasoning INTEGER,
                    catalog_version TEXT NOT NULL,
                    cost_nanos INTEGER NOT NULL,
                    list_cost_nanos INTEGER NOT NULL,
                    hold_nanos INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    upstream_status INTEGER,
                    upstream_id TEXT,
                    latency_ms INTEGER NOT NULL,
                    started_at INTEGER NOT NULL,
                    finished_at INTEGER NOT NULL,
                    shares TEXT NOT NULL
                );
                CREATE INDEX ledger_tenant_started ON ledger(tenant_id, started_at);
                CREATE INDEX ledger_started ON ledger(started_at);
                """)
        }
        // Audio tokens and their rates (OpenAI audio models, Gemini audio input).
        migrator.registerMigration("v2-audio") { db in
            try db.execute(sql: """
                ALTER TABLE ledger ADD COLUMN audio_input_tokens INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE ledger ADD COLUMN audio_output_tokens INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE ledger ADD COLUMN rate_audio_input INTEGER;
                ALTER TABLE ledger ADD COLUMN rate_audio_output INTEGER;
                """)
        }
        // Kill switch: blocks in force, and the append-only audit log of every block and unblock.
        migrator.registerMigration("v3-kill-switch") { db in
            try db.execute(sql: """
                CREATE TABLE blocks (
                    tenant_id TEXT NOT NULL,
                    scope_kind TEXT NOT NULL,
                    scope_id TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    blocked_at INTEGER NOT NULL,
                    PRIMARY KEY (tenant_id, scope_kind, scope_id)
                ) WITHOUT ROWID;
                CREATE TABLE audit_log (
                    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
                    at INTEGER NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    tenant_id TEXT NOT NULL,
                    scope_kind TEXT NOT NULL,
                    scope_id TEXT NOT NULL,
                    reason TEXT NOT NULL
                );
                CREATE INDEX audit_log_tenant ON audit_log(tenant_id, sequence);
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
                """)
        }
        // Policies on scopes, the decision recorded with each ledger row, and budget pressure.
        migrator.registerMigration("v4-policies") { db in
            try db.execute(sql: """
                CREATE TABLE policies (
                    tenant_id TEXT NOT NULL,
                    scope_kind TEXT NOT NULL,
                    scope_id TEXT NOT NULL,
                    policy TEXT NOT NULL,
                    updated_at INTEGER NOT NULL,
                    PRIMARY KEY (tenant_id, scope_kind, scope_id)
                ) WITHOUT ROWID;
                ALTER TABLE ledger ADD COLUMN decision TEXT;
                ALTER TABLE budgets ADD COLUMN downgrade_at_percent INTEGER;
                """)
        }
        // Shadow mode for budgets (rate limits live in policies and in memory).
        migrator.registerMigration("v5-shadow-budgets") { db in
            try db.execute(sql: "ALTER TABLE budgets ADD COLUMN shadow INTEGER NOT NULL DEFAULT 0")
        }
        // Alerts (once per budget, window and kind) and their webhook deliveries, the delivery log;
        // per-budget alert thresholds.
        migrator.registerMigration("v6-alerts") { db in
            try db.execute(sql: """
                CREATE TABLE alerts (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL,
                    budget_id TEXT,
                    window_start INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    message TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    fired_at INTEGER NOT NULL
                );
                CREATE UNIQUE INDEX alerts_once ON alerts(budget_id, window_start, kind) WHERE budget_id IS NOT NULL;
                CREATE INDEX alerts_tenant ON alerts(tenant_id, fired_at);
                CREATE TABLE alert_deliveries (
                    id TEXT PRIMARY KEY NOT NULL,
                    alert_id TEXT NOT NULL,
                    url TEXT NOT NULL,
                    body TEXT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    last_error TEXT,
                    next_attempt_at INTEGER NOT NULL,
                    delivered_at INTEGER
                );
                CREATE INDEX alert_deliveries_due ON alert_deliveries(status, next_attempt_at);
                ALTER TABLE budgets ADD COLUMN alert_thresholds TEXT;
                """)
        }
        // Tenant admin tokens; the ledger found by provider response id (a Responses API
        // request's `previous_response_id` is looked up within the caller's tenant).
        migrator.registerMigration("v7-tenant-admin") { db in
            try db.execute(sql: """
                CREATE TABLE admin_tokens (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    tenant_id TEXT NOT NULL,
                    secret_hash TEXT NOT NULL UNIQUE,
                    hint TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    revoked_at INTEGER
                );
                CREATE INDEX ledger_tenant_upstream ON ledger(tenant_id, upstream_id) WHERE upstream_id IS NOT NULL;
                """)
        }
        // Self-hosted engines the sentinel supervises, each kept whole as JSON.
        migrator.registerMigration("v8-deployments") { db in
            try db.execute(sql: """
                CREATE TABLE deployments (
                    id TEXT PRIMARY KEY NOT NULL,
                    tenant_id TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    body TEXT NOT NULL
                );
                """)
        }
        // Refusals, trace links and outcome verdicts, for reports.
        migrator.registerMigration("v9-outcomes") { db in
            try db.execute(sql: """
                CREATE TABLE refusals (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    tenant_id TEXT NOT NULL, key_id TEXT NOT NULL, team_id TEXT, user_id TEXT, tags TEXT NOT NULL,
                    model TEXT NOT NULL, provider TEXT NOT NULL, reason TEXT NOT NULL, at INTEGER NOT NULL
                );
                CREATE INDEX refusals_tenant_at ON refusals(tenant_id, at);
                CREATE TABLE trace_links (
                    tenant_id TEXT NOT NULL, trace_id TEXT NOT NULL, request_id TEXT NOT NULL,
                    PRIMARY KEY (tenant_id, trace_id, request_id)
                );
                CREATE TABLE outcomes (
                    tenant_id TEXT NOT NULL, request_id TEXT NOT NULL, verdict TEXT NOT NULL, key_id TEXT NOT NULL, at INTEGER NOT NULL,
                    PRIMARY KEY (tenant_id, request_id)
                );
                CREATE INDEX ledger_tenant_request ON ledger(tenant_id, request_id);
                """)
        }
        // Where each telemetry sink has got to in the ledger.
        migrator.registerMigration("v10-export-cursors") { db in
            try db.execute(sql: "CREATE TABLE export_cursors (sink TEXT PRIMARY KEY NOT NULL, position INTEGER NOT NULL)")
        }
        return migrator
    }
}
