//! The SQLite and PostgreSQL migration sets must build the same database: the same tables, the
//! same columns (name, type family, nullability), primary keys, unique constraints and indexes.
//!
//! Each backend's schema is read back from the database itself after migrating and written in one
//! normal form. SQLite's is compared with the committed `migrations/schema.snapshot`; when
//! `TEST_DATABASE_URL` names a PostgreSQL server, PostgreSQL's is compared with SQLite's directly.
//! After a deliberate schema change, regenerate the snapshot with `UPDATE_SCHEMA_SNAPSHOT=1`.

use std::collections::BTreeSet;

use diesel::prelude::*;
use diesel::sql_types::{Bool, Integer, Nullable, Text};
use tandem_store::testing::TestDatabase;

const SNAPSHOT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../migrations/schema.snapshot"
);
const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

/// One schema, as sorted lines.
type Schema = BTreeSet<String>;

/// The type family a column's declared type belongs to, the same words for both backends.
fn family(declared: &str) -> String {
    let t = declared.to_ascii_lowercase();
    let family = match t.as_str() {
        "integer" | "int" | "int4" | "smallint" => "int32",
        "bigint" | "int8" | "bigserial" => "int64",
        "double precision" | "double" | "real" | "float" | "float8" => "float64",
        "boolean" | "bool" => "boolean",
        "date" => "date",
        "timestamp" | "timestamp without time zone" | "datetime" => "timestamp",
        "text" | "character varying" | "varchar" => "text",
        "bytea" | "blob" => "bytes",
        other => return format!("other({other})"),
    };
    family.to_owned()
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    r#type: String,
    #[diesel(sql_type = Integer)]
    notnull: i32,
    #[diesel(sql_type = Integer)]
    pk: i32,
}

#[derive(QueryableByName)]
struct SqliteIndex {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Integer)]
    unique: i32,
    #[diesel(sql_type = Text)]
    origin: String,
    #[diesel(sql_type = Integer)]
    partial: i32,
}

fn sqlite_schema(path: &str) -> Schema {
    let mut conn = SqliteConnection::establish(path).expect("open the SQLite database");
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name <> ?",
    )
    .bind::<Text, _>(MIGRATIONS_TABLE)
    .load(&mut conn)
    .unwrap();
    let mut schema = Schema::new();
    for Name { name: table } in tables {
        schema.insert(format!("table {table}"));
        let columns: Vec<SqliteColumn> =
            diesel::sql_query("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)")
                .bind::<Text, _>(&table)
                .load(&mut conn)
                .unwrap();
        let single_pk = columns.iter().filter(|c| c.pk > 0).count() == 1;
        let mut pk: Vec<(i32, &str)> = Vec::new();
        for c in &columns {
            // An INTEGER PRIMARY KEY is SQLite's 64-bit rowid.
            let rowid = single_pk && c.pk > 0 && c.r#type.eq_ignore_ascii_case("integer");
            let family = if rowid {
                "int64".into()
            } else {
                family(&c.r#type)
            };
            // Primary-key columns are never null, whatever SQLite's flag says.
            let null = if c.notnull == 1 || c.pk > 0 {
                "not null"
            } else {
                "null"
            };
            schema.insert(format!("column {table}.{} {family} {null}", c.name));
            if c.pk > 0 {
                pk.push((c.pk, &c.name));
            }
        }
        pk.sort();
        let pk: Vec<&str> = pk.into_iter().map(|(_, n)| n).collect();
        schema.insert(format!("primary key {table} ({})", pk.join(", ")));
        let indexes: Vec<SqliteIndex> =
            diesel::sql_query("SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)")
                .bind::<Text, _>(&table)
                .load(&mut conn)
                .unwrap();
        for index in indexes.into_iter().filter(|i| i.origin != "pk") {
            let columns: Vec<Name> =
                diesel::sql_query("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                    .bind::<Text, _>(&index.name)
                    .load(&mut conn)
                    .unwrap();
            let columns: Vec<String> = columns.into_iter().map(|c| c.name).collect();
            schema.insert(index_line(
                &table,
                (index.origin == "c").then_some(index.name.as_str()),
                index.unique == 1,
                index.partial == 1,
                &columns,
            ));
        }
    }
    schema
}

/// An index in normal form: explicit indexes by name, constraint indexes by their columns.
fn index_line(
    table: &str,
    explicit_name: Option<&str>,
    unique: bool,
    partial: bool,
    columns: &[String],
) -> String {
    let columns = columns.join(", ");
    match explicit_name {
        None => format!("unique constraint {table} ({columns})"),
        Some(name) => format!(
            "{}index {name} on {table} ({columns}){}",
            if unique { "unique " } else { "" },
            if partial { " where …" } else { "" }
        ),
    }
}

#[derive(QueryableByName)]
struct PgColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Text)]
    is_nullable: String,
}

