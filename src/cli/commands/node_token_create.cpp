// fogline node token create --labels site=a,camera=3 [--expires 1h] --home H: a one-time
// enrollment token for `fogline-node --enroll`, carrying the labels the node will have.
#include <cstdio>

#include "cli/command.h"
#include "hub/enrollment.h"
#include "hub/schema.h"
#include "registry/registry.h"
#include "store/home.h"

namespace fogline::cli {
namespace {

class NodeTokenCreateCommand : public Command {
 public:
  const char* name() const override { return "node token create"; }
  const char* summary() const override { return "Create a one-time node enrollment token"; }
  void configure(CLI::App& app) override {
    app.add_option("--labels", labels_, "KEY=VALUE,... the node gets (site=a,camera=3)");
    app.add_option("--expires", expires_, "lifetime: 90s, 10m, 1h, 2d")->default_val("1h");
    app.add_option("--home", home_.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "metadata database: postgresql://... (default SQLite in the home)");
  }
  int run() override {
    hub::Labels labels;
    if (!labels_.empty()) {
      auto parsed = hub::parse_labels(labels_);
      if (!parsed.is_ok()) return fail(parsed.status().message());
      labels = *parsed;
    }
    auto ttl = hub::parse_duration_seconds(expires_);
    if (!ttl.is_ok()) return fail(ttl.status().message());
    auto home = store::Home::open(home_);
    if (!home.is_ok()) return fail(home.status().message());
    Status migrated = hub::apply_hub_migrations((*home)->db());
    if (!migrated.is_ok()) return fail(migrated.message());
    auto token = hub::create_enroll_token((*home)->db(), labels, *ttl, registry::current_actor());
    if (!token.is_ok()) return fail(token.status().message());
    std::printf("%s\n", token->token.c_str());
    return 0;
  }

 private:
  std::string labels_, expires_;
  store::HomeOptions home_;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(NodeTokenCreateCommand);

}  // namespace fogline::cli
