// The node's rental meter: the durable counter file (torn and damaged slots), the meter's
// admission up to the prepaid count, its signed reports in the ledger's format, its recovery
// after a crash mid-report, and a real fogline-node killed with SIGKILL mid-rental that
// resumes the count instead of restarting it.
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "core/file_util.h"
#include "core/sha256.h"
#include "crypto/key_file.h"
#include "crypto/usage_counter.h"
#include "node/rental/rental_meter.h"
#include "node/rental/rental_registry.h"
#include "node_fixtures.h"

namespace fogline::node::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using rental::RentalMeter;
using rental::RentalTerms;
using rental::UsageCounterFile;

const std::string kRentalId(64, 'a');

RentalTerms test_terms(uint64_t prepaid, const crypto::Identity& node) {
  json j{{"format", "fogline-rental-terms/1"}, {"rental", kRentalId}, {"model", "m"}, {"version", "2"},
         {"renter", std::string(64, '1')}, {"node", to_hex(node.sign_public().data(), 32)},
         {"prepaid_inferences", prepaid}};
  auto t = rental::parse_rental_terms(j.dump(), "test terms");
  EXPECT_TRUE(t.is_ok()) << t.status().message();
  return *t;
}

std::vector<crypto::UsageCounter> reports_in(const std::string& path) {
  std::vector<crypto::UsageCounter> out;
  auto text = read_file(path);
  if (!text.is_ok()) return out;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    auto c = crypto::decode_usage_counter(*from_hex(line));
    EXPECT_TRUE(c.is_ok()) << path << ": " << c.status().message();
    if (c.is_ok()) out.push_back(*c);
  }
  return out;
}

// Every report the meter directory holds, batches first (oldest first), then the open one.
std::vector<crypto::UsageCounter> all_reports(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("batch-", 0) == 0) files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  files.push_back(dir + "/pending.reports");
  std::vector<crypto::UsageCounter> out;
  for (const auto& f : files)
    for (auto& c : reports_in(f)) out.push_back(c);
  return out;
}

TEST(RentalCounterFileTest, SurvivesADamagedLatestSlotAndRefusesWhenBothAreGone) {
  TempDir dir;
  const std::string path = dir.file("counter");
  {
    auto f = UsageCounterFile::open(path, kRentalId);
    ASSERT_TRUE(f.is_ok()) << f.status().message();
    EXPECT_EQ(f->state().inferences, 0u);
    ASSERT_TRUE(f->store({7, 1}).is_ok());
    ASSERT_TRUE(f->store({8, 1}).is_ok());
    EXPECT_FALSE(f->store({7, 1}).is_ok()) << "a counter may not go down";
  }
  auto reopened = UsageCounterFile::open(path, kRentalId);
  ASSERT_TRUE(reopened.is_ok());
  EXPECT_EQ(reopened->state().inferences, 8u);
  EXPECT_EQ(reopened->state().sequence, 1u);
  // Generation 3 (count 8) sits in slot 1; a torn write there leaves slot 0's count 7.
  std::string bytes = *read_file(path);
  ASSERT_EQ(bytes.size(), 128u);
  bytes[64 + 20] ^= 0x40;
  ASSERT_TRUE(write_file_atomic(path, bytes).is_ok());
  auto torn = UsageCounterFile::open(path, kRentalId);
  ASSERT_TRUE(torn.is_ok()) << torn.status().message();
  EXPECT_EQ(torn->state().inferences, 7u);
  bytes[20] ^= 0x40;
  ASSERT_TRUE(write_file_atomic(path, bytes).is_ok());
  auto gone = UsageCounterFile::open(path, kRentalId);
  ASSERT_FALSE(gone.is_ok());
  EXPECT_NE(gone.status().message().find("refusing to restart the count from zero"), std::string::npos);
  bytes[20] ^= 0x40;
  ASSERT_TRUE(write_file_atomic(path, bytes).is_ok());
  auto other = UsageCounterFile::open(path, std::string(64, 'b'));
  ASSERT_FALSE(other.is_ok());
  EXPECT_NE(other.status().message().find("another rental"), std::string::npos);
}

