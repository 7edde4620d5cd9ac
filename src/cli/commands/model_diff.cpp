// fogline model diff A B: every field that differs between two versions (lineage,
// hyper-parameters, spec, engine facts, artifacts, metrics per dataset and slice).
#include <cstdio>

#include "cli/command.h"
#include "registry/open.h"

namespace fogline::cli {
namespace {

class ModelDiffCommand : public Command {
 public:
  const char* name() const override { return "model diff"; }
  const char* summary() const override { return "Show what differs between two versions (MODEL@A MODEL@B, or MODEL@A B)"; }
  void configure(CLI::App& app) override {
    app.add_option("a", a_, "MODEL@VERSION")->required();
    app.add_option("b", b_, "MODEL@VERSION, or VERSION of the same model")->required();
    app.add_option("--home", home_.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "metadata database: postgresql://... (default SQLite in the home)");
    app.add_flag("--json", json_, "print JSON");
  }
  int run() override {
    auto opened = registry::open_registry(home_);
    if (!opened.is_ok()) return fail(opened.status().message());
    std::string b = b_.find('@') == std::string::npos ? a_.substr(0, a_.find('@')) + "@" + b_ : b_;
    auto diff = opened->registry->diff(a_, b);
    if (!diff.is_ok()) return fail(diff.status().message());
    if (json_) {
      nlohmann::json doc = nlohmann::json::array();
      for (const auto& d : *diff) doc.push_back({{"field", d.field}, {"a", d.a}, {"b", d.b}});
      std::printf("%s\n", doc.dump(2).c_str());
      return 0;
    }
    if (diff->empty()) {
      std::printf("%s and %s do not differ\n", a_.c_str(), b.c_str());
      return 0;
    }
    std::printf("%-44s %-30s %s\n", "FIELD", a_.c_str(), b.c_str());
    auto cut = [](const std::string& s) { return s.size() > 64 ? s.substr(0, 61) + "..." : s; };
    for (const auto& d : *diff)
      std::printf("%-44s %-30s %s\n", d.field.c_str(), d.a.empty() ? "-" : cut(d.a).c_str(), d.b.empty() ? "-" : cut(d.b).c_str());
    return 0;
  }

 private:
  std::string a_, b_;
  store::HomeOptions home_;
  bool json_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(ModelDiffCommand);

}  // namespace fogline::cli
