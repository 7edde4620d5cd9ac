#include "engine/ops/activation/param_unary.h"
namespace fogline::engine::ops {
FOGLINE_PARAM_UNARY_OP(Selu, "Selu", 1.67326319217681884765625f, 0.0f, 1.05070102214813232421875f,
                       x <= C(0) ? C(g * (a * std::exp(x) - a)) : C(g * x), FOGLINE_FLOAT_TYPES);
}
