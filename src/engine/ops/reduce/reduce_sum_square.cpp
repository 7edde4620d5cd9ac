// ReduceSumSquare: the sum of squares.
#include "engine/ops/reduce/reduce.h"

namespace fogline::engine::ops {
namespace {
struct ReduceSumSquareOp : SumLikeOp {
  template <typename A> static A pre(A x) { return x * x; }
};
}  // namespace
FOGLINE_REDUCE_OP("ReduceSumSquare", ReduceSumSquareOp, 18, FOGLINE_FLOAT_TYPES, int32_t, int64_t, uint32_t, uint64_t);
}  // namespace fogline::engine::ops
