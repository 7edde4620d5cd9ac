#include "engine/ops/shape/reshape_target.h"

#include <string>

namespace fogline::engine::ops {

Result<Shape> reshape_target(const Shape& in, const std::vector<int64_t>& spec, bool allowzero) {
  Shape out(spec.size());
  int infer = -1;
  int64_t known = 1;
  for (size_t i = 0; i < spec.size(); ++i) {
    if (spec[i] == -1) {
      if (infer >= 0) return invalid_argument("Reshape shape has more than one -1");
      infer = static_cast<int>(i);
      continue;
    }
    if (spec[i] == 0 && !allowzero) {
      if (i >= in.size()) {
        return invalid_argument("Reshape shape has 0 at position " + std::to_string(i) +
                                " beyond the input's rank " + std::to_string(in.size()));
      }
      out[i] = in[i];
    } else if (spec[i] < 0) {
      return invalid_argument("Reshape shape has invalid dimension " + std::to_string(spec[i]));
    } else {
      out[i] = spec[i];
    }
    // A hostile shape (the fuzzer's) can overflow the product; no tensor has that many elements.
    if (__builtin_mul_overflow(known, out[i], &known)) {
      return invalid_argument("Reshape shape " + shape_to_string(spec) + " has more elements than int64 can count");
    }
  }
  // The input's shape can be as hostile (shape propagation on a fuzzed model): count it checked.
  FOGLINE_ASSIGN_OR_RETURN(const int64_t total, checked_numel(in));
  if (infer >= 0) {
    if (known == 0 || total % known != 0) {
      return invalid_argument("cannot reshape " + shape_to_string(in) + " to " + shape_to_string(spec));
    }
    out[static_cast<size_t>(infer)] = total / known;
  }
  auto out_total = checked_numel(out);
  if (!out_total.is_ok() || *out_total != total) {
    return invalid_argument("cannot reshape " + shape_to_string(in) + " (" + std::to_string(total) +
                            " elements) to " + shape_to_string(out));
  }
  return out;
}

}  // namespace fogline::engine::ops
