// ReduceLogSum: the natural log of the sum.
#include "engine/ops/reduce/reduce.h"

namespace fogline::engine::ops {
namespace {
struct ReduceLogSumOp : SumLikeOp {
  static constexpr bool kIntAccumulate = false;
  template <typename A> static A post(A acc, int64_t) { return std::log(acc); }
};
}  // namespace
FOGLINE_REDUCE_OP("ReduceLogSum", ReduceLogSumOp, 18, FOGLINE_FLOAT_TYPES, int32_t, int64_t, uint32_t, uint64_t);
}  // namespace fogline::engine::ops
