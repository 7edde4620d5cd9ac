#include "engine/ops/math/legacy_broadcast.h"
namespace fogline::engine::ops {
FOGLINE_LEGACY_BINARY_OP(Sub, "Sub", void, a - b, FOGLINE_NUMERIC_TYPES);
}
