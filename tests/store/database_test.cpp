#include "store/database.h"

#include <gtest/gtest.h>

#include "store/migrations.h"
#include "store/postgres_database.h"
#include "store/test_backends.h"

namespace fogline::store {
namespace {

using testing::BackendTest;

class DatabaseTest : public BackendTest {};
FOGLINE_INSTANTIATE_BACKENDS(DatabaseTest);

const std::vector<Migration> kItems = {
    {1, "items", "CREATE TABLE items (id {{ID}}, name TEXT NOT NULL UNIQUE, n BIGINT, x DOUBLE PRECISION)", "", ""},
    {2, "tags", "CREATE TABLE tags (item_id BIGINT NOT NULL REFERENCES items(id), tag TEXT NOT NULL)", "", ""},
};

TEST_P(DatabaseTest, ValuesRoundTripWithTheirTypes) {
  auto db = open_db();
  ASSERT_TRUE(db);
  ASSERT_TRUE(apply_migrations(*db, "t", kItems).is_ok());
  auto id = db->query_row("INSERT INTO items (name, n, x) VALUES (?, ?, ?) RETURNING id",
                          {"it's ? quoted", int64_t{1} << 40, 0.25}, "new item");
  ASSERT_TRUE(id.is_ok()) << id.status().to_string();
  ASSERT_TRUE(db->execute("INSERT INTO items (name, n, x) VALUES (?, ?, ?)", {"null", nullptr, nullptr}).is_ok());
  auto rows = db->query("SELECT id, name, n, x FROM items WHERE name = ? OR n IS NULL ORDER BY id", {"it's ? quoted"});
  ASSERT_TRUE(rows.is_ok()) << rows.status().to_string();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].i(0), id->i(0));
  EXPECT_EQ((*rows)[0].s(1), "it's ? quoted");
  EXPECT_TRUE((*rows)[0].values[2].is_int());
  EXPECT_EQ((*rows)[0].i(2), int64_t{1} << 40);
  EXPECT_DOUBLE_EQ((*rows)[0].d(3), 0.25);
  EXPECT_TRUE((*rows)[1].null(2));
  // A literal '?' in SQL text is not a placeholder on either backend.
  auto literal = db->query("SELECT COUNT(*) FROM items WHERE name <> '?' AND n = ?", {int64_t{1} << 40});
  ASSERT_TRUE(literal.is_ok()) << literal.status().to_string();
  EXPECT_EQ((*literal)[0].i(0), 1);
}

TEST_P(DatabaseTest, ConstraintViolationsAreInvalidArgumentAndNameTheStatement) {
  auto db = open_db();
  ASSERT_TRUE(db);
  ASSERT_TRUE(apply_migrations(*db, "t", kItems).is_ok());
  ASSERT_TRUE(db->execute("INSERT INTO items (name) VALUES (?)", {"a"}).is_ok());
  auto dup = db->execute("INSERT INTO items (name) VALUES (?)", {"a"});
  ASSERT_FALSE(dup.is_ok());
  EXPECT_EQ(dup.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(dup.status().message().find("INSERT INTO items"), std::string::npos) << dup.status().message();
  // Foreign keys are enforced (SQLite needs them switched on per connection).
  auto orphan = db->execute("INSERT INTO tags (item_id, tag) VALUES (?, ?)", {999, "x"});
  ASSERT_FALSE(orphan.is_ok());
  EXPECT_EQ(orphan.status().code(), StatusCode::kInvalidArgument);
  auto bad = db->query("SELECT nope FROM items");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kIoError);
}

TEST_P(DatabaseTest, TransactionRollsBackUnlessCommitted) {
  auto db = open_db();
  ASSERT_TRUE(db);
  ASSERT_TRUE(apply_migrations(*db, "t", kItems).is_ok());
  {
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx.is_ok()) << tx.status().to_string();
    ASSERT_TRUE(db->execute("INSERT INTO items (name) VALUES (?)", {"dropped"}).is_ok());
    EXPECT_FALSE(Transaction::begin(*db).is_ok());  // no nesting
  }  // destroyed without commit
  {
    auto tx = Transaction::begin(*db);
    ASSERT_TRUE(tx.is_ok());
    ASSERT_TRUE(db->execute("INSERT INTO items (name) VALUES (?)", {"kept"}).is_ok());
    ASSERT_TRUE(tx->commit().is_ok());
  }
  auto rows = db->query("SELECT name FROM items ORDER BY name");
  ASSERT_TRUE(rows.is_ok());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ((*rows)[0].s(0), "kept");
  // A second connection sees the committed row (WAL / MVCC).
  auto other = open_db();
  ASSERT_TRUE(other);
  auto seen = other->query("SELECT COUNT(*) FROM items");
  ASSERT_TRUE(seen.is_ok());
  EXPECT_EQ((*seen)[0].i(0), 1);
}

TEST_P(DatabaseTest, MigrationsApplyOnceInOrderAndRefuseNewerSchemas) {
  {
    auto db = open_db();
    ASSERT_TRUE(db);
    ASSERT_TRUE(apply_migrations(*db, "t", {kItems[0]}).is_ok());
    EXPECT_EQ(*schema_version(*db, "t"), 1);
  }
  auto db = open_db();
  ASSERT_TRUE(db);
  ASSERT_TRUE(apply_migrations(*db, "t", kItems).is_ok());
  ASSERT_TRUE(apply_migrations(*db, "t", kItems).is_ok());  // idempotent
  EXPECT_EQ(*schema_version(*db, "t"), 2);
  EXPECT_EQ(*schema_version(*db, "other"), 0);
  Status older = apply_migrations(*db, "t", {kItems[0]});
  ASSERT_FALSE(older.is_ok());
  EXPECT_NE(older.message().find("newer"), std::string::npos) << older.message();
  // A failing migration leaves neither its tables nor its record.
  std::vector<Migration> broken = kItems;
  broken.push_back({3, "broken", "CREATE TABLE half (a BIGINT); CREATE TABLE nonsense (", "", ""});
  Status s = apply_migrations(*db, "t", broken);
  ASSERT_FALSE(s.is_ok());
  EXPECT_NE(s.message().find("#3 (broken)"), std::string::npos) << s.message();
  EXPECT_EQ(*schema_version(*db, "t"), 2);
  EXPECT_FALSE(db->query("SELECT a FROM half").is_ok());
}

TEST(PostgresPlaceholders, NumberedOutsideQuotesAndComments) {
  EXPECT_EQ(number_placeholders("a = ? AND b = '?''?' AND \"c?\" = ? -- ?\n OR d = ?"),
            "a = $1 AND b = '?''?' AND \"c?\" = $2 -- ?\n OR d = $3");
}

TEST(DatabaseOpen, BadUrlsNameTheProblem) {
  auto pg = Database::open("postgresql://nobody:secret@127.0.0.1:1/none?connect_timeout=2");
  ASSERT_FALSE(pg.is_ok());
  EXPECT_NE(pg.status().message().find("cannot connect"), std::string::npos);
  EXPECT_EQ(pg.status().message().find("secret"), std::string::npos) << "password leaked: " << pg.status().message();
  auto sqlite = Database::open("sqlite:/nonexistent-dir/x/meta.db");
  ASSERT_FALSE(sqlite.is_ok());
  EXPECT_NE(sqlite.status().message().find("/nonexistent-dir/x/meta.db"), std::string::npos);
}

}  // namespace
}  // namespace fogline::store
