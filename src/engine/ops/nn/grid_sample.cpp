// GridSample (opset 16+, 4-D): samples X at the normalised (x, y) positions of `grid` with
// bilinear / nearest / bicubic interpolation and zeros / border / reflection padding,
// following PyTorch's grid_sample which the op mirrors.
#include <cmath>

#include "engine/ops/nn/nn_util.h"

namespace fogline::engine::ops::nn {
namespace {

enum class Interp { kBilinear, kNearest, kBicubic };
enum class Padding { kZeros, kBorder, kReflection };

double reflect(double x, double twice_low, double twice_high) {
  if (twice_low == twice_high) return 0;
  const double low = twice_low / 2, span = (twice_high - twice_low) / 2;
  x = std::fabs(x - low);
  const double extra = std::fmod(x, span);
  const int64_t flips = static_cast<int64_t>(std::floor(x / span));
  return flips % 2 == 0 ? extra + low : span - extra + low;
}

class GridSampleKernel : public Kernel {
 public:
  GridSampleKernel(Interp interp, Padding pad, bool align) : interp_(interp), pad_(pad), align_(align) {}

  // Applies the padding mode to a source coordinate (border clips, reflection folds back).
  double fold(double c, int64_t size) const {
    if (pad_ == Padding::kBorder) return std::min(std::max(c, 0.0), static_cast<double>(size - 1));
    if (pad_ == Padding::kReflection) {
      c = align_ ? reflect(c, 0, 2.0 * static_cast<double>(size - 1)) : reflect(c, -1, 2.0 * static_cast<double>(size) - 1);
      return std::min(std::max(c, 0.0), static_cast<double>(size - 1));
    }
    return c;
  }
  double unnormalize(double g, int64_t size) const {
    const double v = align_ ? (g + 1) / 2 * static_cast<double>(size - 1) : ((g + 1) * static_cast<double>(size) - 1) / 2;
    // NaN / huge grid values become a far-outside position, never an undefined integer cast.
    return (v >= -1e9 && v <= 1e9) ? v : -1e9;
  }

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    const Tensor* grid = ctx.input(1);
    if (!grid) return invalid_argument("GridSample needs the grid input");
    if (x.rank() != 4 || grid->rank() != 4 || grid->dim(0) != x.dim(0) || grid->dim(3) != 2) {
      return invalid_argument("GridSample expects X [N,C,H,W] and grid [N,H_out,W_out,2], got " +
                              shape_to_string(x.shape()) + " and " + shape_to_string(grid->shape()));
    }
    const int64_t N = x.dim(0), Cn = x.dim(1), H = x.dim(2), W = x.dim(3), Ho = grid->dim(1), Wo = grid->dim(2);
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), Shape{N, Cn, Ho, Wo}));
    if (y->numel() == 0) return Status::ok();
    if (H == 0 || W == 0) return invalid_argument("GridSample input has an empty spatial dim: " + shape_to_string(x.shape()));
    return dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "GridSample", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      std::vector<C> gbuf;
      const C* pg = nullptr;
      FOGLINE_TRY(dispatch_types<FOGLINE_FLOAT_TYPES>(grid->dtype(), "GridSample grid", [&]<typename G>() -> Status {
        gbuf.resize(static_cast<size_t>(grid->numel()));
        for (int64_t i = 0; i < grid->numel(); ++i) gbuf[static_cast<size_t>(i)] = static_cast<C>(static_cast<compute_t<G>>(grid->data<G>()[i]));
        return Status::ok();
      }));
      pg = gbuf.data();
      const T* px = x.data<T>();
      T* py = y->data<T>();
