// A rented model on a real fogline-node: the ledger's side made with the real `fogline` CLI
// (accounts, a model published at 1 credit per inference, a rental prepaying 5 credits), the
// node serving it under those terms: 5 inferences answered, the 6th refused with 402 naming the
// rental and the counts while another model keeps serving, the counter in /metrics, and the
// node's signed batch of reports settled by `fogline rent settle` so that the ledger's usage
// for the rental is exactly 5 and the rental is exhausted.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/file_util.h"
#include "node_fixtures.h"

namespace fogline::node::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string rental_fogline_binary() { return std::string(FOGLINE_BINARY_DIR) + "/fogline"; }

struct CliResult {
  int rc = -1;
  std::string out;  // stdout and stderr
};

CliResult run_fogline(const std::vector<std::string>& args) {
  std::string cmd = rental_fogline_binary();
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " 2>&1";
  CliResult r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  int status = pclose(p);
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// `fogline ledger accounts`: the key of account `name` (columns: key kind name nonce balance).
std::string account_key(const std::string& accounts, const std::string& name) {
  std::istringstream in(accounts);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream cols(line);
    std::string key, kind, n;
    cols >> key >> kind >> n;
    if (n == name) return key;
  }
  return "";
}

const char* kInferBody =
    R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]})";

TEST(RentalServeTest, MetersToThePrepaidCountRefusesThenSettlesOnTheLedger) {
  if (!fs::exists(rental_fogline_binary())) GTEST_SKIP() << rental_fogline_binary() << " is not built";
  TempDir dir;
  const std::string home = dir.file("home");
  setenv("FOGLINE_PASSPHRASE", "rental-serve-test", 1);
  setenv("FOGLINE_NODE_PASSPHRASE", "rental-serve-test", 1);
  auto ok = [&](const std::vector<std::string>& args, const std::string& want) {
    std::vector<std::string> a = args;
    a.push_back("--home");
    a.push_back(home);
    CliResult r = run_fogline(a);
    EXPECT_EQ(r.rc, 0) << args[0] << " " << args[1] << ": " << r.out;
    EXPECT_NE(r.out.find(want), std::string::npos) << "wanted '" << want << "' in: " << r.out;
    return r.out;
  };
  ok({"ledger", "init", "--economy", "credits"}, "economy credits");
  ok({"ledger", "account", "add", "acme", "--kind", "organisation"}, "account acme");
  ok({"ledger", "account", "add", "cam", "--kind", "node"}, "account cam");
  ok({"ledger", "account", "add", "renter", "--kind", "organisation"}, "account renter");
  ok({"ledger", "mint", "--to", "renter", "--amount", "100"}, "balance 100");
  const std::string model = write_affine_model(dir.file("affine.onnx"), 2.0f);
  ASSERT_FALSE(model.empty());
  ok({"rent", "publish", "--as", "acme", "--name", "detector", "--version", "1", "--bundle", model, "--price-per-1000",
      "1000"},
     "detector@1");
  ok({"rent", "seal", "--as", "acme", "--model", "detector@1", "--node", "cam", "--out", dir.file("keys.txt")},
     "sealed to 1 nodes");
  std::string started = ok({"rent", "start", "--as", "renter", "--model", "detector@1", "--keys", dir.file("keys.txt"),
                            "--prepaid", "5"},
                           "prepaid 5");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(started, m, std::regex("rental ([0-9a-f]{64}):"))) << started;
  const std::string rental = m[1];
  const std::string accounts = ok({"ledger", "accounts"}, "renter");

  // The terms the node serves under, written by `rent terms` from the ledger: the prepaid
  // count (5) follows from credits and price.
  const std::string terms_path = dir.file("terms.json");
  ok({"rent", "terms", "--rental", rental, "--out", terms_path}, "for node cam");
  json terms = json::parse(*read_file(terms_path), nullptr, false);
  const json expected{{"format", "fogline-rental-terms/1"}, {"rental", rental},
                      {"model", "detector"},                {"version", "1"},
                      {"renter", account_key(accounts, "renter")}, {"owner", account_key(accounts, "acme")},
                      {"node", account_key(accounts, "cam")},      {"price_per_1000", 1000},
                      {"prepaid_credits", 5},                      {"prepaid_inferences", 5}};
  EXPECT_EQ(terms, expected);

  NodeProcess node({"--model", "rented=" + model + ",rental=" + terms_path, "--model", "free=" + model, "--key",
                    home + "/keys/cam.key", "--rental-report-interval", "0.1"});
  ASSERT_TRUE(node.started()) << node.error();
  auto c = node.client();
  for (int i = 0; i < 5; ++i) {
    auto res = c->Post("/v2/models/rented/infer", kInferBody, "application/json");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 200) << "inference " << i + 1 << ": " << res->body;
  }
  auto refused = c->Post("/v2/models/rented/infer", kInferBody, "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 402) << refused->body;
  json why = json::parse(refused->body, nullptr, false);
  EXPECT_EQ(why.value("rental", ""), rental);
  EXPECT_EQ(why.value("used", 0), 5);
  EXPECT_EQ(why.value("prepaid", 0), 5);
  EXPECT_NE(why.value("error", "").find("prepaid inferences used up (5 of 5 used)"), std::string::npos) << refused->body;
  // /predict is refused the same way; the other model is not affected.
  auto refused_predict = c->Post("/v1/models/rented/predict", R"({"instances": [[1, 2, 3, 4]]})", "application/json");
  ASSERT_TRUE(refused_predict);
  EXPECT_EQ(refused_predict->status, 402) << refused_predict->body;
  auto ready = c->Get("/v2/models/rented/ready");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 503) << ready->body;
  EXPECT_EQ(c->Get("/v2/models/free/ready")->status, 200);
  auto free_res = c->Post("/v2/models/free/infer", kInferBody, "application/json");
  ASSERT_TRUE(free_res);
  EXPECT_EQ(free_res->status, 200) << free_res->body;

  auto metrics = c->Get("/metrics");
  ASSERT_TRUE(metrics);
  const std::string labels = "{rental=\"" + rental + "\",rented_model=\"detector@1\"}";
  EXPECT_NE(metrics->body.find("fogline_node_rental_inferences_total" + labels + " 5\n"), std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("fogline_node_rental_exhausted" + labels + " 1\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("fogline_node_rental_refused_total" + labels + " 2\n"), std::string::npos);
  EXPECT_NE(metrics->body.find("fogline_node_rental_prepaid_inferences" + labels + " 5\n"), std::string::npos);

  // The last prepaid inference closed the batch at once; settle every batch, oldest first.
  auto status = c->Get("/rentals");
  ASSERT_TRUE(status);
  json rentals = json::parse(status->body, nullptr, false)["rentals"];
  ASSERT_EQ(rentals.size(), 1u) << status->body;
  EXPECT_EQ(rentals[0]["used"], 5);
  EXPECT_EQ(rentals[0]["exhausted"], true);
  ASSERT_FALSE(rentals[0]["batches"].empty()) << status->body;
  for (const auto& batch : rentals[0]["batches"])
    ok({"rent", "settle", "--as", "cam", "--reports", batch.get<std::string>()}, "settled ");
  std::string usage = ok({"rent", "usage", "--rental", rental}, "inferences 5 ");
  EXPECT_NE(usage.find("EXHAUSTED"), std::string::npos) << usage;
  // The same batch again is a replay, and the ledger says so.
  CliResult again = run_fogline({"rent", "settle", "--as", "cam", "--reports", rentals[0]["batches"][0], "--home", home});
  EXPECT_EQ(again.rc, 1) << again.out;
  EXPECT_NE(again.out.find("replayed"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace fogline::node::testing