TEST(RentalTermsTest, PrepaidInferencesFollowTheLedgersCharge) {
  EXPECT_EQ(rental::inferences_paid_by(5, 1000), 5u);
  EXPECT_EQ(rental::inferences_paid_by(200, 50), 4019u);  // floor(4019 x 50 / 1000) = 200
  EXPECT_EQ(rental::inferences_paid_by(0, 1), 999u);       // under one credit is charged 0
  EXPECT_EQ(rental::inferences_paid_by(9, 0), rental::kUnlimited);
  auto bad = rental::parse_rental_terms(R"({"format": "fogline-rental-terms/1", "rental": "xyz"})", "t.json");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("t.json: field 'rental' must be 64 hex digits"), std::string::npos);
}

TEST(RentalMeterTest, AdmitsUpToThePrepaidCountAndSignsCumulativeReports) {
  TempDir dir;
  auto node = std::make_shared<const crypto::Identity>(crypto::Identity::generate(crypto::IdentityKind::kNode, "n"));
  rental::MeterOptions options;
  options.batch_reports = 2;
  auto meter = RentalMeter::open(test_terms(3, *node), dir.file("m"), node, options);
  ASSERT_TRUE(meter.is_ok()) << meter.status().message();
  {
    auto dropped = (*meter)->admit();  // a failed request gives its slot back
    ASSERT_TRUE(dropped.is_ok());
  }
  for (int i = 0; i < 3; ++i) {
    auto t = (*meter)->admit();
    ASSERT_TRUE(t.is_ok()) << i;
    if (i == 1) {
      auto over = (*meter)->admit();  // two counted or in flight plus this one: still room for one
      ASSERT_TRUE(over.is_ok());
      auto full = (*meter)->admit();  // 1 counted + 2 in flight = 3
      EXPECT_FALSE(full.is_ok());
    }
    ASSERT_TRUE(t->commit().is_ok());
    ASSERT_TRUE((*meter)->report().is_ok());
  }
  auto refused = (*meter)->admit();
  ASSERT_FALSE(refused.is_ok());
  EXPECT_NE(refused.status().message().find("3 of 3 used"), std::string::npos) << refused.status().message();
  auto reports = all_reports(dir.file("m"));
  ASSERT_EQ(reports.size(), 3u);
  for (size_t i = 0; i < reports.size(); ++i) {
    EXPECT_EQ(reports[i].sequence, i + 1);
    EXPECT_EQ(reports[i].inferences, i + 1);
    EXPECT_EQ(reports[i].node, node->sign_public());
    EXPECT_EQ(reports[i].model, "m");
    EXPECT_EQ(reports[i].version, "2");
    EXPECT_TRUE(reports[i].signature_valid());
  }
  EXPECT_EQ((*meter)->batch_files().size(), 2u);  // batch of 2, then the one closed at exhaustion
}

TEST(RentalMeterTest, ConcurrentRequestsNeverServeBeyondThePrepaidCount) {
  TempDir dir;
  auto node = std::make_shared<const crypto::Identity>(crypto::Identity::generate(crypto::IdentityKind::kNode, "n"));
  auto meter = RentalMeter::open(test_terms(150, *node), dir.file("m"), node, {});
  ASSERT_TRUE(meter.is_ok());
  std::atomic<int> served{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        auto ticket = (*meter)->admit();
        if (!ticket.is_ok()) {
          ++refused;
          continue;
        }
        if ((i + t) % 7 == 0) continue;  // a failed request: not counted, its slot given back
        if (ticket->commit().is_ok()) ++served;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(served.load(), 150);
  EXPECT_EQ((*meter)->snapshot().inferences, 150u);
  EXPECT_EQ((*meter)->snapshot().in_flight, 0u);
  meter->reset();
  auto reopened = UsageCounterFile::open(dir.file("m") + "/counter", kRentalId);
  ASSERT_TRUE(reopened.is_ok());
  EXPECT_EQ(reopened->state().inferences, 150u);
  auto reports = all_reports(dir.file("m"));
  ASSERT_FALSE(reports.empty());
  EXPECT_EQ(reports.back().inferences, 150u);
}

TEST(RentalMeterTest, RecoversATornReportLineAndAReportWrittenBeforeItsSequence) {
  TempDir dir;
  auto node = std::make_shared<const crypto::Identity>(crypto::Identity::generate(crypto::IdentityKind::kNode, "n"));
  const std::string m = dir.file("m");
  {
    auto meter = RentalMeter::open(test_terms(100, *node), m, node, {});
    ASSERT_TRUE(meter.is_ok());
    for (int i = 0; i < 2; ++i) ASSERT_TRUE((*meter)->admit()->commit().is_ok());
    ASSERT_TRUE((*meter)->report().is_ok());
  }
  // A crash after a report line reached the disk but before the counter took its sequence,
  // then a torn half line from the next append.
  auto line = crypto::sign_usage_counter(*node, "m", "2", *crypto::public_key_from_hex(std::string(64, '1'), "r"), 2, 2, 1);
  std::ofstream(m + "/pending.reports", std::ios::app) << to_hex(line.encode()) << "\n" << "66756c6c";
  auto meter = RentalMeter::open(test_terms(100, *node), m, node, {});
  ASSERT_TRUE(meter.is_ok()) << meter.status().message();
  EXPECT_EQ((*meter)->snapshot().sequence, 2u);
  ASSERT_TRUE((*meter)->admit()->commit().is_ok());
  ASSERT_TRUE((*meter)->report().is_ok());
  auto reports = all_reports(m);
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[2].sequence, 3u);
  EXPECT_EQ(reports[2].inferences, 3u);
}

