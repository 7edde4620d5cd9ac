// The Reduce* family: one kernel template parameterised by a small "reduction op" struct, so
// each op file is its formula and a registry line.
//
// An op struct provides (A is the accumulator type, see accumulator_t):
//   init<A>()              the identity (0 for sums, lowest for max, ...)
//   pre<A>(x)              the per-element map before combining (|x|, x*x, exp(x), ...)
//   combine<A>(a, b)       the associative combine (+, *, max, min)
//   post<A>(acc, n)        the final map, given the number of elements reduced
//   kIntAccumulate         integer inputs accumulate in int64/uint64 (else in double)
//   kShiftByMax            LogSumExp: subtract the row max before exp for stability
//   kPropagateNaN          Max/Min: a NaN anywhere makes the result NaN (checked on the side so
//                          that `combine` can stay a plain max/min the compiler vectorises)
//
// Axes: an attribute before `axes_input_opset`, then an optional input; no axes means all
// axes unless noop_with_empty_axes, in which case each element is "reduced" alone (so
// ReduceSumSquare still squares, as the ONNX reference does).
//
// Layout: dims of size 1 are dropped and adjacent dims merged, giving [kept, reduced] (the
// LayerNorm case: one contiguous row per output), [kept, reduced, kept] (accumulate whole rows,
// vectorised over the trailing kept dims), or anything else, which is first transposed so that
// the reduced dims come last.
#pragma once

#include <cmath>
#include <limits>
#include <type_traits>

#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {

template <typename T, typename Op>
using accumulator_t = std::conditional_t<
    !std::is_integral_v<compute_t<T>>, compute_t<T>,
    std::conditional_t<!Op::kIntAccumulate, double,
                       std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>>;

template <typename T, typename A>
inline T from_accumulator(A a) {
  if constexpr (std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>) {
    return T(static_cast<float>(a));
  } else {
    return static_cast<T>(a);
  }
}

template <typename A>
inline A lowest_value() {
  if constexpr (std::numeric_limits<A>::has_infinity) return -std::numeric_limits<A>::infinity();
  return std::numeric_limits<A>::lowest();
}
template <typename A>
inline A highest_value() {
  if constexpr (std::numeric_limits<A>::has_infinity) return std::numeric_limits<A>::infinity();
  return std::numeric_limits<A>::max();
}

// Common op shapes.
struct SumLikeOp {
  static constexpr bool kIntAccumulate = true;
  static constexpr bool kShiftByMax = false;
  static constexpr bool kPropagateNaN = false;
  template <typename A> static A init() { return A(0); }
  template <typename A> static A pre(A x) { return x; }
  template <typename A> static A combine(A a, A b) { return a + b; }
  template <typename A> static A post(A acc, int64_t) { return acc; }
};

namespace reduce_detail {

template <typename Op, typename A>
inline A max_of(A a, A b) {
  return b > a ? b : a;
}

// Reduces one contiguous row of n elements, with 8 independent accumulators so the loop
// vectorises without reassociation flags.
template <typename Op, typename T, typename A>
A reduce_row(const T* x, int64_t n) {
  using C = compute_t<T>;
  A shift = A(0);
  if constexpr (Op::kShiftByMax) {
    A m = lowest_value<A>();
    for (int64_t i = 0; i < n; ++i) m = max_of<Op>(m, static_cast<A>(static_cast<C>(x[i])));
    if (std::isfinite(static_cast<double>(m))) shift = m;
  }
  A acc[8];
  for (A& a : acc) a = Op::template init<A>();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int l = 0; l < 8; ++l) {
      acc[l] = Op::template combine<A>(acc[l], Op::template pre<A>(static_cast<A>(static_cast<C>(x[i + l])) - shift));
    }
  }
  for (; i < n; ++i) acc[0] = Op::template combine<A>(acc[0], Op::template pre<A>(static_cast<A>(static_cast<C>(x[i])) - shift));
  A total = acc[0];
  for (int l = 1; l < 8; ++l) total = Op::template combine<A>(total, acc[l]);
  if constexpr (Op::kPropagateNaN && std::numeric_limits<A>::has_quiet_NaN) {
    // A separate pass: it vectorises, where a NaN test inside the max loop would not.
    int nan = 0;
    for (int64_t j = 0; j < n; ++j) {
      const A v = static_cast<A>(static_cast<C>(x[j]));
      nan |= v != v;
    }
    if (nan) return std::numeric_limits<A>::quiet_NaN();
  }
  if constexpr (Op::kShiftByMax) return Op::template post<A>(total, n) + shift;
  return Op::template post<A>(total, n);
}

