// Sequence and optional values (ONNX sequence(tensor) and optional(tensor | sequence)).
//
// Inside the executor a sequence or optional travels as a Tensor handle, a "box": its dtype
// is one of the two markers below (outside ONNX's element-type numbering), its data points at
// an immutable heap-held TensorSequence / OptionalValue, and its owner keeps that alive. So
// tensors stay the fast path (no variant in the per-run slots, no arena planning for boxes:
// they are always set_output, never allocated), and If/Loop/Scan, outer-scope reads and
// value release carry sequences and optionals without knowing about them. Boxes are never
// mutated: SequenceInsert and friends build a new vector of shared element tensors.
//
// Session callers see RunValue (a tensor, a sequence or an optional) instead of boxes.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "core/status.h"
#include "engine/tensor.h"

namespace fogline::engine {

// ValueType::dtype and box dtypes for values that are not tensors.
inline constexpr DataType kSequenceDType = static_cast<DataType>(-1001);
inline constexpr DataType kOptionalDType = static_cast<DataType>(-1002);

inline bool is_boxed_dtype(DataType t) { return t == kSequenceDType || t == kOptionalDType; }

struct TensorSequence {
  DataType elem_type = DataType::kUndefined;  // known even when empty, when the model says it
  std::vector<Tensor> tensors;                // each owns (or shares) its bytes
};

struct OptionalValue {
  bool present = false;
  bool holds_sequence = false;  // the element's kind (meaningful when absent too)
  DataType elem_type = DataType::kUndefined;
  Tensor tensor;             // when present and !holds_sequence
  TensorSequence sequence;   // when present and holds_sequence
};

using RunValue = std::variant<Tensor, TensorSequence, OptionalValue>;

// "float32", or "sequence" / "optional" for the markers.
inline std::string value_type_name(DataType t) {
  if (t == kSequenceDType) return "sequence";
  if (t == kOptionalDType) return "optional";
  return dtype_name(t);
}

template <typename T>
Tensor box_value(T v, DataType marker) {
  auto p = std::make_shared<T>(std::move(v));
  void* raw = p.get();
  return Tensor::view(marker, {}, raw, std::shared_ptr<void>(p, raw));
}
inline Tensor box_sequence(TensorSequence s) { return box_value(std::move(s), kSequenceDType); }
inline Tensor box_optional(OptionalValue o) { return box_value(std::move(o), kOptionalDType); }

// The boxed value, or null when `t` is not a box of that kind.
inline const TensorSequence* as_sequence(const Tensor& t) {
  return t.dtype() == kSequenceDType ? static_cast<const TensorSequence*>(t.raw()) : nullptr;
}
inline const OptionalValue* as_optional(const Tensor& t) {
  return t.dtype() == kOptionalDType ? static_cast<const OptionalValue*>(t.raw()) : nullptr;
}

// Between the caller's RunValue and the executor's boxed Tensor.
inline Tensor to_slot(const RunValue& v) {
  if (const auto* t = std::get_if<Tensor>(&v)) return *t;
  if (const auto* s = std::get_if<TensorSequence>(&v)) return box_sequence(*s);
  return box_optional(std::get<OptionalValue>(v));
}
inline RunValue from_slot(const Tensor& t) {
  if (const auto* s = as_sequence(t)) return *s;
  if (const auto* o = as_optional(t)) return *o;
  return t;
}

// The DataType marker (or element type) describing a RunValue, for checks and messages.
inline DataType run_value_kind(const RunValue& v) {
  if (const auto* t = std::get_if<Tensor>(&v)) return t->dtype();
  return std::holds_alternative<TensorSequence>(v) ? kSequenceDType : kOptionalDType;
}

}  // namespace fogline::engine
