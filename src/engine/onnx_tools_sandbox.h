// libonnx's checker, version converter and shape inference are not hardened against hostile
// input: a fuzzer crashes the converter within a second and shape inference on a Conv with
// zero strides. So they run in a helper process, `fogline-onnx-tools` (onnx_tools/main.cpp),
// found beside the running program or at $FOGLINE_ONNX_TOOLS; a crash or hang there becomes a
// Status here, and the engine's process never dies of a malformed model.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace onnx {
class ModelProto;
}

namespace fogline::engine {

struct OnnxToolsOptions {
  bool check = true;
  int convert_to_opset = 0;  // 0: no conversion
  bool infer_shapes = true;
  int timeout_seconds = 600;  // the helper is killed after this long (a tool that loops forever)
};

struct OnnxToolsOutcome {
  bool converted = false;
  std::vector<std::string> warnings;
};

// Runs the requested tools on `model` (replaced by the converted, shape-inferred model).
// Fails when the checker rejects the model or a tool crashes on it, naming which.
Result<OnnxToolsOutcome> run_onnx_tools(onnx::ModelProto& model, const OnnxToolsOptions& options);

}  // namespace fogline::engine
