// fogline hub token create --role admin|developer|viewer [--name N] --home H: makes an API
// token offline, against the home (how the first admin token is made), and prints it once.
#include <cstdio>

#include "cli/command.h"
#include "hub/api_tokens.h"
#include "hub/schema.h"
#include "store/home.h"

namespace fogline::cli {
namespace {

class HubTokenCreateCommand : public Command {
 public:
  const char* name() const override { return "hub token create"; }
  const char* summary() const override { return "Create a hub API token (printed once; stored hashed)"; }
  void configure(CLI::App& app) override {
    app.add_option("--role", role_, "admin | developer | viewer")->required();
    app.add_option("--name", name_, "who or what the token is for");
    app.add_option("--home", home_.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "metadata database: postgresql://... (default SQLite in the home)");
  }
  int run() override {
    auto role = hub::parse_role(role_);
    if (!role.is_ok()) return fail(role.status().message());
    auto home = store::Home::open(home_);
    if (!home.is_ok()) return fail(home.status().message());
    Status migrated = hub::apply_hub_migrations((*home)->db());
    if (!migrated.is_ok()) return fail(migrated.message());
    auto token = hub::create_api_token((*home)->db(), *role, name_.empty() ? role_ : name_);
    if (!token.is_ok()) return fail(token.status().message());
    std::printf("%s\n", token->token.c_str());
    return 0;
  }

 private:
  std::string role_, name_;
  store::HomeOptions home_;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(HubTokenCreateCommand);

}  // namespace fogline::cli
