-- Invoices, as the app's src/schema.ts declares them (written by hand, as migrate generate would).
CREATE TABLE invoices (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  number varchar(32) COLLATE "C" NOT NULL,
  amount_cents integer NOT NULL,
  currency text COLLATE "C" NOT NULL DEFAULT 'usd',
  status text COLLATE "C" NOT NULL,
  paid_at timestamptz(3),
  note text COLLATE "C",
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at timestamptz(3),
  CONSTRAINT invoices_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE RESTRICT,
  CONSTRAINT invoices_currency_check CHECK (currency IN ('usd', 'eur')),
  CONSTRAINT invoices_status_check CHECK (status IN ('draft', 'open', 'paid', 'void'))
);

CREATE UNIQUE INDEX invoices_number_key ON invoices (number) WHERE deleted_at IS NULL;
CREATE INDEX invoices_user_id_idx ON invoices (user_id);
CREATE INDEX invoices_created_at_id_idx ON invoices (created_at, id);
CREATE INDEX invoices_deleted_at_idx ON invoices (deleted_at);
