// fogline model check: the registry's integrity (every version's artifacts exist, every
// reference count matches); --verify also re-hashes every referenced object.
#include <cstdio>

#include "cli/command.h"
#include "registry/open.h"

namespace fogline::cli {
namespace {

class ModelCheckCommand : public Command {
 public:
  const char* name() const override { return "model check"; }
  const char* summary() const override { return "Check the registry: artifacts present, reference counts right (--verify: hashes too)"; }
  void configure(CLI::App& app) override {
    app.add_flag("--verify", verify_, "re-hash every referenced object");
    app.add_option("--home", home_.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "metadata database: postgresql://... (default SQLite in the home)");
  }
  int run() override {
    auto opened = registry::open_registry(home_);
    if (!opened.is_ok()) return fail(opened.status().message());
    auto report = opened->registry->check_integrity(verify_);
    if (!report.is_ok()) return fail(report.status().message());
    for (const auto& p : report->problems) std::printf("problem: %s\n", p.c_str());
    std::printf("%d versions, %d artifacts, %d objects: %s\n", report->versions, report->artifacts, report->objects,
                report->ok() ? "consistent" : "INCONSISTENT");
    return report->ok() ? 0 : 1;
  }

 private:
  bool verify_ = false;
  store::HomeOptions home_;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(ModelCheckCommand);

}  // namespace fogline::cli
