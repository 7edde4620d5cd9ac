// fogline optimize MODEL[@V] --target T --data DATASET [--tolerance 'top1>=-0.5']: builds the
// candidate variants (fp32 with the engine's passes, int8 static QDQ with accuracy control,
// dynamic int8 for MatMul-heavy models, bf16 where target and engine allow), evaluates each on
// the dataset with the evaluation module, measures each under the target's ISA cap in a child
// process, prints one table and an accuracy/latency SVG, and keeps the fastest inside the
// tolerance — as a new registry version (parent: MODEL@V) or as -o OUT.onnx. The search rules
// live in src/optimize (accuracy_control, candidates); this file is the glue to eval/registry.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iostream>
#include <thread>

#include "cli/command.h"
#include "cli/commands/optimize_measure.h"
#include "cli/commands/registry_eval.h"
#include "core/file_util.h"
#include "engine/session.h"
#include "eval/evaluation.h"
#include "optimize/accuracy_control.h"
#include "optimize/bf16_variant.h"
#include "optimize/candidate_plot.h"
#include "optimize/candidates.h"
#include "optimize/dynamic_quantizer.h"
#include "optimize/onnx_model.h"
#include "optimize/qdq_quantizer.h"
#include "optimize/target_profile.h"
#include "optimize/tolerance.h"
#include "processing/preprocess.h"
#include "processing/spec_presets.h"
#include "registry/importer.h"
#include "registry/open.h"

