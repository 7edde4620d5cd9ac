// The metadata database: one interface, two backends (SQLite for a single machine,
// PostgreSQL for a hub shared by many). Callers write one SQL dialect subset: `?` placeholders
// (PostgreSQL's are numbered for it), BIGINT/TEXT/DOUBLE PRECISION columns, ISO-8601 text
// timestamps made in C++, `INSERT ... ON CONFLICT`, `RETURNING`. Anything outside that subset
// belongs in a backend-specific migration, never in calling code.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace fogline::store {

// One parameter or column value. Constructors are explicit about integer widths so that a
// size_t or a bool never silently turns into a double.
class SqlValue {
 public:
  SqlValue() = default;
  SqlValue(std::nullptr_t) {}                                  // NOLINT
  SqlValue(int v) : v_(static_cast<int64_t>(v)) {}              // NOLINT
  SqlValue(long v) : v_(static_cast<int64_t>(v)) {}             // NOLINT
  SqlValue(long long v) : v_(static_cast<int64_t>(v)) {}        // NOLINT
  SqlValue(unsigned long v) : v_(static_cast<int64_t>(v)) {}    // NOLINT
  SqlValue(unsigned long long v) : v_(static_cast<int64_t>(v)) {}  // NOLINT
  SqlValue(double v) : v_(v) {}                                 // NOLINT
  SqlValue(std::string v) : v_(std::move(v)) {}                 // NOLINT
  SqlValue(std::string_view v) : v_(std::string(v)) {}          // NOLINT
  SqlValue(const char* v) : v_(std::string(v)) {}               // NOLINT

  bool is_null() const { return std::holds_alternative<std::monostate>(v_); }
  bool is_int() const { return std::holds_alternative<int64_t>(v_); }
  bool is_double() const { return std::holds_alternative<double>(v_); }
  bool is_text() const { return std::holds_alternative<std::string>(v_); }
  // Conversions are lenient (text "12" -> 12) because PostgreSQL aggregates can come back as
  // numeric text; NULL reads as 0 / "".
  int64_t as_int() const;
  double as_double() const;
  std::string as_text() const;

 private:
  std::variant<std::monostate, int64_t, double, std::string> v_;
};

using SqlParams = std::vector<SqlValue>;

struct Row {
  std::vector<SqlValue> values;
  int64_t i(size_t col) const { return values.at(col).as_int(); }
  double d(size_t col) const { return values.at(col).as_double(); }
  std::string s(size_t col) const { return values.at(col).as_text(); }
  bool null(size_t col) const { return values.at(col).is_null(); }
};

struct QueryResult {
  std::vector<Row> rows;
  int64_t affected = 0;  // rows inserted/updated/deleted
};

enum class Backend { kSqlite, kPostgres };
const char* backend_name(Backend backend);

class Database {
 public:
  virtual ~Database() = default;

  // "postgresql://..." or "postgres://..." -> PostgreSQL; "sqlite:PATH" or a plain path ->
  // SQLite (WAL, foreign keys on, busy timeout).
  static Result<std::unique_ptr<Database>> open(const std::string& url);

  virtual Backend backend() const = 0;
  // The URL without any password, for messages.
  virtual std::string describe() const = 0;

  // One statement with `?` placeholders. Constraint violations come back as
  // kInvalidArgument, everything else as kIoError; messages carry the statement.
  virtual Result<QueryResult> run(std::string_view sql, const SqlParams& params = {}) = 0;
  // Several statements without parameters (migrations).
  virtual Status run_script(std::string_view sql) = 0;

  Result<std::vector<Row>> query(std::string_view sql, const SqlParams& params = {});
  // Exactly one row, or kNotFound naming `what`.
  Result<Row> query_row(std::string_view sql, const SqlParams& params, const std::string& what);
  Result<int64_t> execute(std::string_view sql, const SqlParams& params = {});

  bool in_transaction() const { return in_transaction_; }

 protected:
  friend class Transaction;
  // SQLite: BEGIN IMMEDIATE (writers queue on the busy timeout instead of failing on upgrade).
  virtual Status begin() = 0;
  virtual Status commit() = 0;
  virtual Status rollback() = 0;
  bool in_transaction_ = false;
};

// RAII transaction: rolls back unless commit() succeeded, so an early `return status` or a
// crash between statements never leaves half a change.
class [[nodiscard]] Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  ~Transaction();
  Status commit();
  Database& db() { return *db_; }

 private:
  explicit Transaction(Database* db) : db_(db) {}
  Database* db_;
};

// "2026-11-25T10:15:00Z"; timestamps are text in both backends so they compare and print alike.
std::string utc_now_iso8601();
// The same text for a given unix time.
std::string iso8601_utc(int64_t unix_seconds);

// The first 120 characters of a statement on one line, for error messages.
std::string sql_excerpt(std::string_view sql);

}  // namespace fogline::store
