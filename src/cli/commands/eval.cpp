// fogline eval MODEL DATASET: runs a model over a dataset and reports the task's metrics
// overall and per slice (classification: top-1/top-k, per-class P/R/F1, macro/micro, confusion;
// detection: the COCO numbers, per-class AP, VOC AP; regression: MAE/RMSE), with the engine's
// latency p50/p90 and the pipeline's throughput. Pre/post-processing come from --spec (JSON)
// and/or flags (flags win). MODEL is an .onnx path or a registry version (MODEL[@VERSION|TAG|
// STAGE], with --home/--db): then the model comes from the content store, the spec stored on
// the version is used unless --spec/--preset is given, and the report (overall and per slice)
// is recorded on the version under the dataset's name and content hash.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <thread>

#include "cli/command.h"
#include "cli/commands/registry_eval.h"
#include "core/file_util.h"
#include "data/dataset.h"
#include "engine/session.h"
#include "eval/coco_eval.h"
#include "eval/evaluation.h"
#include "eval/plots.h"
#include "processing/processing_spec.h"
#include "processing/spec_presets.h"
#include "registry/open.h"

namespace fogline::cli {
namespace {

using Clock = std::chrono::steady_clock;

// A progress line on stderr: redrawn in place on a terminal, else one line per ~10 %.
class Progress {
 public:
  explicit Progress(bool quiet) : tty_(!quiet && isatty(2)), quiet_(quiet), start_(Clock::now()) {}
  void update(int64_t done, int64_t total) {
    if (quiet_ || total <= 0) return;
    double s = std::chrono::duration<double>(Clock::now() - start_).count();
    double rate = s > 0 ? done / s : 0;
    double eta = rate > 0 ? (total - done) / rate : 0;
    if (tty_) {
      auto now = Clock::now();
      if (done != total && now - last_ < std::chrono::milliseconds(100)) return;
      last_ = now;
      std::fprintf(stderr, "\r[eval] %lld/%lld %5.1f%%  %6.1f items/s  ETA %4.0fs ", static_cast<long long>(done),
                   static_cast<long long>(total), 100.0 * done / total, rate, eta);
      if (done == total) std::fprintf(stderr, "\n");
    } else {
      int decile = static_cast<int>(10 * done / total);
      if (decile == last_decile_) return;
      last_decile_ = decile;
      std::fprintf(stderr, "[eval] %lld/%lld (%d%%) %.1f items/s, ETA %.0fs\n", static_cast<long long>(done),
                   static_cast<long long>(total), decile * 10, rate, eta);
    }
  }