#pragma omp parallel for collapse(2) if (y->numel() > 16384) num_threads(ctx.threads())
      for (int64_t n = 0; n < N; ++n) {
        for (int64_t p = 0; p < Ho * Wo; ++p) {
          const C* g = pg + (n * Ho * Wo + p) * 2;
          const double gx = unnormalize(static_cast<double>(g[0]), W), gy = unnormalize(static_cast<double>(g[1]), H);
          for (int64_t c = 0; c < Cn; ++c) {
            const T* img = px + (n * Cn + c) * H * W;
            auto at = [&](int64_t yy, int64_t xx) -> double {
              return (yy >= 0 && yy < H && xx >= 0 && xx < W) ? static_cast<double>(img[yy * W + xx]) : 0.0;
            };
            double v = 0;
            if (interp_ == Interp::kNearest) {
              v = at(static_cast<int64_t>(std::nearbyint(fold(gy, H))), static_cast<int64_t>(std::nearbyint(fold(gx, W))));
            } else if (interp_ == Interp::kBilinear) {
              const double sx = fold(gx, W), sy = fold(gy, H);
              const int64_t x0 = static_cast<int64_t>(std::floor(sx)), y0 = static_cast<int64_t>(std::floor(sy));
              const double tx = sx - static_cast<double>(x0), ty = sy - static_cast<double>(y0);
              v = at(y0, x0) * (1 - tx) * (1 - ty) + at(y0, x0 + 1) * tx * (1 - ty) + at(y0 + 1, x0) * (1 - tx) * ty +
                  at(y0 + 1, x0 + 1) * tx * ty;
            } else {
              const int64_t x0 = static_cast<int64_t>(std::floor(gx)), y0 = static_cast<int64_t>(std::floor(gy));
              double wx[4], wy[4];
              auto coeffs = [](double t, double* w) {
                const double A = -0.75;
                const double a = t + 1, b = t, c2 = 1 - t, d = 2 - t;
                w[0] = ((A * a - 5 * A) * a + 8 * A) * a - 4 * A;
                w[1] = ((A + 2) * b - (A + 3)) * b * b + 1;
                w[2] = ((A + 2) * c2 - (A + 3)) * c2 * c2 + 1;
                w[3] = ((A * d - 5 * A) * d + 8 * A) * d - 4 * A;
              };
              coeffs(gx - static_cast<double>(x0), wx);
              coeffs(gy - static_cast<double>(y0), wy);
              for (int i = 0; i < 4; ++i) {
                const int64_t yy = static_cast<int64_t>(fold(static_cast<double>(y0 - 1 + i), H));
                for (int j = 0; j < 4; ++j) {
                  const int64_t xx = static_cast<int64_t>(fold(static_cast<double>(x0 - 1 + j), W));
                  v += wy[i] * wx[j] * at(yy, xx);
                }
              }
            }
            py[((n * Cn + c) * Ho * Wo) + p] = T(static_cast<C>(v));
          }
        }
      }
      return Status::ok();
    });
  }

 private:
  Interp interp_;
  Padding pad_;
  bool align_;
};

Result<std::unique_ptr<Kernel>> make_grid_sample(const KernelBuildInfo& info) {
  const Attributes& a = info.attrs();
  const std::string mode = a.get_string("mode", info.opset() >= 20 ? "linear" : "bilinear");
  const std::string pad = a.get_string("padding_mode", "zeros");
  Interp interp;
  if (mode == "bilinear" || mode == "linear") interp = Interp::kBilinear;
  else if (mode == "nearest") interp = Interp::kNearest;
  else if (mode == "bicubic" || mode == "cubic") interp = Interp::kBicubic;
  else return invalid_argument("GridSample mode must be bilinear, nearest or bicubic, got '" + mode + "'");
  Padding p;
  if (pad == "zeros") p = Padding::kZeros;
  else if (pad == "border") p = Padding::kBorder;
  else if (pad == "reflection") p = Padding::kReflection;
  else return invalid_argument("GridSample padding_mode must be zeros, border or reflection, got '" + pad + "'");
  return std::unique_ptr<Kernel>(new GridSampleKernel(interp, p, a.get_int("align_corners", 0) != 0));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "GridSample", 16, 1000, Backend::kReference, make_grid_sample);

}  // namespace fogline::engine::ops::nn
