// ONNX -> engine IR. Parses the protobuf, resolves external data, runs the ONNX checker,
// upgrades old default-domain opsets with the version converter, runs shape inference and
// builds a Graph. Every failure names the file, node or tensor at fault.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/status.h"
#include "engine/graph.h"

namespace fogline::engine {

struct ImportOptions {
  bool run_checker = true;
  // Models whose default-domain opset is below this are converted up to it (when the
  // converter succeeds), so kernels see one canonical form per op. 0 turns conversion off.
  // Kernels still implement every opset version, so a failed conversion loses nothing.
  int upgrade_below_opset = 11;
  bool infer_shapes = true;
};

struct ModelInfo {
  std::string path;
  int64_t ir_version = 0;
  std::string producer;  // "pytorch 1.10"
  std::map<std::string, int> opsets;  // as imported (domain -> version)
  int original_default_opset = 0;
  bool opset_converted = false;
  int64_t file_bytes = 0;
  std::vector<std::string> warnings;  // non-fatal: shape inference or conversion failed
};

struct ImportedModel {
  Graph graph;
  ModelInfo info;
};

Result<ImportedModel> import_onnx_file(const std::string& path, const ImportOptions& options = {});
Result<ImportedModel> import_onnx_bytes(const std::string& bytes, const std::string& base_dir,
                                        const ImportOptions& options = {});

}  // namespace fogline::engine