 private:
  bool tty_, quiet_;
  Clock::time_point start_, last_{};
  int last_decile_ = 0;
};

class EvalCommand : public Command {
 public:
  const char* name() const override { return "eval"; }
  const char* summary() const override {
    return "Evaluate a model on a dataset: accuracy/top-k/F1, COCO mAP, MAE/RMSE, per slice, with latency";
  }
  void configure(CLI::App& app) override {
    app_ = &app;
    app.add_option("model", model_, "an .onnx file, or a registry version MODEL[@VERSION|TAG|STAGE]")->required();
    app.add_option("--home", home_.dir, "registry versions: Fogline home (default $FOGLINE_HOME or ~/.fogline)");
    app.add_option("--db", home_.db_url, "registry versions: metadata database postgresql://... (default SQLite in the home)");
    app.add_option("--dataset-name", dataset_name_, "registry versions: record the metrics under this name (default: the folder's name)");
    app.add_option("dataset", dataset_, "the dataset folder (or CSV file), or a registered dataset NAME[@N|@sha256:HEX]")->required();
    app.add_option("--format", data_.format, "dataset format: imagefolder, coco, yolo or csv (default: detected)");
    app.add_option("--slice", slices_, "KEY=SOURCE to define and report a slice (folder:N, column:NAME, sidecar:FIELD), or KEY");
    app.add_option("--limit", limit_, "evaluate the first N items only")->default_val(0);
    app.add_flag("--json", json_, "print the report as JSON");
    app.add_option("--plots", plots_, "write plots (PR curves, confusion matrix, per-slice bars) here");
    app.add_option("--plot-format", plot_format_, "svg, png or both")->default_val("svg");
    app.add_option("--threads", threads_, "engine threads (0: all cores)")->default_val(0);
    app.add_option("--precision", precision_, "fp32 | bf16: convolutions in bfloat16 where the CPU has it (default: the model's hint)");
    app.add_flag("--strict", strict_, "refuse a dataset with bad annotations");
    app.add_option("--save-spec", save_spec_, "write the processing spec used (JSON) to this file");
    app.add_option("--save-detections", save_detections_, "detection: write the detections as a COCO results JSON");
    app.add_option("--save-ground-truth", save_ground_truth_, "detection: write the ground truth as a COCO instances JSON");
    // Dataset files.
    app.add_option("--data-labels", data_.labels_file, "imagefolder: labels file (FILE LABEL per line)");
    app.add_option("--classes", data_.classes_file, "dataset class names file");
    app.add_option("--annotations", data_.annotations, "coco: instances JSON");
    app.add_option("--images", data_.images_dir, "images folder");
    app.add_option("--metadata", data_.metadata_file, "CSV with a file column, for column: slices");
    app.add_option("--target", data_.target_column, "csv: target column");
    app.add_option("--window", data_.window_column, "csv: rows sharing this column form one sensor window");
    // Processing.
    app.add_option("--preset", preset_, "a known recipe to start from: imagenet, yolox, yolov5, yolov8");
    app.add_option("--spec", spec_file_, "processing spec JSON ({preprocess, postprocess}); overrides --preset");
    app.add_option("--size", size_, "input HEIGHT,WIDTH (default: the model's input)")->delimiter(',');
    app.add_option("--resize", resize_, "stretch, letterbox or center_crop");
    app.add_option("--shorter-side", shorter_side_, "center_crop: resize the shorter side to this first");
    app.add_option("--fill", fill_, "letterbox padding value (0..255)");
    app.add_option("--pad", pad_, "letterbox: top-left or center");
    app.add_option("--mean", mean_, "per-channel mean after scaling (3 values)")->delimiter(',');
    app.add_option("--std", std_, "per-channel std (3 values)")->delimiter(',');
    app.add_option("--scale", scale_, "multiply pixels (0..255) by this first");
    app.add_flag("--bgr", bgr_, "feed BGR (default RGB)");
    app.add_option("--layout", layout_, "NCHW or NHWC");
    app.add_option("--dtype", dtype_, "float32 or uint8");
    app.add_option("--interpolation", interpolation_, "nearest, linear, cubic or area");
    app.add_option("--post", post_, "classification, yolox, yolov5, yolov8, boxes_scores or regression");
    app.add_flag("--softmax", softmax_, "classification: apply softmax to the outputs");
    app.add_option("--labels", labels_, "the model's class names in output order (mapped to the dataset's by name)");
    app.add_option("--label-offset", label_offset_, "output index - offset = class (1 with a background class)");
    app.add_option("--top-k", top_k_, "k of top-k accuracy")->default_val(5);
    app.add_option("--score-threshold", score_threshold_, "detection: minimum score");
    app.add_option("--nms-iou", nms_iou_, "detection: class-wise NMS IoU");
    app.add_option("--max-det", max_det_, "detection: detections per image");
    app.add_option("--strides", strides_, "yolox: grid strides")->delimiter(',');
    app.add_flag("--agnostic-nms", agnostic_, "detection: NMS across classes");
    app.add_flag("--multi-label", multi_label_, "detection: a candidate per class above the threshold");
  }

