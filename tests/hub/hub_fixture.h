// Test fixture: a temporary Fogline home with a model of two versions, and the real
// `fogline hub` process on a free loopback port (port 0; the process prints its URL).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "registry/open.h"
#include "registry/subprocess.h"
#include "support/child_process.h"

namespace fogline::hub::testing {

namespace fs = std::filesystem;

inline std::string fogline_binary() { return std::string(FOGLINE_BINARY_DIR) + "/fogline"; }

inline std::string make_temp_dir(const std::string& hint) {
  std::string tmpl = (fs::temp_directory_path() / ("fogline-" + hint + "-XXXXXX")).string();
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  char* made = mkdtemp(buf.data());
  return made ? std::string(made) : std::string();
}

// The metadata database of a test home: SQLite in the home (""), or, under
// tests/store/with_postgres.sh (FOGLINE_TEST_PG_URL set), a fresh PostgreSQL schema.
inline std::string test_db_url() {
  const char* base = std::getenv("FOGLINE_TEST_PG_URL");
  if (!base || !*base) return "";
  static int counter = 0;
  std::string schema = "hub" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  auto admin = store::Database::open(base);
  EXPECT_TRUE(admin.is_ok()) << admin.status().to_string();
  if (!admin.is_ok()) return "";
  EXPECT_TRUE((*admin)->run_script("CREATE SCHEMA " + schema).is_ok());
  std::string url = base;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "options=-csearch_path%3D" + schema;
}

// "--home H" plus "--db URL" when the test runs on PostgreSQL.
inline std::vector<std::string> home_args(const std::string& home, const std::string& db_url) {
  std::vector<std::string> args = {"--home", home};
  if (!db_url.empty()) args.insert(args.end(), {"--db", db_url});
  return args;
}

// Runs `fogline ARGS...`; returns stdout (trimmed) or fails the test.
inline std::string fogline_out(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {fogline_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = registry::run_process(argv);
  EXPECT_TRUE(r.is_ok());
  if (!r.is_ok()) return "";
  EXPECT_EQ(r->exit_code, 0) << r->err;
  std::string out = r->out;
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

// A `fogline hub` child process; stopped (SIGTERM, then SIGKILL) when destroyed. Its stderr
// shows with the test's output.
class HubProcess {
 public:
  // False when the hub did not print "fogline hub listening on URL" within 60 s (error() says why).
  bool start(const std::string& home, const std::string& db_url, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {fogline_binary(), "hub", "--listen", "127.0.0.1:0"};
    for (auto& a : home_args(home, db_url)) args.push_back(a);
    args.insert(args.end(), extra.begin(), extra.end());
    auto url = process_.start_and_read(args, "fogline hub listening on ");
    url_ = url.value_or("");
    return url.has_value();
  }
  void stop() { process_.stop(); }
  const std::string& url() const { return url_; }
  const std::string& error() const { return process_.error(); }

 private:
  testing_support::ChildProcess process_;
  std::string url_;
};

// Deterministic incompressible bytes (a stand-in for model weights).
inline std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(gen() & 0xff);
  return out;
}

// Adds MODEL@VERSION with `bytes` as its model artifact to the home.
inline void add_version(const std::string& home, const std::string& db_url, const std::string& model,
                        const std::string& version, const std::string& bytes,
                        const nlohmann::json& spec = nlohmann::json::object()) {
  store::HomeOptions opts;
  opts.dir = home;
  opts.db_url = db_url;
  auto opened = registry::open_registry(opts);
  ASSERT_TRUE(opened.is_ok()) << opened.status().to_string();
  auto digest = opened->home->cas().put(bytes);
  ASSERT_TRUE(digest.is_ok());
  registry::NewVersion nv;
  nv.model = model;
  nv.version = version;
  nv.processing_spec = spec;
  nv.artifacts = {{"model", *digest, static_cast<int64_t>(bytes.size())}};
  nv.actor = "test";
  auto v = opened->registry->create_version(nv);
  ASSERT_TRUE(v.is_ok()) << v.status().to_string();
}

}  // namespace fogline::hub::testing
