// ReduceMin: the smallest value (+inf / max for an empty reduction). NaN propagates.
#include "engine/ops/reduce/reduce.h"

namespace fogline::engine::ops {
namespace {
struct ReduceMinOp : SumLikeOp {
  template <typename A> static A init() { return highest_value<A>(); }
  static constexpr bool kPropagateNaN = true;
  template <typename A> static A combine(A a, A b) { return b < a ? b : a; }
};
}  // namespace
FOGLINE_REDUCE_OP("ReduceMin", ReduceMinOp, 18, FOGLINE_NUMERIC_TYPES);
}  // namespace fogline::engine::ops
