#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_BINARY_OP_OUT(Or, "Or", bool, bool(a) || bool(b), bool);
}
