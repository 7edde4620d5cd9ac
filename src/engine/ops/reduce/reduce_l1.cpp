// ReduceL1: the sum of absolute values.
#include "engine/ops/reduce/reduce.h"

namespace fogline::engine::ops {
namespace {
struct ReduceL1Op : SumLikeOp {
  template <typename A> static A pre(A x) {
    if constexpr (std::is_unsigned_v<A>) return x;
    else return x < 0 ? -x : x;
  }
};
}  // namespace
FOGLINE_REDUCE_OP("ReduceL1", ReduceL1Op, 18, FOGLINE_FLOAT_TYPES, int32_t, int64_t, uint32_t, uint64_t);
}  // namespace fogline::engine::ops
