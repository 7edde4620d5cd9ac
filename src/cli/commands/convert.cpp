// fogline convert MODEL --dequantize -o OUT.onnx: a quantised model (QLinear*/QDQ) as an fp32
// model with real dequantised weights and plain Conv/MatMul/Add/..., e.g. to get an fp32
// starting point for the optimiser from a model published only in int8.
#include <cstdio>

#include "cli/command.h"
#include "engine/session.h"
#include "optimize/dequantize.h"
#include "optimize/onnx_model.h"

namespace fogline::cli {
namespace {

class ConvertCommand : public Command {
 public:
  const char* name() const override { return "convert"; }
  const char* summary() const override { return "Rewrite a model: --dequantize turns a quantised model into fp32"; }
  void configure(CLI::App& app) override {
    app.add_option("model", path_, "an .onnx file")->required();
    app.add_option("-o,--output", out_, "the .onnx file to write")->required();
    app.add_flag("--dequantize", dequantize_, "quantised ops -> fp32 ops on dequantised weights");
    app.add_flag("--clip-to-range", clip_, "clip every dequantised output to its int8 range (the int8 model's saturation)");
  }
  int run() override {
    if (!dequantize_) return fail("nothing to do: give --dequantize");
    auto model = optimize::load_model(path_);
    if (!model.is_ok()) return fail(model.status().message());
    optimize::DequantizeOptions options;
    options.clip_to_range = clip_;
    auto report = optimize::dequantize_model(&*model, options);
    if (!report.is_ok()) return fail(path_ + ": " + report.status().message());
    Status st = optimize::save_model(*model, out_);
    if (!st.is_ok()) return fail(st.message());
    // The result must load: a model we cannot run ourselves is not a starting point.
    auto session = engine::Session::open(out_);
    if (!session.is_ok()) return fail("the converted model does not load: " + session.status().message());
    for (const auto& [op, n] : report->rewritten) std::printf("  %-40s %d\n", op.c_str(), n);
    std::printf("%d weights dequantised, %d Relu and %d Clip added\nwrote %s\n", report->weights_dequantized,
                report->relus_added, report->clips_added, out_.c_str());
    return 0;
  }

 private:
  std::string path_, out_;
  bool dequantize_ = false, clip_ = false;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(ConvertCommand);

}  // namespace fogline::cli
