#include "optimize/quant_math.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace fogline::optimize {

using engine::DataType;
using engine::Tensor;

int32_t quant_min(DataType type) { return type == DataType::kInt8 ? -128 : 0; }
int32_t quant_max(DataType type) { return type == DataType::kInt8 ? 127 : 255; }

QuantParams affine_params(float rmin, float rmax, DataType type) {
  rmin = std::min(rmin, 0.0f);
  rmax = std::max(rmax, 0.0f);
  const int32_t qmin = quant_min(type), qmax = quant_max(type);
  QuantParams p;
  if (!(rmax > rmin)) return p;  // all zeros (or NaN): any scale represents it exactly
  p.scale = (rmax - rmin) / static_cast<float>(qmax - qmin);
  double zp = qmin - rmin / p.scale;
  p.zero_point = static_cast<int32_t>(std::clamp<double>(std::nearbyint(zp), qmin, qmax));
  return p;
}

int32_t quantize_value(float x, const QuantParams& p, DataType type) {
  double q = std::nearbyint(static_cast<double>(x) / p.scale) + p.zero_point;
  return static_cast<int32_t>(std::clamp<double>(q, quant_min(type), quant_max(type)));
}

namespace {

// outer x channels x inner view of a tensor split at `axis`.
struct AxisSplit {
  int64_t outer = 1, channels = 1, inner = 1;
};

Result<AxisSplit> split_at(const engine::Shape& shape, int axis) {
  const int rank = static_cast<int>(shape.size());
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) {
    return invalid_argument("axis " + std::to_string(axis) + " is out of range for shape " + engine::shape_to_string(shape));
  }
  AxisSplit s;
  for (int i = 0; i < axis; ++i) s.outer *= shape[i];
  s.channels = shape[axis];
  for (int i = axis + 1; i < rank; ++i) s.inner *= shape[i];
  return s;
}

}  // namespace

Result<ChannelQuantized> quantize_per_channel_symmetric(const Tensor& w, int axis) {
  if (w.dtype() != DataType::kFloat) return invalid_argument(std::string("weights must be float32, got ") + engine::dtype_name(w.dtype()));
  FOGLINE_ASSIGN_OR_RETURN(AxisSplit s, split_at(w.shape(), axis));
  ChannelQuantized out;
  out.scales.assign(static_cast<size_t>(s.channels), 0.0f);
  const float* src = w.data<float>();
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t c = 0; c < s.channels; ++c) {
      const float* row = src + (o * s.channels + c) * s.inner;
      for (int64_t i = 0; i < s.inner; ++i) out.scales[c] = std::max(out.scales[c], std::fabs(row[i]));
    }
  }
  for (float& sc : out.scales) sc = sc > 0 ? sc / 127.0f : 1.0f;
  FOGLINE_ASSIGN_OR_RETURN(out.values, Tensor::allocate(DataType::kInt8, w.shape()));
  int8_t* dst = out.values.data<int8_t>();
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t c = 0; c < s.channels; ++c) {
      const int64_t base = (o * s.channels + c) * s.inner;
      const double inv = 1.0 / out.scales[c];
      for (int64_t i = 0; i < s.inner; ++i) {
        double q = std::nearbyint(static_cast<double>(src[base + i]) * inv);
        dst[base + i] = static_cast<int8_t>(std::clamp(q, -127.0, 127.0));
      }
    }
  }
  return out;
}

Result<Tensor> dequantize_tensor(const Tensor& q, const std::vector<float>& scales,
                                 const std::vector<int32_t>& zero_points, int axis) {
  if (scales.empty()) return invalid_argument("dequantize: no scale");
  if (!zero_points.empty() && zero_points.size() != scales.size()) {
    return invalid_argument("dequantize: " + std::to_string(scales.size()) + " scales but " +
                            std::to_string(zero_points.size()) + " zero points");
  }
  AxisSplit s{q.numel(), 1, 1};
  if (scales.size() > 1) {
    FOGLINE_ASSIGN_OR_RETURN(s, split_at(q.shape(), axis));
    if (s.channels != static_cast<int64_t>(scales.size())) {
      return invalid_argument("dequantize: " + std::to_string(scales.size()) + " scales for axis " + std::to_string(axis) +
                              " of shape " + engine::shape_to_string(q.shape()));
    }
  }
  FOGLINE_ASSIGN_OR_RETURN(Tensor out, Tensor::allocate(DataType::kFloat, q.shape()));
  float* dst = out.data<float>();
  auto value = [&](int64_t i) -> int64_t {
    switch (q.dtype()) {
      case DataType::kUInt8: return q.data<uint8_t>()[i];
      case DataType::kInt8: return q.data<int8_t>()[i];
      case DataType::kInt32: return q.data<int32_t>()[i];
      default: return 0;
    }
  };
  if (q.dtype() != DataType::kUInt8 && q.dtype() != DataType::kInt8 && q.dtype() != DataType::kInt32) {
    return invalid_argument(std::string("dequantize: expected uint8, int8 or int32, got ") + engine::dtype_name(q.dtype()));
  }
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t c = 0; c < s.channels; ++c) {
      const int64_t base = (o * s.channels + c) * s.inner;
      const int64_t zp = zero_points.empty() ? 0 : zero_points[c];
      const float sc = scales[c];
      for (int64_t i = 0; i < s.inner; ++i) dst[base + i] = static_cast<float>(value(base + i) - zp) * sc;  // float math, as ONNX
    }
  }
  return out;
}

}  // namespace fogline::optimize
