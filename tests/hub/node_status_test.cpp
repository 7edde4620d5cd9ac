// The quiet-node diagnosis rules, the problem thresholds and the Prometheus writer, as pure
// functions (docs/hub.md, "Node status" and "Metrics").
#include <gmock/gmock.h>

#include "hub/hub_metrics.h"
#include "hub/node_status.h"
#include "hub/node_status_text.h"

namespace fogline::hub {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

Json healthy() {
  return {{"cpu_percent", 12.0},
          {"mem_total_bytes", 8000},
          {"mem_available_bytes", 4000},
          {"disk_total_bytes", 1000},
          {"disk_available_bytes", 600},
          {"temperatures_c", {{"cpu", 55.0}}},
          {"uptime_seconds", 100}};
}

Json link(int consecutive, int64_t last_contact_ms, int64_t last_failure_ms, const std::string& looks) {
  return {{"attempts", 40},
          {"failed_attempts", 5},
          {"consecutive_failures", consecutive},
          {"rtt_seconds", 0.045},
          {"last_contact_ms", last_contact_ms},
          {"last_failure_ms", last_failure_ms},
          {"failures_look_like", looks}};
}

TEST(NodeDiagnosis, NoDataIsUnknown) {
  EXPECT_EQ(diagnose_quiet({}, 60).cause, "unknown");
}

TEST(NodeDiagnosis, LinkFailingWithNetworkErrorsIsTheNetwork) {
  NodeObservations seen;
  seen.health = healthy();
  seen.link = link(3, 1000000, 1005000, "network");
  Diagnosis d = diagnose_quiet(seen, 60);
  EXPECT_EQ(d.cause, "network");
  EXPECT_THAT(d.reason, HasSubstr("no connection or timeouts"));
  // A failure shortly before the last contact counts even when the last attempt succeeded.
  seen.link = link(0, 1000000, 1000000 - 30000, "network");
  EXPECT_EQ(diagnose_quiet(seen, 60).cause, "network");
  // Refusals and hub errors are named as such.
  seen.link = link(2, 1000000, 1000500, "node");
  EXPECT_EQ(diagnose_quiet(seen, 60).cause, "node");
  seen.link = link(2, 1000000, 1000500, "hub");
  EXPECT_EQ(diagnose_quiet(seen, 60).cause, "hub");
}

TEST(NodeDiagnosis, CleanLinkThenSilenceIsTheNode) {
  NodeObservations seen;
  seen.health = healthy();
  // The last failure is long before the last contact: the link was clean when it stopped.
  seen.link = link(0, 10000000, 10000000 - 3600000, "network");
  Diagnosis d = diagnose_quiet(seen, 60);
  EXPECT_EQ(d.cause, "node");
  EXPECT_THAT(d.reason, HasSubstr("link was clean"));
  EXPECT_THAT(d.reason, HasSubstr("45 ms"));
}

TEST(NodeDiagnosis, TroubleOnTheNodeWinsOverAFailingLink) {
  NodeObservations seen;
  seen.health = healthy();
  seen.health["mem_available_bytes"] = 160;  // 98% used
  seen.link = link(4, 1000000, 1000100, "network");
  Diagnosis d = diagnose_quiet(seen, 60);
  EXPECT_EQ(d.cause, "node");
  EXPECT_THAT(d.reason, HasSubstr("memory 98% used"));

  NodeObservations failed;
  failed.report = {{"models", {{{"model", "cam"}, {"version", "3"}, {"state", "failed"}, {"error", "bad weights"}}}}};
  EXPECT_THAT(diagnose_quiet(failed, 60).reason, HasSubstr("model cam@3 failed: bad weights"));
}

TEST(NodeProblems, ThresholdsOfMemoryDiskAndTemperature) {
  NodeObservations seen;
  seen.health = healthy();
  EXPECT_TRUE(node_problems(seen).empty());
  seen.health["disk_available_bytes"] = 40;  // 96% full
  seen.health["mem_available_bytes"] = 401;  // just under 95% used
  seen.health["temperatures_c"]["gpu"] = 91.5;
  EXPECT_THAT(node_problems(seen), ::testing::ElementsAre("disk 96% full", "sensor gpu at 91 C"));
}

TEST(NodeContact, RowsFromBeforeTheUnixColumnFallBackToTheirTimestamps) {
  NodeRecord n;
  n.enrolled_at = "2026-11-25T17:00:00Z";
  EXPECT_EQ(last_contact_unix(n), 1795626000);
  n.last_seen = "2026-11-25T17:01:40Z";
  EXPECT_EQ(last_contact_unix(n), 1795626100);
  n.last_seen_unix = 1795626200;
  EXPECT_EQ(last_contact_unix(n), 1795626200);
  EXPECT_FALSE(is_quiet(n, 1795626260, 60));
  EXPECT_TRUE(is_quiet(n, 1795626261, 60));
  EXPECT_EQ(iso8601_utc(1795626000), "2026-11-25T17:00:00Z");
}

TEST(Exposition, EscapesLabelValuesAndHelpAndWritesTypeLines) {
  Exposition out;
  out.family("x_total", "counter", "a \\ back\nslash");
  out.sample("x_total", {{"node", "a\"b\\c\nd"}}, 3);
  out.sample("x_total", {}, 0.25);
  EXPECT_EQ(out.text(),
            "# HELP x_total a \\\\ back\\nslash\n"
            "# TYPE x_total counter\n"
            "x_total{node=\"a\\\"b\\\\c\\nd\"} 3\n"
            "x_total 0.25\n");
}

TEST(NodeStatusText, CellsAndTable) {
  Json node = {{"labels", {{"site", "a"}, {"camera", "3"}}},
               {"models", {{{"model", "cam"}, {"version", "2"}, {"state", "running"}},
                           {{"model", "det"}, {"version", "1"}, {"state", "failed"}}}},
               {"health", healthy()},
               {"link", {{"rtt_seconds", 0.012}}}};
  EXPECT_EQ(labels_text(node), "camera=3,site=a");
  EXPECT_EQ(models_text(node), "cam@2 det@1(failed)");
  EXPECT_EQ(cpu_text(node), "12%");
  EXPECT_EQ(memory_text(node), "50%");
  EXPECT_EQ(disk_text(node), "40%");
  EXPECT_EQ(rtt_text(node), "12 ms");
  EXPECT_EQ(rtt_text(Json::object()), "-");
  EXPECT_EQ(ago_text(42), "42s ago");
  EXPECT_EQ(ago_text(3 * 3600), "3h ago");
  EXPECT_EQ(bytes_text(1536), "1.5 KiB");
  EXPECT_EQ(format_table({"A", "BB"}, {{"xyz", "1"}}), "A    BB\nxyz  1\n");
}

}  // namespace
}  // namespace fogline::hub
