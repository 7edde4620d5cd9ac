// fogline data show NAME[@N|@sha256:HEX]: a registered dataset's versions (or one of them):
// content hash, format and task, where the files are, item/file/box counts, classes, slice
// values with their item counts, bad annotations per kind, who added it and when, and the
// model versions evaluated on it (their headline number).
#include <cstdio>

#include "cli/command.h"
#include "registry/datasets.h"
#include "registry/open.h"

namespace fogline::cli {
namespace {

nlohmann::json to_json(const registry::DatasetVersionRecord& v) {
  return {{"name", v.name},         {"number", v.number},       {"version", v.version},       {"format", v.format},
          {"task", v.task},         {"path", v.path},           {"items", v.items},           {"files", v.files},
          {"boxes", v.boxes},       {"classes", v.classes},     {"slices", v.slices},         {"issues", v.issues},
          {"issue_counts", v.issue_counts}, {"load_options", v.load_options}, {"created_by", v.created_by},
          {"created_at", v.created_at}};
}

class DataShowCommand : public Command {
 public:
  const char* name() const override { return "data show"; }
  const char* summary() const override { return "Show a registered dataset's versions: hash, counts, slices, bad annotations"; }
  void configure(CLI::App& app) override {
    app.add_option("dataset", ref_, "NAME (all versions) or NAME@N / NAME@sha256:HEX (one)")->required();
    app.add_option("--home", home_.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "metadata database: postgresql://... (default SQLite in the home)");
    app.add_flag("--json", json_, "print JSON");
  }
  int run() override {
    auto opened = registry::open_registry(home_);
    if (!opened.is_ok()) return fail(opened.status().message());
    std::vector<registry::DatasetVersionRecord> versions;
    if (ref_.find('@') == std::string::npos) {
      auto all = registry::dataset_versions(*opened->registry, ref_);
      if (!all.is_ok()) return fail(all.status().message());
      versions = *all;
    } else {
      auto one = registry::get_dataset_version(*opened->registry, ref_);
      if (!one.is_ok()) return fail(one.status().message());
      versions = {*one};
    }
    auto evaluations = registry::dataset_evaluations(*opened->registry, versions.front().name);
    if (!evaluations.is_ok()) return fail(evaluations.status().message());
    if (json_) {
      nlohmann::json doc = nlohmann::json::array();
      for (const auto& v : versions) {
        nlohmann::json j = to_json(v);
        j["evaluations"] = nlohmann::json::array();
        for (const auto& e : *evaluations)
          if (e.dataset_version == v.version)
            j["evaluations"].push_back({{"model", e.model_version}, {"overall", e.overall}, {"recorded_at", e.recorded_at}});
        doc.push_back(j);
      }
      std::printf("%s\n", doc.dump(2).c_str());
      return 0;
    }
    for (const auto& v : versions) {
      std::printf("%s  %s\n", v.ref().c_str(), v.version.c_str());
      std::printf("  format    %s (%s)\n  path      %s\n", v.format.c_str(), v.task.c_str(), v.path.c_str());
      std::printf("  items     %lld, %lld files", static_cast<long long>(v.items), static_cast<long long>(v.files));
      if (v.boxes > 0) std::printf(", %lld boxes", static_cast<long long>(v.boxes));
      std::printf("\n  classes   %zu\n", v.classes.size());
      for (const auto& [key, values] : v.slices.items()) {
        std::printf("  slice     %s:", key.c_str());
        for (const auto& [value, count] : values.items()) std::printf(" %s=%s", value.c_str(), count.dump().c_str());
        std::printf("\n");
      }
      std::printf("  issues    %lld", static_cast<long long>(v.issues));
      const char* sep = " (";
      for (const auto& [kind, count] : v.issue_counts.items()) {
        std::printf("%s%s %s", sep, kind.c_str(), count.dump().c_str());
        sep = ", ";
      }
      std::printf("%s\n  added     %s by %s\n", v.issue_counts.empty() ? "" : ")", v.created_at.c_str(), v.created_by.c_str());
      for (const auto& e : *evaluations) {
        if (e.dataset_version != v.version) continue;
        std::string metric = e.overall.value("primary_metric", "");
        auto value = e.overall.value(metric, nlohmann::json());
        char number[32] = "-";
        if (value.is_number()) std::snprintf(number, sizeof number, "%.4f", value.get<double>());
        std::printf("  evaluated %-24s %s %s  (%s)\n", e.model_version.c_str(), metric.c_str(), number, e.recorded_at.c_str());
      }
    }
    return 0;
  }

 private:
  std::string ref_;
  store::HomeOptions home_;
  bool json_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(DataShowCommand);

}  // namespace fogline::cli
