#include "engine/ops/dnnl/quant_params.h"

#include <dnnl.hpp>

#include <algorithm>
#include <cmath>
#include <string>

namespace fogline::engine::ops::dnnl_ops {
namespace {

bool is_q8(DataType t) { return t == DataType::kUInt8 || t == DataType::kInt8; }

// A constant float scale tensor's values, each positive and finite.
Result<std::vector<float>> const_scales(const KernelBuildInfo& info, int i, const char* what) {
  const Tensor* t = info.input_constant(i);
  if (!t) return unsupported(std::string(what) + " is not a constant");
  if (t->dtype() != DataType::kFloat || t->numel() == 0) return unsupported(std::string(what) + " is not float32");
  std::vector<float> v(static_cast<size_t>(t->numel()));
  for (int64_t k = 0; k < t->numel(); ++k) {
    v[static_cast<size_t>(k)] = t->data<float>()[k];
    if (!(v[static_cast<size_t>(k)] > 0) || !std::isfinite(v[static_cast<size_t>(k)]))
      return unsupported(std::string(what) + " is not positive and finite");
  }
  return v;
}

// A constant zero point (absent: 0 of `fallback_type`); its type is the tensor's type.
Result<std::vector<int32_t>> const_zero_points(const KernelBuildInfo& info, int i, const char* what, DataType* type) {
  if (!info.has_input(i)) return std::vector<int32_t>{0};
  const Tensor* t = info.input_constant(i);
  if (!t) return unsupported(std::string(what) + " is not a constant");
  if (!is_q8(t->dtype()) || t->numel() == 0) return unsupported(std::string(what) + " is not int8/uint8");
  *type = t->dtype();
  std::vector<int32_t> v(static_cast<size_t>(t->numel()));
  for (int64_t k = 0; k < t->numel(); ++k) v[static_cast<size_t>(k)] = static_cast<int32_t>(t->value_as_int(k));
  return v;
}

}  // namespace

bool cpu_has_int8_dot() {
  // The VNNI bits of oneDNN's ISA masks (avx512_core_vnni = avx512_core | 0x40, avx2_vnni =
  // avx2 | 0x400); the effective ISA honours ONEDNN_MAX_CPU_ISA.
  static const bool has = [] {
    const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
    return (isa & 0x40u) != 0 || (isa & 0x400u) != 0;
  }();
  return has;
}

Result<QuantParams> read_quant_params(const KernelBuildInfo& info, int channel_axis) {
  QuantParams p;
  if (!cpu_has_int8_dot()) return unsupported("oneDNN int8: this CPU (or ONEDNN_MAX_CPU_ISA) has no VNNI");
  const Tensor* w = info.input_constant(3);
  if (!w) return unsupported("oneDNN int8: the weights are not a constant");
  if (w->dtype() != DataType::kInt8) return unsupported("oneDNN int8: the weights are not int8");
  if (w->rank() <= channel_axis) return unsupported("oneDNN int8: weights rank");
  p.out_channels = w->dim(channel_axis);

  p.x_type = info.input_dtype(0);
  FOGLINE_ASSIGN_OR_RETURN(std::vector<float> xs, const_scales(info, 1, "x_scale"));
  FOGLINE_ASSIGN_OR_RETURN(std::vector<int32_t> xz, const_zero_points(info, 2, "x_zero_point", &p.x_type));
  if (!is_q8(p.x_type) || (info.input_dtype(0) != DataType::kUndefined && info.input_dtype(0) != p.x_type))
    return unsupported("oneDNN int8: x is not int8/uint8 like its zero point");
  FOGLINE_ASSIGN_OR_RETURN(std::vector<float> ws, const_scales(info, 4, "w_scale"));
  DataType w_zp_type = DataType::kInt8;
  FOGLINE_ASSIGN_OR_RETURN(std::vector<int32_t> wz, const_zero_points(info, 5, "w_zero_point", &w_zp_type));
  if (w_zp_type != DataType::kInt8) return unsupported("oneDNN int8: w_zero_point is not int8");
  for (int32_t z : wz)
    if (z != 0) return unsupported("oneDNN int8: a weight zero point is not 0");
  FOGLINE_ASSIGN_OR_RETURN(std::vector<float> ys, const_scales(info, 6, "y_scale"));
  p.y_type = p.x_type;
  FOGLINE_ASSIGN_OR_RETURN(std::vector<int32_t> yz, const_zero_points(info, 7, "y_zero_point", &p.y_type));
  if (xs.size() != 1 || xz.size() != 1 || ys.size() != 1 || yz.size() != 1)
    return unsupported("oneDNN int8: x/y scales and zero points must be scalars");
  if (ws.size() != 1 && static_cast<int64_t>(ws.size()) != p.out_channels)
    return unsupported("oneDNN int8: w_scale is neither per-tensor nor per-channel");
  p.x_zp = xz[0];
  p.y_zp = yz[0];
  p.y_scale = ys[0];
  // The reference kernels' multipliers, bit for bit: QLinearConv computes x * w[m] / y;
  // QLinearMatMul x * w / y when w is one value (or all equal), else x * (w[n] / y).
  const bool all_equal = std::all_of(ws.begin(), ws.end(), [&](float v) { return v == ws[0]; });
  if (channel_axis == 0 || all_equal) {
    for (float s : ws) p.out_scales.push_back(xs[0] * s / ys[0]);
    if (channel_axis != 0) p.out_scales.resize(1);
  } else {
    for (float s : ws) p.out_scales.push_back(xs[0] * (s / ys[0]));
  }
  return p;
}

}  // namespace fogline::engine::ops::dnnl_ops
