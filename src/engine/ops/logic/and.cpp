#include "engine/ops/math/legacy_broadcast.h"
namespace fogline::engine::ops {
FOGLINE_LEGACY_BINARY_OP(And, "And", bool, bool(a) && bool(b), bool);
}
