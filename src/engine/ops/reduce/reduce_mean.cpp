// ReduceMean: the sum divided by the number of reduced elements.
#include "engine/ops/reduce/reduce.h"

namespace fogline::engine::ops {
namespace {
struct ReduceMeanOp : SumLikeOp {
  template <typename A> static A post(A acc, int64_t n) { return n ? acc / static_cast<A>(n) : acc; }
};
}  // namespace
FOGLINE_REDUCE_OP("ReduceMean", ReduceMeanOp, 18, FOGLINE_FLOAT_TYPES, int32_t, int64_t, uint32_t, uint64_t);
}  // namespace fogline::engine::ops
