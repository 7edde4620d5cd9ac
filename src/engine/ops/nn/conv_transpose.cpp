// ConvTranspose (opset 1+): per (image, group) one GEMM W^T * X into columns, then col2im
// scatters the columns into the (zeroed) output; bias and fused post-ops follow.
#include "engine/ops/nn/im2col.h"
#include "engine/ops/post_ops.h"

namespace fogline::engine::ops::nn {
namespace {

class ConvTransposeKernel : public Kernel {
 public:
  ConvTransposeKernel(Window w, int64_t group, std::vector<int64_t> output_padding,
                      std::vector<int64_t> output_shape)
      : window_(std::move(w)), group_(group), output_padding_(std::move(output_padding)),
        output_shape_(std::move(output_shape)) {}

  Status run(KernelContext& ctx) const override {
    const Tensor& x = *ctx.input(0);
    const Tensor* wt = ctx.input(1);
    const Tensor* b = ctx.input(2);
    if (!wt) return invalid_argument("ConvTranspose needs a weight input W");
    if (x.rank() < 3 || wt->rank() != x.rank()) {
      return invalid_argument("ConvTranspose expects X of rank >= 3 and W of the same rank, got X " +
                              shape_to_string(x.shape()) + " and W " + shape_to_string(wt->shape()));
    }
    if (wt->dtype() != x.dtype() || (b && b->dtype() != x.dtype())) {
      return invalid_argument("ConvTranspose inputs must share one element type");
    }
    const int64_t N = x.dim(0), Cin = x.dim(1), G = group_;
    if (G <= 0 || wt->dim(0) != Cin || Cin % G != 0) {
      return invalid_argument("ConvTranspose channels do not match: X has " + std::to_string(Cin) +
                              " channels, W " + shape_to_string(wt->shape()) + ", group " + std::to_string(G));
    }
    const int64_t Coutg = wt->dim(1), Cout = Coutg * G, Cing = Cin / G;
    if (b && b->numel() != Cout) {
      return invalid_argument("ConvTranspose bias must have " + std::to_string(Cout) + " values, got " +
                              shape_to_string(b->shape()));
    }
    const size_t n = static_cast<size_t>(x.rank() - 2);
    Window w = window_;
    std::vector<int64_t> wk(wt->shape().begin() + 2, wt->shape().end());
    if (w.kernel.empty()) w.kernel = wk;
    if (w.kernel != wk) {
      return invalid_argument("ConvTranspose kernel_shape " + shape_to_string(w.kernel) + " does not match W " +
                              shape_to_string(wt->shape()));
    }
    if (w.strides.empty()) w.strides.assign(n, 1);
    if (w.dilations.empty()) w.dilations.assign(n, 1);
    if (w.pads.empty()) w.pads.assign(2 * n, 0);
    std::vector<int64_t> opad = output_padding_;
    if (opad.empty()) opad.assign(n, 0);
    if (w.strides.size() != n || w.dilations.size() != n || w.pads.size() != 2 * n || opad.size() != n ||
        (!output_shape_.empty() && output_shape_.size() < n)) {
      return invalid_argument("ConvTranspose strides/dilations/pads/output_padding/output_shape do not match " +
                              std::to_string(n) + " spatial dims");
    }
    std::vector<int64_t> in(x.shape().begin() + 2, x.shape().end()), out(n);
    for (size_t d = 0; d < n; ++d) {
      if (w.strides[d] <= 0 || w.dilations[d] <= 0 || w.kernel[d] <= 0 || opad[d] < 0) {
        return invalid_argument("ConvTranspose needs positive kernel, strides and dilations");
      }
      const int64_t full = w.strides[d] * (in[d] - 1) + opad[d] + (w.kernel[d] - 1) * w.dilations[d] + 1;
      const bool same = w.auto_pad == AutoPad::kSameUpper || w.auto_pad == AutoPad::kSameLower;
      if (!output_shape_.empty() || same) {
        out[d] = !output_shape_.empty() ? output_shape_[output_shape_.size() - n + d] : in[d] * w.strides[d];
        const int64_t total = full - out[d];
        // SAME_UPPER puts the odd pad at the end; anything else at the beginning (ONNX spec).
        // Floor division: a negative total (output_shape past the natural size) pads the end.
        const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
        w.pads[d] = w.auto_pad == AutoPad::kSameUpper ? half : total - half;
        w.pads[d + n] = total - w.pads[d];
      } else {
        if (w.auto_pad == AutoPad::kValid) w.pads[d] = w.pads[d + n] = 0;
        out[d] = full - w.pads[d] - w.pads[d + n];
      }
      if (out[d] <= 0) {
        return invalid_argument("ConvTranspose output size " + std::to_string(out[d]) + " in spatial dim " +
                                std::to_string(d) + " is not positive");
      }
    }
    Shape yshape = {N, Cout};
    yshape.insert(yshape.end(), out.begin(), out.end());
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), yshape));
    // col2im sees the output as the "image" and the input positions as the "columns".
    ConvGeometry g{out, in, w.kernel, w.strides, w.dilations, w.pads};
    const double col_bytes = static_cast<double>(Coutg) * static_cast<double>(g.kernel_size()) *
                             static_cast<double>(g.out_size()) * 8.0;
    if (col_bytes > static_cast<double>(max_allocation_bytes())) {
      return resource_exhausted("ConvTranspose column buffer of " + std::to_string(col_bytes) + " bytes is too large");
    }
    Status st = dispatch_types<FOGLINE_FLOAT_TYPES>(x.dtype(), "ConvTranspose", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      std::vector<C> xs, ws, bs, ys;
      const C* px = compute_data<T>(x, xs);
      const C* pw = compute_data<T>(*wt, ws);
      const C* pb = b ? compute_data<T>(*b, bs) : nullptr;
      C* py = compute_output<T>(*y, ys);
      const int64_t ksize = g.kernel_size(), isize = g.out_size(), osize = g.in_size();
      const int64_t rows = Coutg * ksize;
      std::fill(py, py + N * Cout * osize, C(0));
      std::vector<C> col(static_cast<size_t>(rows * isize));
      for (int64_t bi = 0; bi < N; ++bi) {
        for (int64_t gi = 0; gi < G; ++gi) {
          gemm<C>(true, false, rows, isize, Cing, C(1), pw + gi * Cing * rows, rows,
                  px + (bi * Cin + gi * Cing) * isize, isize, C(0), col.data(), isize, ctx.threads());
          col2im(g, Coutg, col.data(), py + (bi * Cout + gi * Coutg) * osize, ctx.threads());
        }
      }
      if (pb) {
        for (int64_t bi = 0; bi < N; ++bi)
          for (int64_t m = 0; m < Cout; ++m) {
            C* row = py + (bi * Cout + m) * osize;
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
  std::vector<int64_t> output_padding_, output_shape_;
};

Result<std::unique_ptr<Kernel>> make_conv_transpose(const KernelBuildInfo& info) {
  FOGLINE_ASSIGN_OR_RETURN(Window w, read_window(info.attrs()));
  return std::unique_ptr<Kernel>(new ConvTransposeKernel(std::move(w), info.attrs().get_int("group", 1),
                                                         info.attrs().get_ints("output_padding"),
                                                         info.attrs().get_ints("output_shape")));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "ConvTranspose", 1, 1000, Backend::kReference, make_conv_transpose);

}  // namespace fogline::engine::ops::nn