// out[o] = reduce(x[o*r .. o*r + r)).
template <typename Op, typename T>
void reduce_inner(const T* x, T* y, int64_t outer, int64_t r, int threads) {
  using A = accumulator_t<T, Op>;
#pragma omp parallel for if (outer * r > 32768 && outer > 1) num_threads(threads)
  for (int64_t o = 0; o < outer; ++o) y[o] = from_accumulator<T>(reduce_row<Op, T, A>(x + o * r, r));
}

// out[o, k] = reduce over j of x[o, j, k] for x of shape [outer, r, inner].
template <typename Op, typename T>
void reduce_middle(const T* x, T* y, int64_t outer, int64_t r, int64_t inner, int threads) {
  using A = accumulator_t<T, Op>;
  using C = compute_t<T>;
  // Split the inner dim into blocks so there is parallel work even when outer is 1.
  constexpr int64_t block = 1024;
  const int64_t blocks = (inner + block - 1) / block;
  const int64_t tasks = outer * blocks;
#pragma omp parallel for if (outer * r * inner > 32768 && tasks > 1) num_threads(threads)
  for (int64_t t = 0; t < tasks; ++t) {
    const int64_t o = t / blocks;
    const int64_t k0 = (t % blocks) * block;
    const int64_t kn = std::min(block, inner - k0);
    const T* base = x + o * r * inner + k0;
    A acc[block];
    A shift[block];
    int nan[block];
    for (int64_t k = 0; k < kn; ++k) {
      acc[k] = Op::template init<A>();
      shift[k] = A(0);
      nan[k] = 0;
    }
    if constexpr (Op::kShiftByMax) {
      for (int64_t k = 0; k < kn; ++k) shift[k] = lowest_value<A>();
      for (int64_t j = 0; j < r; ++j) {
        for (int64_t k = 0; k < kn; ++k) shift[k] = max_of<Op>(shift[k], static_cast<A>(static_cast<C>(base[j * inner + k])));
      }
      for (int64_t k = 0; k < kn; ++k) {
        if (!std::isfinite(static_cast<double>(shift[k]))) shift[k] = A(0);
      }
    }
    for (int64_t j = 0; j < r; ++j) {
      const T* row = base + j * inner;
      for (int64_t k = 0; k < kn; ++k) {
        A v = static_cast<A>(static_cast<C>(row[k]));
        if constexpr (Op::kPropagateNaN) nan[k] |= v != v;
        if constexpr (Op::kShiftByMax) v -= shift[k];
        acc[k] = Op::template combine<A>(acc[k], Op::template pre<A>(v));
      }
    }
    T* out = y + o * inner + k0;
    for (int64_t k = 0; k < kn; ++k) {
      A v = Op::template post<A>(acc[k], r);
      if constexpr (Op::kShiftByMax) v += shift[k];
      if constexpr (Op::kPropagateNaN && std::numeric_limits<A>::has_quiet_NaN) {
        if (nan[k]) v = std::numeric_limits<A>::quiet_NaN();
      }
      out[k] = from_accumulator<T>(v);
    }
  }
}

}  // namespace reduce_detail

