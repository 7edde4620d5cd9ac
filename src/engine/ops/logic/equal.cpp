#include "engine/ops/elementwise.h"
namespace fogline::engine::ops {
FOGLINE_BINARY_OP_OUT(Equal, "Equal", bool, a == b, FOGLINE_ALL_TYPES);
}
