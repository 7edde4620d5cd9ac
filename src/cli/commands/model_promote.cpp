// fogline model promote MODEL@VERSION --stage production: a stage change, recorded in the
// version's append-only history. The previous production version is archived.
#include <cstdio>

#include "cli/command.h"
#include "registry/open.h"

namespace fogline::cli {
namespace {

class ModelPromoteCommand : public Command {
 public:
  const char* name() const override { return "model promote"; }
  const char* summary() const override { return "Move a version to a stage: dev, staging, production or archived"; }
  void configure(CLI::App& app) override {
    app.add_option("version", ref_, "MODEL@VERSION (or @TAG)")->required();
    app.add_option("--stage", stage_, "dev | staging | production | archived")->required();
    app.add_option("--note", note_, "why (kept in the history)");
    app.add_option("--home", home_.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "metadata database: postgresql://... (default SQLite in the home)");
  }
  int run() override {
    auto stage = registry::parse_stage(stage_);
    if (!stage.is_ok()) return fail(stage.status().message());
    auto opened = registry::open_registry(home_);
    if (!opened.is_ok()) return fail(opened.status().message());
    auto v = opened->registry->get(ref_);
    if (!v.is_ok()) return fail(v.status().message());
    auto archived = opened->registry->promote(v->ref(), *stage, note_);
    if (!archived.is_ok()) return fail(archived.status().message());
    std::printf("%s: %s -> %s\n", v->ref().c_str(), registry::stage_name(v->stage), stage_.c_str());
    for (const auto& a : *archived) std::printf("%s@%s: production -> archived\n", v->model.c_str(), a.c_str());
    return 0;
  }

 private:
  std::string ref_, stage_, note_;
  store::HomeOptions home_;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(ModelPromoteCommand);

}  // namespace fogline::cli