template <typename Op, typename... Ts>
class ReduceKernel : public Kernel {
 public:
  ReduceKernel(const char* op, bool axes_from_input, std::vector<int64_t> attr_axes, bool keepdims, bool noop)
      : op_(op), axes_from_input_(axes_from_input), attr_axes_(std::move(attr_axes)), keepdims_(keepdims), noop_(noop) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    const int rank = x.rank();
    std::vector<int64_t> axes = attr_axes_;
    if (axes_from_input_ && ctx.input(1)) {
      FOGLINE_ASSIGN_OR_RETURN(axes, read_int64s(*ctx.input(1), std::string(op_) + " axes"));
    }
    std::vector<bool> reduced(static_cast<size_t>(rank), false);
    if (axes.empty()) {
      if (!noop_) reduced.assign(static_cast<size_t>(rank), true);
    } else {
      FOGLINE_ASSIGN_OR_RETURN(std::vector<int> norm, normalize_axes(axes, rank, op_));
      for (int a : norm) reduced[static_cast<size_t>(a)] = true;
    }
    Shape out_shape;
    for (int d = 0; d < rank; ++d) {
      if (!reduced[static_cast<size_t>(d)]) out_shape.push_back(x.dim(d));
      else if (keepdims_) out_shape.push_back(1);
    }
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), out_shape));
    if (y->numel() == 0) return Status::ok();

    // Merge into groups of (size, reduced?), dropping unit dims.
    std::vector<std::pair<int64_t, bool>> groups;
    for (int d = 0; d < rank; ++d) {
      const int64_t n = x.dim(d);
      const bool r = reduced[static_cast<size_t>(d)];
      if (n == 1) continue;
      if (!groups.empty() && groups.back().second == r) groups.back().first *= n;
      else groups.emplace_back(n, r);
    }
    return dispatch_types<Ts...>(x.dtype(), op_, [&]<typename T>() -> Status {
      const T* in = x.data<T>();
      T* out = y->data<T>();
      const int threads = ctx.threads();
      if (groups.empty()) {
        reduce_detail::reduce_inner<Op, T>(in, out, 1, 1, threads);
      } else if (groups.size() == 1) {
        if (groups[0].second) reduce_detail::reduce_inner<Op, T>(in, out, 1, groups[0].first, threads);
        else reduce_detail::reduce_inner<Op, T>(in, out, groups[0].first, 1, threads);
      } else if (groups.size() == 2 && groups[1].second) {
        reduce_detail::reduce_inner<Op, T>(in, out, groups[0].first, groups[1].first, threads);
      } else if (groups.size() == 2) {
        reduce_detail::reduce_middle<Op, T>(in, out, 1, groups[0].first, groups[1].first, threads);
      } else if (groups.size() == 3 && groups[1].second) {
        reduce_detail::reduce_middle<Op, T>(in, out, groups[0].first, groups[1].first, groups[2].first, threads);
      } else {
        // Move the reduced groups last, then reduce contiguous rows.
        Shape shape;
        std::vector<int64_t> strides;
        std::vector<int64_t> group_strides(groups.size());
        int64_t s = 1;
        for (size_t g = groups.size(); g-- > 0;) {
          group_strides[g] = s;
          s *= groups[g].first;
        }
        int64_t kept = 1, red = 1;
        for (int pass = 0; pass < 2; ++pass) {
          for (size_t g = 0; g < groups.size(); ++g) {
            if (groups[g].second != (pass == 1)) continue;
            shape.push_back(groups[g].first);
            strides.push_back(group_strides[g]);
            (pass ? red : kept) *= groups[g].first;
          }
        }
        FOGLINE_ASSIGN_OR_RETURN(Tensor tmp, Tensor::allocate(x.dtype(), shape));
        strided_copy<T>(in, 0, shape, strides, tmp.data<T>(), threads);
        reduce_detail::reduce_inner<Op, T>(tmp.data<T>(), out, kept, red, threads);
      }
      return Status::ok();
    });
  }

 private:
  const char* op_;
  bool axes_from_input_;
  std::vector<int64_t> attr_axes_;
  bool keepdims_;
  bool noop_;
};

// Builds a ReduceKernel for the node; axes move from attribute to input at `axes_input_opset`.
template <typename Op, typename... Ts>
Result<std::unique_ptr<Kernel>> make_reduce(const KernelBuildInfo& info, const char* op, int axes_input_opset) {
  const bool from_input = info.opset() >= axes_input_opset;
  return std::unique_ptr<Kernel>(new ReduceKernel<Op, Ts...>(
      op, from_input, from_input ? std::vector<int64_t>{} : info.attrs().get_ints("axes"),
      info.attrs().get_int("keepdims", 1) != 0, info.attrs().get_int("noop_with_empty_axes", 0) != 0));
}

}  // namespace fogline::engine::ops

// Defines and registers Reduce<Name>; `OpStruct` is the reduction op.
#define FOGLINE_REDUCE_OP(OpString, OpStruct, axes_input_opset, ...)                          \
  namespace {                                                                               \
  ::fogline::Result<std::unique_ptr<::fogline::engine::Kernel>> make_##OpStruct(              \
      const ::fogline::engine::KernelBuildInfo& info) {                                     \
    return ::fogline::engine::ops::make_reduce<OpStruct, __VA_ARGS__>(info, OpString,         \
                                                                      axes_input_opset);      \
  }                                                                                         \
  }                                                                                         \
  FOGLINE_REGISTER_KERNEL("", OpString, 1, 1000, Backend::kReference, make_##OpStruct)
