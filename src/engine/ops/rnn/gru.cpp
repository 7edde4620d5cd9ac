// GRU (opset 1+): gates z, r, h (in W/R/B order). linear_before_reset applies r after the
// recurrent product: h~ = g(X Wh^T + r * (H Rh^T + Rbh) + Wbh) instead of
// g(X Wh^T + (r * H) Rh^T + Rbh + Wbh). H_t = (1 - z) * h~ + z * H_{t-1}.
#include "engine/ops/rnn/rnn_common.h"

namespace fogline::engine::ops::rnn {
namespace {

class GruKernel : public Kernel {
 public:
  GruKernel(RnnAttrs at, bool lbr) : at_(std::move(at)), lbr_(lbr) {}

  Status run(KernelContext& ctx) const override {
    return dispatch_types<FOGLINE_FLOAT_TYPES>(ctx.input(0)->dtype(), "GRU", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      RnnInputs<C> in;
      FOGLINE_TRY(read_rnn_inputs<T>(ctx, at_, 3, false, "GRU", in));
      const int64_t B = in.batch, H = in.hidden;
      std::vector<C> hzr(static_cast<size_t>(B * 2 * H)), z(static_cast<size_t>(B * H)), rh(static_cast<size_t>(B * H)),
          hh(static_cast<size_t>(B * H));
      auto cell = [&](int d, const std::vector<int64_t>& tb, const C* xw, C* h, C*) {
        const C* R = in.r.data() + d * 3 * H * H;
        const C* rb = in.b.data() + d * 6 * H + 3 * H;
        const Activation& f = at_.acts[static_cast<size_t>(d * 2)];
        const Activation& g = at_.acts[static_cast<size_t>(d * 2 + 1)];
        nn::gemm<C>(false, true, B, 2 * H, H, C(1), h, H, R, H, C(0), hzr.data(), 2 * H, 1);
        for (int64_t b = 0; b < B; ++b) {
          const int64_t t = tb[static_cast<size_t>(b)];
          if (t < 0) continue;
          const C* x = xw + (t * B + b) * 3 * H;
          for (int64_t j = 0; j < H; ++j) {
            const size_t k = static_cast<size_t>(b * H + j);
            z[k] = f(clip_value(x[j] + hzr[static_cast<size_t>(b * 2 * H + j)] + rb[j], at_.clip));
            const C r = f(clip_value(x[H + j] + hzr[static_cast<size_t>(b * 2 * H + H + j)] + rb[H + j], at_.clip));
            rh[k] = lbr_ ? r : r * h[k];  // lbr: keep r itself for after the product
          }
        }
        // Recurrent product of the h gate: H Rh^T (lbr) or (r * H) Rh^T.
        nn::gemm<C>(false, true, B, H, H, C(1), lbr_ ? h : rh.data(), H, R + 2 * H * H, H, C(0), hh.data(), H, 1);
        for (int64_t b = 0; b < B; ++b) {
          const int64_t t = tb[static_cast<size_t>(b)];
          if (t < 0) continue;
          const C* x = xw + (t * B + b) * 3 * H;
          for (int64_t j = 0; j < H; ++j) {
            const size_t k = static_cast<size_t>(b * H + j);
            const C pre = lbr_ ? x[2 * H + j] + rh[k] * (hh[k] + rb[2 * H + j]) : x[2 * H + j] + hh[k] + rb[2 * H + j];
            const C ht = g(clip_value(pre, at_.clip));
            h[k] = (C(1) - z[k]) * ht + z[k] * h[k];
          }
        }
      };
      std::vector<C> y, yh, yc;
      run_rnn<C>(at_, in, 3, ctx.threads(), cell, y, yh, yc);
      return write_rnn_outputs<T>(ctx, at_, in, y, yh, yc, false);
    });
  }

 private:
  RnnAttrs at_;
  bool lbr_;
};

Result<std::unique_ptr<Kernel>> make_gru(const KernelBuildInfo& info) {
  FOGLINE_ASSIGN_OR_RETURN(RnnAttrs at, parse_rnn_attrs(info.attrs(), {"Sigmoid", "Tanh"}, "GRU"));
  return std::unique_ptr<Kernel>(new GruKernel(std::move(at), info.attrs().get_int("linear_before_reset", 0) != 0));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "GRU", 1, 1000, Backend::kReference, make_gru);

}  // namespace fogline::engine::ops::rnn
