#include "optimize/bf16_variant.h"

#include "engine/graph.h"

namespace fogline::optimize {

void set_metadata(onnx::ModelProto* model, const std::string& key, const std::string& value) {
  for (auto& kv : *model->mutable_metadata_props()) {
    if (kv.key() == key) {
      kv.set_value(value);
      return;
    }
  }
  auto* kv = model->add_metadata_props();
  kv->set_key(key);
  kv->set_value(value);
}

onnx::ModelProto bf16_variant(const onnx::ModelProto& fp32, const std::set<std::string>& keep_fp32) {
  onnx::ModelProto m = fp32;
  set_metadata(&m, engine::kComputePrecisionKey, "bf16");
  std::string names;
  for (const auto& n : keep_fp32) names += (names.empty() ? "" : ",") + n;
  if (!names.empty()) set_metadata(&m, engine::kFp32NodesKey, names);
  return m;
}

}  // namespace fogline::optimize
