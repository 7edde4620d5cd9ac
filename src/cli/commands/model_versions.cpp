// fogline model versions MODEL: the versions of one model, oldest first, with stage and tags.
#include <cstdio>

#include "cli/command.h"
#include "registry/open.h"

namespace fogline::cli {
namespace {

class ModelVersionsCommand : public Command {
 public:
  const char* name() const override { return "model versions"; }
  const char* summary() const override { return "List the versions of a model with stage, tags, parent and source"; }
  void configure(CLI::App& app) override {
    app.add_option("model", model_, "model name")->required();
    app.add_option("--home", home_.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "metadata database: postgresql://... (default SQLite in the home)");
    app.add_flag("--json", json_, "print JSON");
  }
  int run() override {
    auto opened = registry::open_registry(home_);
    if (!opened.is_ok()) return fail(opened.status().message());
    auto versions = opened->registry->versions(model_);
    if (!versions.is_ok()) return fail(versions.status().message());
    if (json_) {
      nlohmann::json doc = nlohmann::json::array();
      for (const auto& v : *versions)
        doc.push_back({{"version", v.version}, {"stage", registry::stage_name(v.stage)}, {"tags", v.tags}, {"parent", v.parent},
                       {"source", v.source_url}, {"commit", v.source_commit}, {"created_by", v.created_by}, {"created_at", v.created_at}});
      std::printf("%s\n", doc.dump(2).c_str());
      return 0;
    }
    std::printf("%-12s %-11s %-20s %-16s %-20s %s\n", "VERSION", "STAGE", "TAGS", "PARENT", "CREATED", "SOURCE");
    for (const auto& v : *versions) {
      std::string tags;
      for (const auto& t : v.tags) tags += (tags.empty() ? "" : ",") + t;
      std::printf("%-12s %-11s %-20s %-16s %-20s %s\n", v.version.c_str(), registry::stage_name(v.stage),
                  tags.empty() ? "-" : tags.c_str(), v.parent.empty() ? "-" : v.parent.c_str(), v.created_at.c_str(),
                  v.source_url.c_str());
    }
    return 0;
  }

 private:
  std::string model_;
  store::HomeOptions home_;
  bool json_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(ModelVersionsCommand);

}  // namespace fogline::cli
