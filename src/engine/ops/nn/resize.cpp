// Resize (opset 10+) and Upsample (opset 7-9). Opset 10 and Upsample take scales only and use
// asymmetric coordinates; opset 11+ adds roi, sizes and the coordinate / nearest / cubic
// attributes; opset 18 adds axes and keep_aspect_ratio_policy.
#include <cmath>

#include "engine/ops/nn/resize_util.h"

namespace fogline::engine::ops::nn {
namespace {

class ResizeKernel : public Kernel {
 public:
  ResizeKernel(ResizeOptions o, bool legacy, std::vector<float> attr_scales, std::vector<int64_t> axes,
               std::string aspect, const char* op)
      : o_(std::move(o)), legacy_(legacy), attr_scales_(std::move(attr_scales)), axes_(std::move(axes)),
        aspect_(std::move(aspect)), op_(op) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    const size_t rank = static_cast<size_t>(x.rank());
    const std::string op(op_);
    // Which axes the scales / sizes / roi talk about.
    std::vector<size_t> axes;
    if (axes_.empty()) {
      for (size_t d = 0; d < rank; ++d) axes.push_back(d);
    } else {
      for (int64_t a : axes_) {
        FOGLINE_ASSIGN_OR_RETURN(int ax, normalize_axis(a, x.rank(), ctx));
        axes.push_back(static_cast<size_t>(ax));
      }
    }
    std::vector<double> scales(rank, 1.0), roi;
    Shape out = x.shape();
    std::vector<float> given_scales = attr_scales_;
    std::vector<int64_t> sizes;
    const Tensor* roi_t = legacy_ ? nullptr : ctx.input(1);
    const Tensor* scales_t = legacy_ ? ctx.input(1) : ctx.input(2);
    const Tensor* sizes_t = legacy_ ? nullptr : ctx.input(3);
    if (scales_t && scales_t->numel() > 0) {
      FOGLINE_ASSIGN_OR_RETURN(given_scales, read_floats(*scales_t, op + " scales"));
    }
    if (sizes_t && sizes_t->numel() > 0) {
      FOGLINE_ASSIGN_OR_RETURN(sizes, read_int64s(*sizes_t, op + " sizes"));
      if (!given_scales.empty() && scales_t && scales_t->numel() > 0) {
        return invalid_argument(op + " takes scales or sizes, not both");
      }
    }
    if (sizes.empty()) {
      if (given_scales.size() != axes.size()) {
        return invalid_argument(op + " needs " + std::to_string(axes.size()) + " scales (or sizes) for input " +
                                shape_to_string(x.shape()) + ", got " + std::to_string(given_scales.size()));
      }
      for (size_t k = 0; k < axes.size(); ++k) {
        const double s = given_scales[k];
        if (!(s > 0) || !std::isfinite(s)) return invalid_argument(op + " scales must be positive, got " + std::to_string(s));
        scales[axes[k]] = s;
        const double len = std::floor(static_cast<double>(x.dim(static_cast<int>(axes[k]))) * s);
        if (len > 4e18) return invalid_argument(op + " scale " + std::to_string(s) + " gives an absurd output size");
        out[axes[k]] = static_cast<int64_t>(len);
      }
    } else {
      if (sizes.size() != axes.size()) {
        return invalid_argument(op + " sizes " + shape_to_string(sizes) + " must have " + std::to_string(axes.size()) +
                                " values for input " + shape_to_string(x.shape()));
      }
      for (int64_t s : sizes) {
        if (s <= 0) return invalid_argument(op + " sizes must be positive, got " + shape_to_string(sizes));
      }
      if (aspect_ == "not_larger" || aspect_ == "not_smaller") {
        double s = aspect_ == "not_larger" ? 1e300 : 0;
        for (size_t k = 0; k < axes.size(); ++k) {
          const double r = static_cast<double>(sizes[k]) / static_cast<double>(x.dim(static_cast<int>(axes[k])));
          s = aspect_ == "not_larger" ? std::min(s, r) : std::max(s, r);
        }
        for (size_t k = 0; k < axes.size(); ++k) {
          if (x.dim(static_cast<int>(axes[k])) == 0) return invalid_argument(op + " cannot keep the aspect ratio of an empty dim");
          scales[axes[k]] = s;
          out[axes[k]] = static_cast<int64_t>(std::round(s * static_cast<double>(x.dim(static_cast<int>(axes[k])))));
        }
      } else {
        for (size_t k = 0; k < axes.size(); ++k) {
          out[axes[k]] = sizes[k];
          const int64_t in = x.dim(static_cast<int>(axes[k]));
          scales[axes[k]] = in > 0 ? static_cast<double>(sizes[k]) / static_cast<double>(in) : 1.0;
        }
      }
    }
    if (roi_t && roi_t->numel() > 0 && o_.coordinate_mode == "tf_crop_and_resize") {
      FOGLINE_ASSIGN_OR_RETURN(std::vector<float> r, read_floats(*roi_t, op + " roi"));
      if (r.size() != 2 * axes.size()) {
        return invalid_argument(op + " roi must have " + std::to_string(2 * axes.size()) + " values, got " +
                                std::to_string(r.size()));
      }
      roi.assign(2 * rank, 0.0);
      for (size_t d = 0; d < rank; ++d) roi[d + rank] = 1.0;
      for (size_t k = 0; k < axes.size(); ++k) {
        roi[axes[k]] = r[k];
        roi[axes[k] + rank] = r[k + axes.size()];
      }
    }
    for (size_t d = 0; d < rank; ++d) {
      if (x.dim(static_cast<int>(d)) == 0 && out[d] != 0) {
        return invalid_argument(op + " cannot resize an empty dimension of " + shape_to_string(x.shape()));
      }
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), out));
    if (y->numel() == 0) return Status::ok();
    return resize_tensor(o_, x, out, scales, roi, *y, ctx.threads());
  }

 private:
  ResizeOptions o_;
  bool legacy_;  // Upsample / Resize-10: (X, scales) inputs
  std::vector<float> attr_scales_;
  std::vector<int64_t> axes_;
  std::string aspect_;
  const char* op_;
};

