// fogline model tag MODEL@VERSION TAG: names a version ("best-cam3"); the tag moves when it
// pointed elsewhere. --remove deletes it.
#include <cstdio>

#include "cli/command.h"
#include "registry/open.h"

namespace fogline::cli {
namespace {

class ModelTagCommand : public Command {
 public:
  const char* name() const override { return "model tag"; }
  const char* summary() const override { return "Point a tag at a version (MODEL@VERSION TAG), or --remove it"; }
  void configure(CLI::App& app) override {
    app.add_option("version", ref_, "MODEL@VERSION (or MODEL with --remove)")->required();
    app.add_option("tag", tag_, "the tag")->required();
    app.add_flag("--remove", remove_, "remove the tag from the model");
    app.add_option("--home", home_.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "metadata database: postgresql://... (default SQLite in the home)");
  }
  int run() override {
    auto opened = registry::open_registry(home_);
    if (!opened.is_ok()) return fail(opened.status().message());
    if (remove_) {
      Status s = opened->registry->untag(ref_.substr(0, ref_.find('@')), tag_);
      if (!s) return fail(s.message());
      std::printf("removed tag %s\n", tag_.c_str());
      return 0;
    }
    Status s = opened->registry->tag(ref_, tag_);
    if (!s) return fail(s.message());
    auto v = opened->registry->get(ref_);
    std::printf("%s -> %s\n", tag_.c_str(), v.is_ok() ? v->ref().c_str() : ref_.c_str());
    return 0;
  }

 private:
  std::string ref_, tag_;
  bool remove_ = false;
  store::HomeOptions home_;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(ModelTagCommand);

}  // namespace fogline::cli
