// fogline deploy status [ID] [--json]: one deployment (its rule, window and every node's
// assignment with the metrics it last reported), or, without ID, the list of deployments.
#include <cstdio>
#include <ctime>

#include "cli/command.h"
#include "cli/commands/hub_options.h"
#include "hub/api_client.h"

namespace fogline::cli {
namespace {

using Json = nlohmann::json;

std::string metrics_text(const Json& report, const std::string& version) {
  if (!report.is_object()) return "-";
  Json part = report;
  if (report.value("version", std::string()) != version && report.contains("shadow") && report["shadow"].is_object())
    part = report["shadow"];
  std::string out = part.value("version", std::string("?")) + " " + part.value("state", std::string("running"));
  if (part.contains("metrics") && part["metrics"].is_object())
    for (auto& [k, v] : part["metrics"].items()) out += " " + k + "=" + v.dump();
  return out;
}

class DeployStatusCommand : public Command {
 public:
  const char* name() const override { return "deploy status"; }
  const char* summary() const override { return "A deployment's state and each node's part (without ID: all deployments)"; }
  void configure(CLI::App& app) override {
    app.add_option("id", id_, "deployment id");
    hub_.add(app);
    app.add_flag("--json", json_, "print JSON");
  }
  int run() override {
    auto endpoint = hub_.endpoint();
    if (!endpoint.is_ok()) return fail(endpoint.status().message());
    auto j = hub::api_call(*endpoint, "GET", id_.empty() ? "/api/deployments" : "/api/deployments/" + id_);
    if (!j.is_ok()) return fail(j.status().message());
    if (json_) {
      std::printf("%s\n", j->dump(2).c_str());
      return 0;
    }
    if (id_.empty()) {
      std::printf("%-4s %-24s %-12s %-20s %s\n", "ID", "VERSION", "STATE", "CREATED", "REASON");
      for (const auto& d : (*j)["deployments"])
        std::printf("%-4lld %-24s %-12s %-20s %s\n", static_cast<long long>(d["id"].get<int64_t>()),
                    d["ref"].get<std::string>().c_str(), d["state"].get<std::string>().c_str(),
                    d["created_at"].get<std::string>().c_str(), d["reason"].get<std::string>().c_str());
      return 0;
    }
    const Json& d = *j;
    std::string version = d["version"];
    std::printf("deployment %lld  %s  %s%s\n", static_cast<long long>(d["id"].get<int64_t>()),
                d["ref"].get<std::string>().c_str(), d["state"].get<std::string>().c_str(),
                d["shadow"].get<bool>() ? " (shadow)" : "");
    std::printf("  selector     %s\n", d["selector"].dump().c_str());
    std::printf("  rollback if  %s\n", d["rollback_rule"].get<std::string>().empty() ? "-" : d["rollback_rule"].get<std::string>().c_str());
    std::printf("  observe      %llds", static_cast<long long>(d["observe_seconds"].get<int64_t>()));
    int64_t until = d["observe_until_unix"].get<int64_t>();
    if (d["state"] == "observing" && until > 0)
      std::printf(" (ends in %llds)", static_cast<long long>(until - static_cast<int64_t>(std::time(nullptr))));
    std::printf("\n  created      %s by %s\n", d["created_at"].get<std::string>().c_str(),
                d["created_by"].get<std::string>().c_str());
    if (!d["reason"].get<std::string>().empty()) std::printf("  reason       %s\n", d["reason"].get<std::string>().c_str());
    std::printf("\n%-22s %-7s %-12s %-9s %-9s %s\n", "NODE", "CANARY", "STATE", "DESIRED", "PREVIOUS", "LAST REPORT");
    for (const auto& a : d["assignments"]) {
      std::string prev = a["previous_version"];
      std::printf("%-22s %-7s %-12s %-9s %-9s %s\n", a["node_id"].get<std::string>().c_str(),
                  a["canary"].get<bool>() ? "yes" : "", a["state"].get<std::string>().c_str(),
                  a["desired_version"].get<std::string>().c_str(), prev.empty() ? "-" : prev.c_str(),
                  metrics_text(a["last_report"], version).c_str());
    }
    return 0;
  }

 private:
  std::string id_;
  HubOptions hub_;
  bool json_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(DeployStatusCommand);

}  // namespace fogline::cli
