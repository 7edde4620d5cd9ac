#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_BINARY_OP_OUT(Xor, "Xor", bool, bool(a) != bool(b), bool);
}