namespace fogline::cli {
namespace {

namespace fs = std::filesystem;

// A candidate's short name, as --precision spells it: fp32, int8, int8-dynamic, bf16.
std::string variant_key(const std::string& candidate) {
  if (candidate == "int8 static") return "int8";
  if (candidate == "int8 dynamic") return "int8-dynamic";
  return candidate;
}

double metric_of(const nlohmann::json& overall, const std::string& metric) {
  if (metric == "top1" || metric == "accuracy") return overall.value("accuracy", -1.0);
  if (metric == "top5") return overall.value("top_k_accuracy", -1.0);
  if (metric == "map50") return overall.value("AP50", -1.0);
  if (metric == "map") return overall.value("AP", -1.0);
  return -1;
}

class OptimizeCommand : public Command {
 public:
  const char* name() const override { return "optimize"; }
  const char* summary() const override { return "Fastest variant of a model on a target inside an accuracy tolerance"; }
  void configure(CLI::App& app) override {
    app.add_option("model", model_, "an fp32 .onnx file or a registry version MODEL@V")->required();
    app.add_option("--target", target_, "target profile (fogline target list)")->required();
    app.add_option("--data", data_, "validation dataset: a folder/file or a registered dataset NAME[@V]")->required();
    app.add_option("--tolerance", tolerance_, "METRIC>=DELTA points: top1, top5, map50, map (default top1>=-1.0 / map50>=-1.0)");
    app.add_option("--budget-mb", budget_mb_, "memory budget (default: the target's)");
    app.add_option("--calibration-samples", calib_samples_, "calibration items, taken from the end of the dataset")->default_val(100);
    app.add_option("--calibration", calib_method_, "minmax | percentile | entropy")->default_val("entropy");
    app.add_flag("--threads-sweep", sweep_, "measure 1, 2, 4 ... threads up to the target's and keep the fastest");
    app.add_option("--precision", precision_, "only this candidate besides the fp32 baseline: int8 | int8-dynamic | bf16");
    app.add_option("--max-kept", max_kept_, "accuracy control: at most this many layers back in fp32")->default_val(12);
    app.add_flag("--no-prune", no_prune_, "accuracy control: keep every layer the search put back (no pruning pass)");
    app.add_flag("--float-island-inputs", float_island_inputs_,
                 "accuracy control: a layer put back in fp32 also reads a float input (the layer before it falls back to "
                 "float too; by default it stays int8 and the fp32 layer reads its 8-bit output)");
    app.add_flag("--rank-by-sensitivity", rank_by_sensitivity_,
                 "accuracy control: put layers back by proxy sensitivity alone, not per fp32 multiply-add");
    app.add_option("--ranking-samples", ranking_samples_, "accuracy control: inputs the sensitivity proxy runs")->default_val(32);
    app.add_option("--runs", runs_, "timed runs per latency measurement")->default_val(30);
    app.add_option("--rounds", rounds_, "latency: rounds alternating the candidates (median kept)")->default_val(3);
    app.add_option("--preset", preset_, "preprocessing recipe: imagenet, yolox, yolov5, yolov8");
    app.add_option("--spec", spec_file_, "processing spec JSON (overrides --preset)");
    app.add_option("-o,--output", out_, "write the chosen model here (needed for a model file)");
    app.add_option("--work-dir", work_dir_, "candidates, plot and report go here (default: OUT's folder or ./optimize-NAME)");
    app.add_option("--home", home_.dir, "Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "registry metadata database (default SQLite in the home)");
    app.add_option("--version-name", version_name_, "registry: the new version's name (default: the next integer)");
    app.add_flag("--json", json_, "print the report as JSON");
  }

  int run() override {
    auto target = optimize::find_target(target_);
    if (!target.is_ok()) return fail(target.status().message());
    if (!precision_.empty() && precision_ != "int8" && precision_ != "int8-dynamic" && precision_ != "bf16") {
      return fail("--precision: expected int8, int8-dynamic or bf16, got '" + precision_ + "'");
    }
    const double budget_mb = budget_mb_ > 0 ? budget_mb_ : static_cast<double>(target->memory_budget_mb);

    // The model: a file, or a registry version's bytes.
    std::optional<registry::OpenRegistry> opened;
    std::optional<registry::VersionRecord> version;
    processing::ProcessingSpec spec;
    bool stored_spec = false;
    std::string model_bytes;
    if (!is_model_file(model_)) {
      auto o = registry::open_registry(home_);
      if (!o.is_ok()) return fail(o.status().message());
      opened = std::move(o).value();
      auto v = opened->registry->get(model_);
      if (!v.is_ok()) return fail(model_ + " is neither a model file nor a registry version: " + v.status().message());
      version = *v;
      const registry::ArtifactRef* art = nullptr;
      for (const auto& a : version->artifacts) {
        if (a.role == "model") art = &a;
        if (a.role.rfind("external-data:", 0) == 0) return fail(version->ref() + " keeps its weights as external data; optimize needs a single-file model");
      }
      if (art == nullptr) return fail(version->ref() + " has no model artifact");
      auto bytes = opened->registry->home().cas().read(art->digest);
      if (!bytes.is_ok()) return fail(bytes.status().message());
      model_bytes = std::move(bytes).value();
      auto s = version_spec(*version, &stored_spec);
      if (!s.is_ok()) return fail(s.status().message());
      spec = *s;
    } else {
      if (out_.empty()) return fail("-o OUT.onnx is needed when MODEL is a file (a registry version gets a new version instead)");
      auto bytes = read_file(model_);
      if (!bytes.is_ok()) return fail(bytes.status().message());
      model_bytes = std::move(bytes).value();
    }
    if (!preset_.empty()) {
      auto p = processing::processing_preset(preset_);
      if (!p.is_ok()) return fail(p.status().message());
      spec = *p;
      stored_spec = true;
    }
    if (!spec_file_.empty()) {
      auto s = processing::ProcessingSpec::load(spec_file_);
      if (!s.is_ok()) return fail(s.status().message());
      spec = *s;
      stored_spec = true;
    }
    std::string stem = version ? version->model : fs::path(model_).stem().string();
    std::string dir = !work_dir_.empty() ? work_dir_ : (!out_.empty() ? (fs::path(out_).parent_path() / ("optimize-" + stem)).string() : "optimize-" + stem);
    if (dir.empty()) dir = "optimize-" + stem;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return fail("cannot create " + dir + ": " + ec.message());
    const std::string fp32_path = dir + "/fp32.onnx";
    Status st = write_file_atomic(fp32_path, model_bytes);
    if (!st.is_ok()) return fail(st.message());

    // The dataset.
    std::error_code exists_ec;
    if (!opened && !fs::exists(data_, exists_ec) && data_.find('/') == std::string::npos) {
      auto o = registry::open_registry(home_);
      if (!o.is_ok()) return fail("'" + data_ + "' is not a file or folder, and the registry to look it up in: " + o.status().message());
      opened = std::move(o).value();
    }
    data::DatasetOptions dopt;
    auto resolved = resolve_dataset(opened ? opened->registry.get() : nullptr, data_, "", dopt);
    if (!resolved.is_ok()) return fail(resolved.status().message());
    const data::Dataset& ds = resolved->dataset;
    if (ds.task == data::TaskKind::kDetection && !stored_spec) return fail("a detection dataset needs a decoder: --preset yolox|yolov5|yolov8 or --spec");

    std::string tol_text = tolerance_.empty() ? (ds.task == data::TaskKind::kDetection ? "map50>=-1.0" : "top1>=-1.0") : tolerance_;
    auto tolerance = optimize::parse_tolerance(tol_text);
    if (!tolerance.is_ok()) return fail(tolerance.status().message());
    const std::string metric2 = tolerance->metric == "top1" ? "top5" : tolerance->metric == "top5" ? "top1" : tolerance->metric == "map50" ? "map" : "map50";

    auto fp32_model = optimize::parse_model(model_bytes, model_);
    if (!fp32_model.is_ok()) return fail(fp32_model.status().message());
    engine::SessionOptions so;
    so.threads = 0;
    {
      auto session = engine::Session::from_bytes(model_bytes, so);
      if (!session.is_ok()) return fail(session.status().message());
      if ((*session)->inputs().size() != 1) return fail("optimize needs a model with one input; " + model_ + " has " + std::to_string((*session)->inputs().size()));
      st = eval::resolve_input_size(**session, &spec.pre);
      if (!st.is_ok()) return fail(st.message());
    }

    // Every candidate is evaluated the same way: the whole dataset, the same spec.
    std::map<std::string, nlohmann::json> reports;
    nlohmann::json control = nlohmann::json::object();  // the int8 accuracy control's steps and ranking
    auto evaluate = [&](const onnx::ModelProto& m, const std::string& key) -> Result<double> {
      FOGLINE_ASSIGN_OR_RETURN(auto session, engine::Session::from_bytes(m.SerializeAsString(), so));
      eval::EvaluationOptions eo;
      eo.spec = spec;
      FOGLINE_ASSIGN_OR_RETURN(auto report, eval::evaluate_model(*session, ds, eo));
      double v = metric_of(report.overall, tolerance->metric);
      if (v < 0) return invalid_argument("the evaluation reports no '" + tolerance->metric + "' for this dataset (" + report.primary_metric + " task)");
      reports[key] = report.to_json();
      return v;
    };

    std::vector<optimize::Candidate> candidates;
    std::vector<onnx::ModelProto> models;
    // Latency is measured after every candidate is built, in rounds that alternate the
    // candidates (and thread counts), and the median of the rounds is kept: on a shared machine
    // the load changes over minutes, and measuring one candidate after another would compare
    // different loads.
    auto measure_all = [&](std::vector<optimize::Candidate>* cs) -> Status {
      const std::vector<int> threads = thread_counts(*target, sweep_);
      std::map<std::pair<size_t, int>, std::vector<Measurement>> got;
      for (int round = 0; round < rounds_; ++round) {
        for (size_t i = 0; i < cs->size(); ++i) {
          if (!(*cs)[i].available) continue;
          for (int t : threads) {
            FOGLINE_ASSIGN_OR_RETURN(auto m, measure_latency((*cs)[i].file, *target, t, runs_));
            std::fprintf(stderr, "[optimize] round %d %s: %d thread(s) %.2f ms (cap %s)\n", round + 1, (*cs)[i].name.c_str(), t,
                         m.median_ms, m.isa_cap.c_str());
            got[{i, t}].push_back(m);
          }
        }
      }
      for (size_t i = 0; i < cs->size(); ++i) {
        auto& c = (*cs)[i];
        if (!c.available) continue;
        double best = 0;
        for (int t : threads) {
          auto& ms = got[{i, t}];
          std::sort(ms.begin(), ms.end(), [](const Measurement& a, const Measurement& b) { return a.median_ms < b.median_ms; });
          const Measurement& mid = ms[ms.size() / 2];
          if (best == 0 || mid.median_ms < best) {
            best = mid.median_ms;
            c.latency_ms = mid.median_ms;
            c.threads = t;
            c.arena_mb = mid.arena_mb;
            c.peak_rss_mb = mid.peak_rss_mb;
          }
        }
        std::error_code size_ec;
        c.size_mb = static_cast<double>(fs::file_size(c.file, size_ec)) / 1e6;
      }
      return Status();
    };
    auto metric2_of = [&](const std::string& key) { return reports.count(key) ? metric_of(reports[key]["overall"], metric2) : -1.0; };

    // fp32 (the engine runs its graph passes at load, in every candidate).
    std::fprintf(stderr, "[optimize] evaluating fp32 on %zu items of %s\n", ds.items.size(), ds.root.c_str());
    optimize::Candidate fp32;
    fp32.name = "fp32";
    fp32.note = "engine graph passes";
    fp32.file = fp32_path;
    auto base = evaluate(*fp32_model, "fp32");
    if (!base.is_ok()) return fail(base.status().message());
    fp32.metric = *base;
    fp32.metric2 = metric2_of("fp32");
    candidates.push_back(fp32);

    // Op mix: dynamic int8 is for MatMul-heavy graphs.
    int convs = 0, matmuls = 0;
    for (const auto& n : fp32_model->graph().node()) {
      convs += n.op_type() == "Conv";
      matmuls += n.op_type() == "MatMul" || n.op_type() == "Gemm";
    }
    auto wanted = [&](const std::string& p) { return precision_.empty() || precision_ == p; };

    if (wanted("int8")) {
      auto c = build_static(*fp32_model, ds, spec, *tolerance, fp32.metric, evaluate, dir, reports, control);
      if (!c.is_ok()) return fail(c.status().message());
      c->metric2 = metric2_of("int8");
      candidates.push_back(*c);
    }
    if (wanted("int8-dynamic")) {
      optimize::Candidate c;
      c.name = "int8 dynamic";
      if (matmuls <= convs && precision_.empty()) {
        c.available = false;
        c.note = "not MatMul-heavy (" + std::to_string(convs) + " Conv, " + std::to_string(matmuls) + " MatMul/Gemm); static int8 covers it";
      } else {
        onnx::ModelProto m = *fp32_model;
        auto r = optimize::quantize_dynamic(&m, {});
        if (!r.is_ok()) return fail(r.status().message());
        c.file = dir + "/int8-dynamic.onnx";
        st = optimize::save_model(m, c.file);
        if (!st.is_ok()) return fail(st.message());
        auto v = evaluate(m, "int8-dynamic");
        if (!v.is_ok()) return fail(v.status().message());
        c.metric = *v;
        c.metric2 = metric2_of("int8-dynamic");
        c.note = std::to_string(r->matmuls) + " MatMuls";
      }
      candidates.push_back(c);
    }
    if (wanted("bf16")) {
      optimize::Candidate c;
      c.name = "bf16";
      if (!target->runs_fast(optimize::Precision::kBf16)) {
        c.available = false;
        c.note = "target " + target->name + " has no AVX512_BF16/AMX";
      } else if (!engine::cpu_runs_bf16()) {
        c.available = false;
        c.note = "this machine has no AVX512_BF16/AMX to evaluate bf16 on (the variant would run in fp32)";
      } else {
        auto built = build_bf16(*fp32_model, ds, spec, *tolerance, fp32.metric, evaluate, dir, reports, control);
        if (!built.is_ok()) return fail(built.status().message());
        c = *built;
        c.metric2 = metric2_of("bf16");
      }
      candidates.push_back(c);
    }

    st = measure_all(&candidates);
    if (!st.is_ok()) return fail(st.message());
    optimize::Choice choice = optimize::choose_candidate(&candidates, *tolerance);
    const auto& chosen = candidates[choice.index];
    std::printf("target %s (ISA cap %s), dataset %s (%zu items), tolerance %s, budget %.0f MB\n", target->name.c_str(),
                target->onednn_isa.c_str(), ds.root.c_str(), ds.items.size(), tolerance->to_string().c_str(), budget_mb);
    std::printf("%s", optimize::format_candidate_table(candidates, *tolerance, metric2, choice.index).c_str());
    if (chosen.peak_rss_mb > budget_mb) std::printf("warning: peak RSS %.1f MB is over the %.0f MB budget\n", chosen.peak_rss_mb, budget_mb);
    std::printf("%s\n", choice.message.c_str());

    const std::string plot = dir + "/accuracy-latency.svg";
    st = write_file_atomic(plot, optimize::svg_accuracy_latency(stem + " on " + target->name, candidates, *tolerance, choice.index));
    if (!st.is_ok()) return fail(st.message());
    nlohmann::json doc = {{"target", target->name}, {"tolerance", tolerance->to_string()}, {"dataset", ds.root},
                          {"chosen", chosen.name}, {"chosen_variant", variant_key(chosen.name)},
                          {"tolerance_met", choice.tolerance_met}, {"message", choice.message},
                          {"candidates", nlohmann::json::array()}, {"accuracy_control", control}};
    for (const auto& c : candidates) doc["candidates"].push_back(c.to_json());
    st = write_file_atomic(dir + "/report.json", doc.dump(2) + "\n");
    if (!st.is_ok()) return fail(st.message());
    std::printf("plot %s, report %s/report.json\n", plot.c_str(), dir.c_str());

    if (version) {
      registry::ImportOptions io;
      io.name = version->model;
      io.version = version_name_;
      io.parent = version->ref();
      // The spec every candidate was evaluated with (the stored one, or --preset/--spec).
      io.processing_spec = stored_spec ? spec.to_json() : version->processing_spec;
      io.dataset_versions = version->dataset_versions;
      io.hyperparameters = {{"optimize", doc}};
      // The other variants inside the tolerance travel with the version: a node benchmarks them
      // on its own hardware at activation and may run one of them instead (docs/node.md).
      for (const auto& c : candidates) {
        if (&c != &chosen && c.available && c.within && !c.file.empty())
          io.extra_artifacts.push_back({"variant:" + variant_key(c.name), c.file});
      }
      auto imported = registry::import_model(*opened->registry, chosen.file, io);
      if (!imported.is_ok()) return fail(imported.status().message());
      const std::string key = variant_key(chosen.name);
      if (reports.count(key)) {
        st = opened->registry->record_metrics(imported->version.ref(), resolved->record_name, resolved->record_version,
                                               report_to_slice_metrics(reports[key]));
        if (!st.is_ok()) return fail(st.message());
      }
      std::printf("new version %s (parent %s, %s)\n", imported->version.ref().c_str(), version->ref().c_str(), chosen.name.c_str());
    } else {
      st = write_file_atomic(out_, *read_file(chosen.file));
      if (!st.is_ok()) return fail(st.message());
      std::printf("wrote %s (%s)\n", out_.c_str(), chosen.name.c_str());
    }
    if (json_) std::cout << doc.dump() << "\n";
    // Exit 0 also when the tolerance could not be met: the fp32 variant is a valid answer, and
    // the message says so. Scripts read tolerance_met from --json.
    return 0;
  }

 private:
  template <typename Evaluate>
  Result<optimize::Candidate> build_static(const onnx::ModelProto& fp32, const data::Dataset& ds, const processing::ProcessingSpec& spec,
                                           const optimize::Tolerance& tolerance, double baseline, Evaluate& evaluate,
                                           const std::string& dir, std::map<std::string, nlohmann::json>& reports,
                                           nlohmann::json& control) {
    std::fprintf(stderr, "[optimize] int8: calibrating (%s) on the last %lld items\n", calib_method_.c_str(),
                 static_cast<long long>(std::min<int64_t>(calib_samples_, static_cast<int64_t>(ds.items.size()))));
    FOGLINE_ASSIGN_OR_RETURN(std::vector<engine::Tensor> inputs, calibration_inputs(ds, spec));
    const int64_t count = static_cast<int64_t>(inputs.size());
    const optimize::SampleSource source = one_input_samples(inputs);
    optimize::QuantizeOptions q;
    q.quantize_kept_inputs = !float_island_inputs_;
    FOGLINE_ASSIGN_OR_RETURN(q.calibration.method, optimize::parse_calibration_method(calib_method_));
    optimize::AccuracyControlOptions ac = control_options(tolerance, baseline, "int8");
    int evals = 0;
    // Each evaluation's report is kept under the model's bytes, so the one recorded for the
    // candidate is the kept model's (pruning evaluates rejected trials after it).
    auto key_of = [](const onnx::ModelProto& m) { return "int8:" + std::to_string(std::hash<std::string>{}(m.SerializeAsString())); };
    optimize::MetricFn metric = [&](const onnx::ModelProto& m) -> Result<double> {
      ++evals;
      return evaluate(m, key_of(m));
    };
    FOGLINE_ASSIGN_OR_RETURN(auto result, optimize::quantize_with_accuracy_control(fp32, source, count, q, ac, metric));
    const std::string key = key_of(result.model);
    if (!reports.count(key)) FOGLINE_TRY(evaluate(result.model, key).status());
    reports["int8"] = reports[key];
    optimize::Candidate c;
    c.name = "int8 static";
    c.metric = result.metric();
    c.kept_fp32 = static_cast<int>(result.kept().size());
    c.note = std::string(optimize::calibration_method_name(q.calibration.method)) + ", " + std::to_string(c.kept_fp32) + " layer(s) kept fp32";
    if (!result.holds && c.kept_fp32 > 0) c.note += " (max " + std::to_string(max_kept_) + ")";
    c.file = dir + "/int8.onnx";
    FOGLINE_TRY(optimize::save_model(result.model, c.file));
    // Field by field: clang 14's ASan build leaked the previous object when this was one
    // braced-list assignment (LeakSanitizer, 48 bytes, optimize_cli_impossible_tolerance).
    control["int8_output_error"] = result.variant_error;
    control["evaluations"] = evals;
    control["holds"] = result.holds;
    control["kept"] = result.kept();
    control["steps"] = nlohmann::json::array();
    control["ranking"] = nlohmann::json::array();
    for (const auto& s : result.steps) control["steps"].push_back({{"kept", s.kept}, {"metric", s.metric}, {"holds", s.holds}});
    for (const auto& r : result.ranking) control["ranking"].push_back({{"node", r.node}, {"op", r.op_type}, {"error", r.error}, {"score", r.score}, {"macs", r.macs}, {"priority", r.priority}});
    return c;
  }

  // The accuracy-control settings every precision shares (--max-kept, --ranking-samples, ...).
  optimize::AccuracyControlOptions control_options(const optimize::Tolerance& tolerance, double baseline,
                                                   const std::string& precision) const {
    optimize::AccuracyControlOptions ac;
    ac.tolerance = tolerance;
    ac.baseline = baseline;
    ac.max_kept = max_kept_;
    ac.ranking_samples = ranking_samples_;
    ac.prune = !no_prune_;
    ac.cost_aware = !rank_by_sensitivity_;
    ac.precision = precision;
    ac.log = [precision](const std::string& line) { std::fprintf(stderr, "[optimize] %s %s\n", precision.c_str(), line.c_str()); };
    return ac;
  }

  static optimize::SampleSource one_input_samples(const std::vector<engine::Tensor>& inputs) {
    return [&inputs](int64_t i) -> Result<std::vector<engine::Tensor>> {
      return std::vector<engine::Tensor>{inputs[static_cast<size_t>(i)]};
    };
  }

  // The calibration (and sensitivity-ranking) inputs: the last --calibration-samples items.
  Result<std::vector<engine::Tensor>> calibration_inputs(const data::Dataset& ds, const processing::ProcessingSpec& spec) const {
    const int64_t n = static_cast<int64_t>(ds.items.size());
    const int64_t count = std::min<int64_t>(calib_samples_, n);
    std::vector<engine::Tensor> inputs;
    for (int64_t i = n - count; i < n; ++i) {
      FOGLINE_ASSIGN_OR_RETURN(auto img, processing::preprocess_file(ds.items[static_cast<size_t>(i)].path, spec.pre));
      inputs.push_back(std::move(img.tensor));
    }
    return inputs;
  }

  // bf16 on the engine (optimize/bf16_variant.h): the whole graph first; when that breaks the
  // tolerance, the same accuracy control as int8 puts the most sensitive convolutions back.
  template <typename Evaluate>
  Result<optimize::Candidate> build_bf16(const onnx::ModelProto& fp32, const data::Dataset& ds, const processing::ProcessingSpec& spec,
                                         const optimize::Tolerance& tolerance, double baseline, Evaluate& evaluate,
                                         const std::string& dir, std::map<std::string, nlohmann::json>& reports,
                                         nlohmann::json& control) {
    std::fprintf(stderr, "[optimize] bf16: evaluating\n");
    FOGLINE_ASSIGN_OR_RETURN(std::vector<engine::Tensor> inputs, calibration_inputs(ds, spec));
    const optimize::SampleSource source = one_input_samples(inputs);
    optimize::AccuracyControlOptions ac = control_options(tolerance, baseline, "bf16");
    ac.layer_ops = {"Conv", "MatMul", "Gemm"};  // what the engine computes in bf16
    auto key_of = [](const onnx::ModelProto& m) { return "bf16:" + std::to_string(std::hash<std::string>{}(m.SerializeAsString())); };
    optimize::MetricFn metric = [&](const onnx::ModelProto& m) -> Result<double> { return evaluate(m, key_of(m)); };
    optimize::VariantBuilder build = [&](const std::set<std::string>& kept) -> Result<onnx::ModelProto> {
      return optimize::bf16_variant(fp32, kept);
    };
    FOGLINE_ASSIGN_OR_RETURN(auto result, optimize::control_accuracy(fp32, build, source, static_cast<int64_t>(inputs.size()), ac, metric));
    const std::string key = key_of(result.model);
    if (!reports.count(key)) FOGLINE_TRY(evaluate(result.model, key).status());
    reports["bf16"] = reports[key];
    optimize::Candidate c;
    c.name = "bf16";
    c.metric = result.metric();
    c.kept_fp32 = static_cast<int>(result.kept().size());
    c.note = "convolutions in bf16, " + std::to_string(c.kept_fp32) + " kept fp32";
    c.file = dir + "/bf16.onnx";
    FOGLINE_TRY(optimize::save_model(result.model, c.file));
    control["bf16"]["holds"] = result.holds;
    control["bf16"]["kept"] = result.kept();
    control["bf16"]["output_error"] = result.variant_error;
    return c;
  }

  std::string model_, target_, data_, tolerance_, precision_, preset_, spec_file_, out_, work_dir_, version_name_;
  std::string calib_method_ = "entropy";
  double budget_mb_ = 0;
  int64_t calib_samples_ = 100;
  int max_kept_ = 12, ranking_samples_ = 32, runs_ = 30, rounds_ = 3;
  bool sweep_ = false, json_ = false, no_prune_ = false, rank_by_sensitivity_ = false, float_island_inputs_ = false;
  store::HomeOptions home_;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(OptimizeCommand);

}  // namespace fogline::cli
