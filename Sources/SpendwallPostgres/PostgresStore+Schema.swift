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
        // Replicas share budgets: each window keeps what open holds reserve in it, holds are
        // placed by one function (conditional updates under row locks taken in budget-id order),
        // and every change to keys, budgets, blocks and policies is announced to every replica.
        ("v2-shared-budgets", [
            "ALTER TABLE budget_usage ADD COLUMN held_nanos BIGINT NOT NULL DEFAULT 0",
            """
            INSERT INTO budget_usage (budget_id, window_start, spent_nanos, held_nanos)
            SELECT share->>'budget', (share->>'windowStart')::BIGINT, 0, SUM(h.amount_nanos)
            FROM holds h CROSS JOIN LATERAL jsonb_array_elements(h.shares::jsonb) AS share
            GROUP BY 1, 2
            ON CONFLICT (budget_id, window_start) DO UPDATE SET held_nanos = excluded.held_nanos
            """,
            "CREATE INDEX holds_expires ON holds (expires_at, hold_id)",
            """
            CREATE FUNCTION spendwall_reserve(
                p_hold_id TEXT, p_request_id TEXT, p_key_id TEXT, p_tenant_id TEXT, p_provider TEXT, p_model TEXT,
                p_amount BIGINT, p_shares TEXT, p_tags TEXT, p_created_at BIGINT, p_expires_at BIGINT,
                p_budgets TEXT[], p_windows BIGINT[], p_enforce BOOLEAN
            ) RETURNS TABLE (r_budget TEXT, r_limit BIGINT, r_spent BIGINT, r_held BIGINT, r_refused BOOLEAN)
            LANGUAGE plpgsql AS $$
            DECLARE
                win RECORD;
                locked INT;
            BEGIN
                -- Lock every window in budget-id order (one order for every replica: no deadlock)
                -- and check each enforced budget against its stored limit. A window seen for the
                -- first time is created, then all are locked again.
                FOR attempt IN 1..2 LOOP
                    locked := 0;
                    FOR win IN
                        SELECT u.budget_id AS id, u.spent_nanos AS spent, u.held_nanos AS held, b.limit_nanos AS lim, b.shadow AS shadow
                        FROM budget_usage u
                        JOIN unnest(p_budgets, p_windows) AS t(b, w) ON u.budget_id = t.b AND u.window_start = t.w
                        LEFT JOIN budgets b ON b.id = u.budget_id
                        ORDER BY u.budget_id
                        FOR UPDATE OF u
                    LOOP
                        locked := locked + 1;
                        IF p_enforce AND win.lim IS NOT NULL AND NOT win.shadow AND win.spent + win.held + p_amount > win.lim THEN
                            RETURN QUERY SELECT win.id, win.lim, win.spent, win.held, TRUE;
                            RETURN;
                        END IF;
                    END LOOP;
                    EXIT WHEN locked = cardinality(p_budgets);
                    INSERT INTO budget_usage (budget_id, window_start, spent_nanos, held_nanos)
                    SELECT t.b, t.w, 0, 0 FROM unnest(p_budgets, p_windows) AS t(b, w) ORDER BY t.b
                    ON CONFLICT (budget_id, window_start) DO NOTHING;
                END LOOP;
                INSERT INTO holds (hold_id, request_id, key_id, tenant_id, provider, model, amount_nanos, shares, tags, created_at, expires_at)
                VALUES (p_hold_id, p_request_id, p_key_id, p_tenant_id, p_provider, p_model, p_amount, p_shares, p_tags, p_created_at, p_expires_at);
                RETURN QUERY
                    WITH placed AS (
                        UPDATE budget_usage u SET held_nanos = u.held_nanos + p_amount
                        FROM unnest(p_budgets, p_windows) AS t(b, w)
                        WHERE u.budget_id = t.b AND u.window_start = t.w
                        RETURNING u.budget_id, u.spent_nanos, u.held_nanos
                    )
                    SELECT placed.budget_id, b.limit_nanos, placed.spent_nanos, placed.held_nanos, FALSE
                    FROM placed JOIN budgets b ON b.id = placed.budget_id;
            END $$
            """,
            """
            CREATE FUNCTION spendwall_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_notify('spendwall_changes', TG_TABLE_NAME); RETURN NULL; END $$
            """,
        ] + ["tenants", "teams", "users", "api_keys", "budgets", "blocks", "policies"].map { table in
            """
            CREATE TRIGGER \(table)_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \(table)
            FOR EACH STATEMENT EXECUTE FUNCTION spendwall_notify_change()
            """
        }),
        // Tenant admin tokens (announced like keys, so a revocation reaches every replica); the
        // ledger found by provider response id within a tenant (`previous_response_id`).
        ("v3-tenant-admin", [
            """
            CREATE TABLE admin_tokens (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, tenant_id TEXT NOT NULL, secret_hash TEXT NOT NULL UNIQUE,
                hint TEXT NOT NULL, created_at BIGINT NOT NULL, revoked_at BIGINT
            )
            """,
            """
            CREATE TRIGGER admin_tokens_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON admin_tokens
            FOR EACH STATEMENT EXECUTE FUNCTION spendwall_notify_change()
            """,
            "CREATE INDEX ledger_tenant_upstream ON ledger (tenant_id, upstream_id) WHERE upstream_id IS NOT NULL",
        ]),
        // Self-hosted engines the sentinel supervises, each kept whole as JSON.
        ("v4-deployments", [
            "CREATE TABLE deployments (id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, created_at BIGINT NOT NULL, body TEXT NOT NULL)",
        ]),
        // Refusals, trace links and outcome verdicts, for reports.
        ("v5-outcomes", [
            """
            CREATE TABLE refusals (
                id BIGSERIAL PRIMARY KEY, tenant_id TEXT NOT NULL, key_id TEXT NOT NULL, team_id TEXT, user_id TEXT, tags TEXT NOT NULL,
                model TEXT NOT NULL, provider TEXT NOT NULL, reason TEXT NOT NULL, at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX refusals_tenant_at ON refusals (tenant_id, at)",
            "CREATE TABLE trace_links (tenant_id TEXT NOT NULL, trace_id TEXT NOT NULL, request_id TEXT NOT NULL, PRIMARY KEY (tenant_id, trace_id, request_id))",
            """
            CREATE TABLE outcomes (
                tenant_id TEXT NOT NULL, request_id TEXT NOT NULL, verdict TEXT NOT NULL, key_id TEXT NOT NULL, at BIGINT NOT NULL,
                PRIMARY KEY (tenant_id, request_id)
            )
            """,
            "CREATE INDEX ledger_tenant_request ON ledger (tenant_id, request_id)",
        ]),
        // Where each telemetry sink has got to in the ledger.
        ("v6-export-cursors", ["CREATE TABLE export_cursors (sink TEXT PRIMARY KEY, position BIGINT NOT NULL)"]),
        // Reservations that created budget windows while holding locks on others could deadlock
        // one another (a new budget or period under concurrent requests): windows are now created
        // before any is locked.
        // This version's replicas create missing windows before calling it and say so
        // (`p_windows_exist`); replicas of the previous version call it without, and get the check.
        ("v7-reserve-creates-windows-first", [
            "DROP FUNCTION spendwall_reserve(TEXT, TEXT, TEXT, TEXT, TEXT, TEXT, BIGINT, TEXT, TEXT, BIGINT, BIGINT, TEXT[], BIGINT[], BOOLEAN)",
            """
            CREATE FUNCTION spendwall_reserve(
                p_hold_id TEXT, p_request_id TEXT, p_key_id TEXT, p_tenant_id TEXT, p_provider TEXT, p_model TEXT,
                p_amount BIGINT, p_shares TEXT, p_tags TEXT, p_created_at BIGINT, p_expires_at BIGINT,
                p_budgets TEXT[], p_windows BIGINT[], p_enforce BOOLEAN, p_windows_exist BOOLEAN DEFAULT FALSE
            ) RETURNS TABLE (r_budget TEXT, r_limit BIGINT, r_spent BIGINT, r_held BIGINT, r_refused BOOLEAN)
            LANGUAGE plpgsql AS $$
            DECLARE
                win RECORD;
                locked INT;
            BEGIN
                -- Windows not there yet (a new budget, a new period) are created first, while
                -- this request holds no lock: inserting a window another request is inserting
                -- waits for that request, which may itself wait for a window locked here.
                -- (Two IFs: the first is a simple expression, evaluated without running a query.)
                IF NOT p_windows_exist THEN
                    IF (SELECT count(*) FROM budget_usage u JOIN unnest(p_budgets, p_windows) AS t(b, w)
                          ON u.budget_id = t.b AND u.window_start = t.w) < cardinality(p_budgets) THEN
                        INSERT INTO budget_usage (budget_id, window_start, spent_nanos, held_nanos)
                        SELECT t.b, t.w, 0, 0 FROM unnest(p_budgets, p_windows) AS t(b, w) ORDER BY t.b
                        ON CONFLICT (budget_id, window_start) DO NOTHING;
                    END IF;
                END IF;
                -- Lock every window in budget-id order (one order for every replica: no deadlock)
                -- and check each enforced budget against its stored limit. (The second attempt
                -- is a fallback that the insert above, or windows never being deleted, makes
                -- unreachable.)
                FOR attempt IN 1..2 LOOP
                    locked := 0;
                    FOR win IN
                        SELECT u.budget_id AS id, u.spent_nanos AS spent, u.held_nanos AS held, b.limit_nanos AS lim, b.shadow AS shadow
                        FROM budget_usage u
                        JOIN unnest(p_budgets, p_windows) AS t(b, w) ON u.budget_id = t.b AND u.window_start = t.w
                        LEFT JOIN budgets b ON b.id = u.budget_id
                        ORDER BY u.budget_id
                        FOR UPDATE OF u
                    LOOP
                        locked := locked + 1;
                        IF p_enforce AND win.lim IS NOT NULL AND NOT win.shadow AND win.spent + win.held + p_amount > win.lim THEN
                            RETURN QUERY SELECT win.id, win.lim, win.spent, win.held, TRUE;
                            RETURN;
                        END IF;
                    END LOOP;
                    EXIT WHEN locked = cardinality(p_budgets);
                    INSERT INTO budget_usage (budget_id, window_start, spent_nanos, held_nanos)
                    SELECT t.b, t.w, 0, 0 FROM unnest(p_budgets, p_windows) AS t(b, w) ORDER BY t.b
                    ON CONFLICT (budget_id, window_start) DO NOTHING;
                END LOOP;
                INSERT INTO holds (hold_id, request_id, key_id, tenant_id, provider, model, amount_nanos, shares, tags, created_at, expires_at)
                VALUES (p_hold_id, p_request_id, p_key_id, p_tenant_id, p_provider, p_model, p_amount, p_shares, p_tags, p_created_at, p_expires_at);
                RETURN QUERY
                    WITH placed AS (
                        UPDATE budget_usage u SET held_nanos = u.held_nanos + p_amount
                        FROM unnest(p_budgets, p_windows) AS t(b, w)
                        WHERE u.budget_id = t.b AND u.window_start = t.w
                        RETURNING u.budget_id, u.spent_nanos, u.held_nanos
                    )
                    SELECT placed.budget_id, b.limit_nanos, placed.spent_nanos, placed.held_nanos, FALSE
                    FROM placed JOIN budgets b ON b.id = placed.budget_id;
            END $$
            """,
        ]),
    ]

    /// Applies the migrations not applied yet; returns their names. Safe to run from several
    /// replicas at once (an advisory lock serializes them).
    @discardableResult
    public func migrate() async throws -> [String] {
        try await perform("migrate the database", waitsIndefinitely: true) { [self] in
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
