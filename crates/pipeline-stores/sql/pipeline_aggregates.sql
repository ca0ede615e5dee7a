-- The pipeline's final aggregates on the kubernetes twin's Postgres: one row per
-- (dimension, key), upserted by `twinstack pipeline worker reduce --store postgres://…`.
-- Applied by the loader itself (IF NOT EXISTS), outside the API's migrations, which it never touches.
CREATE TABLE IF NOT EXISTS pipeline_aggregates (
    dimension text NOT NULL CONSTRAINT pipeline_aggregates_dimension CHECK (dimension IN ('user', 'sku', 'day')),
    key text NOT NULL,
    count bigint NOT NULL CONSTRAINT pipeline_aggregates_count CHECK (count > 0),
    sum_cents bigint NOT NULL CONSTRAINT pipeline_aggregates_sum CHECK (sum_cents >= 0),
    min_cents bigint NOT NULL CONSTRAINT pipeline_aggregates_min CHECK (min_cents >= 0),
    max_cents bigint NOT NULL CONSTRAINT pipeline_aggregates_max CHECK (max_cents >= min_cents),
    PRIMARY KEY (dimension, key)
);