#[derive(QueryableByName)]
struct PgIndex {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Bool)]
    is_primary: bool,
    #[diesel(sql_type = Bool)]
    is_constraint: bool,
    #[diesel(sql_type = Bool)]
    partial: bool,
    /// False for an index whose concurrent build did not finish: PostgreSQL keeps it (and
    /// maintains it) but never reads it, so it must not pass for the index the migration meant.
    #[diesel(sql_type = Bool)]
    valid: bool,
    #[diesel(sql_type = Nullable<Text>)]
    columns: Option<String>,
}

fn postgres_schema(url: &str) -> Schema {
    let mut conn = PgConnection::establish(url).expect("open the PostgreSQL database");
    let tables: Vec<Name> = diesel::sql_query(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> $1",
    )
    .bind::<Text, _>(MIGRATIONS_TABLE)
    .load(&mut conn)
    .unwrap();
    let mut schema = Schema::new();
    for Name { name: table } in tables {
        schema.insert(format!("table {table}"));
        let columns: Vec<PgColumn> = diesel::sql_query(
            "SELECT column_name::text AS name, data_type::text AS data_type, \
             is_nullable::text AS is_nullable FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name = $1",
        )
        .bind::<Text, _>(&table)
        .load(&mut conn)
        .unwrap();
        for c in columns {
            let null = if c.is_nullable == "NO" {
                "not null"
            } else {
                "null"
            };
            let family = family(&c.data_type);
            schema.insert(format!("column {table}.{} {family} {null}", c.name));
        }
        let indexes: Vec<PgIndex> = diesel::sql_query(
            "SELECT c.relname::text AS name, i.indisunique AS is_unique, \
                    i.indisprimary AS is_primary, (con.oid IS NOT NULL) AS is_constraint, \
                    (i.indpred IS NOT NULL) AS partial, i.indisvalid AS valid, \
                    (SELECT string_agg(a.attname::text, ',' ORDER BY k.ord) \
                       FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
                       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) \
                    AS columns \
             FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
             LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid \
             WHERE i.indrelid = $1::regclass",
        )
        .bind::<Text, _>(&table)
        .load(&mut conn)
        .unwrap();
        for index in indexes {
            let columns: Vec<String> = index
                .columns
                .unwrap_or_default()
                .split(',')
                .map(str::to_owned)
                .collect();
            if !index.valid {
                schema.insert(format!("invalid index {} on {table}", index.name));
            } else if index.is_primary {
                schema.insert(format!("primary key {table} ({})", columns.join(", ")));
            } else {
                schema.insert(index_line(
                    &table,
                    (!index.is_constraint).then_some(index.name.as_str()),
                    index.is_unique,
                    index.partial,
                    &columns,
                ));
            }
        }
    }
    schema
}

fn render(schema: &Schema) -> String {
    let mut text = String::from(
        "# The database both migration sets build, in normal form (see crates/store/tests/schema_parity.rs).\n",
    );
    for line in schema {
        text.push_str(line);
        text.push('\n');
    }
    text
}

fn differences(left: &str, a: &Schema, right: &str, b: &Schema) -> String {
    let only_a: Vec<&String> = a.difference(b).collect();
    let only_b: Vec<&String> = b.difference(a).collect();
    format!("only in {left}: {only_a:#?}\nonly in {right}: {only_b:#?}")
}

#[test]
fn sqlite_and_postgresql_migrations_build_the_same_schema() {
    let db = TestDatabase::sqlite();
    tandem_store::connect(&db.url, 1).expect("SQLite migrations apply");
    let sqlite = sqlite_schema(&db.url);
    assert!(
        sqlite.len() > 100,
        "read back {} schema facts",
        sqlite.len()
    );

    if std::env::var("UPDATE_SCHEMA_SNAPSHOT").is_ok() {
        std::fs::write(SNAPSHOT, render(&sqlite)).unwrap();
    }
    let committed: Schema = std::fs::read_to_string(SNAPSHOT)
        .expect("migrations/schema.snapshot (create it with UPDATE_SCHEMA_SNAPSHOT=1)")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(str::to_owned)
        .collect();
    assert!(
        sqlite == committed,
        "the SQLite schema moved from migrations/schema.snapshot (regenerate it with \
         UPDATE_SCHEMA_SNAPSHOT=1 once PostgreSQL matches):\n{}",
        differences("SQLite", &sqlite, "the snapshot", &committed)
    );

    if let Ok(admin) = std::env::var("TEST_DATABASE_URL")
        && admin.starts_with("postgres")
    {
        let db = TestDatabase::postgres(&admin);
        tandem_store::connect(&db.url, 1).expect("PostgreSQL migrations apply");
        let postgres = postgres_schema(&db.url);
        assert!(
            postgres == sqlite,
            "the migration sets disagree:\n{}",
            differences("PostgreSQL", &postgres, "SQLite", &sqlite)
        );
    }
}
