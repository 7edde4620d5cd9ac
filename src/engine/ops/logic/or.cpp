#include "engine/ops/math/legacy_broadcast.h"
namespace fogline::engine::ops {
FOGLINE_LEGACY_BINARY_OP(Or, "Or", bool, bool(a) || bool(b), bool);
}
