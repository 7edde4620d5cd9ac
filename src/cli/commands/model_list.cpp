// fogline model list: every model with its number of versions, newest and production version.
#include <cstdio>

#include "cli/command.h"
#include "registry/open.h"

namespace fogline::cli {
namespace {

class ModelListCommand : public Command {
 public:
  const char* name() const override { return "model list"; }
  const char* summary() const override { return "List the models of the registry"; }
  void configure(CLI::App& app) override {
    app.add_option("--home", home_.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "metadata database: postgresql://... (default SQLite in the home)");
    app.add_flag("--json", json_, "print JSON");
  }
  int run() override {
    auto opened = registry::open_registry(home_);
    if (!opened.is_ok()) return fail(opened.status().message());
    auto models = opened->registry->list_models();
    if (!models.is_ok()) return fail(models.status().message());
    if (json_) {
      nlohmann::json doc = nlohmann::json::array();
      for (const auto& m : *models)
        doc.push_back({{"name", m.name}, {"versions", m.versions}, {"latest", m.latest}, {"production", m.production}, {"created_at", m.created_at}});
      std::printf("%s\n", doc.dump(2).c_str());
      return 0;
    }
    if (models->empty()) {
      std::printf("no models yet: fogline model import SOURCE\n");
      return 0;
    }
    std::printf("%-32s %8s  %-12s %-12s %s\n", "MODEL", "VERSIONS", "LATEST", "PRODUCTION", "CREATED");
    for (const auto& m : *models)
      std::printf("%-32s %8lld  %-12s %-12s %s\n", m.name.c_str(), static_cast<long long>(m.versions), m.latest.c_str(),
                  m.production.empty() ? "-" : m.production.c_str(), m.created_at.c_str());
    return 0;
  }

 private:
  store::HomeOptions home_;
  bool json_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(ModelListCommand);

}  // namespace fogline::cli
