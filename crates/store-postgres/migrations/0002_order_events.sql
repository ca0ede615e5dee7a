-- Live order events (twinstack-server's /api/ws): every order created, and every status change,
-- notifies channel order_events inside the writing transaction, so listeners hear of it once it
-- commits, in commit order, and never of a rolled-back write. NOTIFY payloads stop at 8000 bytes,
-- which an order of 50 lines can pass: the payload carries the order's id and the fields a write
-- changes; listeners read the rest, which never changes, from the order itself.

CREATE FUNCTION notify_order_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('order_events', json_build_object(
        'event', CASE TG_OP WHEN 'INSERT' THEN 'created' ELSE 'status_changed' END,
        'id', NEW.id,
        'userId', NEW.user_id,
        'status', NEW.status,
        'updatedAt', floor(extract(epoch FROM NEW.updated_at) * 1000)::bigint
    )::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER orders_notify_created AFTER INSERT ON orders
    FOR EACH ROW EXECUTE FUNCTION notify_order_event();

CREATE TRIGGER orders_notify_status_changed AFTER UPDATE OF status ON orders
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION notify_order_event();
