// Shapes of the integer matrix products (see int_matmul.h): numpy matmul rules.
#include "engine/ops/quant/int_matmul.h"

namespace fogline::engine::ops::quant {

Result<MatMulGeometry> matmul_geometry(const Shape& a_in, const Shape& b_in, const char* op) {
  const std::string name(op);
  if (a_in.empty() || b_in.empty()) {
    return invalid_argument(name + " inputs must have rank >= 1, got " + shape_to_string(a_in) + " and " +
                            shape_to_string(b_in));
  }
  // A 1-D A is a row vector and a 1-D B a column vector; their unit dimension is dropped again.
  Shape a = a_in.size() == 1 ? Shape{1, a_in[0]} : a_in;
  Shape b = b_in.size() == 1 ? Shape{b_in[0], 1} : b_in;
  MatMulGeometry g;
  g.m = a[a.size() - 2];
  g.k = a[a.size() - 1];
  g.n = b[b.size() - 1];
  if (b[b.size() - 2] != g.k) {
    return invalid_argument(name + " inner dimensions differ: " + shape_to_string(a_in) + " x " + shape_to_string(b_in));
  }
  Shape a_batch(a.begin(), a.end() - 2), b_batch(b.begin(), b.end() - 2);
  FOGLINE_ASSIGN_OR_RETURN(Shape batch, broadcast_shapes(a_batch, b_batch));
  FOGLINE_ASSIGN_OR_RETURN(g.batches, checked_numel(batch));
  g.out_shape = batch;
  if (a_in.size() > 1) g.out_shape.push_back(g.m);
  if (b_in.size() > 1) g.out_shape.push_back(g.n);

  const std::vector<int64_t> sa = broadcast_strides(a_batch, batch);
  const std::vector<int64_t> sb = broadcast_strides(b_batch, batch);
  g.a_offsets.resize(static_cast<size_t>(g.batches));
  g.b_index.resize(static_cast<size_t>(g.batches));
  std::vector<int64_t> idx(batch.size(), 0);
  int64_t oa = 0, ob = 0;
  for (int64_t i = 0; i < g.batches; ++i) {
    g.a_offsets[static_cast<size_t>(i)] = oa * g.m * g.k;
    g.b_index[static_cast<size_t>(i)] = ob;
    for (size_t d = batch.size(); d-- > 0;) {
      ++idx[d];
      oa += sa[d];
      ob += sb[d];
      if (idx[d] < batch[d]) break;
      oa -= sa[d] * idx[d];
      ob -= sb[d] * idx[d];
      idx[d] = 0;
    }
  }
  return g;
}

std::vector<int16_t> prepack_matmul_b(const KernelBuildInfo& info, int b_index, int zp_index) {
  const Tensor* b = info.input_constant(b_index);
  if (!b || !is_q8(b->dtype()) || b->rank() < 1) return {};
  const Tensor* zp_t = info.has_input(zp_index) ? info.input_constant(zp_index) : nullptr;
  if (info.has_input(zp_index) && !zp_t) return {};
  const int64_t n = b->rank() == 1 ? 1 : b->dim(b->rank() - 1);
  auto zp = read_zero_points(zp_t, b->dtype(), "b_zero_point");
  if (!zp.is_ok()) return {};
  auto zp_n = expand_param(std::move(zp).value(), n, "b_zero_point");
  if (!zp_n.is_ok()) return {};
  return b->dtype() == DataType::kUInt8 ? pack_matmul_b<uint8_t>(*b, *zp_n, n) : pack_matmul_b<int8_t>(*b, *zp_n, n);
}

}  // namespace fogline::engine::ops::quant
