import Logging
import PostgresNIO
import SpendwallStorage

extension PostgresStore {
    /// The schema, as named migrations applied in order, each once, in its own transaction.
    /// Never edit a shipped migration: append a new one.
    static let migrations: [(name: String, sql: [String])] = [
        ("v1", [
            """
            CREATE TABLE tenants (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE teams (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL, created_at BIGINT NOT NULL)
            """,
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, team_id TEXT, name TEXT NOT NULL, created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, secret_hash TEXT NOT NULL UNIQUE, hint TEXT NOT NULL,
                tenant_id TEXT NOT NULL, team_id TEXT, user_id TEXT, tags TEXT NOT NULL, allowed_tags TEXT NOT NULL,
                allowed_models TEXT NOT NULL, default_max_output_tokens BIGINT, status TEXT NOT NULL,
                created_at BIGINT NOT NULL, revoked_at BIGINT
            )
            """,
            """
            CREATE TABLE budgets (
                id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, scope_kind TEXT NOT NULL, scope_id TEXT NOT NULL,
                period TEXT NOT NULL, limit_nanos BIGINT NOT NULL, time_zone TEXT NOT NULL, created_at BIGINT NOT NULL,
                downgrade_at_percent BIGINT, shadow BOOLEAN NOT NULL DEFAULT FALSE, alert_thresholds TEXT
            )
            """,
            """
            CREATE TABLE budget_usage (
                budget_id TEXT NOT NULL, window_start BIGINT NOT NULL, spent_nanos BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (budget_id, window_start)
            )
            """,
            """
            CREATE TABLE holds (
                hold_id TEXT PRIMARY KEY, request_id TEXT NOT NULL, key_id TEXT NOT NULL, tenant_id TEXT NOT NULL,
                provider TEXT NOT NULL, model TEXT NOT NULL, amount_nanos BIGINT NOT NULL, shares TEXT NOT NULL,
                tags TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE ledger (
                id BIGSERIAL PRIMARY KEY, request_id TEXT NOT NULL, hold_id TEXT NOT NULL UNIQUE, key_id TEXT NOT NULL,
                tenant_id TEXT NOT NULL, team_id TEXT, user_id TEXT, tags TEXT NOT NULL, provider TEXT NOT NULL,
                model TEXT NOT NULL, endpoint TEXT NOT NULL, rates TEXT NOT NULL,
                input_tokens BIGINT NOT NULL, cached_input_tokens BIGINT NOT NULL, cache_write_tokens BIGINT NOT NULL,
                extended_cache_write_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL, reasoning_tokens BIGINT NOT NULL,
                audio_input_tokens BIGINT NOT NULL, audio_output_tokens BIGINT NOT NULL,
                catalog_version TEXT NOT NULL, cost_nanos BIGINT NOT NULL, list_cost_nanos BIGINT NOT NULL,
                hold_nanos BIGINT NOT NULL, status TEXT NOT NULL, upstream_status BIGINT, upstream_id TEXT,
                latency_ms BIGINT NOT NULL, started_at BIGINT NOT NULL, finished_at BIGINT NOT NULL, shares TEXT NOT NULL,
                decision TEXT
            )
            """,
            "CREATE INDEX ledger_tenant_started ON ledger (tenant_id, started_at)",
            "CREATE INDEX ledger_started ON ledger (started_at)",
            """
            CREATE TABLE policies (
                tenant_id TEXT NOT NULL, scope_kind TEXT NOT NULL, scope_id TEXT NOT NULL, policy TEXT NOT NULL,
                updated_at BIGINT NOT NULL, PRIMARY KEY (tenant_id, scope_kind, scope_id)
            )
            """,
            """
            CREATE TABLE blocks (
                tenant_id TEXT NOT NULL, scope_kind TEXT NOT NULL, scope_id TEXT NOT NULL, reason TEXT NOT NULL,
                actor TEXT NOT NULL, blocked_at BIGINT NOT NULL, PRIMARY KEY (tenant_id, scope_kind, scope_id)
            )
            """,
            """
            CREATE TABLE audit_log (
                sequence BIGSERIAL PRIMARY KEY, at BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL,
                tenant_id TEXT NOT NULL, scope_kind TEXT NOT NULL, scope_id TEXT NOT NULL, reason TEXT NOT NULL
            )
            """,
            """
            CREATE FUNCTION spendwall_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$
            """,
            """
            CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
            FOR EACH ROW EXECUTE FUNCTION spendwall_append_only()
            """,
            """
            CREATE TABLE alerts (
                id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, budget_id TEXT, window_start BIGINT NOT NULL,
                kind TEXT NOT NULL, message TEXT NOT NULL, payload TEXT NOT NULL, fired_at BIGINT NOT NULL
            )
            """,
            "CREATE UNIQUE INDEX alerts_once ON alerts (budget_id, window_start, kind) WHERE budget_id IS NOT NULL",
            """
            CREATE TABLE alert_deliveries (
                seq BIGSERIAL, id TEXT PRIMARY KEY, alert_id TEXT NOT NULL, url TEXT NOT NULL, body TEXT NOT NULL,
                status TEXT NOT NULL, attempts BIGINT NOT NULL, last_error TEXT, next_attempt_at BIGINT NOT NULL,
                delivered_at BIGINT
            )
            """,
            "CREATE INDEX alert_deliveries_due ON alert_deliveries (status, next_attempt_at)",
        ]),
    ]

    /// Runs `body` while this process holds the database's gateway lock: until several replicas
    /// share budgets through the database, one gateway uses it at a time, and a second is refused.
    public func withExclusiveUse<T>(_ body: () async throws -> T) async throws -> T {
        try await perform("take the gateway lock") {
            try await client.withConnection { connection in
                var held = false
                for try await granted in try await connection.query("SELECT pg_try_advisory_lock(824418)", logger: logger).decode(Bool.self) {
                    held = granted
                }
                guard held else {
                    throw StoreError(.locked, "another Spendwall gateway is using this PostgreSQL database; one gateway at a time until replicas share budgets")
                }
                do {
                    let result = try await body()
                    _ = try? await Self.execute("SELECT pg_advisory_unlock(824418)", on: connection, logger: logger)
                    return result
                } catch {
                    _ = try? await Self.execute("SELECT pg_advisory_unlock(824418)", on: connection, logger: logger)
                    throw error
                }
            }
        }
    }

    /// Applies the migrations not applied yet; returns their names. Safe to run from several
    /// replicas at once (an advisory lock serializes them).
    @discardableResult
    public func migrate() async throws -> [String] {
        try await perform("migrate the database") {
            try await client.withConnection { connection in
                try await Self.execute("SELECT pg_advisory_lock(824417)", on: connection, logger: logger)
                do {
                    try await Self.execute(
                        "CREATE TABLE IF NOT EXISTS spendwall_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                        on: connection, logger: logger
                    )
                    var applied = Set<String>()
                    for try await name in try await connection.query("SELECT name FROM spendwall_migrations", logger: logger).decode(String.self) {
                        applied.insert(name)
                    }
                    var done: [String] = []
                    for migration in Self.migrations where !applied.contains(migration.name) {
                        try await connection.withTransaction(logger: logger) { connection in
                            for statement in migration.sql {
                                try await Self.execute(PostgresQuery(unsafeSQL: statement), on: connection, logger: logger)
                            }
                            try await Self.execute("INSERT INTO spendwall_migrations (name) VALUES (\(migration.name))", on: connection, logger: logger)
                        }
                        done.append(migration.name)
                    }
                    try await Self.execute("SELECT pg_advisory_unlock(824417)", on: connection, logger: logger)
                    return done
                } catch {
                    _ = try? await Self.execute("SELECT pg_advisory_unlock(824417)", on: connection, logger: logger)
                    throw error
                }
            }
        }
    }
}
