// fogline model show MODEL[@VERSION]: one version in full: lineage, artifacts, the engine's
// facts, the processing spec, metrics per dataset and slice, and its history.
#include <cstdio>
#include <set>

#include "cli/command.h"
#include "registry/open.h"

namespace fogline::cli {
namespace {

using registry::Json;

std::string text_of(const Json& j) { return j.is_string() ? j.get<std::string>() : j.dump(); }

class ModelShowCommand : public Command {
 public:
  const char* name() const override { return "model show"; }
  const char* summary() const override {
    return "Show a version: lineage, artifacts, signature and facts, spec, metrics per dataset and slice, history";
  }
  void configure(CLI::App& app) override {
    app.add_option("version", ref_, "MODEL, MODEL@VERSION, MODEL@TAG or MODEL@STAGE")->required();
    app.add_option("--home", home_.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "metadata database: postgresql://... (default SQLite in the home)");
    app.add_flag("--json", json_, "print JSON");
  }
  int run() override {
    auto opened = registry::open_registry(home_);
    if (!opened.is_ok()) return fail(opened.status().message());
    auto& reg = *opened->registry;
    auto v = reg.get(ref_);
    if (!v.is_ok()) return fail(v.status().message());
    auto metrics = reg.metrics(v->ref());
    if (!metrics.is_ok()) return fail(metrics.status().message());
    auto history = reg.history(v->ref());
    if (!history.is_ok()) return fail(history.status().message());
    if (json_) return print_json(*v, *metrics, *history);

    std::printf("%s  [%s]%s\n", v->ref().c_str(), registry::stage_name(v->stage), tags_of(*v).c_str());
    std::printf("created     %s by %s\n", v->created_at.c_str(), v->created_by.c_str());
    std::printf("source      %s\n", v->source_url.empty() ? "-" : v->source_url.c_str());
    if (!v->source_commit.empty()) std::printf("commit      %s\n", v->source_commit.c_str());
    if (!v->parent.empty()) std::printf("parent      %s\n", v->parent.c_str());
    for (const auto& [k, val] : v->dataset_versions.items()) std::printf("dataset     %s %s\n", k.c_str(), text_of(val).c_str());
    for (const auto& [k, val] : v->hyperparameters.items()) std::printf("hyperparam  %s = %s\n", k.c_str(), text_of(val).c_str());
    for (const auto& a : v->artifacts)
      std::printf("artifact    %-10s %s (%lld bytes)\n", a.role.c_str(), a.digest.c_str(), static_cast<long long>(a.size_bytes));
    const Json& f = v->facts;
    if (!f.empty()) {
      std::printf("opsets     ");
      const Json opsets = f.value("opsets", Json::object());  // named: .items() of a temporary dangles
      for (const auto& [domain, ver] : opsets.items()) std::printf(" %s %s", domain.c_str(), text_of(ver).c_str());
      std::printf("\ninputs\n");
      for (const auto& io : f.value("inputs", Json::array()))
        std::printf("  %-30s %s\n", io.value("name", "").c_str(), io.value("type", "").c_str());
      std::printf("outputs\n");
      for (const auto& io : f.value("outputs", Json::array()))
        std::printf("  %-30s %s\n", io.value("name", "").c_str(), io.value("type", "").c_str());
      std::printf("size        %s bytes, %s parameters, %.3f GFLOPs%s\n", text_of(f.value("size_bytes", Json(0))).c_str(),
                  text_of(f.value("parameters", Json(0))).c_str(), f.value("flops", 0.0) / 1e9,
                  f.value("flops_complete", true) ? "" : " (lower bound)");
      auto unsupported = f.value("unsupported_ops", Json::array());
      if (unsupported.empty()) std::printf("unsupported none\n");
      for (const auto& u : unsupported) std::printf("unsupported %s\n", text_of(u).c_str());
    }
    if (!v->processing_spec.empty()) std::printf("spec        %s\n", v->processing_spec.dump().c_str());
    print_metrics(*metrics);
    std::printf("history\n");
    for (const auto& h : *history) {
      std::string what = h.kind;
      if (!h.from_stage.empty() || !h.to_stage.empty()) what += " " + (h.from_stage.empty() ? "" : h.from_stage + " -> ") + h.to_stage;
      std::printf("  %s  %-9s %-28s %s\n", h.at.c_str(), h.actor.c_str(), what.c_str(), h.detail.empty() ? "" : h.detail.dump().c_str());
    }
    return 0;
  }

