-- Timestamps in the library's one form, whoever writes them. The library compares timestamps as
-- text, which is right only for ISO-8601 UTC with milliseconds (2024-05-01T12:00:00.123Z); other
-- programs store other text (CURRENT_TIMESTAMP gives 2024-05-01 12:00:00, others write
-- microseconds or offsets), which then compared wrong as a filter or a cursor.
--
-- After every insert, and every update of a timestamp column, a row whose timestamp text is not
-- in that form is rewritten with strftime('%Y-%m-%dT%H:%M:%fZ', ...): the same instant, offset
-- applied, rounded to the nearest millisecond (%f rounds: .123999 -> .124, .0005 -> .001), except
-- that it never carries into the next second (.9995 and above -> .999). Text that names no
-- instant of years 1 to 9999 is refused, naming the column. The update trigger does the work; the insert trigger hands it the row with
-- an UPDATE of the timestamp columns to themselves. The WHEN guard (each value has the form's
-- shape, a GLOB: a third of the cost of comparing it with its strftime form) is all the library's
-- own writes pay; a value of that shape that names no real day (2024-02-30…) is kept as written.
-- The rewrite updates timestamp columns only, so the users_search triggers (AFTER UPDATE OF
-- email, first_name, last_name) do not fire; should it fire the update trigger again
-- (recursive_triggers on), its guard finds every value in form.
--
-- Rows stored before this migration are normalized first; text that names no instant is left as
-- it is (reading it is a QueryException naming the column).

UPDATE users SET
  last_login = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', last_login), last_login),
  created_at = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at),
  updated_at = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', updated_at), updated_at),
  deleted_at = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', deleted_at), deleted_at)
WHERE last_login IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', last_login)
   OR created_at IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', created_at)
   OR updated_at IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', updated_at)
   OR deleted_at IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', deleted_at);

CREATE TRIGGER users_timestamps_after_insert AFTER INSERT ON users
WHEN new.last_login NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.last_login < '0001'
  OR new.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.created_at < '0001'
  OR new.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.updated_at < '0001'
  OR new.deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.deleted_at < '0001'
BEGIN
  -- Hands the row to users_timestamps_after_update, which rewrites or refuses.
  UPDATE users SET last_login = last_login, created_at = created_at, updated_at = updated_at, deleted_at = deleted_at WHERE rowid = new.rowid;
END;

CREATE TRIGGER users_timestamps_after_update AFTER UPDATE OF last_login, created_at, updated_at, deleted_at ON users
WHEN new.last_login NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.last_login < '0001'
  OR new.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.created_at < '0001'
  OR new.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.updated_at < '0001'
  OR new.deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.deleted_at < '0001'
BEGIN
  SELECT RAISE(ABORT, 'users.last_login must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.last_login IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.last_login) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'users.created_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.created_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.created_at) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'users.updated_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.updated_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.updated_at) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'users.deleted_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.deleted_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.deleted_at) >= '0001', 0) = 0;
  UPDATE users SET
    last_login = strftime('%Y-%m-%dT%H:%M:%fZ', last_login),
    created_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at),
    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', updated_at),
    deleted_at = strftime('%Y-%m-%dT%H:%M:%fZ', deleted_at)
  WHERE rowid = new.rowid;
END;

UPDATE payments SET
  created_at = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at),
  updated_at = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', updated_at), updated_at),
  deleted_at = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', deleted_at), deleted_at)
WHERE created_at IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', created_at)
   OR updated_at IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', updated_at)
   OR deleted_at IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', deleted_at);

CREATE TRIGGER payments_timestamps_after_insert AFTER INSERT ON payments
WHEN new.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.created_at < '0001'
  OR new.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.updated_at < '0001'
  OR new.deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.deleted_at < '0001'
BEGIN
  -- Hands the row to payments_timestamps_after_update, which rewrites or refuses.
  UPDATE payments SET created_at = created_at, updated_at = updated_at, deleted_at = deleted_at WHERE rowid = new.rowid;
END;

CREATE TRIGGER payments_timestamps_after_update AFTER UPDATE OF created_at, updated_at, deleted_at ON payments
WHEN new.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.created_at < '0001'
  OR new.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.updated_at < '0001'
  OR new.deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.deleted_at < '0001'
BEGIN
  SELECT RAISE(ABORT, 'payments.created_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.created_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.created_at) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'payments.updated_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.updated_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.updated_at) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'payments.deleted_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.deleted_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.deleted_at) >= '0001', 0) = 0;
  UPDATE payments SET
    created_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at),
    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', updated_at),
    deleted_at = strftime('%Y-%m-%dT%H:%M:%fZ', deleted_at)
  WHERE rowid = new.rowid;
END;

UPDATE subscriptions SET
  current_period_start = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', current_period_start), current_period_start),
  current_period_end = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', current_period_end), current_period_end),
  trial_start = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', trial_start), trial_start),
  trial_end = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', trial_end), trial_end),
  canceled_at = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', canceled_at), canceled_at),
  created_at = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at),
  updated_at = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', updated_at), updated_at),
  deleted_at = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', deleted_at), deleted_at)
WHERE current_period_start IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', current_period_start)
   OR current_period_end IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', current_period_end)
   OR trial_start IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', trial_start)
   OR trial_end IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', trial_end)
   OR canceled_at IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', canceled_at)
   OR created_at IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', created_at)
   OR updated_at IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', updated_at)
   OR deleted_at IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', deleted_at);

