// fogline model compare A B --data DATASET: evaluates two registry versions on one dataset
// (or, with --reuse, takes the metrics already recorded for that dataset's content hash),
// prints the per-slice deltas of one metric and flags every slice that got worse by more than
// the tolerance, even when the overall number improved; exit code 1 when any slice (or the
// overall number) got worse.
// Fresh evaluations are recorded on their versions, as `fogline eval` records them. The
// comparison itself is eval::compare_reports, the same as `fogline metrics compare`.
#include <cstdio>

#include "cli/command.h"
#include "cli/commands/registry_eval.h"
#include "eval/report_compare.h"
#include "registry/open.h"

namespace fogline::cli {
namespace {

class ModelCompareCommand : public Command {
 public:
  const char* name() const override { return "model compare"; }
  const char* summary() const override {
    return "Per-slice metric deltas between two versions on a dataset; flags slices that got worse";
  }
  void configure(CLI::App& app) override {
    app.add_option("a", ref_a_, "the baseline version: MODEL[@VERSION|TAG|STAGE]")->required();
    app.add_option("b", ref_b_, "the candidate version (a bare VERSION|TAG|STAGE means A's model)")->required();
    app.add_option("--data", dataset_, "the dataset folder (or CSV file), or a registered dataset NAME[@N|@sha256:HEX]")->required();
    app.add_option("--metric", metric_, "the metric to compare (default: the task's primary metric)");
    app.add_option("--tolerance", tolerance_, "a drop larger than this is flagged")->default_val(0.01);
    app.add_flag("--json", json_, "print the comparison as JSON");
    app.add_flag("--reuse", reuse_, "use metrics already recorded for this dataset version instead of evaluating again");
    app.add_option("--slice", slices_, "KEY=SOURCE to define and report a slice (folder:N, column:NAME, sidecar:FIELD), or KEY");
    app.add_option("--format", data_.format, "dataset format: imagefolder, coco, yolo or csv (default: detected)");
    app.add_option("--dataset-name", dataset_name_, "record fresh metrics under this name (default: the folder's name)");
    app.add_option("--threads", threads_, "engine threads (0: all cores)")->default_val(0);
    app.add_option("--home", home_.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "metadata database: postgresql://... (default SQLite in the home)");
  }

  int run() override {
    for (const auto& s : slices_) {
      if (s.find('=') == std::string::npos) {
        keys_.push_back(s);
        continue;
      }
      auto parsed = data::SliceSpec::parse(s);
      if (!parsed.is_ok()) return fail(parsed.status().message());
      data_.slices.push_back(*parsed);
      keys_.push_back(parsed->key);
    }
    auto opened = registry::open_registry(home_);
    if (!opened.is_ok()) return fail(opened.status().message());
    auto& reg = *opened->registry;
    auto a = reg.get(ref_a_);
    if (!a.is_ok()) return fail(a.status().message());
    auto b = reg.get(ref_b_);
    if (!b.is_ok() && ref_b_.find('@') == std::string::npos) b = reg.get(a->model + "@" + ref_b_);
    if (!b.is_ok()) return fail(b.status().message());

    auto resolved = resolve_dataset(&reg, dataset_, dataset_name_, data_);
    if (!resolved.is_ok()) return fail(resolved.status().message());
    const data::Dataset* ds = &resolved->dataset;
    const std::string name = resolved->record_name, version = resolved->record_version;

    nlohmann::json reports[2];
    const registry::VersionRecord* versions[2] = {&*a, &*b};
    for (int i = 0; i < 2; ++i) {
      auto r = report_of(i, reg, *versions[i], *ds, name, version);
      if (!r.is_ok()) return fail(r.status().message());
      reports[i] = std::move(r).value();
    }
    auto c = eval::compare_reports(reports[0], reports[1], tolerance_, metric_);
    if (!c.is_ok()) return fail(c.status().message());

    if (json_) {
      nlohmann::json rows = nlohmann::json::array();
      for (const auto& d : c->slices) {
        rows.push_back({{"key", d.key}, {"value", d.value}, {"before", d.before}, {"after", d.after}, {"delta", d.delta},
                        {"worse", d.worse}, {"missing", d.missing}});
      }
      nlohmann::json j{{"a", a->ref()}, {"b", b->ref()}, {"dataset", name}, {"dataset_version", version},
                       {"metric", c->metric}, {"higher_is_better", c->higher_is_better}, {"tolerance", tolerance_},
                       {"overall", {{"before", c->overall.before}, {"after", c->overall.after}, {"delta", c->overall.delta},
                                    {"worse", c->overall.worse}}},
                       {"slices", rows}, {"worse_slices", c->worse_slices}, {"reused", {reused_[0], reused_[1]}}};
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      std::printf("%s -> %s on %s @%.23s%s\n", a->ref().c_str(), b->ref().c_str(), name.c_str(), version.c_str(),
                  reused_[0] && reused_[1] ? " (recorded metrics)" : "");
      std::fputs(eval::format_comparison(*c, tolerance_).c_str(), stdout);
      if (c->worse_slices) {
        std::printf("%d slice(s) got worse by more than %g%s\n", c->worse_slices, tolerance_,
                    c->overall.worse ? "" : ", although the overall number did not");
      }
    }
    return c->worse_slices || c->overall.worse ? 1 : 0;
  }

 private:
  // Recorded metrics with --reuse when this dataset version has them; else a fresh evaluation,
  // recorded on the version.
  Result<nlohmann::json> report_of(int i, registry::Registry& reg, const registry::VersionRecord& v, const data::Dataset& ds,
                                   const std::string& name, const std::string& version) {
    if (reuse_) {
      FOGLINE_ASSIGN_OR_RETURN(auto records, reg.metrics(v.ref(), name));
      auto stored = report_from_records(records, version);
      if (stored.is_ok()) {
        reused_[i] = true;
        return stored;
      }
    }
    VersionEvalOptions o;
    o.slice_keys = keys_;
    o.threads = threads_;
    FOGLINE_ASSIGN_OR_RETURN(nlohmann::json report, evaluate_version(reg, v, ds, o));
    FOGLINE_TRY(reg.record_metrics(v.ref(), name, version, report_to_slice_metrics(report)));
    return report;
  }

  std::string ref_a_, ref_b_, dataset_, metric_, dataset_name_;
  std::vector<std::string> slices_, keys_;
  data::DatasetOptions data_;
  store::HomeOptions home_;
  double tolerance_ = 0.01;
  int threads_ = 0;
  bool json_ = false, reuse_ = false;
  bool reused_[2] = {false, false};
};

}  // namespace

FOGLINE_REGISTER_COMMAND(ModelCompareCommand);

}  // namespace fogline::cli
