// ReduceProd: the product.
#include "engine/ops/reduce/reduce.h"

namespace fogline::engine::ops {
namespace {
struct ReduceProdOp : SumLikeOp {
  template <typename A> static A init() { return A(1); }
  template <typename A> static A combine(A a, A b) { return a * b; }
};
}  // namespace
FOGLINE_REDUCE_OP("ReduceProd", ReduceProdOp, 18, FOGLINE_FLOAT_TYPES, int32_t, int64_t, uint32_t, uint64_t);
}  // namespace fogline::engine::ops
