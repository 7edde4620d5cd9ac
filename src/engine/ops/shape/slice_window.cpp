#include "engine/ops/shape/slice_window.h"

#include <algorithm>
#include <string>

#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {

Result<SliceWindow> slice_window(const Shape& in, const std::vector<int64_t>& starts, const std::vector<int64_t>& ends,
                                 std::vector<int64_t> axes, std::vector<int64_t> steps) {
  if (ends.size() != starts.size()) {
    return invalid_argument("Slice has " + std::to_string(starts.size()) + " starts but " +
                            std::to_string(ends.size()) + " ends");
  }
  if (axes.empty()) {
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (axes.size() != starts.size() || steps.size() != starts.size()) {
    return invalid_argument("Slice axes (" + std::to_string(axes.size()) + ") and steps (" +
                            std::to_string(steps.size()) + ") must match starts (" + std::to_string(starts.size()) +
                            ")");
  }
  FOGLINE_ASSIGN_OR_RETURN(std::vector<int> norm, normalize_axes(axes, static_cast<int>(in.size()), "Slice"));
  SliceWindow w;
  w.out_shape = in;
  w.start.assign(in.size(), 0);
  w.step.assign(in.size(), 1);
  for (size_t i = 0; i < norm.size(); ++i) {
    const size_t a = static_cast<size_t>(norm[i]);
    const int64_t dim = in[a];
    const int64_t step = steps[i];
    if (step == 0) return invalid_argument("Slice step for axis " + std::to_string(a) + " is 0");
    int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
    int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
    int64_t len;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      len = end > start ? (end - start - 1) / step + 1 : 0;
    } else {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      len = start > end ? (start - end - 1) / (step == INT64_MIN ? INT64_MAX : -step) + 1 : 0;
    }
    w.out_shape[a] = len;
    w.start[a] = len > 0 ? start : 0;
    w.step[a] = step;
  }
  return w;
}

}  // namespace fogline::engine::ops
