// fogline node show NODE [--json] [--hub URL --token T]: one node (id or name) as the hub sees
// it (GET /api/nodes/{id}): labels, enrollment, last contact, ok or quiet with the diagnosis
// and its evidence, problems, each model it reports with its state, health and link details.
#include <cctype>
#include <cstdio>

#include "cli/command.h"
#include "cli/commands/hub_options.h"
#include "hub/node_status_text.h"

namespace fogline::cli {
namespace {

using Json = nlohmann::json;

std::string str(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return "-";
  return j[key].is_string() ? j[key].get<std::string>() : j[key].dump();
}

// A name may hold spaces or '%': percent-encode all but unreserved characters (RFC 3986).
std::string path_escape(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

class NodeShowCommand : public Command {
 public:
  const char* name() const override { return "node show"; }
  const char* summary() const override {
    return "One node: status (ok, or quiet since when and why), models, health and link to the hub";
  }
  void configure(CLI::App& app) override {
    app.add_option("node", node_, "node id or name")->required();
    hub_.add(app);
    app.add_flag("--json", json_, "print the hub's JSON");
  }
  int run() override {
    auto endpoint = hub_.endpoint();
    if (!endpoint.is_ok()) return fail(endpoint.status().message());
    if (node_.empty() || node_.find('/') != std::string::npos)
      return fail("node '" + node_ + "' is not a node id or name");
    auto j = hub::api_call(*endpoint, "GET", "/api/nodes/" + path_escape(node_));
    if (!j.is_ok()) return fail(j.status().message());
    if (json_) {
      std::printf("%s\n", j->dump(2).c_str());
      return 0;
    }
    const Json& n = *j;
    std::printf("node %s (%s)\n", str(n, "name").c_str(), str(n, "id").c_str());
    std::printf("  labels        %s\n", hub::labels_text(n).c_str());
    std::printf("  enrolled      %s\n", str(n, "enrolled_at").c_str());
    std::printf("  last contact  %s (%s)\n", str(n, "last_seen").c_str(),
                hub::ago_text(n.value("seconds_since_contact", int64_t{0})).c_str());
    if (n.value("status", std::string()) == "quiet") {
      std::printf("  status        quiet since %s (no contact for more than %llds)\n", str(n, "quiet_since").c_str(),
                  static_cast<long long>(n.value("quiet_after_seconds", int64_t{0})));
      std::printf("  diagnosis     %s: %s\n", str(n, "diagnosis").c_str(), str(n, "diagnosis_reason").c_str());
    } else {
      std::printf("  status        %s\n", str(n, "status").c_str());
    }
    if (n.contains("problems") && n["problems"].is_array())
      for (const auto& p : n["problems"]) std::printf("  problem       %s\n", p.get<std::string>().c_str());

    std::vector<std::vector<std::string>> rows;
    if (n.contains("models") && n["models"].is_array())
      for (const auto& m : n["models"]) {
        std::string metrics;
        if (m.contains("metrics") && m["metrics"].is_object())
          for (auto& [k, v] : m["metrics"].items()) metrics += (metrics.empty() ? "" : " ") + k + "=" + v.dump();
        if (m.contains("error")) metrics += (metrics.empty() ? "" : " ") + std::string("error: ") + str(m, "error");
        rows.push_back({str(m, "model"), str(m, "version"), str(m, "state"), metrics.empty() ? "-" : metrics});
      }
    std::printf("\nmodels (reported %s)\n", str(n, "report_at").c_str());
    if (rows.empty()) {
      std::string assigned;
      if (n.contains("desired") && n["desired"].is_array())
        for (const auto& m : n["desired"]) assigned += (assigned.empty() ? "" : " ") + str(m, "model") + "@" + str(m, "version");
      std::printf("  none reported; assigned: %s\n", assigned.empty() ? "none" : assigned.c_str());
    }
    else std::fputs(hub::format_table({"MODEL", "VERSION", "STATE", "METRICS"}, rows).c_str(), stdout);

    const Json& h = n.contains("health") ? n["health"] : Json();
    std::printf("\nhealth\n");
    if (!h.is_object()) {
      std::printf("  no health telemetry received\n");
    } else {
      std::printf("  cpu           %s\n", hub::cpu_text(n).c_str());
      std::printf("  memory        %s used of %s\n", hub::memory_text(n).c_str(),
                  hub::bytes_text(h.value("mem_total_bytes", -1.0)).c_str());
      std::printf("  disk          %s used of %s\n", hub::disk_text(n).c_str(),
                  hub::bytes_text(h.value("disk_total_bytes", -1.0)).c_str());
      if (h.contains("temperatures_c") && h["temperatures_c"].is_object() && !h["temperatures_c"].empty()) {
        std::string temps;
        for (auto& [sensor, c] : h["temperatures_c"].items()) temps += (temps.empty() ? "" : ", ") + sensor + " " + c.dump() + " C";
        std::printf("  temperatures  %s\n", temps.c_str());
      }
      std::printf("  uptime        %s s\n", str(h, "uptime_seconds").c_str());
      if (h.contains("versions")) std::printf("  versions      %s\n", h["versions"].dump().c_str());
    }
    const Json& l = n.contains("link") ? n["link"] : Json();
    std::printf("\nlink to the hub\n");
    if (!l.is_object()) {
      std::printf("  no link telemetry received\n");
    } else {
      std::printf("  rtt           %s\n", hub::rtt_text(n).c_str());
      std::printf("  attempts      %s, failed %s, consecutive failures %s\n", str(l, "attempts").c_str(),
                  str(l, "failed_attempts").c_str(), str(l, "consecutive_failures").c_str());
      std::string looks = l.value("failures_look_like", std::string());
      if (!looks.empty())
        std::printf("  failures look %s (recent: %s)\n", looks.c_str(), str(l, "recent_failures").c_str());
      std::printf("  bytes         up %s, down %s, bandwidth %s/s\n", hub::bytes_text(l.value("bytes_up", -1.0)).c_str(),
                  hub::bytes_text(l.value("bytes_down", -1.0)).c_str(),
                  hub::bytes_text(l.value("bandwidth_bytes_per_second", -1.0)).c_str());
    }
    return 0;
  }

 private:
  std::string node_;
  HubOptions hub_;
  bool json_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(NodeShowCommand);

}  // namespace fogline::cli
