// fogline data list: every registered dataset with its number of versions and its newest one
// (number, content hash, format, items, bad annotations, where the files are).
#include <cstdio>

#include "cli/command.h"
#include "registry/datasets.h"
#include "registry/open.h"

namespace fogline::cli {
namespace {

class DataListCommand : public Command {
 public:
  const char* name() const override { return "data list"; }
  const char* summary() const override { return "List the registered datasets"; }
  void configure(CLI::App& app) override {
    app.add_option("--home", home_.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "metadata database: postgresql://... (default SQLite in the home)");
    app.add_flag("--json", json_, "print JSON");
  }
  int run() override {
    auto opened = registry::open_registry(home_);
    if (!opened.is_ok()) return fail(opened.status().message());
    auto list = registry::list_datasets(*opened->registry);
    if (!list.is_ok()) return fail(list.status().message());
    if (json_) {
      nlohmann::json doc = nlohmann::json::array();
      for (const auto& d : *list)
        doc.push_back({{"name", d.name}, {"versions", d.versions}, {"latest", d.latest.number}, {"version", d.latest.version},
                       {"format", d.latest.format}, {"task", d.latest.task}, {"items", d.latest.items},
                       {"issues", d.latest.issues}, {"path", d.latest.path}});
      std::printf("%s\n", doc.dump(2).c_str());
      return 0;
    }
    if (list->empty()) {
      std::printf("no datasets yet: fogline data add NAME PATH\n");
      return 0;
    }
    std::printf("%-24s %8s %-8s %-16s %-12s %8s %7s  %s\n", "DATASET", "VERSIONS", "LATEST", "SHA256", "FORMAT", "ITEMS",
                "ISSUES", "PATH");
    for (const auto& d : *list)
      std::printf("%-24s %8lld %-8lld %-16.16s %-12s %8lld %7lld  %s\n", d.name.c_str(), static_cast<long long>(d.versions),
                  static_cast<long long>(d.latest.number), d.latest.version.substr(7).c_str(), d.latest.format.c_str(),
                  static_cast<long long>(d.latest.items), static_cast<long long>(d.latest.issues), d.latest.path.c_str());
    return 0;
  }

 private:
  store::HomeOptions home_;
  bool json_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(DataListCommand);

}  // namespace fogline::cli
