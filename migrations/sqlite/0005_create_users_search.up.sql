-- Substring search over the users' searchable columns (email, first_name, last_name) through an
-- FTS5 trigram index. The SQLite adapter finds it by name (<table>_search) and uses it to narrow a
-- search of 3 or more characters to candidate rows, then re-checks each with LIKE, so results are
-- exactly those of the LIKE scan. Shorter texts are still scanned.
--
-- The index follows users by rowid. VACUUM may renumber the rowids of a table without an INTEGER
-- PRIMARY KEY; after one, run INSERT INTO users_search (users_search) VALUES ('rebuild').
CREATE VIRTUAL TABLE users_search USING fts5(
  email,
  first_name,
  last_name,
  content = 'users',
  content_rowid = 'rowid',
  tokenize = 'trigram'
);

-- Keeps the index in step with users. An external-content FTS5 table must be told the old values
-- of a row it forgets, hence the 'delete' commands.
CREATE TRIGGER users_search_after_insert AFTER INSERT ON users BEGIN
  INSERT INTO users_search (rowid, email, first_name, last_name)
  VALUES (new.rowid, new.email, new.first_name, new.last_name);
END;

CREATE TRIGGER users_search_after_delete AFTER DELETE ON users BEGIN
  INSERT INTO users_search (users_search, rowid, email, first_name, last_name)
  VALUES ('delete', old.rowid, old.email, old.first_name, old.last_name);
END;

CREATE TRIGGER users_search_after_update AFTER UPDATE OF email, first_name, last_name ON users BEGIN
  INSERT INTO users_search (users_search, rowid, email, first_name, last_name)
  VALUES ('delete', old.rowid, old.email, old.first_name, old.last_name);
  INSERT INTO users_search (rowid, email, first_name, last_name)
  VALUES (new.rowid, new.email, new.first_name, new.last_name);
END;

-- Indexes the users that exist already.
INSERT INTO users_search (users_search) VALUES ('rebuild');
