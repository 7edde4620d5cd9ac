// Shared machinery of RNN, GRU and LSTM: attribute parsing (direction, activations with their
// alpha/beta, clip, layout), input validation, the X*W^T precompute, and the time loop over
// directions and per-batch sequence lengths. Each op file supplies only its cell step.
#pragma once

#include <string>
#include <vector>

#include "engine/ops/nn/nn_util.h"

namespace fogline::engine::ops::rnn {

struct Activation {
  enum class Kind { kRelu, kTanh, kSigmoid, kAffine, kLeakyRelu, kThresholdedRelu, kScaledTanh, kHardSigmoid, kElu,
                    kSoftsign, kSoftplus };
  Kind kind = Kind::kTanh;
  float alpha = 0, beta = 0;

  template <typename C>
  C operator()(C x) const {
    const C a = static_cast<C>(alpha), b = static_cast<C>(beta);
    switch (kind) {
      case Kind::kRelu: return x > 0 ? x : C(0);
      case Kind::kTanh: return std::tanh(x);
      case Kind::kSigmoid: return C(1) / (C(1) + std::exp(-x));
      case Kind::kAffine: return a * x + b;
      case Kind::kLeakyRelu: return x >= 0 ? x : a * x;
      case Kind::kThresholdedRelu: return x > a ? x : C(0);
      case Kind::kScaledTanh: return a * std::tanh(b * x);
      case Kind::kHardSigmoid: return std::max(C(0), std::min(C(1), a * x + b));
      case Kind::kElu: return x >= 0 ? x : a * (std::exp(x) - C(1));
      case Kind::kSoftsign: return x / (C(1) + std::abs(x));
      case Kind::kSoftplus: return std::log(C(1) + std::exp(x));
    }
    return x;
  }
};

struct RnnAttrs {
  int num_directions = 1;
  bool reverse = false;  // single direction, reversed
  int64_t hidden = 0;    // hidden_size attribute (0: take it from R)
  std::vector<Activation> acts;  // per_direction * num_directions
  float clip = 0;                // 0: no clipping
  int layout = 0;
};

// Parses the common attributes; `defaults` are the op's default activation names.
Result<RnnAttrs> parse_rnn_attrs(const Attributes& a, const std::vector<std::string>& defaults, const char* op);

// Inputs converted to the compute type and to layout 0.
template <typename C>
struct RnnInputs {
  int64_t seq = 0, batch = 0, input = 0, hidden = 0;
  std::vector<C> x;       // [seq, batch, input]
  std::vector<C> w, r;    // [dirs, G*H, input], [dirs, G*H, H]
  std::vector<C> b;       // [dirs, 2*G*H], zeros when absent
  std::vector<C> h0, c0;  // [dirs, batch, H], zeros when absent
  std::vector<C> p;       // [dirs, 3H] (LSTM), zeros when absent
  std::vector<int64_t> lens;  // [batch]
};

// Reads and validates inputs 0-5 (and 6 = initial_c, 7 = P for LSTM when `lstm`).
template <typename T>
Status read_rnn_inputs(const KernelContext& ctx, const RnnAttrs& at, int gates, bool lstm, const char* op,
                       RnnInputs<compute_t<T>>& in);

// Writes Y, Y_h (and Y_c) in the model's layout. y: [seq, dirs, batch, H]; yh, yc: [dirs, batch, H].
template <typename T>
Status write_rnn_outputs(KernelContext& ctx, const RnnAttrs& at, const RnnInputs<compute_t<T>>& in,
                         const std::vector<compute_t<T>>& y, const std::vector<compute_t<T>>& yh,
                         const std::vector<compute_t<T>>& yc, bool lstm);

// The time loop. For direction d and step s, batch b is active when s < lens[b]; its time
// index is s (forward) or lens[b]-1-s (reverse). `cell(d, t_of_b, xw, h, c)` advances the
// active batches' states in place (t_of_b[b] < 0: inactive); xw is X*W_d^T + Wb_d as
// [seq*batch, G*H]. Fills y, yh, yc.
template <typename C, typename Cell>
void run_rnn(const RnnAttrs& at, const RnnInputs<C>& in, int gates, int threads, Cell&& cell, std::vector<C>& y,
             std::vector<C>& yh, std::vector<C>& yc) {
  const int64_t S = in.seq, B = in.batch, H = in.hidden, I = in.input, GH = gates * H;
  const int D = at.num_directions;
  y.assign(static_cast<size_t>(S * D * B * H), C(0));
  yh.assign(static_cast<size_t>(D * B * H), C(0));
  yc.assign(static_cast<size_t>(D * B * H), C(0));
  std::vector<C> xw(static_cast<size_t>(S * B * GH));
  std::vector<int64_t> tb(static_cast<size_t>(B));
  for (int d = 0; d < D; ++d) {
    const bool rev = at.reverse || d == 1;
    nn::gemm<C>(false, true, S * B, GH, I, C(1), in.x.data(), I, in.w.data() + d * GH * I, I, C(0), xw.data(), GH,
                threads);
    const C* wb = in.b.data() + d * 2 * GH;
    for (int64_t i = 0; i < S * B; ++i)
      for (int64_t j = 0; j < GH; ++j) xw[static_cast<size_t>(i * GH + j)] += wb[j];
    std::vector<C> h(in.h0.begin() + d * B * H, in.h0.begin() + (d + 1) * B * H);
    std::vector<C> c(in.c0.begin() + d * B * H, in.c0.begin() + (d + 1) * B * H);
    for (int64_t s = 0; s < S; ++s) {
      bool any = false;
      for (int64_t b = 0; b < B; ++b) {
        const int64_t len = in.lens[static_cast<size_t>(b)];
        tb[static_cast<size_t>(b)] = s < len ? (rev ? len - 1 - s : s) : -1;
        any = any || s < len;
      }
      if (!any) break;
      cell(d, tb, xw.data(), h.data(), c.data());
      for (int64_t b = 0; b < B; ++b) {
        const int64_t t = tb[static_cast<size_t>(b)];
        if (t < 0) continue;
        std::copy(h.begin() + b * H, h.begin() + (b + 1) * H, y.begin() + ((t * D + d) * B + b) * H);
      }
    }
    std::copy(h.begin(), h.end(), yh.begin() + d * B * H);
    std::copy(c.begin(), c.end(), yc.begin() + d * B * H);
  }
}

template <typename C>
C clip_value(C v, float clip) {
  if (clip <= 0) return v;
  const C c = static_cast<C>(clip);
  return v < -c ? -c : (v > c ? c : v);
}

// ---- implementations of the templates ----

template <typename T>
Status read_rnn_inputs(const KernelContext& ctx, const RnnAttrs& at, int gates, bool lstm, const char* op,
                       RnnInputs<compute_t<T>>& in) {
  using C = compute_t<T>;
  const std::string name(op);
  const Tensor& x = *ctx.input(0);
  const Tensor* w = ctx.input(1);
  const Tensor* r = ctx.input(2);
  if (!w || !r) return invalid_argument(name + " needs inputs X, W and R");
  const int D = at.num_directions;
  if (x.rank() != 3 || w->rank() != 3 || r->rank() != 3) {
    return invalid_argument(name + " expects 3-D X, W and R, got " + shape_to_string(x.shape()) + ", " +
                            shape_to_string(w->shape()) + ", " + shape_to_string(r->shape()));
  }
  for (int i = 1; i < ctx.num_inputs(); ++i) {
    const Tensor* t = ctx.input(i);
    if (t && i != 4 && t->dtype() != x.dtype()) {
      return invalid_argument(name + " input " + std::to_string(i) + " has type " + dtype_name(t->dtype()) +
                              ", expected " + dtype_name(x.dtype()));
    }
  }
  in.seq = at.layout == 0 ? x.dim(0) : x.dim(1);
  in.batch = at.layout == 0 ? x.dim(1) : x.dim(0);
  in.input = x.dim(2);
  in.hidden = r->dim(2);
  const int64_t S = in.seq, B = in.batch, I = in.input, H = in.hidden, GH = gates * H;
  if ((at.hidden > 0 && at.hidden != H) || w->shape() != Shape{D, GH, I} || r->shape() != Shape{D, GH, H}) {
    return invalid_argument(name + " W " + shape_to_string(w->shape()) + " / R " + shape_to_string(r->shape()) +
                            " do not match " + std::to_string(D) + " direction(s), hidden size " +
                            std::to_string(H) + " and input size " + std::to_string(I));
  }
  auto load = [&](const Tensor* t, std::vector<C>& dst, int64_t n) {
    dst.assign(static_cast<size_t>(n), C(0));
    if (t) {
      for (int64_t i = 0; i < n; ++i) dst[static_cast<size_t>(i)] = static_cast<C>(t->data<T>()[i]);
    }
  };
  // X to [seq, batch, input].
  in.x.resize(static_cast<size_t>(S * B * I));
  for (int64_t s = 0; s < S; ++s)
    for (int64_t b = 0; b < B; ++b)
      for (int64_t i = 0; i < I; ++i) {
        const int64_t src = at.layout == 0 ? (s * B + b) * I + i : (b * S + s) * I + i;
        in.x[static_cast<size_t>((s * B + b) * I + i)] = static_cast<C>(x.data<T>()[src]);
      }
  load(w, in.w, w->numel());
  load(r, in.r, r->numel());
  const Tensor* bias = ctx.input(3);
  if (bias && bias->shape() != Shape{D, 2 * GH}) {
    return invalid_argument(name + " B must be " + shape_to_string(Shape{D, 2 * GH}) + ", got " + shape_to_string(bias->shape()));
  }
  load(bias, in.b, D * 2 * GH);
  in.lens.assign(static_cast<size_t>(B), S);
  if (const Tensor* sl = ctx.input(4)) {
    FOGLINE_ASSIGN_OR_RETURN(in.lens, read_int64s(*sl, name + " sequence_lens"));
    if (static_cast<int64_t>(in.lens.size()) != B) {
      return invalid_argument(name + " sequence_lens must have " + std::to_string(B) + " values, got " +
                              std::to_string(in.lens.size()));
    }
    for (int64_t l : in.lens) {
      if (l < 0 || l > S) {
        return invalid_argument(name + " sequence length " + std::to_string(l) + " is outside [0, " + std::to_string(S) + "]");
      }
    }
  }
  // Initial states, [dirs, batch, H] (layout 1: [batch, dirs, H]).
  auto load_state = [&](const Tensor* t, std::vector<C>& dst, const char* what) -> Status {
    dst.assign(static_cast<size_t>(D * B * H), C(0));
    if (!t) return Status::ok();
    const Shape want = at.layout == 0 ? Shape{D, B, H} : Shape{B, D, H};
    if (t->shape() != want) {
      return invalid_argument(name + " " + what + " must be " + shape_to_string(want) + ", got " + shape_to_string(t->shape()));
    }
    for (int64_t d = 0; d < D; ++d)
      for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < H; ++h) {
          const int64_t src = at.layout == 0 ? (d * B + b) * H + h : (b * D + d) * H + h;
          dst[static_cast<size_t>((d * B + b) * H + h)] = static_cast<C>(t->data<T>()[src]);
        }
    return Status::ok();
  };
  FOGLINE_TRY(load_state(ctx.input(5), in.h0, "initial_h"));
  if (lstm) {
    FOGLINE_TRY(load_state(ctx.input(6), in.c0, "initial_c"));
    const Tensor* p = ctx.input(7);
    if (p && p->shape() != Shape{D, 3 * H}) {
      return invalid_argument(name + " P must be " + shape_to_string(Shape{D, 3 * H}) + ", got " + shape_to_string(p->shape()));
    }
    load(p, in.p, D * 3 * H);
  } else {
    in.c0.assign(static_cast<size_t>(D * B * H), C(0));
  }
  return Status::ok();
}

