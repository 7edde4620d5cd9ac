// fogline deploy rollback ID [--note TEXT]: POST /api/deployments/ID/rollback on the hub; the registry
// history of the version records it.
#include "cli/commands/deploy_action.h"

namespace fogline::cli {
namespace {

class DeployRollbackCommand : public DeployActionCommand {
 public:
  DeployRollbackCommand() : DeployActionCommand("rollback") {}
  const char* name() const override { return "deploy rollback"; }
  const char* summary() const override { return "Roll a deployment back: its nodes return to their previous version"; }
};

}  // namespace

FOGLINE_REGISTER_COMMAND(DeployRollbackCommand);

}  // namespace fogline::cli
