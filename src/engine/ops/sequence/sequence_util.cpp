#include "engine/ops/sequence/sequence_util.h"

#include <cstring>

namespace fogline::engine::ops::sequence {

Result<const TensorSequence*> sequence_input(const KernelContext& ctx, int i, const std::string& what) {
  const Tensor* t = ctx.input(i);
  if (!t) return invalid_argument(what + " is missing");
  const TensorSequence* s = as_sequence(*t);
  if (!s) return invalid_argument(what + " must be a sequence, got " + value_type_name(t->dtype()));
  return s;
}

Result<const Tensor*> tensor_input(const KernelContext& ctx, int i, const std::string& what) {
  const Tensor* t = ctx.input(i);
  if (!t) return invalid_argument(what + " is missing");
  if (is_boxed_dtype(t->dtype())) {
    return invalid_argument(what + " must be a tensor, got a " + value_type_name(t->dtype()));
  }
  return t;
}

Result<Tensor> keep_element(const Tensor& t) {
  if (is_boxed_dtype(t.dtype())) {
    return invalid_argument("a sequence holds tensors only, got a " + value_type_name(t.dtype()));
  }
  if (t.owner() == nullptr) return t.clone();
  return t;
}

Result<int64_t> read_position(const Tensor& t, int64_t n, bool allow_end, const std::string& what) {
  if (t.numel() != 1 || (t.dtype() != DataType::kInt64 && t.dtype() != DataType::kInt32)) {
    return invalid_argument(what + " must be one int32/int64, got " + value_type_name(t.dtype()) +
                            shape_to_string(t.shape()));
  }
  const int64_t p = t.value_as_int(0);
  const int64_t hi = allow_end ? n : n - 1;
  if (p < -n || p > hi) {
    return invalid_argument(what + " " + std::to_string(p) + " is out of range [" + std::to_string(-n) +
                            ", " + std::to_string(hi) + "] for a sequence of length " + std::to_string(n));
  }
  return p < 0 ? p + n : p;
}

void copy_elements(DataType dt, void* dst, int64_t dst_off, const void* src, int64_t src_off, int64_t count) {
  if (count <= 0) return;
  if (dt == DataType::kString) {
    auto* d = static_cast<std::string*>(dst) + dst_off;
    const auto* s = static_cast<const std::string*>(src) + src_off;
    for (int64_t i = 0; i < count; ++i) d[i] = s[i];
    return;
  }
  const size_t es = dtype_size(dt);
  std::memcpy(static_cast<char*>(dst) + static_cast<size_t>(dst_off) * es,
              static_cast<const char*>(src) + static_cast<size_t>(src_off) * es, static_cast<size_t>(count) * es);
}

}  // namespace fogline::engine::ops::sequence
