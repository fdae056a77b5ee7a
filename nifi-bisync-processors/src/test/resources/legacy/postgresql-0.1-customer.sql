-- Copyright 2026 the nifi-bisync authors
-- SPDX-License-Identifier: Apache-2.0
--
-- What nifi-bisync 0.1 installed for customer (id bigint PRIMARY KEY, name varchar(100), revenue numeric(18,2), note text)
-- on PostgreSQL, system A, last-write-wins: one trigger function shared by four triggers with WHEN clauses.
-- Statements are separated by blank lines.

CREATE TABLE IF NOT EXISTS "bisync_v_customer" AS SELECT "id", 0::bigint AS version_num, ''::varchar(64) AS version_origin, NULL::bigint AS prev_num, NULL::varchar(64) AS prev_origin, false AS deleted, NULL::text AS field_versions, NULL::bigint AS tombstone_num, NULL::varchar(64) AS tombstone_origin, NULL::text AS kept_data FROM "customer" WITH NO DATA;

ALTER TABLE "bisync_v_customer" ALTER COLUMN "id" SET NOT NULL, ALTER COLUMN version_num SET NOT NULL, ALTER COLUMN version_origin SET NOT NULL, ALTER COLUMN deleted SET NOT NULL;

CREATE UNIQUE INDEX IF NOT EXISTS "bisync_vk_customer" ON "bisync_v_customer" ("id");

CREATE OR REPLACE FUNCTION "bisync_f_customer"() RETURNS trigger LANGUAGE plpgsql AS $bisync$
#variable_conflict use_column
<<bisync_capture>>
DECLARE
  clk bigint;
  ca bigint;
  vn bigint;
  pn bigint;
  po varchar(64);
  fv text;
