// Backend-parameterised tests: every test written against store::Database runs on SQLite and,
// when FOGLINE_TEST_PG_URL names a server (tests/store/with_postgres.sh sets it), on
// PostgreSQL. Each test gets an empty database: a new SQLite file, or a new PostgreSQL schema
// selected through the connection's search_path.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <string>

#include "store/database.h"

namespace fogline::store {
// Test names and messages say "sqlite" / "postgresql" instead of "4-byte object".
inline void PrintTo(Backend backend, std::ostream* os) { *os << backend_name(backend); }
}  // namespace fogline::store

namespace fogline::store::testing {

inline std::string backend_param_name(const ::testing::TestParamInfo<Backend>& info) {
  return backend_name(info.param);
}

inline const char* postgres_test_url() {
  const char* url = std::getenv("FOGLINE_TEST_PG_URL");
  return url && *url ? url : nullptr;
}

// A scratch directory and an empty database of the test's backend.
class BackendTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "_" + info->name();
    for (char& c : name) if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    dir_ = (std::filesystem::temp_directory_path() / ("fogline_" + std::to_string(::getpid()) + "_" + name)).string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    if (GetParam() == Backend::kSqlite) {
      db_url_ = "sqlite:" + dir_ + "/meta.db";
      return;
    }
    const char* base = postgres_test_url();
    if (!base) GTEST_SKIP() << "FOGLINE_TEST_PG_URL is not set: run under tests/store/with_postgres.sh for PostgreSQL";
    static std::atomic<int> counter{0};
    std::string schema = "t" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    auto admin = Database::open(base);
    ASSERT_TRUE(admin.is_ok()) << admin.status().to_string();
    ASSERT_TRUE((*admin)->run_script("CREATE SCHEMA " + schema).is_ok());
    std::string url = base;
    db_url_ = url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::unique_ptr<Database> open_db() {
    auto db = Database::open(db_url_);
    EXPECT_TRUE(db.is_ok()) << db.status().to_string();
    return db.is_ok() ? std::move(db).value() : nullptr;
  }

  std::string dir_;
  std::string db_url_;
};

#define FOGLINE_INSTANTIATE_BACKENDS(Suite)                                                          \
  INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                                          \
                           ::testing::Values(::fogline::store::Backend::kSqlite,                     \
                                             ::fogline::store::Backend::kPostgres),                  \
                           ::fogline::store::testing::backend_param_name)

}  // namespace fogline::store::testing
