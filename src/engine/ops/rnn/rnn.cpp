// RNN (opset 1+): H_t = f(X_t W^T + H_{t-1} R^T + Wb + Rb), default f = Tanh.
#include "engine/ops/rnn/rnn_common.h"

namespace fogline::engine::ops::rnn {
namespace {

class RnnKernel : public Kernel {
 public:
  explicit RnnKernel(RnnAttrs at) : at_(std::move(at)) {}

  Status run(KernelContext& ctx) const override {
    return dispatch_types<FOGLINE_FLOAT_TYPES>(ctx.input(0)->dtype(), "RNN", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      RnnInputs<C> in;
      FOGLINE_TRY(read_rnn_inputs<T>(ctx, at_, 1, false, "RNN", in));
      const int64_t B = in.batch, H = in.hidden;
      std::vector<C> hr(static_cast<size_t>(B * H));
      auto cell = [&](int d, const std::vector<int64_t>& tb, const C* xw, C* h, C*) {
        nn::gemm<C>(false, true, B, H, H, C(1), h, H, in.r.data() + d * H * H, H, C(0), hr.data(), H, 1);
        const C* rb = in.b.data() + d * 2 * H + H;
        const Activation& f = at_.acts[static_cast<size_t>(d)];
        for (int64_t b = 0; b < B; ++b) {
          const int64_t t = tb[static_cast<size_t>(b)];
          if (t < 0) continue;
          const C* x = xw + (t * B + b) * H;
          for (int64_t j = 0; j < H; ++j) h[b * H + j] = f(clip_value(x[j] + hr[static_cast<size_t>(b * H + j)] + rb[j], at_.clip));
        }
      };
      std::vector<C> y, yh, yc;
      run_rnn<C>(at_, in, 1, ctx.threads(), cell, y, yh, yc);
      return write_rnn_outputs<T>(ctx, at_, in, y, yh, yc, false);
    });
  }

 private:
  RnnAttrs at_;
};

Result<std::unique_ptr<Kernel>> make_rnn(const KernelBuildInfo& info) {
  FOGLINE_ASSIGN_OR_RETURN(RnnAttrs at, parse_rnn_attrs(info.attrs(), {"Tanh"}, "RNN"));
  return std::unique_ptr<Kernel>(new RnnKernel(std::move(at)));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "RNN", 1, 1000, Backend::kReference, make_rnn);

}  // namespace fogline::engine::ops::rnn
