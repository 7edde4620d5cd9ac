// What `fogline inspect` reports about a model: op histogram, parameters, FLOPs estimate.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/graph.h"

namespace fogline::engine {

struct ModelStats {
  std::map<std::string, int> op_histogram;  // "Conv" -> 52 ("com.microsoft:QLinearAdd" for others)
  int64_t parameters = 0;                   // elements in initializers
  int64_t parameter_bytes = 0;
  int64_t flops = 0;                        // multiply-adds x2 of Conv/Gemm/MatMul/RNNs with known shapes
  bool flops_complete = true;               // false when some shapes were unknown
  std::vector<std::string> unsupported;     // one line per op the engine cannot run
};

ModelStats compute_model_stats(const Graph& graph);

}  // namespace fogline::engine
