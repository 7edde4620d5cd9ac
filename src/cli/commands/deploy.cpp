// fogline deploy MODEL@V --selector site=a [--canary 10% | --canary-nodes n1,n2] [--observe 10m]
// [--shadow] [--rollback-if 'p99_ms>50 or error_rate>0.01'] [--rental ID] [--hub URL --token T]: asks the
// hub (POST /api/deployments) to roll a version out, canary first. `deploy status|promote|
// rollback ID` sit under it (one file each).
#include <cstdio>

#include "cli/command.h"
#include "cli/commands/hub_options.h"
#include "hub/api_client.h"
#include "hub/rollback_rule.h"

namespace fogline::cli {
namespace {

class DeployCommand : public Command {
 public:
  const char* name() const override { return "deploy"; }
  const char* summary() const override {
    return "Deploy MODEL@VERSION to the nodes matching a selector, canary first (see also deploy status|promote|rollback)";
  }
  void configure(CLI::App& app) override {
    app.add_option("ref", ref_, "MODEL@VERSION (a version, tag or stage)");
    app.add_option("--selector", selector_, "node labels to match, k=v[,k=v] (default: every node)");
    app.add_option("--canary", canary_, "percentage of the matching nodes that get it first, e.g. 10%");
    app.add_option("--canary-nodes", canary_nodes_, "node ids that get it first, comma-separated")->delimiter(',');
    app.add_option("--observe", observe_, "observation window before promotion (90s, 10m, 1h)")->default_val("10m");
    app.add_flag("--shadow", shadow_, "run beside the current version without affecting responses");
    app.add_option("--rollback-if", rule_, "roll back when this trips, e.g. 'p99_ms>50 or error_rate>0.01'");
    app.add_option("--rental", rental_,
                   "a rental on the hub's ledger (id from 'rent start'): the hub hands each node its terms, and the "
                   "node meters the version under them from the first inference");
    hub_.add(app, "API token, role developer or admin (default $FOGLINE_TOKEN)");
    app.add_flag("--json", json_, "print the deployment as JSON");
  }
  int run() override {
    if (ref_.empty()) return fail("deploy needs MODEL@VERSION (or a subcommand: status, promote, rollback)");
    size_t at = ref_.find('@');
    if (at == std::string::npos || at == 0 || at + 1 == ref_.size())
      return fail("'" + ref_ + "' is not MODEL@VERSION");
    if (!canary_.empty() && !canary_nodes_.empty()) return fail("give --canary or --canary-nodes, not both");
    // The hub checks the rule too; checking here first gives the error before any network.
    auto rule = hub::RollbackRule::parse(rule_);
    if (!rule.is_ok()) return fail(rule.status().message());
    auto endpoint = hub_.endpoint();
    if (!endpoint.is_ok()) return fail(endpoint.status().message());
    nlohmann::json body = {{"model", ref_.substr(0, at)},
                           {"version", ref_.substr(at + 1)},
                           {"selector", selector_},
                           {"observe", observe_},
                           {"shadow", shadow_},
                           {"rollback_if", rule_}};
    if (!canary_.empty()) body["canary"] = canary_;
    if (!canary_nodes_.empty()) body["canary_nodes"] = canary_nodes_;
    if (!rental_.empty()) body["rental"] = rental_;
    auto d = hub::api_call(*endpoint, "POST", "/api/deployments", body);
    if (!d.is_ok()) return fail(d.status().message());
    if (json_) {
      std::printf("%s\n", d->dump(2).c_str());
      return 0;
    }
    std::vector<std::string> canaries;
    for (const auto& a : (*d)["assignments"])
      if (a["canary"].get<bool>()) canaries.push_back(a["node_id"].get<std::string>());
    std::string list;
    for (const auto& c : canaries) list += (list.empty() ? "" : ", ") + c;
    std::printf("deployment %lld: %s to %zu node(s), canary %s; observe %llds%s%s\n",
                static_cast<long long>((*d)["id"].get<int64_t>()), (*d)["ref"].get<std::string>().c_str(),
                (*d)["assignments"].size(), list.c_str(), static_cast<long long>((*d)["observe_seconds"].get<int64_t>()),
                shadow_ ? " (shadow)" : "", rental_.empty() ? "" : ("; rental " + rental_.substr(0, 16)).c_str());
    return 0;
  }

 private:
  std::string ref_, selector_, canary_, observe_, rule_, rental_;
  HubOptions hub_;
  std::vector<std::string> canary_nodes_;
  bool shadow_ = false, json_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(DeployCommand);

}  // namespace fogline::cli
