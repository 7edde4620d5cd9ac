// Conv (opset 1+): N-D grouped convolution as im2col + GEMM per (image, group), then bias and
// any fused post-ops.
#include "engine/ops/nn/im2col.h"
#include "engine/ops/post_ops.h"

namespace fogline::engine::ops::nn {
namespace {

class ConvKernel : public Kernel {
 public:
  ConvKernel(Window w, int64_t group) : window_(std::move(w)), group_(group) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    const Tensor* wt = ctx.input(1);
    const Tensor* b = ctx.input(2);
    if (!wt) return invalid_argument("Conv needs a weight input W");
    if (x.rank() < 3 || wt->rank() != x.rank()) {
      return invalid_argument("Conv expects X of rank >= 3 and W of the same rank, got X " +
                              shape_to_string(x.shape()) + " and W " + shape_to_string(wt->shape()));
    }
    if (wt->dtype() != x.dtype() || (b && b->dtype() != x.dtype())) {
      return invalid_argument("Conv inputs must share one element type");
    }
    const int64_t N = x.dim(0), Cin = x.dim(1), M = wt->dim(0), G = group_;
    if (G <= 0 || Cin != wt->dim(1) * G || M % G != 0) {
      return invalid_argument("Conv channels do not match: X has " + std::to_string(Cin) + " channels, W " +
                              shape_to_string(wt->shape()) + ", group " + std::to_string(G));
    }
    if (b && b->numel() != M) {
      return invalid_argument("Conv bias must have " + std::to_string(M) + " values, got " +
                              shape_to_string(b->shape()));
    }
    Window w = window_;
    std::vector<int64_t> wk(wt->shape().begin() + 2, wt->shape().end());
    if (w.kernel.empty()) w.kernel = wk;
    if (w.kernel != wk) {
      return invalid_argument("Conv kernel_shape " + shape_to_string(w.kernel) + " does not match W " +
                              shape_to_string(wt->shape()));
    }
    std::vector<int64_t> in(x.shape().begin() + 2, x.shape().end());
    FOGLINE_ASSIGN_OR_RETURN(std::vector<int64_t> out, resolve_window(w, in, "Conv"));
    Shape yshape = {N, M};
    yshape.insert(yshape.end(), out.begin(), out.end());
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), yshape));
    ConvGeometry g{in, out, w.kernel, w.strides, w.dilations, w.pads};
    const double col_bytes = static_cast<double>(Cin / G) * static_cast<double>(g.kernel_size()) *
                             static_cast<double>(g.out_size()) * 8.0;
    if (col_bytes > static_cast<double>(max_allocation_bytes())) {
      return resource_exhausted("Conv im2col buffer of " + std::to_string(col_bytes) + " bytes is too large");
    }
    Status st = dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "Conv", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      std::vector<C> xs, ws, bs, ys;
      const C* px = compute_data<T>(x, xs);
      const C* pw = compute_data<T>(*wt, ws);
      const C* pb = b ? compute_data<T>(*b, bs) : nullptr;
      C* py = compute_output<T>(*y, ys);
      const int64_t Cg = Cin / G, Mg = M / G;
      const int64_t rows = Cg * g.kernel_size(), osize = g.out_size(), isize = g.in_size();
      bool pointwise = g.kernel_size() == 1;
      for (size_t d = 0; d < in.size(); ++d) {
        pointwise = pointwise && w.strides[d] == 1 && w.pads[d] == 0 && w.pads[d + in.size()] == 0;
      }
      // Many small (image, group) GEMMs (depthwise, batches) run side by side, each on one
      // thread with its own column buffer; otherwise each GEMM is parallel inside.
      const int64_t jobs = N * G;
      const bool across = jobs > 1 && ctx.threads() > 1 && Mg * osize * rows < (int64_t(1) << 22);
      auto conv_one = [&](int64_t j, C* col, int threads) {
        const int64_t n = j / G, gi = j % G;
        const C* xg = px + (n * Cin + gi * Cg) * isize;
        const C* cm = xg;
        if (!pointwise) {
          im2col(g, Cg, xg, col, threads);
          cm = col;
        }
        gemm<C>(false, false, Mg, osize, rows, C(1), pw + gi * Mg * rows, rows, cm, osize, C(0),
                py + (n * M + gi * Mg) * osize, osize, threads);
      };
      if (across) {
#pragma omp parallel num_threads(ctx.threads())
        {
          std::vector<C> col(pointwise ? 0 : static_cast<size_t>(rows * osize));
#pragma omp for schedule(dynamic)
          for (int64_t j = 0; j < jobs; ++j) conv_one(j, col.data(), 1);
        }
      } else {
        std::vector<C> col(pointwise ? 0 : static_cast<size_t>(rows * osize));
        for (int64_t j = 0; j < jobs; ++j) conv_one(j, col.data(), ctx.threads());
      }
      if (pb) {
#pragma omp parallel for collapse(2) if (N * M * osize > 65536) num_threads(ctx.threads())
        for (int64_t n = 0; n < N; ++n)
          for (int64_t m = 0; m < M; ++m) {
            C* row = py + (n * M + m) * osize;
            for (int64_t i = 0; i < osize; ++i) row[i] += pb[m];
          }
      }
      store_output<T>(*y, ys);
      return Status::ok();
    });
    if (!st.is_ok()) return st;
    return apply_post_ops(ctx, *y);
  }

 private:
  Window window_;
  int64_t group_;
};

Result<std::unique_ptr<Kernel>> make_conv(const KernelBuildInfo& info) {
  FOGLINE_ASSIGN_OR_RETURN(Window w, read_window(info.attrs()));
  return std::unique_ptr<Kernel>(new ConvKernel(std::move(w), info.attrs().get_int("group", 1)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "Conv", 1, 1000, Backend::kReference, make_conv);

}  // namespace fogline::engine::ops::nn
