#include "engine/ops/dnnl/resize_plan.h"

#include <cmath>

namespace fogline::engine::ops::dnnl_ops {

Result<ResizePlan> plan_dnnl_resize(const Attributes& attrs, int opset, const Shape& in, const Tensor* scales,
                                    const Tensor* sizes) {
  if (opset < 11 || opset > 17) return unsupported("oneDNN Resize handles opsets 11-17");
  if (in.size() < 3 || in.size() > 5) return unsupported("oneDNN Resize handles 1-3 spatial dims");
  const std::string mode = attrs.get_string("mode", "nearest");
  const std::string coord = attrs.get_string("coordinate_transformation_mode", "half_pixel");
  const std::string nearest = attrs.get_string("nearest_mode", "round_prefer_floor");
  ResizePlan plan;
  std::vector<double> factor(in.size(), 1.0);
  if (scales && scales->numel() > 0) {
    if (scales->dtype() != DataType::kFloat || scales->numel() != static_cast<int64_t>(in.size()))
      return unsupported("Resize scales");
    for (size_t d = 0; d < in.size(); ++d) {
      factor[d] = scales->data<float>()[d];
      const double exact = static_cast<double>(in[d]) * factor[d];
      // Both sides must use one ratio: out = in * scale with nothing floored away.
      if (std::floor(exact) != exact) return unsupported("Resize scales that do not give whole sizes");
      plan.out.push_back(static_cast<int64_t>(exact));
    }
  } else if (sizes && sizes->numel() == static_cast<int64_t>(in.size())) {
    for (size_t d = 0; d < in.size(); ++d) {
      plan.out.push_back(sizes->value_as_int(static_cast<int64_t>(d)));
      factor[d] = in[d] > 0 ? static_cast<double>(plan.out[d]) / static_cast<double>(in[d]) : 0.0;
    }
  } else {
    return unsupported("Resize without constant scales or sizes");
  }
  if (plan.out[0] != in[0] || plan.out[1] != in[1]) return unsupported("Resize of batch or channels");
  for (size_t d = 2; d < in.size(); ++d)
    if (in[d] <= 0 || plan.out[d] <= 0) return unsupported("empty tensors");
  if (mode == "nearest") {
    for (size_t d = 2; d < in.size(); ++d)
      if (plan.out[d] % in[d] != 0 || factor[d] != static_cast<double>(plan.out[d] / in[d]))
        return unsupported("nearest Resize by a non-integer factor");
    const bool centred = coord == "half_pixel" || coord == "pytorch_half_pixel";
    if (!centred && !(coord == "asymmetric" && nearest == "floor"))
      return unsupported("nearest Resize with " + coord + " / " + nearest);
    plan.alg = dnnl::algorithm::resampling_nearest;
  } else if (mode == "linear") {
    bool ok = coord == "half_pixel";
    if (coord == "pytorch_half_pixel") {
      ok = true;
      for (size_t d = 2; d < in.size(); ++d) ok = ok && plan.out[d] > 1;
    }
    if (!ok) return unsupported("linear Resize with " + coord);
    plan.alg = dnnl::algorithm::resampling_linear;
  } else {
    return unsupported("Resize mode " + mode);
  }
  return plan;
}

}  // namespace fogline::engine::ops::dnnl_ops
