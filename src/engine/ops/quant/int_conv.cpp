// Convolution attributes and output geometry for the integer convolutions (see int_conv.h).
#include "engine/ops/quant/int_conv.h"

namespace fogline::engine::ops::quant {

ConvAttrs read_conv_attrs(const Attributes& attrs) {
  ConvAttrs a;
  a.auto_pad = attrs.get_string("auto_pad", "NOTSET");
  a.kernel_shape = attrs.get_ints("kernel_shape");
  a.strides = attrs.get_ints("strides");
  a.dilations = attrs.get_ints("dilations");
  a.pads = attrs.get_ints("pads");
  a.group = attrs.get_int("group", 1);
  return a;
}

Shape ConvGeometry::output_shape() const {
  Shape s{batch, out_channels};
  s.insert(s.end(), out_spatial.begin(), out_spatial.end());
  return s;
}

Result<ConvGeometry> conv_geometry(const ConvAttrs& a, const Shape& x, const Shape& w, const char* op) {
  const std::string name(op);
  if (x.size() < 3) {
    return invalid_argument(name + " input x must have rank >= 3 (N, C, spatial...), got " + shape_to_string(x));
  }
  if (w.size() != x.size()) {
    return invalid_argument(name + " weight must have the input's rank " + std::to_string(x.size()) +
                            ", got " + shape_to_string(w));
  }
  const size_t rank = x.size() - 2;
  ConvGeometry g;
  g.batch = x[0];
  g.in_channels = x[1];
  g.out_channels = w[0];
  g.group = a.group;
  if (g.group < 1) return invalid_argument(name + " group must be >= 1, got " + std::to_string(g.group));
  if (g.in_channels != w[1] * g.group) {
    return invalid_argument(name + " input has " + std::to_string(g.in_channels) + " channels but weight " +
                            shape_to_string(w) + " with group " + std::to_string(g.group) + " expects " +
                            std::to_string(w[1] * g.group));
  }
  if (g.out_channels % g.group != 0) {
    return invalid_argument(name + " output channels " + std::to_string(g.out_channels) +
                            " are not divisible by group " + std::to_string(g.group));
  }
  g.kernel.assign(w.begin() + 2, w.end());
  if (!a.kernel_shape.empty() && a.kernel_shape != g.kernel) {
    return invalid_argument(name + " kernel_shape " + shape_to_string(a.kernel_shape) +
                            " does not match the weight's " + shape_to_string(g.kernel));
  }
  auto per_axis = [&](const std::vector<int64_t>& v, const char* what) -> Result<std::vector<int64_t>> {
    if (v.empty()) return std::vector<int64_t>(rank, 1);
    if (v.size() != rank) {
      return invalid_argument(name + " " + what + " needs " + std::to_string(rank) + " values, got " +
                              std::to_string(v.size()));
    }
    for (int64_t s : v) {
      if (s < 1) return invalid_argument(name + " " + what + " must be >= 1, got " + std::to_string(s));
    }
    return v;
  };
  FOGLINE_ASSIGN_OR_RETURN(g.strides, per_axis(a.strides, "strides"));
  FOGLINE_ASSIGN_OR_RETURN(g.dilations, per_axis(a.dilations, "dilations"));
  std::vector<int64_t> pads = a.pads.empty() ? std::vector<int64_t>(2 * rank, 0) : a.pads;
  if (pads.size() != 2 * rank) {
    return invalid_argument(name + " pads needs " + std::to_string(2 * rank) + " values, got " +
                            std::to_string(pads.size()));
  }
  for (int64_t p : pads) {
    if (p < 0) return invalid_argument(name + " pads must be >= 0, got " + std::to_string(p));
  }
  g.in_spatial.assign(x.begin() + 2, x.end());
  g.out_spatial.resize(rank);
  g.pads_begin.resize(rank);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t in = g.in_spatial[d];
    const int64_t k = g.kernel[d], s = g.strides[d];
    if (k < 1) return invalid_argument(name + " weight has an empty kernel " + shape_to_string(w));
    // Keep the int64 arithmetic below from overflowing on hostile attributes.
    const double extent_d = static_cast<double>(k - 1) * static_cast<double>(g.dilations[d]) + 1;
    const double padded_d = static_cast<double>(in) + static_cast<double>(pads[d]) + static_cast<double>(pads[d + rank]);
    if (extent_d > 1e15 || padded_d > 1e15 || s > (int64_t{1} << 40)) {
      return invalid_argument(name + " kernel, dilations, pads or strides are absurdly large along spatial axis " +
                              std::to_string(d));
    }
    const int64_t extent = (k - 1) * g.dilations[d] + 1;
    int64_t out = 0;
    if (a.auto_pad == "SAME_UPPER" || a.auto_pad == "SAME_LOWER") {
      out = (in + s - 1) / s;
      const int64_t total = std::max<int64_t>(0, (out - 1) * s + extent - in);
      g.pads_begin[d] = a.auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
    } else if (a.auto_pad == "VALID") {
      out = in >= extent ? (in - extent) / s + 1 : 0;
      g.pads_begin[d] = 0;
    } else if (a.auto_pad == "NOTSET" || a.auto_pad.empty()) {
      const int64_t padded = in + pads[d] + pads[d + rank];
      out = padded >= extent ? (padded - extent) / s + 1 : 0;
      g.pads_begin[d] = pads[d];
    } else {
      return invalid_argument(name + " auto_pad '" + a.auto_pad + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
    }
    if (out < 1) {
      return invalid_argument(name + " kernel extent " + std::to_string(extent) + " is larger than the padded input " +
                              "along spatial axis " + std::to_string(d) + " (input " + shape_to_string(x) + ")");
    }
    g.out_spatial[d] = out;
  }
  for (int64_t v : g.in_spatial) g.in_size *= v;
  for (int64_t v : g.out_spatial) g.out_size *= v;
  for (int64_t v : g.kernel) g.kernel_size *= v;
  return g;
}

namespace {
// Bytes of the depthwise path's padded channel copy (in double: it may not fit in int64).
double depthwise_plane_bytes(const ConvGeometry& g) {
  double plane = 2;  // int16
  for (size_t d = 0; d < 2; ++d) {
    plane *= static_cast<double>(g.out_spatial[d] - 1) * static_cast<double>(g.strides[d]) +
             static_cast<double>(g.kernel[d] - 1) * static_cast<double>(g.dilations[d]) + 1;
  }
  return plane;
}
}  // namespace

std::vector<int16_t> prepack_conv_weights(const KernelBuildInfo& info, int w_index, int zp_index) {
  const Tensor* w = info.input_constant(w_index);
  if (!w || !is_q8(w->dtype()) || w->rank() < 1 || w->dim(0) == 0) return {};
  const Tensor* zp_t = info.has_input(zp_index) ? info.input_constant(zp_index) : nullptr;
  if (info.has_input(zp_index) && !zp_t) return {};
  auto zp = read_zero_points(zp_t, w->dtype(), "w_zero_point");
  if (!zp.is_ok()) return {};
  auto zp_m = expand_param(std::move(zp).value(), w->dim(0), "w_zero_point");
  if (!zp_m.is_ok()) return {};
  return w->dtype() == DataType::kUInt8 ? pack_conv_weights<uint8_t>(*w, *zp_m) : pack_conv_weights<int8_t>(*w, *zp_m);
}

bool use_depthwise_path(const ConvGeometry& g) {
  // Huge pads or strides make the padded copy pointless; im2col only touches what is read.
  return g.in_per_group() == 1 && g.in_spatial.size() == 2 && depthwise_plane_bytes(g) <= 64.0 * 1024 * 1024;
}

Status check_conv_workspace(const ConvGeometry& g, const char* op) {
  if (use_depthwise_path(g)) return Status::ok();
  const double bytes = 2.0 * static_cast<double>(packed_k(g.in_per_group() * g.kernel_size)) *
                       static_cast<double>((g.out_size + 7) / 8 * 8);
  if (bytes > static_cast<double>(max_allocation_bytes())) {
    return resource_exhausted(std::string(op) + " would need " + std::to_string(static_cast<long double>(bytes) / 1e6L) +
                              " MB of im2col scratch memory, over the allocation limit");
  }
  return Status::ok();
}

}  // namespace fogline::engine::ops::quant
