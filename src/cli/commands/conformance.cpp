// fogline conformance DIR: runs ONNX backend tests and prints pass / fail / unsupported.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>

#include "cli/command.h"
#include "engine/conformance.h"
#include "engine/passes/pass.h"

namespace fogline::cli {
namespace {

using engine::ConformanceResult;

class ConformanceCommand : public Command {
 public:
  const char* name() const override { return "conformance"; }
  const char* summary() const override {
    return "Run ONNX backend conformance tests (model.onnx + test_data_set_*) and compare outputs";
  }
  void configure(CLI::App& app) override {
    app.add_option("dir", dir_, "a test folder, or a folder of them (searched recursively)")->required();
    app.add_flag("--json", json_, "print one JSON document instead of lines");
    app.add_option("--filter", filter_, "only tests whose name matches this regular expression");
    app.add_flag("--reference", reference_, "use only the plain C++ reference kernels");
    app.add_option("--min-pass", min_pass_, "exit non-zero when fewer tests pass than this");
    app.add_option("--threads", threads_, "threads per test")->default_val(1);
    app.add_option("--disable-pass", disabled_passes_,
                   "skip this graph pass (repeatable; 'all' skips every pass)");
  }
  int run() override {
    std::regex re;
    try {
      re = std::regex(filter_.empty() ? ".*" : filter_);
    } catch (const std::regex_error& e) {
      return fail("--filter '" + filter_ + "' is not a regular expression: " + e.what());
    }
    auto tests = engine::find_conformance_tests(dir_);
    if (tests.empty()) return fail("no conformance tests (model.onnx) under '" + dir_ + "'");
    engine::SessionOptions options;
    options.threads = threads_;
    options.reference_only = reference_;
    for (const auto& pass : disabled_passes_) {
      if (pass == "all") {
        options.optimize = false;
      } else {
        options.disabled_passes.insert(pass);
      }
    }
    if (options.optimize && !options.disabled_passes.empty()) {
      // Check the names once up front rather than failing every test with the same error.
      auto names = engine::pass_names();
      for (const auto& pass : options.disabled_passes) {
        if (std::find(names.begin(), names.end(), pass) == names.end()) {
          std::string known;
          for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
          return fail("--disable-pass: unknown pass '" + pass + "' (passes: " + known + ")");
        }
      }
    }
    int passed = 0, failed = 0, unsupported = 0;
    nlohmann::json results = nlohmann::json::array();
    for (const auto& dir : tests) {
      std::string test_name = std::filesystem::path(dir).filename().string();
      if (!std::regex_search(test_name, re)) continue;
      ConformanceResult r = engine::run_conformance_test(dir, options);
      const char* label = "pass";
      switch (r.outcome) {
        case ConformanceResult::Outcome::kPass: ++passed; break;
        case ConformanceResult::Outcome::kFail: ++failed; label = "fail"; break;
        case ConformanceResult::Outcome::kUnsupported: ++unsupported; label = "unsupported"; break;
      }
      if (json_) {
        results.push_back({{"test", r.name}, {"result", label}, {"reason", r.reason},
                           {"max_abs_error", r.max_abs_error}, {"max_rel_error", r.max_rel_error}});
      } else {
        std::string reason = r.reason;
        std::replace(reason.begin(), reason.end(), '\n', ' ');
        if (r.outcome == ConformanceResult::Outcome::kPass) {
          std::printf("pass         %s\n", r.name.c_str());
        } else {
          std::printf("%-12s %s: %s (max abs %.3g, max rel %.3g)\n", label, r.name.c_str(),
                      reason.c_str(), r.max_abs_error, r.max_rel_error);
        }
        std::fflush(stdout);
      }
    }
    if (json_) {
      nlohmann::json doc = {{"passed", passed}, {"failed", failed}, {"unsupported", unsupported},
                            {"tests", results}};
      std::cout << doc.dump(2) << "\n";
    } else {
      std::printf("%d passed, %d failed, %d unsupported\n", passed, failed, unsupported);
    }
    if (min_pass_ >= 0 && passed < min_pass_) {
      std::fprintf(stderr, "error: %d tests passed, fewer than the recorded %d\n", passed, min_pass_);
      return 1;
    }
    return 0;
  }

 private:
  std::string dir_;
  bool json_ = false;
  std::string filter_;
  bool reference_ = false;
  int min_pass_ = -1;
  int threads_ = 1;
  std::vector<std::string> disabled_passes_;
};

}  // namespace

FOGLINE_REGISTER_COMMAND(ConformanceCommand);

}  // namespace fogline::cli
