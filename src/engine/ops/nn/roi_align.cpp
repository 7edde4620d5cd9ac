// RoiAlign (opset 10+): for each box, an output_height x output_width grid of bins, each the
// average (or max) of bilinear samples (sampling_ratio per bin side, adaptive when 0).
// Opset 16 adds coordinate_transformation_mode; half_pixel shifts boxes by -0.5.
#include <cmath>

#include "engine/ops/nn/nn_util.h"

namespace fogline::engine::ops::nn {
namespace {

class RoiAlignKernel : public Kernel {
 public:
  RoiAlignKernel(bool max_mode, int64_t oh, int64_t ow, int64_t ratio, float scale, bool half_pixel)
      : max_(max_mode), oh_(oh), ow_(ow), ratio_(ratio), scale_(scale), half_pixel_(half_pixel) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    const Tensor* rois = ctx.input(1);
    const Tensor* bidx = ctx.input(2);
    if (!rois || !bidx) return invalid_argument("RoiAlign needs inputs X, rois and batch_indices");
    if (x.rank() != 4 || rois->rank() != 2 || rois->dim(1) != 4 || bidx->rank() != 1 || bidx->dim(0) != rois->dim(0)) {
      return invalid_argument("RoiAlign expects X [N,C,H,W], rois [R,4], batch_indices [R], got " +
                              shape_to_string(x.shape()) + ", " + shape_to_string(rois->shape()) + ", " +
                              shape_to_string(bidx->shape()));
    }
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int64_t> batches, read_int64s(*bidx, "RoiAlign batch_indices"));
    for (int64_t b : batches) {
      if (b < 0 || b >= x.dim(0)) {
        return invalid_argument("RoiAlign batch index " + std::to_string(b) + " is outside [0, " +
                                std::to_string(x.dim(0)) + ")");
      }
    }
    if (!dtype_is_float(rois->dtype())) return invalid_argument("RoiAlign rois must be a float tensor");
    const int64_t R = rois->dim(0), Cn = x.dim(1), H = x.dim(2), W = x.dim(3);
    if (R > 0 && (H == 0 || W == 0)) return invalid_argument("RoiAlign input has an empty spatial dim: " + shape_to_string(x.shape()));
    for (int64_t i = 0; i < rois->numel(); ++i) {
      const double v = rois->value_as_double(i) * scale_;
      if (!std::isfinite(v) || std::abs(v) > 1e9) {
        return invalid_argument("RoiAlign box coordinate " + std::to_string(v) + " is not a finite, sane number");
      }
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), Shape{R, Cn, oh_, ow_}));
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "RoiAlign", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      const T* px = x.data<T>();
      T* py = y->data<T>();
