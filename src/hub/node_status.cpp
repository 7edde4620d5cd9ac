#include "hub/node_status.h"

#include <cmath>
#include <ctime>

#include "hub/deployments.h"

namespace fogline::hub {

using Json = nlohmann::json;

namespace {

// Thresholds of node_problems(); docs/hub.md lists them.
constexpr double kMemoryUsedLimit = 0.95;
constexpr double kDiskUsedLimit = 0.95;
constexpr double kHotCelsius = 90.0;

double number_or(const Json& j, const char* key, double fallback) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return fallback;
  return j[key].get<double>();
}

std::string percent(double fraction) { return std::to_string(static_cast<int>(std::lround(fraction * 100))) + "%"; }

// Unix seconds of "YYYY-MM-DDTHH:MM:SSZ"; 0 when it is not one.
int64_t parse_iso8601_utc(const std::string& text) {
  std::tm tm{};
  if (text.empty() || !strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return 0;
  return static_cast<int64_t>(timegm(&tm));
}

Result<std::pair<Json, int64_t>> newest_record(store::Database& db, const std::string& node_id, const std::string& kind) {
  FOGLINE_ASSIGN_OR_RETURN(auto rows, db.query("SELECT body, time_ms FROM hub_telemetry WHERE node_id = ? AND kind = ? "
                                               "ORDER BY time_ms DESC, seq DESC LIMIT 1",
                                               {node_id, kind}));
  if (rows.empty()) return std::make_pair(Json(nullptr), int64_t{0});
  Json body = Json::parse(rows[0].s(0), nullptr, false);
  if (body.is_discarded() || !body.is_object()) return std::make_pair(Json(nullptr), int64_t{0});
  return std::make_pair(body, rows[0].i(1));
}

}  // namespace

std::vector<std::string> node_problems(const NodeObservations& seen) {
  std::vector<std::string> out;
  const Json& h = seen.health;
  double mem_total = number_or(h, "mem_total_bytes", 0), mem_free = number_or(h, "mem_available_bytes", 0);
  if (mem_total > 0 && 1 - mem_free / mem_total >= kMemoryUsedLimit)
    out.push_back("memory " + percent(1 - mem_free / mem_total) + " used");
  double disk_total = number_or(h, "disk_total_bytes", 0), disk_free = number_or(h, "disk_available_bytes", 0);
  if (disk_total > 0 && 1 - disk_free / disk_total >= kDiskUsedLimit)
    out.push_back("disk " + percent(1 - disk_free / disk_total) + " full");
  if (h.is_object() && h.contains("temperatures_c") && h["temperatures_c"].is_object())
    for (auto& [sensor, c] : h["temperatures_c"].items())
      if (c.is_number() && c.get<double>() >= kHotCelsius)
        out.push_back("sensor " + sensor + " at " + std::to_string(static_cast<int>(c.get<double>())) + " C");
  if (seen.report.is_object() && seen.report.contains("models") && seen.report["models"].is_array())
    for (const auto& m : seen.report["models"]) {
      if (!m.is_object() || m.value("state", std::string()) != "failed") continue;
      std::string what = "model " + m.value("model", std::string("?")) + "@" + m.value("version", std::string("?")) + " failed";
      std::string error = m.value("error", std::string());
      out.push_back(error.empty() ? what : what + ": " + error);
    }
  return out;
}

Diagnosis diagnose_quiet(const NodeObservations& seen, int64_t window_seconds) {
  if (seen.health.is_null() && seen.link.is_null() && seen.report.is_null())
    return {"unknown", "no telemetry and no report ever arrived from the node"};
  std::vector<std::string> problems = node_problems(seen);
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
    return {"node", "the node's last health/report showed trouble: " + all};
  }
  const Json& l = seen.link;
  if (l.is_object()) {
    double consecutive = number_or(l, "consecutive_failures", 0);
    double last_failure = number_or(l, "last_failure_ms", 0), last_contact = number_or(l, "last_contact_ms", 0);
    bool failing = consecutive > 0 || (last_failure > 0 && last_contact - last_failure <= window_seconds * 1000.0);
    if (failing) {
      std::string looks = l.value("failures_look_like", std::string());
      if (looks != "hub" && looks != "node") looks = "network";
      const char* what = looks == "network" ? "no connection or timeouts"
                         : looks == "hub"   ? "the hub answered 5xx"
                                            : "the hub refused the node's requests (4xx)";
      return {looks, std::string("the node's last link record shows it failing to reach the hub (") + what +
                         ", " + std::to_string(static_cast<int64_t>(number_or(l, "failed_attempts", 0))) +
                         " failed attempts)"};
    }
    return {"node", "the link was clean at the node's last telemetry (RTT " +
                        std::to_string(static_cast<int64_t>(std::lround(number_or(l, "rtt_seconds", 0) * 1000))) +
                        " ms) and then the node stopped"};
  }
  return {"node", "the node's last health and report were fine and then it stopped (no link record)"};
}

