#include "engine/ops/math/legacy_broadcast.h"
namespace fogline::engine::ops {
FOGLINE_LEGACY_BINARY_OP(Equal, "Equal", bool, a == b, FOGLINE_ALL_TYPES);
}