Result<std::unique_ptr<Kernel>> make_resize_impl(const KernelBuildInfo& info, bool upsample) {
  const Attributes& a = info.attrs();
  ResizeOptions o;
  FOGLINE_ASSIGN_OR_RETURN(o.mode, parse_resize_mode(a.get_string("mode", "nearest")));
  const bool legacy = upsample || info.opset() < 11;
  if (legacy) {
    if (o.mode == ResizeOptions::Mode::kCubic) return invalid_argument("cubic mode needs Resize opset 11+");
    o.coordinate_mode = "asymmetric";
    o.nearest_mode = "simple";
  } else {
    o.coordinate_mode = a.get_string("coordinate_transformation_mode", "half_pixel");
    o.nearest_mode = a.get_string("nearest_mode", "round_prefer_floor");
    o.cubic_a = a.get_float("cubic_coeff_a", -0.75f);
    o.exclude_outside = a.get_int("exclude_outside", 0) != 0;
    o.extrapolation_value = a.get_float("extrapolation_value", 0.0f);
    if (a.get_int("antialias", 0) != 0) return unsupported("Resize antialias is not implemented");
  }
  std::vector<float> attr_scales;
  if (upsample && info.opset() < 9) {
    attr_scales = a.get_floats("scales");
    if (attr_scales.empty()) return invalid_argument("Upsample (opset 7-8) needs the 'scales' attribute");
  }
  const std::string aspect = a.get_string("keep_aspect_ratio_policy", "stretch");
  if (aspect != "stretch" && aspect != "not_larger" && aspect != "not_smaller") {
    return invalid_argument("Resize keep_aspect_ratio_policy must be stretch, not_larger or not_smaller, got '" +
                            aspect + "'");
  }
  return std::unique_ptr<Kernel>(new ResizeKernel(std::move(o), legacy, std::move(attr_scales), a.get_ints("axes"),
                                                  aspect, upsample ? "Upsample" : "Resize"));
}

Result<std::unique_ptr<Kernel>> make_resize(const KernelBuildInfo& info) { return make_resize_impl(info, false); }
Result<std::unique_ptr<Kernel>> make_upsample(const KernelBuildInfo& info) { return make_resize_impl(info, true); }

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Resize", 10, 1000, Backend::kReference, make_resize);
FOGLINE_REGISTER_KERNEL("", "Upsample", 7, 9, Backend::kReference, make_upsample);

}  // namespace fogline::engine::ops::nn
