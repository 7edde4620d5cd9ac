#include "engine/ops/control/subgraph_util.h"

#include <cstring>
#include <string>

namespace fogline::engine::ops::control {
namespace {

// Row-major view of a shape around `axis`: outer blocks, the axis length, inner elements.
struct AxisSplit {
  int64_t outer = 1, len = 1, inner = 1;
};

AxisSplit split_at(const Shape& s, int axis) {
  AxisSplit a;
  for (int i = 0; i < axis; ++i) a.outer *= s[static_cast<size_t>(i)];
  a.len = s[static_cast<size_t>(axis)];
  for (size_t i = static_cast<size_t>(axis) + 1; i < s.size(); ++i) a.inner *= s[i];
  return a;
}

// Copies `count` elements between possibly-string buffers.
void copy_elems(DataType dt, void* dst, int64_t dst_off, const void* src, int64_t src_off,
                int64_t count) {
  if (count <= 0) return;
  if (dt == DataType::kString) {
    auto* d = static_cast<std::string*>(dst) + dst_off;
    const auto* s = static_cast<const std::string*>(src) + src_off;
    for (int64_t i = 0; i < count; ++i) d[i] = s[i];
    return;
  }
  size_t es = dtype_size(dt);
  std::memcpy(static_cast<char*>(dst) + static_cast<size_t>(dst_off) * es,
              static_cast<const char*>(src) + static_cast<size_t>(src_off) * es,
              static_cast<size_t>(count) * es);
}

}  // namespace

Result<Tensor> take_slice(const Tensor& t, int axis, int64_t index) {
  if (axis < 0 || axis >= t.rank()) {
    return invalid_argument("axis " + std::to_string(axis) + " out of range for a tensor of shape " +
                            shape_to_string(t.shape()));
  }
  AxisSplit a = split_at(t.shape(), axis);
  if (index < 0 || index >= a.len) {
    return invalid_argument("slice " + std::to_string(index) + " out of range for axis " +
                            std::to_string(axis) + " of shape " + shape_to_string(t.shape()));
  }
  Shape out = t.shape();
  out.erase(out.begin() + axis);
  FOGLINE_ASSIGN_OR_RETURN(Tensor r, Tensor::allocate(t.dtype(), out));
  for (int64_t o = 0; o < a.outer; ++o) {
    copy_elems(t.dtype(), r.raw(), o * a.inner, t.raw(), (o * a.len + index) * a.inner, a.inner);
  }
  return r;
}

Status put_slice(Tensor& dst, int axis, int64_t index, const Tensor& src, const std::string& what) {
  Shape want = dst.shape();
  want.erase(want.begin() + axis);
  if (src.shape() != want || src.dtype() != dst.dtype()) {
    return invalid_argument(what + ": expected " + dtype_name(dst.dtype()) + shape_to_string(want) +
                            " in every iteration, got " + dtype_name(src.dtype()) +
                            shape_to_string(src.shape()));
  }
  AxisSplit a = split_at(dst.shape(), axis);
  for (int64_t o = 0; o < a.outer; ++o) {
    copy_elems(dst.dtype(), dst.raw(), (o * a.len + index) * a.inner, src.raw(), o * a.inner, a.inner);
  }
  return Status::ok();
}

Result<Tensor> keepable(const Tensor& t) {
  if (t.owner() == nullptr) return t.clone();
  return t;
}

Shape declared_shape(const Graph& body, int output, DataType* dtype) {
  const Value& v = body.values[static_cast<size_t>(body.outputs[static_cast<size_t>(output)])];
  *dtype = v.constant ? v.constant->dtype() : v.type.dtype;
  if (*dtype == DataType::kUndefined) *dtype = DataType::kFloat;
  if (v.constant) return v.constant->shape();
  if (auto s = v.type.static_shape()) return *s;
  return {};
}

Result<bool> read_condition(const Tensor& t, const std::string& what) {
  if (t.numel() != 1) {
    return invalid_argument(what + " must have one element, got shape " + shape_to_string(t.shape()));
  }
  if (t.dtype() == DataType::kBool) return t.data<bool>()[0];
  if (t.dtype() == DataType::kString || t.dtype() == DataType::kUndefined) {
    return invalid_argument(what + " must be bool, got " + dtype_name(t.dtype()));
  }
  return t.value_as_double(0) != 0.0;
}

}  // namespace fogline::engine::ops::control