template <typename T>
Status write_rnn_outputs(KernelContext& ctx, const RnnAttrs& at, const RnnInputs<compute_t<T>>& in,
                         const std::vector<compute_t<T>>& y, const std::vector<compute_t<T>>& yh,
                         const std::vector<compute_t<T>>& yc, bool lstm) {
  const int64_t S = in.seq, B = in.batch, H = in.hidden, D = at.num_directions;
  const DataType dt = ctx.input(0)->dtype();
  if (ctx.wants_output(0)) {
    const Shape shape = at.layout == 0 ? Shape{S, D, B, H} : Shape{B, S, D, H};
    FOGLINE_ASSIGN_OR_RETURN(Tensor * t, ctx.allocate_output(0, dt, shape));
    T* p = t->data<T>();
    for (int64_t s = 0; s < S; ++s)
      for (int64_t d = 0; d < D; ++d)
        for (int64_t b = 0; b < B; ++b)
          for (int64_t h = 0; h < H; ++h) {
            const int64_t dst = at.layout == 0 ? ((s * D + d) * B + b) * H + h : ((b * S + s) * D + d) * H + h;
            p[dst] = T(y[static_cast<size_t>(((s * D + d) * B + b) * H + h)]);
          }
  }
  for (int k = 1; k <= (lstm ? 2 : 1); ++k) {
    if (!ctx.wants_output(k)) continue;
    const std::vector<compute_t<T>>& src = k == 1 ? yh : yc;
    const Shape shape = at.layout == 0 ? Shape{D, B, H} : Shape{B, D, H};
    FOGLINE_ASSIGN_OR_RETURN(Tensor * t, ctx.allocate_output(k, dt, shape));
    T* p = t->data<T>();
    for (int64_t d = 0; d < D; ++d)
      for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < H; ++h) {
          const int64_t dst = at.layout == 0 ? (d * B + b) * H + h : (b * D + d) * H + h;
          p[dst] = T(src[static_cast<size_t>((d * B + b) * H + h)]);
        }
  }
  return Status::ok();
}

}  // namespace fogline::engine::ops::rnn
