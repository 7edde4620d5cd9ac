// ReduceSum: the sum over the reduced axes (axes became an input in opset 13).
#include "engine/ops/reduce/reduce.h"

namespace fogline::engine::ops {
namespace {
struct ReduceSumOp : SumLikeOp {};
}  // namespace
FOGLINE_REDUCE_OP("ReduceSum", ReduceSumOp, 13, FOGLINE_FLOAT_TYPES, int32_t, int64_t, uint32_t, uint64_t);
}  // namespace fogline::engine::ops
