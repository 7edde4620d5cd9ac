#include "engine/ops/math/legacy_broadcast.h"
namespace fogline::engine::ops {
FOGLINE_LEGACY_BINARY_OP(Less, "Less", bool, a < b, FOGLINE_NUMERIC_TYPES);
}
