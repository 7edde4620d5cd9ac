// LSTM (opset 1+): gates i, o, f, c (in W/R/B order), peepholes P = [Pi, Po, Pf]:
//   i = f(.. + Pi*C_{t-1}), f = f(.. + Pf*C_{t-1}) (or 1 - i with input_forget), c~ = g(..),
//   C_t = f*C_{t-1} + i*c~, o = f(.. + Po*C_t), H_t = o * h(C_t).
#include "engine/ops/rnn/rnn_common.h"

namespace fogline::engine::ops::rnn {
namespace {

class LstmKernel : public Kernel {
 public:
  LstmKernel(RnnAttrs at, bool input_forget) : at_(std::move(at)), input_forget_(input_forget) {}

  Status run(KernelContext& ctx) const override {
    return dispatch_types<FOGLINE_FLOAT_TYPES>(ctx.input(0)->dtype(), "LSTM", [&]<typename T>() -> Status {
      using C = compute_t<T>;
      RnnInputs<C> in;
      FOGLINE_TRY(read_rnn_inputs<T>(ctx, at_, 4, true, "LSTM", in));
      const int64_t B = in.batch, H = in.hidden;
      std::vector<C> hr(static_cast<size_t>(B * 4 * H));
      auto cell = [&](int d, const std::vector<int64_t>& tb, const C* xw, C* h, C* c) {
        nn::gemm<C>(false, true, B, 4 * H, H, C(1), h, H, in.r.data() + d * 4 * H * H, H, C(0), hr.data(), 4 * H, 1);
        const C* rb = in.b.data() + d * 8 * H + 4 * H;
        const C* p = in.p.data() + d * 3 * H;
        const Activation& f = at_.acts[static_cast<size_t>(d * 3)];
        const Activation& g = at_.acts[static_cast<size_t>(d * 3 + 1)];
        const Activation& ha = at_.acts[static_cast<size_t>(d * 3 + 2)];
        for (int64_t b = 0; b < B; ++b) {
          const int64_t t = tb[static_cast<size_t>(b)];
          if (t < 0) continue;
          const C* x = xw + (t * B + b) * 4 * H;
          const C* r = hr.data() + b * 4 * H;
          for (int64_t j = 0; j < H; ++j) {
            const C cp = c[b * H + j];
            const C i = f(clip_value(x[j] + r[j] + rb[j] + p[j] * cp, at_.clip));
            const C fg = input_forget_ ? C(1) - i
                                       : f(clip_value(x[2 * H + j] + r[2 * H + j] + rb[2 * H + j] + p[2 * H + j] * cp, at_.clip));
            const C cc = g(clip_value(x[3 * H + j] + r[3 * H + j] + rb[3 * H + j], at_.clip));
            const C cn = fg * cp + i * cc;
            const C o = f(clip_value(x[H + j] + r[H + j] + rb[H + j] + p[H + j] * cn, at_.clip));
            c[b * H + j] = cn;
            h[b * H + j] = o * ha(cn);
          }
        }
      };
      std::vector<C> y, yh, yc;
      run_rnn<C>(at_, in, 4, ctx.threads(), cell, y, yh, yc);
      return write_rnn_outputs<T>(ctx, at_, in, y, yh, yc, true);
    });
  }

 private:
  RnnAttrs at_;
  bool input_forget_;
};

Result<std::unique_ptr<Kernel>> make_lstm(const KernelBuildInfo& info) {
  FOGLINE_ASSIGN_OR_RETURN(RnnAttrs at, parse_rnn_attrs(info.attrs(), {"Sigmoid", "Tanh", "Tanh"}, "LSTM"));
  return std::unique_ptr<Kernel>(new LstmKernel(std::move(at), info.attrs().get_int("input_forget", 0) != 0));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "LSTM", 1, 1000, Backend::kReference, make_lstm);

}  // namespace fogline::engine::ops::rnn