BEGIN
  bisync_capture.clk := CASE WHEN (extract(epoch from clock_timestamp()) * 1000000)::bigint - nullif(current_setting('bisync.correction_at', true), '')::bigint BETWEEN 0 AND 1000000
    THEN (extract(epoch from clock_timestamp()) * 1000000)::bigint + nullif(current_setting('bisync.correction', true), '')::bigint END;
  IF bisync_capture.clk IS NULL THEN
    bisync_capture.clk := (extract(epoch from clock_timestamp()) * 1000000)::bigint;
    bisync_capture.ca := coalesce((SELECT c.num_value FROM bisync_config c WHERE c.name = 'clock_correction_micros'), 0);
    PERFORM set_config('bisync.correction', bisync_capture.ca::text, false), set_config('bisync.correction_at', bisync_capture.clk::text, false);
    bisync_capture.clk := bisync_capture.clk + bisync_capture.ca;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF OLD."id" IS DISTINCT FROM NEW."id" THEN
    INSERT INTO "bisync_v_customer" AS v ("id", version_num, version_origin, deleted, field_versions)
    VALUES (OLD."id", bisync_capture.clk + 0, 'A', true, NULL)
    ON CONFLICT ("id") DO UPDATE SET prev_num = v.version_num, prev_origin = v.version_origin, version_num = GREATEST(EXCLUDED.version_num, v.version_num + 1), version_origin = EXCLUDED.version_origin, deleted = EXCLUDED.deleted
    RETURNING v.version_num, v.prev_num, v.prev_origin, v.field_versions INTO bisync_capture.vn, bisync_capture.pn, bisync_capture.po, bisync_capture.fv;
    INSERT INTO bisync_history (table_name, operation, key_data, before_data, after_data, version_num, version_origin,
      prev_num, prev_origin, field_versions, origin, tx_id, captured_at)
    VALUES ('customer', 'DELETE', (json_build_object('id', OLD."id"))::text, (json_build_object('id', OLD."id", 'name', OLD."name", 'revenue', OLD."revenue", 'note', OLD."note"))::text, NULL, bisync_capture.vn, 'A', bisync_capture.pn, bisync_capture.po, bisync_capture.fv, 'A', pg_current_xact_id()::text, bisync_capture.clk);
    INSERT INTO "bisync_v_customer" AS v ("id", version_num, version_origin, deleted, field_versions)
    VALUES (NEW."id", bisync_capture.clk + 0, 'A', false, NULL)
    ON CONFLICT ("id") DO UPDATE SET prev_num = v.version_num, prev_origin = v.version_origin, version_num = GREATEST(EXCLUDED.version_num, v.version_num + 1), version_origin = EXCLUDED.version_origin, deleted = EXCLUDED.deleted
    RETURNING v.version_num, v.prev_num, v.prev_origin, v.field_versions INTO bisync_capture.vn, bisync_capture.pn, bisync_capture.po, bisync_capture.fv;
    INSERT INTO bisync_history (table_name, operation, key_data, before_data, after_data, version_num, version_origin,
      prev_num, prev_origin, field_versions, origin, tx_id, captured_at)
    VALUES ('customer', 'INSERT', (json_build_object('id', NEW."id"))::text, NULL, (json_build_object('id', NEW."id", 'name', NEW."name", 'revenue', NEW."revenue", 'note', NEW."note"))::text, bisync_capture.vn, 'A', bisync_capture.pn, bisync_capture.po, bisync_capture.fv, 'A', pg_current_xact_id()::text, bisync_capture.clk);
    ELSE
    INSERT INTO "bisync_v_customer" AS v ("id", version_num, version_origin, deleted, field_versions)
    VALUES (NEW."id", bisync_capture.clk + 0, 'A', false, NULL)
    ON CONFLICT ("id") DO UPDATE SET prev_num = v.version_num, prev_origin = v.version_origin, version_num = GREATEST(EXCLUDED.version_num, v.version_num + 1), version_origin = EXCLUDED.version_origin, deleted = EXCLUDED.deleted
    RETURNING v.version_num, v.prev_num, v.prev_origin, v.field_versions INTO bisync_capture.vn, bisync_capture.pn, bisync_capture.po, bisync_capture.fv;
    INSERT INTO bisync_history (table_name, operation, key_data, before_data, after_data, version_num, version_origin,
      prev_num, prev_origin, field_versions, origin, tx_id, captured_at)
    VALUES ('customer', 'UPDATE', (json_build_object('id', NEW."id"))::text, (json_build_object('id', OLD."id", 'name', OLD."name", 'revenue', OLD."revenue", 'note', OLD."note"))::text, (json_build_object('id', NEW."id", 'name', NEW."name", 'revenue', NEW."revenue", 'note', NEW."note"))::text, bisync_capture.vn, 'A', bisync_capture.pn, bisync_capture.po, bisync_capture.fv, 'A', pg_current_xact_id()::text, bisync_capture.clk);
    END IF;
  ELSIF TG_OP = 'INSERT' THEN
    WITH u AS (
      INSERT INTO "bisync_v_customer" AS v ("id", version_num, version_origin, deleted, field_versions)
      SELECT r."id", bisync_capture.clk + 0, 'A', false, NULL FROM bisync_new_rows r
      ON CONFLICT ("id") DO UPDATE SET prev_num = v.version_num, prev_origin = v.version_origin, version_num = GREATEST(EXCLUDED.version_num, v.version_num + 1), version_origin = EXCLUDED.version_origin, deleted = EXCLUDED.deleted
      RETURNING v."id", v.version_num, v.prev_num, v.prev_origin, v.field_versions)
    INSERT INTO bisync_history (table_name, operation, key_data, before_data, after_data, version_num, version_origin,
      prev_num, prev_origin, field_versions, origin, tx_id, captured_at)
    SELECT 'customer', 'INSERT', (json_build_object('id', r."id"))::text, NULL, (json_build_object('id', r."id", 'name', r."name", 'revenue', r."revenue", 'note', r."note"))::text, u.version_num, 'A', u.prev_num, u.prev_origin, u.field_versions, 'A',
      pg_current_xact_id()::text, bisync_capture.clk
    FROM bisync_new_rows r JOIN u ON u."id" = r."id";
  ELSIF TG_OP = 'DELETE' THEN
    WITH u AS (
      INSERT INTO "bisync_v_customer" AS v ("id", version_num, version_origin, deleted, field_versions)
      SELECT r."id", bisync_capture.clk + 0, 'A', true, NULL FROM bisync_old_rows r
      ON CONFLICT ("id") DO UPDATE SET prev_num = v.version_num, prev_origin = v.version_origin, version_num = GREATEST(EXCLUDED.version_num, v.version_num + 1), version_origin = EXCLUDED.version_origin, deleted = EXCLUDED.deleted
      RETURNING v."id", v.version_num, v.prev_num, v.prev_origin, v.field_versions)
    INSERT INTO bisync_history (table_name, operation, key_data, before_data, after_data, version_num, version_origin,
      prev_num, prev_origin, field_versions, origin, tx_id, captured_at)
    SELECT 'customer', 'DELETE', (json_build_object('id', r."id"))::text, (json_build_object('id', r."id", 'name', r."name", 'revenue', r."revenue", 'note', r."note"))::text, NULL, u.version_num, 'A', u.prev_num, u.prev_origin, u.field_versions, 'A',
      pg_current_xact_id()::text, bisync_capture.clk
    FROM bisync_old_rows r JOIN u ON u."id" = r."id";
  ELSE
    RAISE EXCEPTION 'nifi-bisync: TRUNCATE of synced table % is not captured; DELETE the rows instead or uninstall first', TG_TABLE_NAME
      USING ERRCODE = 'feature_not_supported';
  END IF;
  RETURN NULL;
END
$bisync$;

CREATE OR REPLACE TRIGGER "bisync_t_customer_ins" AFTER INSERT ON "customer" REFERENCING NEW TABLE AS bisync_new_rows FOR EACH STATEMENT WHEN (coalesce(current_setting('bisync.origin', true), '') = '') EXECUTE FUNCTION "bisync_f_customer"();

CREATE OR REPLACE TRIGGER "bisync_t_customer_upd" AFTER UPDATE ON "customer" FOR EACH ROW WHEN (coalesce(current_setting('bisync.origin', true), '') = '' AND (OLD."id" IS DISTINCT FROM NEW."id" OR OLD."name" IS DISTINCT FROM NEW."name" OR OLD."revenue" IS DISTINCT FROM NEW."revenue" OR OLD."note" IS DISTINCT FROM NEW."note")) EXECUTE FUNCTION "bisync_f_customer"();

CREATE OR REPLACE TRIGGER "bisync_t_customer_del" AFTER DELETE ON "customer" REFERENCING OLD TABLE AS bisync_old_rows FOR EACH STATEMENT WHEN (coalesce(current_setting('bisync.origin', true), '') = '') EXECUTE FUNCTION "bisync_f_customer"();

CREATE OR REPLACE TRIGGER "bisync_t_customer_trunc" BEFORE TRUNCATE ON "customer" FOR EACH STATEMENT WHEN (coalesce(current_setting('bisync.origin', true), '') = '') EXECUTE FUNCTION "bisync_f_customer"();

