// The bf16 variant of a model: the same fp32 ONNX file with the engine's metadata hint
// fogline.compute_precision = bf16 (and fogline.fp32_nodes naming the layers kept in fp32).
// The engine's bf16-compute pass then runs the convolutions in bfloat16 where the CPU has it
// (AVX512_BF16, AMX); other runtimes ignore the hint and run the file in fp32, so the weights
// stay exact and the file stays standard ONNX.
#pragma once

#include <onnx/onnx_pb.h>

#include <set>
#include <string>

namespace fogline::optimize {

onnx::ModelProto bf16_variant(const onnx::ModelProto& fp32, const std::set<std::string>& keep_fp32);

// Sets (or replaces) a metadata_props entry.
void set_metadata(onnx::ModelProto* model, const std::string& key, const std::string& value);

}  // namespace fogline::optimize
