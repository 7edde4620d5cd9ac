// Runs ONNX backend conformance tests (onnx/backend/test/data layout: DIR/model.onnx and
// DIR/test_data_set_*/input_*.pb, output_*.pb) and compares like ONNX's runner does
// (numpy assert_allclose with rtol 1e-3, atol 1e-7; exact for integers, bools and strings).
#pragma once

#include <string>
#include <vector>

#include "engine/session.h"

namespace fogline::engine {

struct ConformanceResult {
  enum class Outcome { kPass, kFail, kUnsupported };
  std::string name;  // the test folder's name
  Outcome outcome = Outcome::kFail;
  std::string reason;  // why it failed or is unsupported
  double max_abs_error = 0;
  double max_rel_error = 0;
};

// Compares one output; returns "" when it matches, else what differs.
std::string compare_tensors(const Tensor& expected, const Tensor& actual, double rtol, double atol,
                            double* max_abs, double* max_rel);

ConformanceResult run_conformance_test(const std::string& dir, const SessionOptions& options);

// Test folders under `root` (those holding a model.onnx), sorted by name, searched recursively.
std::vector<std::string> find_conformance_tests(const std::string& root);

}  // namespace fogline::engine
