// ReduceL2: the square root of the sum of squares.
#include "engine/ops/reduce/reduce.h"

namespace fogline::engine::ops {
namespace {
struct ReduceL2Op : SumLikeOp {
  static constexpr bool kIntAccumulate = false;
  template <typename A> static A pre(A x) { return x * x; }
  template <typename A> static A post(A acc, int64_t) { return std::sqrt(acc); }
};
}  // namespace
FOGLINE_REDUCE_OP("ReduceL2", ReduceL2Op, 18, FOGLINE_FLOAT_TYPES, int32_t, int64_t, uint32_t, uint64_t);
}  // namespace fogline::engine::ops
