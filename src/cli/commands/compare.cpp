// fogline compare EXPECTED ACTUAL: compares tensors (.npy or .pb) file by file, or two folders
// by file name, and reports the max absolute and relative error of each. Used to check the
// engine against ONNX Runtime's saved outputs (../shared/peers/ort/run --save-outputs).
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "cli/command.h"
#include "cli/tensor_args.h"
#include "engine/conformance.h"

namespace fogline::cli {
namespace {

namespace fs = std::filesystem;

class CompareCommand : public Command {
 public:
  const char* name() const override { return "compare"; }
  const char* summary() const override {
    return "Compare tensors (.npy/.pb) or two folders of them: max abs/rel error, within --rtol/--atol";
  }
  void configure(CLI::App& app) override {
    app.add_option("expected", expected_, "a tensor file or a folder")->required();
    app.add_option("actual", actual_, "a tensor file or a folder")->required();
    app.add_option("--rtol", rtol_, "relative tolerance")->default_val(1e-3);
    app.add_option("--atol", atol_, "absolute tolerance")->default_val(1e-5);
    app.add_option("--ignore", ignore_, "file name prefix to skip in folders (repeatable)")->default_val(std::vector<std::string>{"input."});
  }
  int run() override {
    std::vector<std::pair<fs::path, fs::path>> pairs;
    if (fs::is_directory(expected_)) {
      for (const auto& e : fs::directory_iterator(expected_)) {
        std::string name = e.path().filename().string();
        bool skip = false;
        for (const auto& p : ignore_) skip = skip || name.rfind(p, 0) == 0;
        if (skip || (e.path().extension() != ".npy" && e.path().extension() != ".pb")) continue;
        pairs.emplace_back(e.path(), fs::path(actual_) / name);
      }
      std::sort(pairs.begin(), pairs.end());
    } else {
      pairs.emplace_back(expected_, actual_);
    }
    if (pairs.empty()) return fail("no .npy or .pb files in '" + expected_ + "'");
    int bad = 0;
    for (const auto& [e, a] : pairs) {
      auto want = load_tensor_file(e.string(), ImageOptions{});
      auto got = load_tensor_file(a.string(), ImageOptions{});
      if (!want.is_ok() || !got.is_ok()) {
        std::printf("FAIL %s: %s\n", e.filename().c_str(), (want.is_ok() ? got : want).status().message().c_str());
        ++bad;
        continue;
      }
      double max_abs = 0, max_rel = 0;
      std::string diff = engine::compare_tensors(*want, *got, rtol_, atol_, &max_abs, &max_rel);
      std::printf("%s %s: max abs %.3g, max rel %.3g%s%s\n", diff.empty() ? "ok  " : "FAIL", e.filename().c_str(),
                  max_abs, max_rel, diff.empty() ? "" : " — ", diff.c_str());
      bad += diff.empty() ? 0 : 1;
    }
    std::printf("%zu compared, %d outside rtol %.g / atol %.g\n", pairs.size(), bad, rtol_, atol_);
    return bad == 0 ? 0 : 1;
  }

 private:
  std::string expected_, actual_;
  double rtol_ = 1e-3, atol_ = 1e-5;
  std::vector<std::string> ignore_;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(CompareCommand);

}  // namespace fogline::cli
