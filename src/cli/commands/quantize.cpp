// fogline quantize MODEL --data DATASET --calibration minmax|percentile|entropy -o OUT.onnx:
// static int8 quantisation written as standard QDQ ONNX (per-channel symmetric int8 weights,
// per-tensor u8 activations), calibrated on a subset of a dataset preprocessed with the same
// spec evaluation uses (--preset/--spec).
#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/command.h"
#include "core/file_util.h"
#include "data/dataset.h"
#include "engine/session.h"
#include "eval/evaluation.h"
#include "optimize/dynamic_quantizer.h"
#include "optimize/onnx_model.h"
#include "optimize/qdq_quantizer.h"
#include "processing/preprocess.h"
#include "processing/processing_spec.h"
#include "processing/spec_presets.h"

namespace fogline::cli {
namespace {

class QuantizeCommand : public Command {
 public:
  const char* name() const override { return "quantize"; }
  const char* summary() const override { return "Static int8 quantisation to QDQ ONNX, calibrated on a dataset"; }
  void configure(CLI::App& app) override {
    app.add_option("model", path_, "an fp32 .onnx file")->required();
    app.add_option("-o,--output", out_, "the QDQ .onnx file to write")->required();
    app.add_option("--data", data_, "calibration dataset (folder); not needed with --dynamic");
    app.add_flag("--dynamic", dynamic_, "dynamic int8 for MatMuls (DynamicQuantizeLinear + MatMulInteger), no calibration");
    app.add_option("--calibration", method_, "minmax | percentile | entropy")->default_val("minmax");
    app.add_option("--percentile", percentile_, "percentile of |x| kept (percentile calibration)")->default_val(99.999);
    app.add_option("--samples", samples_, "calibration items")->default_val(100);
    app.add_option("--offset", offset_, "first dataset item used for calibration (items before it stay unseen)")->default_val(0);
    app.add_option("--preset", preset_, "preprocessing recipe: imagenet, yolox, yolov5, yolov8");
    app.add_option("--spec", spec_file_, "processing spec JSON (overrides --preset)");
    app.add_option("--activation-type", act_type_, "u8 (default: what VNNI/AMX multiply natively) or s8")->default_val("u8");
    app.add_option("--keep-fp32", keep_, "node name to leave in fp32 (repeatable)");
    app.add_option("--ops", ops_, "op types to quantise (default Conv,MatMul,Gemm,Add,Mul,GlobalAveragePool,AveragePool,Concat)")->delimiter(',');
    app.add_option("--threads", threads_, "engine threads for calibration (0: all cores)")->default_val(0);
    app.add_option("--report", report_path_, "write the per-tensor ranges and counts as JSON here");
  }

