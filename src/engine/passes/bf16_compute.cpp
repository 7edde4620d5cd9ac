// bf16-compute: when the model asks for it (metadata fogline.compute_precision = bf16, or
// SessionOptions::precision) and the CPU runs bfloat16 natively (AVX512_BF16, AMX), the
// convolutions, and the MatMuls/Gemms with constant weights, compute in bf16 (weights and
// source rounded to bf16, fp32 accumulation; MatMul outputs stay fp32) and the
// activations inside the oneDNN layout regions are stored as bf16: half the bytes to move and,
// on AMX, tile instructions ~10x faster than fp32 on the same convolution. This is what
// OpenVINO's inference-precision hint does; the model file stays an fp32 ONNX model.
//
// Only values the onednn-layout pass tagged change type (their tag gets the suffix ":bf16"):
// those are written and read by oneDNN kernels alone, which take their element type from the
// tag and convert at every boundary (plain fp32 in and out of the region). Graph inputs and
// outputs stay fp32. Convolutions named in fogline.fp32_nodes compute in fp32 and write fp32;
// the per-channel Mul kernel (channel_scale.cpp) computes in fp32 code, so its values stay fp32.
#include <set>
#include <sstream>

#include "engine/ops/dnnl/dnnl_util.h"
#include "engine/passes/pass.h"
#include "engine/passes/pass_util.h"

namespace fogline::engine {
namespace {

std::set<std::string> split_names(const std::string& list) {
  std::set<std::string> names;
  std::stringstream in(list);
  std::string name;
  while (std::getline(in, name, ',')) {
    if (!name.empty()) names.insert(name);
  }
  return names;
}

class Bf16Compute : public GraphPass {
 public:
  const char* name() const override { return "bf16-compute"; }

  Result<int> apply(Graph& graph, const PassContext& ctx) const override {
    auto it = graph.metadata.find(kComputePrecisionKey);
    if (ctx.reference_only || it == graph.metadata.end() || it->second != "bf16") return 0;
    // Emulated bf16 is slower than fp32 and no more exact: nothing to gain.
    if (!ops::dnnl_ops::cpu_has_native_bf16()) return 0;
    auto kept = graph.metadata.find(kFp32NodesKey);
    const std::set<std::string> fp32_nodes = kept == graph.metadata.end() ? std::set<std::string>{}
                                                                          : split_names(kept->second);
    int changes = 0;
    std::vector<char> stays_fp32(graph.values.size(), 0);
    for (Node& n : graph.nodes) {
      if (n.dead) continue;
      const bool conv = n.op_type == "Conv" && passes::in_default_domain(n);
      const bool gemm = (n.op_type == "MatMul" || n.op_type == "Gemm") && passes::in_default_domain(n);
      if ((conv || gemm) && !fp32_nodes.count(n.name)) {
        const Tensor* w = passes::value_constant(graph, passes::input_of(n, 1));
        if (w && w->dtype() == DataType::kFloat) {
          n.compute_bf16 = true;
          ++changes;
          continue;
        }
      }
      // An fp32 convolution writes fp32; the per-channel Mul reads and writes fp32.
      if (conv || (n.op_type == "Mul" && passes::in_default_domain(n))) {
        for (int v : n.outputs) if (v >= 0) stays_fp32[static_cast<size_t>(v)] = 1;
        for (int v : n.inputs) if (v >= 0 && n.op_type == "Mul") stays_fp32[static_cast<size_t>(v)] = 1;
      }
    }
    if (changes == 0) return 0;
    for (size_t v = 0; v < graph.values.size(); ++v) {
      Value& value = graph.values[v];
      if (value.layout.empty() || stays_fp32[v] || passes::value_dtype(graph, static_cast<int>(v)) != DataType::kFloat) continue;
      value.layout += ops::dnnl_ops::kBf16Suffix;
      ++changes;
    }
    return changes;
  }
};

}  // namespace

FOGLINE_REGISTER_PASS(1150, Bf16Compute);

}  // namespace fogline::engine
