// fogline gc: removes content-store objects no metadata row references, artifact rows whose
// count fell to zero, temporary files of killed writers and stale work directories.
#include <cstdio>

#include "cli/command.h"
#include "store/gc.h"
#include "store/home.h"

namespace fogline::cli {
namespace {

class GcCommand : public Command {
 public:
  const char* name() const override { return "gc"; }
  const char* summary() const override {
    return "Remove unreferenced artifacts, temporary files of killed imports and stale work directories";
  }
  void configure(CLI::App& app) override {
    app.add_option("--home", home_.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "metadata database: postgresql://... (default SQLite in the home)");
    app.add_option("--grace", options_.grace_seconds,
                   "keep unreferenced objects younger than this many seconds (a running import may own them)")
        ->default_val(600);
    app.add_flag("--dry-run", options_.dry_run, "report what would be removed");
  }
  int run() override {
    auto home = store::Home::open(home_);
    if (!home.is_ok()) return fail(home.status().message());
    auto report = store::collect_garbage(**home, options_);
    if (!report.is_ok()) return fail(report.status().message());
    std::printf("%s%d objects (%.2f MB), %d artifact rows, %d temporary files, %d work directories%s\n",
                options_.dry_run ? "would remove " : "removed ", report->objects_removed,
                report->bytes_freed / 1e6, report->rows_removed, report->temp_files_removed,
                report->work_dirs_removed,
                report->objects_kept_young ? (", kept " + std::to_string(report->objects_kept_young) +
                                              " unreferenced objects younger than --grace").c_str()
                                           : "");
    return 0;
  }

 private:
  store::HomeOptions home_;
  store::GcOptions options_;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(GcCommand);

}  // namespace fogline::cli