  int run() override {
    if (dynamic_) return run_dynamic();
    if (data_.empty()) return fail("--data DATASET is needed for calibration (or --dynamic)");
    optimize::QuantizeOptions options;
    auto method = optimize::parse_calibration_method(method_);
    if (!method.is_ok()) return fail(method.status().message());
    options.calibration.method = *method;
    options.calibration.percentile = percentile_;
    options.calibration.session.threads = threads_;
    if (act_type_ == "u8") options.activation_type = engine::DataType::kUInt8;
    else if (act_type_ == "s8") options.activation_type = engine::DataType::kInt8;
    else return fail("--activation-type: expected u8 or s8, got '" + act_type_ + "'");
    options.keep_fp32.insert(keep_.begin(), keep_.end());
    if (!ops_.empty()) options.op_types = std::set<std::string>(ops_.begin(), ops_.end());

    processing::ProcessingSpec spec;
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
    auto session = engine::Session::open(path_);
    if (!session.is_ok()) return fail(session.status().message());
    if ((*session)->inputs().size() != 1) return fail("calibration from a dataset needs a model with one input; " + path_ + " has " + std::to_string((*session)->inputs().size()));
    Status st = eval::resolve_input_size(**session, &spec.pre);
    if (!st.is_ok()) return fail(st.message());
    data::DatasetOptions dopt;
    auto ds = data::load_dataset(data_, dopt);
    if (!ds.is_ok()) return fail(ds.status().message());
    const int64_t n = static_cast<int64_t>(ds->items.size());
    if (offset_ < 0 || offset_ >= n) return fail("--offset " + std::to_string(offset_) + " is outside the dataset's " + std::to_string(n) + " items");
    const int64_t count = std::min<int64_t>(samples_, n - offset_);
    // Preprocessed once: the statistics need two passes over the same inputs.
    std::vector<engine::Tensor> inputs;
    for (int64_t i = 0; i < count; ++i) {
      auto img = processing::preprocess_file(ds->items[static_cast<size_t>(offset_ + i)].path, spec.pre);
      if (!img.is_ok()) return fail(img.status().message());
      inputs.push_back(std::move(img->tensor));
    }
    session->reset();
    optimize::SampleSource source = [&](int64_t i) -> Result<std::vector<engine::Tensor>> {
      return std::vector<engine::Tensor>{inputs[static_cast<size_t>(i)]};
    };
    auto model = optimize::load_model(path_);
    if (!model.is_ok()) return fail(model.status().message());
    auto report = optimize::quantize_static(&*model, source, count, options);
    if (!report.is_ok()) return fail(path_ + ": " + report.status().message());
    st = optimize::save_model(*model, out_);
    if (!st.is_ok()) return fail(st.message());
    auto check = engine::Session::open(out_);
    if (!check.is_ok()) return fail("the quantised model does not load: " + check.status().message());

    std::printf("calibration  %s on %lld items of %s (items %lld..%lld)\n", optimize::calibration_method_name(*method),
                static_cast<long long>(count), ds->root.c_str(), static_cast<long long>(offset_),
                static_cast<long long>(offset_ + count - 1));
    for (const auto& [op, k] : report->quantized_ops) std::printf("  %-20s %d quantised\n", op.c_str(), k);
    std::printf("%d activations (%s, per tensor), %d weights (int8 per channel), %d int32 biases, %d Relu/Clip folded, %zu left in fp32%s\n",
                report->activations, act_type_.c_str(), report->weights, report->biases, report->folded_activations,
                report->kept_fp32.size(), report->opset_upgraded ? ", opset upgraded to 13" : "");
    std::printf("wrote %s\n", out_.c_str());
    if (!report_path_.empty()) {
      nlohmann::json j;
      j["calibration"] = optimize::calibration_method_name(*method);
      j["samples"] = count;
      j["offset"] = offset_;
      j["quantized_ops"] = report->quantized_ops;
      j["kept_fp32"] = report->kept_fp32;
      j["folded_activations"] = report->folded_activations;
      for (const auto& [name, r] : report->ranges) {
        j["ranges"][name] = {{"min", r.min}, {"max", r.max}, {"lo", r.lo}, {"hi", r.hi}, {"threshold", r.threshold}};
      }
      st = write_file_atomic(report_path_, j.dump(2) + "\n");
      if (!st.is_ok()) return fail(st.message());
    }
    return 0;
  }

 private:
  int run_dynamic() {
    auto model = optimize::load_model(path_);
    if (!model.is_ok()) return fail(model.status().message());
    optimize::DynamicQuantizeOptions options;
    options.keep_fp32.insert(keep_.begin(), keep_.end());
    auto report = optimize::quantize_dynamic(&*model, options);
    if (!report.is_ok()) return fail(path_ + ": " + report.status().message());
    Status st = optimize::save_model(*model, out_);
    if (!st.is_ok()) return fail(st.message());
    auto check = engine::Session::open(out_);
    if (!check.is_ok()) return fail("the quantised model does not load: " + check.status().message());
    std::printf("%d MatMuls quantised dynamically (int8 per-column weights, u8 activations at run time), %zu left in fp32\nwrote %s\n",
                report->matmuls, report->kept_fp32.size(), out_.c_str());
    return 0;
  }

  bool dynamic_ = false;
  std::string path_, out_, data_, method_ = "minmax", preset_, spec_file_, act_type_ = "u8", report_path_;
  double percentile_ = 99.999;
  int64_t samples_ = 100, offset_ = 0;
  int threads_ = 0;
  std::vector<std::string> keep_, ops_;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(QuantizeCommand);

}  // namespace fogline::cli