CREATE TRIGGER subscriptions_timestamps_after_insert AFTER INSERT ON subscriptions
WHEN new.current_period_start NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.current_period_start < '0001'
  OR new.current_period_end NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.current_period_end < '0001'
  OR new.trial_start NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.trial_start < '0001'
  OR new.trial_end NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.trial_end < '0001'
  OR new.canceled_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.canceled_at < '0001'
  OR new.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.created_at < '0001'
  OR new.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.updated_at < '0001'
  OR new.deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.deleted_at < '0001'
BEGIN
  -- Hands the row to subscriptions_timestamps_after_update, which rewrites or refuses.
  UPDATE subscriptions SET current_period_start = current_period_start, current_period_end = current_period_end, trial_start = trial_start, trial_end = trial_end, canceled_at = canceled_at, created_at = created_at, updated_at = updated_at, deleted_at = deleted_at WHERE rowid = new.rowid;
END;

CREATE TRIGGER subscriptions_timestamps_after_update AFTER UPDATE OF current_period_start, current_period_end, trial_start, trial_end, canceled_at, created_at, updated_at, deleted_at ON subscriptions
WHEN new.current_period_start NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.current_period_start < '0001'
  OR new.current_period_end NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.current_period_end < '0001'
  OR new.trial_start NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.trial_start < '0001'
  OR new.trial_end NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.trial_end < '0001'
  OR new.canceled_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.canceled_at < '0001'
  OR new.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.created_at < '0001'
  OR new.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.updated_at < '0001'
  OR new.deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.deleted_at < '0001'
BEGIN
  SELECT RAISE(ABORT, 'subscriptions.current_period_start must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.current_period_start IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.current_period_start) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'subscriptions.current_period_end must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.current_period_end IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.current_period_end) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'subscriptions.trial_start must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.trial_start IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.trial_start) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'subscriptions.trial_end must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.trial_end IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.trial_end) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'subscriptions.canceled_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.canceled_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.canceled_at) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'subscriptions.created_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.created_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.created_at) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'subscriptions.updated_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.updated_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.updated_at) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'subscriptions.deleted_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.deleted_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.deleted_at) >= '0001', 0) = 0;
  UPDATE subscriptions SET
    current_period_start = strftime('%Y-%m-%dT%H:%M:%fZ', current_period_start),
    current_period_end = strftime('%Y-%m-%dT%H:%M:%fZ', current_period_end),
    trial_start = strftime('%Y-%m-%dT%H:%M:%fZ', trial_start),
    trial_end = strftime('%Y-%m-%dT%H:%M:%fZ', trial_end),
    canceled_at = strftime('%Y-%m-%dT%H:%M:%fZ', canceled_at),
    created_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at),
    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', updated_at),
    deleted_at = strftime('%Y-%m-%dT%H:%M:%fZ', deleted_at)
  WHERE rowid = new.rowid;
END;

UPDATE webhook_events SET
  processed_at = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', processed_at), processed_at),
  created_at = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', created_at), created_at),
  updated_at = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', updated_at), updated_at),
  deleted_at = coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', deleted_at), deleted_at)
WHERE processed_at IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', processed_at)
   OR created_at IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', created_at)
   OR updated_at IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', updated_at)
   OR deleted_at IS NOT strftime('%Y-%m-%dT%H:%M:%fZ', deleted_at);

CREATE TRIGGER webhook_events_timestamps_after_insert AFTER INSERT ON webhook_events
WHEN new.processed_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.processed_at < '0001'
  OR new.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.created_at < '0001'
  OR new.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.updated_at < '0001'
  OR new.deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.deleted_at < '0001'
BEGIN
  -- Hands the row to webhook_events_timestamps_after_update, which rewrites or refuses.
  UPDATE webhook_events SET processed_at = processed_at, created_at = created_at, updated_at = updated_at, deleted_at = deleted_at WHERE rowid = new.rowid;
END;

CREATE TRIGGER webhook_events_timestamps_after_update AFTER UPDATE OF processed_at, created_at, updated_at, deleted_at ON webhook_events
WHEN new.processed_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.processed_at < '0001'
  OR new.created_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.created_at < '0001'
  OR new.updated_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.updated_at < '0001'
  OR new.deleted_at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z' OR new.deleted_at < '0001'
BEGIN
  SELECT RAISE(ABORT, 'webhook_events.processed_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.processed_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.processed_at) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'webhook_events.created_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.created_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.created_at) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'webhook_events.updated_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.updated_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.updated_at) >= '0001', 0) = 0;
  SELECT RAISE(ABORT, 'webhook_events.deleted_at must hold an ISO-8601 timestamp of years 1 to 9999')
    WHERE new.deleted_at IS NOT NULL AND coalesce(strftime('%Y-%m-%dT%H:%M:%fZ', new.deleted_at) >= '0001', 0) = 0;
  UPDATE webhook_events SET
    processed_at = strftime('%Y-%m-%dT%H:%M:%fZ', processed_at),
    created_at = strftime('%Y-%m-%dT%H:%M:%fZ', created_at),
    updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', updated_at),
    deleted_at = strftime('%Y-%m-%dT%H:%M:%fZ', deleted_at)
  WHERE rowid = new.rowid;
END;
