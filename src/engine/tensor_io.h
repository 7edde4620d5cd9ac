// Tensors to and from the file formats people hand us: ONNX TensorProto (`.pb`, initializers,
// conformance data) and NumPy `.npy` (what ../shared/peers/ort/run --save-outputs writes).
#pragma once

#include <string>

#include "core/status.h"
#include "engine/tensor.h"
#include "engine/value.h"

namespace onnx {
class TensorProto;
class SequenceProto;
class OptionalProto;
}

namespace fogline::engine {

// Converts an initializer or a `.pb` tensor. External data is resolved against `base_dir`
// (paths that leave it are refused).
Result<Tensor> tensor_from_proto(const onnx::TensorProto& proto, const std::string& base_dir);
void tensor_to_proto(const Tensor& t, const std::string& name, onnx::TensorProto* proto);

Result<Tensor> read_tensor_pb(const std::string& path);

// Sequences of tensors and optionals of a tensor or such a sequence (ONNX test data).
Result<TensorSequence> sequence_from_proto(const onnx::SequenceProto& proto, const std::string& base_dir);
Result<OptionalValue> optional_from_proto(const onnx::OptionalProto& proto, const std::string& base_dir);
// A `.pb` holding what `kind` says: a TensorProto for an element type (or kUndefined),
// a SequenceProto for kSequenceDType, an OptionalProto for kOptionalDType.
Result<RunValue> read_value_pb(const std::string& path, DataType kind);
Status write_tensor_pb(const Tensor& t, const std::string& name, const std::string& path);

Result<Tensor> parse_npy(const std::string& bytes, const std::string& what);
Result<Tensor> read_npy(const std::string& path);
std::string encode_npy(const Tensor& t);
Status write_npy(const Tensor& t, const std::string& path);

}  // namespace fogline::engine
