INSERT INTO pipeline_aggregates (dimension, key, count, sum_cents, min_cents, max_cents)
SELECT * FROM UNNEST($1::text[], $2::text[], $3::int8[], $4::int8[], $5::int8[], $6::int8[])
ON CONFLICT (dimension, key) DO UPDATE SET
    count = EXCLUDED.count,
    sum_cents = EXCLUDED.sum_cents,
    min_cents = EXCLUDED.min_cents,
    max_cents = EXCLUDED.max_cents