  int run() override {
    // A registry version: its stored spec is the starting point unless --preset/--spec is given.
    std::optional<registry::OpenRegistry> opened;
    std::optional<registry::VersionRecord> version;
    processing::ProcessingSpec spec;
    bool stored_spec = false;
    if (!is_model_file(model_)) {
      auto o = registry::open_registry(home_);
      if (!o.is_ok()) return fail(o.status().message());
      opened = std::move(o).value();
      auto v = opened->registry->get(model_);
      if (!v.is_ok()) return fail(model_ + " is neither a model file nor a registry version: " + v.status().message());
      version = *v;
      display_ = version->ref();  // "cams@production" shows as the version it resolved to
      if (preset_.empty() && spec_file_.empty()) {
        auto s = version_spec(*version, &stored_spec);
        if (!s.is_ok()) return fail(s.status().message());
        spec = *s;
      }
    }
    if (!version) display_ = model_;
    // Spec: preset, file, then flags on top.
    if (!preset_.empty()) {
      auto p = processing::processing_preset(preset_);
      if (!p.is_ok()) return fail(p.status().message());
      spec = *p;
    }
    if (!spec_file_.empty()) {
      auto s = processing::ProcessingSpec::load(spec_file_);
      if (!s.is_ok()) return fail(s.status().message());
      spec = *s;
    }
    Status st = apply_flags(&spec);
    if (!st.is_ok()) return fail(st.message());

    for (const auto& s : slices_) {
      if (s.find('=') == std::string::npos) {
        report_keys_.push_back(s);
        continue;
      }
      auto parsed = data::SliceSpec::parse(s);
      if (!parsed.is_ok()) return fail(parsed.status().message());
      data_.slices.push_back(*parsed);
      report_keys_.push_back(parsed->key);
    }
    // DATASET: a folder or file, else a registered dataset NAME[@VERSION] (needs the registry).
    std::error_code exists_ec;
    // A name never holds a '/', so a mistyped path is reported as missing without opening a home.
    if (!opened && !std::filesystem::exists(dataset_, exists_ec) && dataset_.find('/') == std::string::npos) {
      auto o = registry::open_registry(home_);
      if (!o.is_ok()) return fail("'" + dataset_ + "' is not a file or folder, and the registry to look it up in: " + o.status().message());
      opened = std::move(o).value();
    }
    auto resolved = resolve_dataset(opened ? opened->registry.get() : nullptr, dataset_, dataset_name_, data_);
    if (!resolved.is_ok()) return fail(resolved.status().message());
    resolved_ = std::move(resolved).value();
    data::Dataset* ds = &resolved_.dataset;
    if (!ds->issues.empty()) {
      std::fprintf(stderr, "warning: %zu bad annotations in %s (first: %s); run `fogline data add` for the list\n",
                   ds->issues.size(), ds->root.c_str(), ds->issues[0].to_string().c_str());
      if (strict_) return fail("the dataset has bad annotations (--strict)");
    }
    // The decoder follows the dataset when neither flag nor spec chose one.
    if (post_.empty() && spec_file_.empty() && preset_.empty() && !stored_spec) {
      if (ds->task == data::TaskKind::kRegression) spec.post.kind = processing::PostprocessKind::kRegression;
      if (ds->task == data::TaskKind::kDetection) return fail("a detection dataset needs a decoder: --post yolox|yolov5|yolov8|boxes_scores (or --spec)");
    }

    engine::SessionOptions options;
    options.threads = threads_;
    options.precision = precision_;
    auto session = version ? open_version_session(*opened->registry, *version, options) : engine::Session::open(model_, options);
    if (!session.is_ok()) return fail(session.status().message());
    st = eval::resolve_input_size(**session, &spec.pre);
    if (!st.is_ok() && ds->format != "csv") return fail(st.message());
    if (!save_spec_.empty()) {
      // The saved spec carries the label names themselves, not a path that will not travel.
      processing::ProcessingSpec saved = spec;
      st = saved.post.embed_labels();
      if (!st.is_ok()) return fail(st.message());
      st = write_file_atomic(save_spec_, saved.to_json().dump(2) + "\n");
      if (!st.is_ok()) return fail(st.message());
    }

    eval::EvaluationOptions eo;
    eo.spec = spec;
    eo.slice_keys = report_keys_;
    eo.limit = limit_;
    eo.top_k = top_k_;
    Progress progress(false);
    eo.progress = [&](int64_t done, int64_t total) { progress.update(done, total); };
    auto report = eval::evaluate_model(**session, *ds, eo);
    if (!report.is_ok()) return fail(report.status().message());
    Result<std::string> hash = resolved_.record_version.substr(7);  // "sha256:HEX"
    bool recorded = false;
    if (version) {
      auto r = record(*opened->registry, *version, *report, *ds, hash);
      if (!r.is_ok()) return fail(r.status().message());
      recorded = *r;
    }

    for (const auto& [path, doc] : {std::pair{save_detections_, eval::coco_results_json(*report)},
                                    std::pair{save_ground_truth_, eval::coco_ground_truth_json(*report)}}) {
      if (path.empty()) continue;
      if (!report->coco) return fail("--save-detections/--save-ground-truth apply to detection datasets");
      Status w = write_file_atomic(path, doc.dump() + "\n");
      if (!w.is_ok()) return fail(w.message());
    }
    if (!plots_.empty()) {
      auto format = eval::parse_plot_format(plot_format_);
      if (!format.is_ok()) return fail(format.status().message());
      auto written = eval::write_plots(*report, plots_, *format);
      if (!written.is_ok()) return fail(written.status().message());
      for (const auto& f : *written) std::fprintf(stderr, "wrote %s\n", f.c_str());
    }
    if (json_) {
      nlohmann::json j = report->to_json();
      j["model"] = version ? version->ref() : model_;
      j["dataset"] = {{"root", ds->root}, {"format", ds->format}, {"items", ds->items.size()},
                      {"issues", ds->issues.size()}, {"content_sha256", hash.is_ok() ? *hash : ""},
                      {"name", resolved_.record_name}, {"version", resolved_.record_version}};
      if (!resolved_.registered_ref.empty()) j["dataset"]["registered"] = resolved_.registered_ref;
      j["spec"] = spec.to_json();
      j["threads"] = (*session)->threads();
      if (version) j["recorded"] = recorded;
      std::printf("%s\n", j.dump(2).c_str());
      return report->errors.empty() ? 0 : 1;
    }
    print_text(*report, *ds, spec, hash.is_ok() ? *hash : "", (*session)->threads());
    if (recorded)
      std::printf("recorded   on %s as %s @sha256:%.16s\n", version->ref().c_str(), resolved_.record_name.c_str(),
                  hash.is_ok() ? hash->c_str() : "");
    return report->errors.empty() ? 0 : 1;
  }

