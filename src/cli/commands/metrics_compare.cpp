// fogline metrics compare BEFORE.json AFTER.json [--tolerance T] [--metric M]: compares two
// `fogline eval --json` reports slice by slice and flags every slice that got worse by more
// than T, even when the overall number improved; exits 1 when any slice (or the overall
// number) got worse. `fogline model compare` does the same from registry versions.
#include <cstdio>

#include "cli/command.h"
#include "data/json_fields.h"
#include "eval/report_compare.h"

namespace fogline::cli {
namespace {

class MetricsCompareCommand : public Command {
 public:
  const char* name() const override { return "metrics compare"; }
  const char* summary() const override { return "Per-slice deltas between two `fogline eval --json` reports; flags slices that got worse"; }
  void configure(CLI::App& app) override {
    app.add_option("before", before_, "the first report (JSON from fogline eval --json)")->required();
    app.add_option("after", after_, "the second report")->required();
    app.add_option("--tolerance", tolerance_, "a drop larger than this is flagged")->default_val(0.01);
    app.add_option("--metric", metric_, "the metric to compare (default: the reports' primary metric)");
    app.add_flag("--json", json_, "print the comparison as JSON");
  }
  int run() override {
    auto a = data::load_json_file(before_);
    if (!a.is_ok()) return fail(a.status().message());
    auto b = data::load_json_file(after_);
    if (!b.is_ok()) return fail(b.status().message());
    auto c = eval::compare_reports(*a, *b, tolerance_, metric_);
    if (!c.is_ok()) return fail(c.status().message());
    if (json_) {
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& d : c->slices) {
        rows.push_back({{"key", d.key}, {"value", d.value}, {"before", d.before}, {"after", d.after}, {"delta", d.delta},
                        {"worse", d.worse}, {"missing", d.missing}});
      }
      nlohmann::json j{{"metric", c->metric}, {"higher_is_better", c->higher_is_better}, {"tolerance", tolerance_},
                       {"overall", {{"before", c->overall.before}, {"after", c->overall.after}, {"delta", c->overall.delta},
                                    {"worse", c->overall.worse}}},
                       {"slices", rows}, {"worse_slices", c->worse_slices}};
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      std::fputs(eval::format_comparison(*c, tolerance_).c_str(), stdout);
      if (c->worse_slices) std::printf("%d slice(s) got worse by more than %g\n", c->worse_slices, tolerance_);
    }
    return c->worse_slices || c->overall.worse ? 1 : 0;
  }

 private:
  std::string before_, after_, metric_;
  double tolerance_ = 0.01;
  bool json_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(MetricsCompareCommand);

}  // namespace fogline::cli