#pragma omp parallel for collapse(2) if (y->numel() > 4096) num_threads(ctx.threads())
      for (int64_t r = 0; r < R; ++r) {
        for (int64_t c = 0; c < Cn; ++c) {
          const double off = half_pixel_ ? 0.5 : 0.0;
          const double x1 = rois->value_as_double(r * 4 + 0) * scale_ - off;
          const double y1 = rois->value_as_double(r * 4 + 1) * scale_ - off;
          const double x2 = rois->value_as_double(r * 4 + 2) * scale_ - off;
          const double y2 = rois->value_as_double(r * 4 + 3) * scale_ - off;
          double rw = x2 - x1, rh = y2 - y1;
          if (!half_pixel_) {
            rw = std::max(rw, 1.0);
            rh = std::max(rh, 1.0);
          }
          const double bh = rh / static_cast<double>(oh_), bw = rw / static_cast<double>(ow_);
          const int64_t gh = ratio_ > 0 ? ratio_ : static_cast<int64_t>(std::ceil(rh / static_cast<double>(oh_)));
          const int64_t gw = ratio_ > 0 ? ratio_ : static_cast<int64_t>(std::ceil(rw / static_cast<double>(ow_)));
          const double count = static_cast<double>(std::max<int64_t>(gh * gw, 1));
          const T* img = px + (batches[static_cast<size_t>(r)] * Cn + c) * H * W;
          for (int64_t ph = 0; ph < oh_; ++ph) {
            for (int64_t pw = 0; pw < ow_; ++pw) {
              double acc = 0;
              bool first = true;
              for (int64_t iy = 0; iy < gh; ++iy) {
                double yy = y1 + static_cast<double>(ph) * bh + (static_cast<double>(iy) + 0.5) * bh / static_cast<double>(gh);
                for (int64_t ix = 0; ix < gw; ++ix) {
                  double xx = x1 + static_cast<double>(pw) * bw + (static_cast<double>(ix) + 0.5) * bw / static_cast<double>(gw);
                  // Samples beyond one pixel outside the image contribute zero.
                  double w[4] = {0, 0, 0, 0};
                  int64_t at[4] = {0, 0, 0, 0};
                  if (!(yy < -1.0 || yy > static_cast<double>(H) || xx < -1.0 || xx > static_cast<double>(W))) {
                    double sy = std::max(yy, 0.0), sx = std::max(xx, 0.0);
                    int64_t y0 = static_cast<int64_t>(sy), x0 = static_cast<int64_t>(sx), y1i, x1i;
                    if (y0 >= H - 1) { y0 = y1i = H - 1; sy = static_cast<double>(y0); } else { y1i = y0 + 1; }
                    if (x0 >= W - 1) { x0 = x1i = W - 1; sx = static_cast<double>(x0); } else { x1i = x0 + 1; }
                    const double ly = sy - static_cast<double>(y0), lx = sx - static_cast<double>(x0);
                    w[0] = (1 - ly) * (1 - lx); w[1] = (1 - ly) * lx; w[2] = ly * (1 - lx); w[3] = ly * lx;
                    at[0] = y0 * W + x0; at[1] = y0 * W + x1i; at[2] = y1i * W + x0; at[3] = y1i * W + x1i;
                  }
                  if (max_) {
                    // onnxruntime's max mode: the largest weighted corner of each sample.
                    double m = w[0] * static_cast<double>(img[at[0]]);
                    for (int k = 1; k < 4; ++k) m = std::max(m, w[k] * static_cast<double>(img[at[k]]));
                    acc = first ? m : std::max(acc, m);
                    first = false;
                  } else {
                    for (int k = 0; k < 4; ++k) acc += w[k] * static_cast<double>(img[at[k]]);
                  }
                }
              }
              py[((r * Cn + c) * oh_ + ph) * ow_ + pw] = T(static_cast<C>(max_ ? acc : acc / count));
            }
          }
        }
      }
      return Status::ok();
    });
  }

 private:
  bool max_;
  int64_t oh_, ow_, ratio_;
  float scale_;
  bool half_pixel_;
};

Result<std::unique_ptr<Kernel>> make_roi_align(const KernelBuildInfo& info) {
  const Attributes& a = info.attrs();
  const std::string mode = a.get_string("mode", "avg");
  if (mode != "avg" && mode != "max") return invalid_argument("RoiAlign mode must be avg or max, got '" + mode + "'");
  const int64_t oh = a.get_int("output_height", 1), ow = a.get_int("output_width", 1);
  const int64_t ratio = a.get_int("sampling_ratio", 0);
  if (oh <= 0 || ow <= 0 || ratio < 0) return invalid_argument("RoiAlign needs positive output sizes and sampling_ratio >= 0");
  const std::string ctm = a.get_string("coordinate_transformation_mode", info.opset() >= 16 ? "half_pixel" : "output_half_pixel");
  if (ctm != "half_pixel" && ctm != "output_half_pixel") {
    return invalid_argument("RoiAlign coordinate_transformation_mode must be half_pixel or output_half_pixel, got '" + ctm + "'");
  }
  return std::unique_ptr<Kernel>(new RoiAlignKernel(mode == "max", oh, ow, ratio, a.get_float("spatial_scale", 1.0f),
                                                    ctm == "half_pixel"));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "RoiAlign", 10, 1000, Backend::kReference, make_roi_align);

}  // namespace fogline::engine::ops::nn
