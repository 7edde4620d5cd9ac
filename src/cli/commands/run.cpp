// fogline run MODEL --input NAME=FILE ...: runs a model once and prints or saves its outputs.
#include <cstdio>
#include <filesystem>

#include "cli/command.h"
#include "cli/tensor_args.h"
#include "engine/session.h"
#include "engine/tensor_io.h"

namespace fogline::cli {
namespace {

class RunCommand : public Command {
 public:
  const char* name() const override { return "run"; }
  const char* summary() const override { return "Run a model on inputs from .pb, .npy or image files"; }
  void configure(CLI::App& app) override {
    app.add_option("model", path_, "an .onnx file")->required();
    app.add_option("--input,-i", inputs_, "NAME=FILE (.pb, .npy or an image); NAME may be omitted for one-input models");
    app.add_option("--output-dir", output_dir_, "write every output as NAME.npy here");
    app.add_option("--size", image_.size, "image: resize to HEIGHT,WIDTH")->delimiter(',');
    app.add_option("--mean", image_.mean, "image: per-channel mean after scaling (3 values)")->delimiter(',');
    app.add_option("--std", image_.std, "image: per-channel std (3 values)")->delimiter(',');
    app.add_option("--scale", image_.scale, "image: multiply pixels (0..255) by this first")->default_val(1.0f / 255.0f);
    app.add_flag("--bgr", image_.bgr, "image: keep BGR channel order");
    app.add_option("--layout", image_.layout, "image: NCHW or NHWC")->default_val("NCHW");
    app.add_option("--threads", threads_, "threads (0: all cores)")->default_val(0);
    app.add_option("--precision", precision_, "fp32 | bf16: convolutions/MatMuls in bfloat16 where the CPU has it (default: the model's hint)");
    app.add_option("--values", values_, "values to print per output")->default_val(8);
  }
  int run() override {
    engine::SessionOptions options;
    options.threads = threads_;
    options.precision = precision_;
    auto session = engine::Session::open(path_, options);
    if (!session.is_ok()) return fail(session.status().message());
    const auto& s = **session;
    std::map<std::string, engine::Tensor> feeds;
    for (const auto& arg : inputs_) {
      std::string name, file;
      if (arg.find('=') == std::string::npos && s.inputs().size() == 1) {
        name = s.inputs()[0].name;
        file = arg;
      } else {
        auto kv = split_assignment(arg);
        if (!kv.is_ok()) return fail(kv.status().message());
        std::tie(name, file) = *kv;
      }
      auto t = load_tensor_file(file, image_);
      if (!t.is_ok()) return fail(t.status().message());
      feeds[name] = std::move(t).value();
    }
    auto outputs = s.run_named(feeds);
    if (!outputs.is_ok()) return fail(outputs.status().message());
    if (!output_dir_.empty()) std::filesystem::create_directories(output_dir_);
    for (const auto& spec : s.outputs()) {
      const engine::Tensor& t = outputs->at(spec.name);
      std::printf("%s\n", describe_tensor(spec.name, t, values_).c_str());
      if (!output_dir_.empty()) {
        std::string file = (std::filesystem::path(output_dir_) / (npy_file_name(spec.name))).string();
        Status st = engine::write_npy(t, file);
        if (!st.is_ok()) return fail(st.message());
      }
    }
    return 0;
  }

 private:
  std::string path_;
  std::vector<std::string> inputs_;
  std::string output_dir_;
  std::string precision_;
  ImageOptions image_;
  int threads_ = 0;
  int values_ = 8;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(RunCommand);

}  // namespace fogline::cli
