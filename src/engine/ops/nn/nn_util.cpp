#include "engine/ops/nn/nn_util.h"

namespace fogline::engine::ops::nn {

Result<AutoPad> parse_auto_pad(const Attributes& attrs) {
  const std::string s = attrs.get_string("auto_pad", "NOTSET");
  if (s == "NOTSET" || s.empty()) return AutoPad::kNotSet;
  if (s == "SAME_UPPER") return AutoPad::kSameUpper;
  if (s == "SAME_LOWER") return AutoPad::kSameLower;
  if (s == "VALID") return AutoPad::kValid;
  return invalid_argument("auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got '" + s + "'");
}

Result<Window> read_window(const Attributes& attrs) {
  Window w;
  w.kernel = attrs.get_ints("kernel_shape");
  w.strides = attrs.get_ints("strides");
  w.dilations = attrs.get_ints("dilations");
  w.pads = attrs.get_ints("pads");
  FOGLINE_ASSIGN_OR_RETURN(w.auto_pad, parse_auto_pad(attrs));
  w.ceil_mode = attrs.get_int("ceil_mode", 0) != 0;
  return w;
}

namespace {
std::string list(const std::vector<int64_t>& v) { return shape_to_string(v); }
}  // namespace

Result<std::vector<int64_t>> resolve_window(Window& w, const std::vector<int64_t>& in, const char* op) {
  const size_t n = in.size();
  const std::string name(op);
  if (w.kernel.size() != n) {
    return invalid_argument(name + " kernel_shape " + list(w.kernel) + " must have " + std::to_string(n) +
                            " values for an input with " + std::to_string(n) + " spatial dims");
  }
  if (w.strides.empty()) w.strides.assign(n, 1);
  if (w.dilations.empty()) w.dilations.assign(n, 1);
  if (w.pads.empty()) w.pads.assign(2 * n, 0);
  if (w.strides.size() != n || w.dilations.size() != n || w.pads.size() != 2 * n) {
    return invalid_argument(name + " strides " + list(w.strides) + ", dilations " + list(w.dilations) +
                            " and pads " + list(w.pads) + " do not match " + std::to_string(n) +
                            " spatial dims");
  }
  std::vector<int64_t> out(n);
  for (size_t d = 0; d < n; ++d) {
    if (w.kernel[d] <= 0 || w.strides[d] <= 0 || w.dilations[d] <= 0 || w.pads[d] < 0 || w.pads[d + n] < 0) {
      return invalid_argument(name + " needs positive kernel_shape, strides and dilations and "
                              "non-negative pads, got kernel " + list(w.kernel) + " strides " +
                              list(w.strides) + " dilations " + list(w.dilations) + " pads " + list(w.pads));
    }
    const int64_t ek = (w.kernel[d] - 1) * w.dilations[d] + 1;
    const int64_t s = w.strides[d];
    switch (w.auto_pad) {
      case AutoPad::kSameUpper:
      case AutoPad::kSameLower: {
        out[d] = (in[d] + s - 1) / s;
        const int64_t total = std::max<int64_t>(0, (out[d] - 1) * s + ek - in[d]);
        const int64_t begin = w.auto_pad == AutoPad::kSameUpper ? total / 2 : total - total / 2;
        w.pads[d] = begin;
        w.pads[d + n] = total - begin;
        break;
      }
      case AutoPad::kValid:
        w.pads[d] = w.pads[d + n] = 0;
        [[fallthrough]];
      case AutoPad::kNotSet: {
        const int64_t span = in[d] + w.pads[d] + w.pads[d + n] - ek;
        if (span < 0) {
          return invalid_argument(name + " window " + std::to_string(ek) + " is larger than the padded input " +
                                  std::to_string(in[d] + w.pads[d] + w.pads[d + n]) + " in spatial dim " +
                                  std::to_string(d));
        }
        if (w.ceil_mode) {
          out[d] = (span + s - 1) / s + 1;
          // A last window that would start inside the end padding is dropped (as PyTorch does).
          if ((out[d] - 1) * s >= in[d] + w.pads[d]) out[d]--;
        } else {
          out[d] = span / s + 1;
        }
        break;
      }
    }
  }
  return out;
}

}  // namespace fogline::engine::ops::nn
