// ReduceLogSumExp: log(sum(exp(x))), computed as max + log(sum(exp(x - max))) so large
// inputs do not overflow.
#include "engine/ops/reduce/reduce.h"

namespace fogline::engine::ops {
namespace {
struct ReduceLogSumExpOp : SumLikeOp {
  static constexpr bool kIntAccumulate = false;
  static constexpr bool kShiftByMax = true;
  template <typename A> static A pre(A x) { return std::exp(x); }
  template <typename A> static A post(A acc, int64_t) { return std::log(acc); }
};
}  // namespace
FOGLINE_REDUCE_OP("ReduceLogSumExp", ReduceLogSumExpOp, 18, FOGLINE_FLOAT_TYPES, int32_t, int64_t, uint32_t, uint64_t);
}  // namespace fogline::engine::ops