TEST(RentalRegistryTest, AStopReportsTheLastCountAndClosesTheBatch) {
  TempDir dir;
  auto node = std::make_shared<const crypto::Identity>(crypto::Identity::generate(crypto::IdentityKind::kNode, "n"));
  std::ofstream(dir.file("terms.json")) << rental::rental_terms_json(test_terms(10, *node));
  std::string meter_dir;
  {
    rental::RegistryOptions options;
    options.identity = node;
    options.report_seconds = 3600;  // no tick during the test: only the stop reports
    rental::RentalRegistry registry(options);
    auto meter = registry.open(dir.file("terms.json"));
    ASSERT_TRUE(meter.is_ok()) << meter.status().message();
    auto again = registry.open(dir.file("terms.json"));
    ASSERT_TRUE(again.is_ok());
    EXPECT_EQ(again->get(), meter->get()) << "one meter per rental";
    for (int i = 0; i < 4; ++i) ASSERT_TRUE((*meter)->admit()->commit().is_ok());
    meter_dir = (*meter)->dir();
    EXPECT_EQ(meter_dir, dir.file("terms.json.meter"));
    EXPECT_NE(registry.exposition().find("fogline_node_rental_inferences_total{rental=\"" + kRentalId +
                                         "\",rented_model=\"m@2\"} 4\n"),
              std::string::npos)
        << registry.exposition();
  }
  EXPECT_FALSE(fs::exists(meter_dir + "/pending.reports"));
  auto reports = all_reports(meter_dir);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].inferences, 4u);
}

TEST(RentalMeterTest, KillNineMidRentalResumesTheCount) {
  TempDir dir;
  setenv("FOGLINE_NODE_PASSPHRASE", "rental-meter-test", 1);
  auto node = crypto::Identity::generate(crypto::IdentityKind::kNode, "n");
  ASSERT_TRUE(crypto::save_key_file(dir.file("node.key"), node, "rental-meter-test",
                                    crypto::KdfParams::fastest_for_tests())
                  .is_ok());
  std::ofstream(dir.file("terms.json")) << rental::rental_terms_json(test_terms(3, node));
  const std::string model = write_affine_model(dir.file("affine.onnx"), 2.0f);
  const std::vector<std::string> args{"--model", "r=" + model + ",rental=" + dir.file("terms.json"), "--key",
                                      dir.file("node.key"), "--rental-report-interval", "60"};
  const char* body = R"({"inputs": [{"name": "x", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]})";
  {
    NodeProcess first(args);
    ASSERT_TRUE(first.started()) << first.error();
    for (int i = 0; i < 2; ++i) ASSERT_EQ(first.client()->Post("/v2/models/r/infer", body, "application/json")->status, 200);
    first.signal(SIGKILL);  // no shutdown report, no flush: only what was fsynced survives
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  NodeProcess second(args);
  ASSERT_TRUE(second.started()) << second.error();
  EXPECT_EQ(second.client()->Post("/v2/models/r/infer", body, "application/json")->status, 200);
  auto refused = second.client()->Post("/v2/models/r/infer", body, "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 402);
  EXPECT_EQ(json::parse(refused->body, nullptr, false).value("used", 0), 3) << refused->body;
  // Reports: the restart reported the 2 the killed process never did, then 3 at exhaustion.
  auto reports = all_reports(dir.file("terms.json.meter"));
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].inferences, 2u);
  EXPECT_EQ(reports[1].inferences, 3u);
  EXPECT_LT(reports[0].sequence, reports[1].sequence);
}

}  // namespace
}  // namespace fogline::node::testing
