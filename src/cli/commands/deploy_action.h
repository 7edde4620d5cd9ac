// `fogline deploy promote|rollback ID [--note TEXT]`: both POST /api/deployments/ID/ACTION on the
// hub and print the deployment's new state; each command file names its action.
#pragma once

#include <cstdio>
#include <string>

#include "cli/command.h"
#include "cli/commands/hub_options.h"
#include "hub/api_client.h"

namespace fogline::cli {

class DeployActionCommand : public Command {
 public:
  explicit DeployActionCommand(const char* action) : action_(action) {}
  void configure(CLI::App& app) override {
    app.add_option("id", id_, "deployment id")->required();
    app.add_option("--note", note_, "why (kept in the history)");
    hub_.add(app, "API token, role developer or admin (default $FOGLINE_TOKEN)");
  }
  int run() override {
    auto endpoint = hub_.endpoint();
    if (!endpoint.is_ok()) return fail(endpoint.status().message());
    nlohmann::json body = nlohmann::json::object();
    if (!note_.empty()) body["note"] = note_;
    auto d = hub::api_call(*endpoint, "POST", "/api/deployments/" + id_ + "/" + action_, body);
    if (!d.is_ok()) return fail(d.status().message());
    std::printf("deployment %s: %s %s\n", id_.c_str(), (*d)["ref"].get<std::string>().c_str(),
                (*d)["state"].get<std::string>().c_str());
    return 0;
  }

 private:
  std::string action_;
  std::string id_, note_;
  HubOptions hub_;
};

}  // namespace fogline::cli