 private:
  // The report becomes the version's metrics for this dataset version, unless it covers only
  // part of the dataset (--limit) or some items failed: those numbers are not the dataset's.
  Result<bool> record(registry::Registry& reg, const registry::VersionRecord& v, const eval::EvaluationReport& report,
                const data::Dataset& ds, const Result<std::string>& hash) {
    if (!hash.is_ok()) return hash.status();
    if (limit_ > 0 && static_cast<size_t>(limit_) < ds.items.size()) {
      std::fprintf(stderr, "note: not recorded on %s: --limit evaluated part of the dataset\n", v.ref().c_str());
      return false;
    }
    if (!report.errors.empty()) {
      std::fprintf(stderr, "note: not recorded on %s: %zu items could not be evaluated\n", v.ref().c_str(), report.errors.size());
      return false;
    }
    // $FOGLINE_EVAL_TEST_PAUSE_MS widens the window inside the metrics transaction that the
    // kill -9 test (tests/registry/eval_kill_test.cpp) aims at.
    const char* pause_env = std::getenv("FOGLINE_EVAL_TEST_PAUSE_MS");
    int pause_ms = pause_env ? std::atoi(pause_env) : 0;
    auto pause = [pause_ms] {
      if (pause_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
    };
    FOGLINE_TRY(reg.record_metrics(v.ref(), resolved_.record_name, resolved_.record_version,
                                   report_to_slice_metrics(report.to_json()), pause));
    return true;
  }

  bool given(const char* flag) const { return app_->get_option(flag)->count() > 0; }

  Status apply_flags(processing::ProcessingSpec* s) {
    auto& p = s->pre;
    auto& q = s->post;
    if (given("--size")) {
      if (size_.size() != 2) return invalid_argument("--size takes HEIGHT,WIDTH");
      p.height = size_[0], p.width = size_[1];
    }
    if (given("--resize")) {
      if (resize_ == "stretch") p.resize = processing::ResizeMode::kStretch;
      else if (resize_ == "letterbox") p.resize = processing::ResizeMode::kLetterbox;
      else if (resize_ == "center_crop") p.resize = processing::ResizeMode::kCenterCrop;
      else return invalid_argument("--resize: expected stretch, letterbox or center_crop, got " + resize_);
    }
    if (given("--shorter-side")) p.shorter_side = shorter_side_;
    if (given("--fill")) p.fill = fill_;
    if (given("--pad")) {
      if (pad_ != "top-left" && pad_ != "center") return invalid_argument("--pad: expected top-left or center");
      p.center_pad = pad_ == "center";
    }
    if (given("--mean")) p.mean = mean_;
    if (given("--std")) p.std = std_;
    if (given("--scale")) p.scale = scale_;
    if (bgr_) p.bgr = true;
    if (given("--layout")) p.layout = layout_;
    if (given("--dtype")) p.dtype = dtype_;
    if (given("--interpolation")) p.interpolation = interpolation_;
    FOGLINE_TRY(p.validate());
    if (given("--post")) {
      auto parsed = processing::PostprocessSpec::from_json({{"kind", post_}});
      if (!parsed.is_ok()) return parsed.status();
      q.kind = parsed->kind;
    }
    if (softmax_) q.softmax = true;
    if (given("--labels")) q.labels_file = labels_;
    if (given("--label-offset")) q.label_offset = label_offset_;
    if (given("--score-threshold")) q.score_threshold = score_threshold_;
    if (given("--nms-iou")) q.nms_iou = nms_iou_;
    if (given("--max-det")) q.max_detections = max_det_;
    if (given("--strides")) q.strides = strides_;
    if (agnostic_) q.class_agnostic_nms = true;
    if (multi_label_) q.multi_label = true;
    return q.validate();
  }

  void print_text(const eval::EvaluationReport& r, const data::Dataset& ds, const processing::ProcessingSpec& spec,
                  const std::string& hash, int threads) {
    std::printf("model      %s\n", display_.c_str());
    std::printf("dataset    %s (%s, %s, %zu items, %zu bad annotations, sha256:%.16s)\n", ds.root.c_str(), ds.format.c_str(),
                data::task_kind_name(ds.task), ds.items.size(), ds.issues.size(), hash.c_str());
    std::printf("spec       %s\n", spec.to_json().dump().c_str());
    std::printf("evaluated  %lld items\n\n", static_cast<long long>(r.items));
    if (r.classification) {
      const auto& m = *r.classification;
      std::printf("top-1 accuracy   %.4f\n", m.accuracy);
      std::printf("top-%d accuracy   %.4f\n", m.top_k, m.top_k_accuracy);
      std::printf("macro  P %.4f  R %.4f  F1 %.4f   (over %d classes seen)\n", m.macro_precision, m.macro_recall, m.macro_f1,
                  m.classes_seen);
      std::printf("micro  P %.4f  R %.4f  F1 %.4f\n", m.micro_precision, m.micro_recall, m.micro_f1);
    } else if (r.coco) {
      std::fputs(eval::format_coco_summary(*r.coco).c_str(), stdout);
      std::printf(" PASCAL VOC mAP@0.5: all-point %.3f, 11-point %.3f\n", r.voc->map_all_points, r.voc->map_11_points);
      std::printf(" %lld detections, %lld ground-truth boxes\n", static_cast<long long>(r.overall.value("detections", 0)),
                  static_cast<long long>(r.overall.value("ground_truth", 0)));
    } else {
      std::printf("MAE %.6g  RMSE %.6g  bias %.6g  (n = %lld)\n", r.overall.value("mae", 0.0), r.overall.value("rmse", 0.0),
                  r.overall.value("mean_error", 0.0), static_cast<long long>(r.overall.value("count", 0)));
    }
    if (!r.slices.empty()) {
      std::printf("\n%-16s %-20s %8s %10s %12s %12s\n", "slice", "value", "items", r.primary_metric.c_str(), "p50 ms",
                  "p90 ms");
      for (const auto& s : r.slices) {
        std::printf("%-16s %-20s %8lld %10.4f %12.2f %12.2f\n", s.key.c_str(), s.value.c_str(), static_cast<long long>(s.items),
                    s.primary, s.metrics.value("latency_p50_ms", 0.0), s.metrics.value("latency_p90_ms", 0.0));
      }
    }
    std::printf("\nlatency    p50 %.2f ms, p90 %.2f ms, mean %.2f ms (engine run, %d threads, %lld runs)\n", r.latency.p50_ms,
                r.latency.p90_ms, r.latency.mean_ms, threads, static_cast<long long>(r.latency.runs));
    std::printf("throughput %.1f items/s end to end (decode + preprocess + run + postprocess), %.1f inferences/s\n",
                r.latency.items_per_second, r.latency.inferences_per_second);
    for (const auto& e : r.errors) std::printf("error: %s\n", e.c_str());
  }

  CLI::App* app_ = nullptr;
  ResolvedDataset resolved_;
  store::HomeOptions home_;
  std::string dataset_name_, display_;
  std::string preset_, plot_format_ = "svg";
  std::string model_, dataset_, plots_, spec_file_, save_spec_, save_detections_, save_ground_truth_;
  data::DatasetOptions data_;
  std::vector<std::string> slices_, report_keys_;
  int64_t limit_ = 0;
  int threads_ = 0, top_k_ = 5;
  std::string precision_;
  bool json_ = false, strict_ = false;
  std::vector<int> size_, strides_;
  std::string resize_, pad_, layout_, dtype_, interpolation_, post_, labels_;
  int shorter_side_ = 0, label_offset_ = 0, max_det_ = 100;
  double fill_ = 114, scale_ = 1.0 / 255.0, score_threshold_ = 0.001, nms_iou_ = 0.65;
  std::vector<double> mean_, std_;
  bool bgr_ = false, softmax_ = false, agnostic_ = false, multi_label_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(EvalCommand);

}  // namespace fogline::cli
