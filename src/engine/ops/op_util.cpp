#include "engine/ops/op_util.h"

namespace fogline::engine::ops {

Result<int> normalize_axis(int64_t axis, int rank, const KernelContext& ctx) {
  int64_t a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= std::max(rank, 1)) {
    return invalid_argument("axis " + std::to_string(axis) + " is out of range for rank " +
                            std::to_string(rank));
  }
  return static_cast<int>(a);
}

Result<Shape> broadcast_shapes(const Shape& a, const Shape& b) {
  size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i < rank - a.size() ? 1 : a[i - (rank - a.size())];
    int64_t db = i < rank - b.size() ? 1 : b[i - (rank - b.size())];
    if (da != db && da != 1 && db != 1) {
      return invalid_argument("shapes " + shape_to_string(a) + " and " + shape_to_string(b) +
                              " cannot be broadcast together");
    }
    out[i] = da == 1 ? db : da;
  }
  return out;
}

std::vector<int64_t> broadcast_strides(const Shape& in, const Shape& out) {
  std::vector<int64_t> strides(out.size(), 0);
  int64_t stride = 1;
  for (size_t k = 0; k < in.size(); ++k) {
    size_t i = in.size() - 1 - k;
    size_t o = out.size() - 1 - k;
    strides[o] = in[i] == 1 ? 0 : stride;
    stride *= in[i];
  }
  return strides;
}

Result<std::vector<int64_t>> read_int64s(const Tensor& t, const std::string& what) {
  std::vector<int64_t> v;
  if (t.dtype() != DataType::kInt64 && t.dtype() != DataType::kInt32) {
    return invalid_argument(what + " must be int64 or int32, got " + dtype_name(t.dtype()));
  }
  v.reserve(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v.push_back(t.value_as_int(i));
  return v;
}

Result<std::vector<float>> read_floats(const Tensor& t, const std::string& what) {
  if (!dtype_is_float(t.dtype())) {
    return invalid_argument(what + " must be a float tensor, got " + dtype_name(t.dtype()));
  }
  std::vector<float> v;
  for (int64_t i = 0; i < t.numel(); ++i) v.push_back(static_cast<float>(t.value_as_double(i)));
  return v;
}

}  // namespace fogline::engine::ops
