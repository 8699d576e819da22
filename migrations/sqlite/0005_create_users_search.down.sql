DROP TRIGGER users_search_after_update;
DROP TRIGGER users_search_after_delete;
DROP TRIGGER users_search_after_insert;
DROP TABLE users_search;
