// fogline deploy promote ID [--note TEXT]: POST /api/deployments/ID/promote on the hub; the registry
// history of the version records it.
#include "cli/commands/deploy_action.h"

namespace fogline::cli {
namespace {

class DeployPromoteCommand : public DeployActionCommand {
 public:
  DeployPromoteCommand() : DeployActionCommand("promote") {}
  const char* name() const override { return "deploy promote"; }
  const char* summary() const override { return "Promote a canary deployment to every selected node now"; }
};

}  // namespace

FOGLINE_REGISTER_COMMAND(DeployPromoteCommand);

}  // namespace fogline::cli
