// NonMaxSuppression: per batch and class, greedily keeps the highest-scoring boxes (score above
// score_threshold) whose IoU with every box already kept is at most iou_threshold, up to
// max_output_boxes_per_class (0 or absent: none). Output int64 rows [batch, class, box].
// Boxes are [y1, x1, y2, x2] with corners in any order, or [xc, yc, w, h] with
// center_point_box=1.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

struct Box {
  float y1, x1, y2, x2;
  float area() const { return (y2 - y1) * (x2 - x1); }
};

float iou(const Box& a, const Box& b) {
  const float ih = std::min(a.y2, b.y2) - std::max(a.y1, b.y1);
  const float iw = std::min(a.x2, b.x2) - std::max(a.x1, b.x1);
  if (ih <= 0 || iw <= 0) return 0.0f;
  const float inter = ih * iw;
  const float uni = a.area() + b.area() - inter;
  return uni > 0 ? inter / uni : 0.0f;
}

class NonMaxSuppressionKernel : public Kernel {
 public:
  explicit NonMaxSuppressionKernel(bool center) : center_(center) {}

  Status run(KernelContext& ctx) const override {
    const Tensor* boxes_t = ctx.input(0);
    const Tensor* scores_t = ctx.input(1);
    if (!boxes_t || !scores_t) return invalid_argument("NonMaxSuppression needs boxes and scores inputs");
    if (boxes_t->rank() != 3 || boxes_t->dim(2) != 4) {
      return invalid_argument("NonMaxSuppression boxes must be [batch, boxes, 4], got " + shape_to_string(boxes_t->shape()));
    }
    if (scores_t->rank() != 3 || scores_t->dim(0) != boxes_t->dim(0) || scores_t->dim(2) != boxes_t->dim(1)) {
      return invalid_argument("NonMaxSuppression scores " + shape_to_string(scores_t->shape()) +
                              " must be [batch, classes, boxes] matching boxes " + shape_to_string(boxes_t->shape()));
    }
    FOGLINE_ASSIGN_OR_RETURN(std::vector<float> boxes, read_floats(*boxes_t, "NonMaxSuppression boxes"));
    FOGLINE_ASSIGN_OR_RETURN(std::vector<float> scores, read_floats(*scores_t, "NonMaxSuppression scores"));
    int64_t max_out = 0;
    if (const Tensor* t = ctx.input(2); t && t->numel() > 0) {
      FOGLINE_ASSIGN_OR_RETURN(std::vector<int64_t> v, read_int64s(*t, "NonMaxSuppression max_output_boxes_per_class"));
      max_out = v[0];
    }
    float iou_threshold = 0.0f;
    if (const Tensor* t = ctx.input(3); t && t->numel() > 0) {
      FOGLINE_ASSIGN_OR_RETURN(std::vector<float> v, read_floats(*t, "NonMaxSuppression iou_threshold"));
      iou_threshold = v[0];
    }
    std::optional<float> score_threshold;
    if (const Tensor* t = ctx.input(4); t && t->numel() > 0) {
      FOGLINE_ASSIGN_OR_RETURN(std::vector<float> v, read_floats(*t, "NonMaxSuppression score_threshold"));
      score_threshold = v[0];
    }
    const int64_t batches = boxes_t->dim(0), n = boxes_t->dim(1), classes = scores_t->dim(1);
    std::vector<Box> all(static_cast<size_t>(batches * n));
    for (size_t i = 0; i < all.size(); ++i) {
      const float* b = boxes.data() + i * 4;
      if (center_) {
        all[i] = {b[1] - b[3] / 2, b[0] - b[2] / 2, b[1] + b[3] / 2, b[0] + b[2] / 2};
      } else {
        all[i] = {std::min(b[0], b[2]), std::min(b[1], b[3]), std::max(b[0], b[2]), std::max(b[1], b[3])};
      }
    }
    std::vector<int64_t> selected;  // triples
    for (int64_t b = 0; b < batches; ++b) {
      for (int64_t c = 0; c < classes; ++c) {
        if (max_out <= 0) continue;
        const float* s = scores.data() + (b * classes + c) * n;
        std::vector<int64_t> cand;
        for (int64_t i = 0; i < n; ++i) {
          if (std::isnan(s[i])) continue;  // never selected; also keeps the sort well-defined
          if (!score_threshold || s[i] > *score_threshold) cand.push_back(i);
        }
        std::stable_sort(cand.begin(), cand.end(), [&](int64_t x, int64_t y) { return s[x] > s[y]; });
        std::vector<int64_t> kept;
        for (int64_t i : cand) {
          if (static_cast<int64_t>(kept.size()) >= max_out) break;
          const Box& bi = all[static_cast<size_t>(b * n + i)];
          bool suppressed = false;
          for (int64_t k : kept) {
            if (iou(bi, all[static_cast<size_t>(b * n + k)]) > iou_threshold) {
              suppressed = true;
              break;
            }
          }
          if (suppressed) continue;
          kept.push_back(i);
          selected.insert(selected.end(), {b, c, i});
        }
      }
    }
    const int64_t rows = static_cast<int64_t>(selected.size()) / 3;
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, DataType::kInt64, {rows, 3}));
    std::copy(selected.begin(), selected.end(), y->data<int64_t>());
    return Status::ok();
  }

 private:
  bool center_;
};

Result<std::unique_ptr<Kernel>> make_nms(const KernelBuildInfo& info) {
  return std::unique_ptr<Kernel>(new NonMaxSuppressionKernel(info.attrs().get_int("center_point_box", 0) != 0));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("", "NonMaxSuppression", 10, 1000, Backend::kReference, make_nms);

}  // namespace fogline::engine::ops
