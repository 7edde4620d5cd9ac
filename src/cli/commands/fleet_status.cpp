// fogline fleet status [--json] [--hub URL --token T]: every enrolled node as the hub sees it
// (GET /api/nodes): labels, ok or quiet (since when, and whether it looks like the network or
// the node), models@versions, CPU/memory/disk, RTT and last contact.
#include <cstdio>

#include "cli/command.h"
#include "cli/commands/hub_options.h"
#include "hub/node_status_text.h"

namespace fogline::cli {
namespace {

using Json = nlohmann::json;

class FleetStatusCommand : public Command {
 public:
  const char* name() const override { return "fleet status"; }
  const char* summary() const override {
    return "Every node: status (ok, or quiet since when and why), models, CPU/memory/disk, RTT, last contact";
  }
  void configure(CLI::App& app) override {
    hub_.add(app);
    app.add_flag("--json", json_, "print the hub's JSON");
  }
  int run() override {
    auto endpoint = hub_.endpoint();
    if (!endpoint.is_ok()) return fail(endpoint.status().message());
    auto j = hub::api_call(*endpoint, "GET", "/api/nodes");
    if (!j.is_ok()) return fail(j.status().message());
    if (json_) {
      std::printf("%s\n", j->dump(2).c_str());
      return 0;
    }
    std::vector<std::vector<std::string>> rows;
    size_t quiet = 0;
    for (const auto& n : (*j)["nodes"]) {
      bool is_quiet = n.value("status", std::string()) == "quiet";
      quiet += is_quiet;
      std::string name = n.value("name", std::string()), id = n.value("id", std::string());
      rows.push_back({name == id ? id : name + " (" + id + ")", hub::labels_text(n), n.value("status", std::string("?")),
                      is_quiet ? n.value("quiet_since", std::string("-")) : "-",
                      is_quiet ? n.value("diagnosis", std::string("-")) : "-", hub::models_text(n), hub::cpu_text(n),
                      hub::memory_text(n), hub::disk_text(n), hub::rtt_text(n),
                      hub::ago_text(n.value("seconds_since_contact", int64_t{0}))});
    }
    std::fputs(hub::format_table({"NODE", "LABELS", "STATUS", "QUIET SINCE", "DIAGNOSIS", "MODELS", "CPU", "MEM", "DISK",
                                  "RTT", "LAST CONTACT"},
                                 rows)
                   .c_str(),
               stdout);
    std::printf("\n%zu node(s), %zu quiet (no contact for more than %llds)\n", rows.size(), quiet,
                static_cast<long long>(j->value("quiet_after_seconds", int64_t{0})));
    return 0;
  }

 private:
  HubOptions hub_;
  bool json_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(FleetStatusCommand);

}  // namespace fogline::cli