int64_t last_contact_unix(const NodeRecord& node) {
  int64_t contact = node.last_seen_unix;
  if (contact == 0) contact = parse_iso8601_utc(node.last_seen);
  if (contact == 0) contact = parse_iso8601_utc(node.enrolled_at);
  return contact;
}

bool is_quiet(const NodeRecord& node, int64_t now, int64_t quiet_after_seconds) {
  return now - last_contact_unix(node) > quiet_after_seconds;
}

Result<NodeObservations> observe_node(store::Database& db, const NodeRecord& node) {
  NodeObservations seen;
  FOGLINE_ASSIGN_OR_RETURN(auto health, newest_record(db, node.id, "health"));
  seen.health = health.first;
  seen.health_time_ms = health.second;
  FOGLINE_ASSIGN_OR_RETURN(auto link, newest_record(db, node.id, "link"));
  seen.link = link.first;
  seen.link_time_ms = link.second;
  seen.report = node.last_report;
  return seen;
}

Result<Json> node_status(store::Database& db, Deployments& deployments, const NodeRecord& node, int64_t now,
                         int64_t quiet_after_seconds) {
  FOGLINE_ASSIGN_OR_RETURN(NodeObservations seen, observe_node(db, node));
  int64_t contact = last_contact_unix(node);
  bool quiet = is_quiet(node, now, quiet_after_seconds);

  Json j = node.to_json();
  j["last_contact_unix"] = contact;
  j["seconds_since_contact"] = now - contact;
  j["status"] = quiet ? "quiet" : "ok";
  j["quiet_since"] = quiet ? Json(iso8601_utc(contact)) : Json(nullptr);
  if (quiet) {
    Diagnosis d = diagnose_quiet(seen, quiet_after_seconds);
    j["diagnosis"] = d.cause;
    j["diagnosis_reason"] = d.reason;
  } else {
    j["diagnosis"] = nullptr;
    j["diagnosis_reason"] = nullptr;
  }
  j["problems"] = node_problems(seen);

  Json models = Json::array();
  if (seen.report.is_object() && seen.report.contains("models") && seen.report["models"].is_array())
    for (const auto& m : seen.report["models"]) {
      if (!m.is_object()) continue;
      Json entry = {{"model", m.value("model", std::string())},
                    {"version", m.value("version", std::string())},
                    {"state", m.value("state", std::string("running"))}};
      for (const char* extra : {"error", "serving_version", "metrics", "shadow", "variant"})
        if (m.contains(extra)) entry[extra] = m[extra];
      models.push_back(entry);
    }
  j["models"] = models;
  j["report_at"] = node.last_report_at.empty() ? Json(nullptr) : Json(node.last_report_at);
  FOGLINE_ASSIGN_OR_RETURN(std::vector<DesiredModel> wanted, deployments.desired_models(node.id));
  Json desired = Json::array();
  for (const auto& m : wanted)
    desired.push_back({{"model", m.model}, {"version", m.version}, {"shadow_version", m.shadow_version}});
  j["desired"] = desired;
  auto with_time = [](Json body, int64_t time_ms) {
    if (body.is_object()) body["time_ms"] = time_ms;
    return body;
  };
  j["health"] = with_time(seen.health, seen.health_time_ms);
  j["link"] = with_time(seen.link, seen.link_time_ms);
  return j;
}

}  // namespace fogline::hub
