-- Invoices, as the app's src/schema.ts declares them (written by hand, as migrate generate would).
CREATE TABLE invoices (
  id TEXT NOT NULL PRIMARY KEY,
  user_id TEXT NOT NULL,
  number TEXT NOT NULL,
  amount_cents INTEGER NOT NULL,
  currency TEXT NOT NULL DEFAULT 'usd',
  status TEXT NOT NULL,
  paid_at TEXT,
  note TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  deleted_at TEXT,
  CONSTRAINT invoices_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT,
  CONSTRAINT invoices_number_check CHECK (length(number) <= 32),
  CONSTRAINT invoices_currency_check CHECK (currency IN ('usd', 'eur')),
  CONSTRAINT invoices_status_check CHECK (status IN ('draft', 'open', 'paid', 'void'))
) STRICT;

CREATE UNIQUE INDEX invoices_number_key ON invoices (number) WHERE deleted_at IS NULL;
CREATE INDEX invoices_user_id_idx ON invoices (user_id);
CREATE INDEX invoices_created_at_id_idx ON invoices (created_at, id);
CREATE INDEX invoices_deleted_at_idx ON invoices (deleted_at);