 private:
  static std::string tags_of(const registry::VersionRecord& v) {
    std::string t;
    for (const auto& tag : v.tags) t += " #" + tag;
    return t;
  }

  // One table per dataset: a row per slice, a column per metric (numbers first seen order).
  static void print_metrics(const std::vector<registry::MetricRecord>& metrics) {
    size_t i = 0;
    while (i < metrics.size()) {
      size_t j = i;
      std::vector<std::string> columns;
      std::set<std::string> seen;
      while (j < metrics.size() && metrics[j].dataset == metrics[i].dataset && metrics[j].dataset_version == metrics[i].dataset_version) {
        for (const auto& [k, val] : metrics[j].slice.metrics.items())
          if (val.is_number() && seen.insert(k).second) columns.push_back(k);
        ++j;
      }
      std::printf("metrics     %s%s (recorded %s)\n", metrics[i].dataset.c_str(),
                  metrics[i].dataset_version.empty() ? "" : (" @" + metrics[i].dataset_version).c_str(), metrics[i].recorded_at.c_str());
      std::printf("  %-24s", "slice");
      for (const auto& c : columns) std::printf(" %10s", c.c_str());
      std::printf("\n");
      for (size_t k = i; k < j; ++k) {
        const auto& s = metrics[k].slice;
        std::string label = s.slice_key.empty() ? "(overall)" : s.slice_key + "=" + s.slice_value;
        std::printf("  %-24s", label.c_str());
        for (const auto& c : columns) {
          if (s.metrics.contains(c) && s.metrics[c].is_number()) std::printf(" %10.4f", s.metrics[c].get<double>());
          else std::printf(" %10s", "-");
        }
        std::printf("\n");
      }
      i = j;
    }
  }

  int print_json(const registry::VersionRecord& v, const std::vector<registry::MetricRecord>& metrics,
                 const std::vector<registry::HistoryEntry>& history) {
    Json doc = {{"model", v.model}, {"version", v.version}, {"stage", registry::stage_name(v.stage)}, {"tags", v.tags},
                {"parent", v.parent}, {"source", v.source_url}, {"commit", v.source_commit},
                {"datasets", v.dataset_versions}, {"hyperparameters", v.hyperparameters}, {"spec", v.processing_spec},
                {"facts", v.facts}, {"created_by", v.created_by}, {"created_at", v.created_at}};
    doc["artifacts"] = Json::array();
    for (const auto& a : v.artifacts) doc["artifacts"].push_back({{"role", a.role}, {"digest", a.digest}, {"size", a.size_bytes}});
    doc["metrics"] = Json::array();
    for (const auto& m : metrics)
      doc["metrics"].push_back({{"dataset", m.dataset}, {"dataset_version", m.dataset_version}, {"slice_key", m.slice.slice_key},
                                {"slice_value", m.slice.slice_value}, {"metrics", m.slice.metrics}, {"recorded_at", m.recorded_at}});
    doc["history"] = Json::array();
    for (const auto& h : history)
      doc["history"].push_back({{"kind", h.kind}, {"from", h.from_stage}, {"to", h.to_stage}, {"detail", h.detail}, {"actor", h.actor}, {"at", h.at}});
    std::printf("%s\n", doc.dump(2).c_str());
    return 0;
  }

  std::string ref_;
  store::HomeOptions home_;
  bool json_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(ModelShowCommand);

}  // namespace fogline::cli
