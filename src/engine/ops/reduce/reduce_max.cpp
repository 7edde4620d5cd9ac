// ReduceMax: the largest value (-inf / lowest for an empty reduction). NaN propagates.
#include "engine/ops/reduce/reduce.h"

namespace fogline::engine::ops {
namespace {
struct ReduceMaxOp : SumLikeOp {
  template <typename A> static A init() { return lowest_value<A>(); }
  static constexpr bool kPropagateNaN = true;
  template <typename A> static A combine(A a, A b) { return b > a ? b : a; }
};
}  // namespace
FOGLINE_REDUCE_OP("ReduceMax", ReduceMaxOp, 18, FOGLINE_NUMERIC_TYPES);
}  // namespace fogline::engine::ops
