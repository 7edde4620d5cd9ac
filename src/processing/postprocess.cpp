#include "processing/postprocess.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace fogline::processing {

using engine::Tensor;

namespace {

double iou(const Detection& a, const Detection& b) {
  double iw = std::min(a.x + a.w, b.x + b.w) - std::max(a.x, b.x);
  double ih = std::min(a.y + a.h, b.y + b.h) - std::max(a.y, b.y);
  if (iw <= 0 || ih <= 0) return 0;
  double inter = iw * ih;
  return inter / (a.w * a.h + b.w * b.h - inter);
}

// Element i of a float-like output as float.
float at(const Tensor& t, int64_t i) {
  return t.dtype() == engine::DataType::kFloat ? t.data<float>()[i] : static_cast<float>(t.value_as_double(i));
}

// Adds candidates from one row: box (cx, cy, w, h) in input pixels, objectness (1 when the
// head has none) and class scores.
void add_candidates(std::vector<Detection>* out, double cx, double cy, double w, double h, float objectness,
                    const std::vector<float>& cls, const PostprocessSpec& spec) {
  if (spec.multi_label) {
    for (size_t c = 0; c < cls.size(); ++c) {
      float s = objectness * cls[c];
      if (s >= spec.score_threshold) out->push_back({static_cast<int>(c), s, cx - w / 2, cy - h / 2, w, h});
    }
    return;
  }
  size_t best = 0;
  for (size_t c = 1; c < cls.size(); ++c) {
    if (cls[c] > cls[best]) best = c;
  }
  float s = objectness * (cls.empty() ? 1.0f : cls[best]);
  if (s >= spec.score_threshold) out->push_back({static_cast<int>(best), s, cx - w / 2, cy - h / 2, w, h});
}

Result<std::vector<Detection>> decode_rows(const Tensor& t, const PostprocessSpec& spec, const ImageTransform& tf) {
  // [1, N, 5+C] (YOLOX, YOLOv5) or [1, 4+C, N] (YOLOv8, transposed when the second dim is the smaller).
  if (t.rank() != 3 || t.dim(0) != 1) {
    return invalid_argument(std::string(postprocess_kind_name(spec.kind)) + " output: expected [1, N, K], got " +
                            engine::shape_to_string(t.shape()));
  }
  const bool v8 = spec.kind == PostprocessKind::kYoloV8;
  const bool transposed = v8 && t.dim(1) < t.dim(2);
  const int64_t n = transposed ? t.dim(2) : t.dim(1), k = transposed ? t.dim(1) : t.dim(2);
  const int64_t first_class = v8 ? 4 : 5;
  if (k <= first_class) {
    return invalid_argument(std::string(postprocess_kind_name(spec.kind)) + " output: rows of " + std::to_string(k) +
                            " values leave no class scores");
  }
  auto value = [&](int64_t row, int64_t col) { return transposed ? at(t, col * n + row) : at(t, row * k + col); };
  // YOLOX: the rows follow the grids of each stride, row-major, smallest stride first.
  std::vector<double> gx, gy, gs;
  if (spec.kind == PostprocessKind::kYoloxGrid) {
    for (int s : spec.strides) {
      int gh = tf.input_height / s, gw = tf.input_width / s;
      for (int y = 0; y < gh; ++y) {
        for (int x = 0; x < gw; ++x) gx.push_back(x), gy.push_back(y), gs.push_back(s);
      }
    }
    if (static_cast<int64_t>(gx.size()) != n) {
      return invalid_argument("yolox output: " + std::to_string(n) + " rows, but strides and the " +
                              std::to_string(tf.input_width) + "x" + std::to_string(tf.input_height) + " input give " +
                              std::to_string(gx.size()));
    }
  }
  std::vector<Detection> out;
  std::vector<float> cls(static_cast<size_t>(k - first_class));
  for (int64_t r = 0; r < n; ++r) {
    float objectness = v8 ? 1.0f : value(r, 4);
    if (objectness < spec.score_threshold) continue;  // no class can pass
    for (int64_t c = first_class; c < k; ++c) cls[static_cast<size_t>(c - first_class)] = value(r, c);
    double cx = value(r, 0), cy = value(r, 1), w = value(r, 2), h = value(r, 3);
    if (spec.kind == PostprocessKind::kYoloxGrid) {
      size_t g = static_cast<size_t>(r);
      cx = (cx + gx[g]) * gs[g], cy = (cy + gy[g]) * gs[g];
      w = std::exp(w) * gs[g], h = std::exp(h) * gs[g];
    }
    add_candidates(&out, cx, cy, w, h, objectness, cls, spec);
  }
  return out;
}

Result<std::vector<Detection>> decode_boxes_scores(const std::vector<Tensor>& outputs, const std::vector<std::string>& names,
                                                   const PostprocessSpec& spec, const ImageTransform& tf) {
  auto find = [&](const std::string& name, size_t fallback) -> const Tensor* {
    if (!name.empty()) {
      for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == name) return &outputs[i];
      }
      return nullptr;
    }
    return fallback < outputs.size() ? &outputs[fallback] : nullptr;
  };
  const Tensor* boxes = find(spec.boxes_output, 0);
  const Tensor* scores = find(spec.scores_output, 1);
  const Tensor* classes = find(spec.classes_output, 2);
  if (!boxes || !scores) return invalid_argument("boxes_scores: missing the boxes or scores output");
  if (boxes->numel() % 4 != 0) return invalid_argument("boxes_scores: boxes " + engine::shape_to_string(boxes->shape()) + " is not N x 4");
  const int64_t n = boxes->numel() / 4;
  if (n == 0) return std::vector<Detection>{};
  if (scores->numel() % n != 0) return invalid_argument("boxes_scores: scores do not match " + std::to_string(n) + " boxes");
  const int64_t per_box = scores->numel() / n;
  const bool has_classes = classes && per_box == 1 && classes->numel() == n;
  std::vector<Detection> out;
  std::vector<float> cls(static_cast<size_t>(per_box));
  for (int64_t i = 0; i < n; ++i) {
    double a = at(*boxes, i * 4), b = at(*boxes, i * 4 + 1), c = at(*boxes, i * 4 + 2), d = at(*boxes, i * 4 + 3);
    if (spec.normalized_boxes) a *= tf.input_width, c *= tf.input_width, b *= tf.input_height, d *= tf.input_height;
    double cx, cy, w, h;
    if (spec.box_format == "xyxy") {
      cx = (a + c) / 2, cy = (b + d) / 2, w = c - a, h = d - b;
    } else if (spec.box_format == "xywh") {
      cx = a + c / 2, cy = b + d / 2, w = c, h = d;
    } else {
      cx = a, cy = b, w = c, h = d;
    }
    for (int64_t j = 0; j < per_box; ++j) cls[static_cast<size_t>(j)] = at(*scores, i * per_box + j);
    if (has_classes) {
      float s = cls[0];
      if (s >= spec.score_threshold) {
        out.push_back({static_cast<int>(classes->value_as_int(i)), s, cx - w / 2, cy - h / 2, w, h});
      }
    } else {
      add_candidates(&out, cx, cy, w, h, 1.0f, cls, spec);
    }
  }
  return out;
}

}  // namespace

Result<std::vector<float>> classification_scores(const Tensor& output, const PostprocessSpec& spec) {
  if (!engine::dtype_is_float(output.dtype()) && output.dtype() != engine::DataType::kUInt8 &&
      output.dtype() != engine::DataType::kInt8) {
    return invalid_argument(std::string("classification output: unsupported type ") + engine::dtype_name(output.dtype()));
  }
  int64_t batch = output.rank() >= 1 ? output.dim(0) : 1;
  if (output.rank() >= 2 && batch != 1) {
    return invalid_argument("classification output: expected batch 1, got " + engine::shape_to_string(output.shape()));
  }
  const int64_t n = output.numel();
  if (n <= spec.label_offset) return invalid_argument("classification output: fewer scores than label_offset");
  std::vector<float> s(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) s[static_cast<size_t>(i)] = at(output, i);
  if (spec.softmax) {
    float mx = *std::max_element(s.begin(), s.end());
    double sum = 0;
    for (float& v : s) sum += (v = std::exp(v - mx));
    for (float& v : s) v = static_cast<float>(v / sum);
  }
  s.erase(s.begin(), s.begin() + spec.label_offset);
  return s;
}

std::vector<Detection> non_max_suppression(std::vector<Detection> c, double iou_threshold, bool class_agnostic, int max_keep) {
  std::stable_sort(c.begin(), c.end(), [](const Detection& a, const Detection& b) { return a.score > b.score; });
  std::vector<Detection> kept;
  std::vector<uint8_t> removed(c.size(), 0);
  for (size_t i = 0; i < c.size() && static_cast<int>(kept.size()) < max_keep; ++i) {
    if (removed[i]) continue;
    kept.push_back(c[i]);
    for (size_t j = i + 1; j < c.size(); ++j) {
      if (removed[j] || (!class_agnostic && c[j].class_index != c[i].class_index)) continue;
      if (iou(c[i], c[j]) > iou_threshold) removed[j] = 1;
    }
  }
  return kept;
}

Result<std::vector<Detection>> decode_detections(const std::vector<Tensor>& outputs, const std::vector<std::string>& names,
                                                 const PostprocessSpec& spec, const ImageTransform& tf) {
  if (outputs.empty()) return invalid_argument("detection: the model has no outputs");
  std::vector<Detection> candidates;
  switch (spec.kind) {
    case PostprocessKind::kYoloxGrid:
    case PostprocessKind::kYoloV5:
    case PostprocessKind::kYoloV8: {
      FOGLINE_ASSIGN_OR_RETURN(candidates, decode_rows(outputs[0], spec, tf));
      break;
    }
    case PostprocessKind::kBoxesScores: {
      FOGLINE_ASSIGN_OR_RETURN(candidates, decode_boxes_scores(outputs, names, spec, tf));
      break;
    }
    default:
      return invalid_argument(std::string("postprocess kind ") + postprocess_kind_name(spec.kind) + " is not a detector");
  }
  auto kept = non_max_suppression(std::move(candidates), spec.nms_iou, spec.class_agnostic_nms, spec.max_detections);
  std::vector<Detection> out;
  out.reserve(kept.size());
  for (auto d : kept) {
    double x0 = std::clamp(tf.to_original_x(d.x), 0.0, static_cast<double>(tf.original_width));
    double y0 = std::clamp(tf.to_original_y(d.y), 0.0, static_cast<double>(tf.original_height));
    double x1 = std::clamp(tf.to_original_x(d.x + d.w), 0.0, static_cast<double>(tf.original_width));
    double y1 = std::clamp(tf.to_original_y(d.y + d.h), 0.0, static_cast<double>(tf.original_height));
    if (x1 <= x0 || y1 <= y0) continue;
    d.x = x0, d.y = y0, d.w = x1 - x0, d.h = y1 - y0;
    out.push_back(d);
  }
  return out;
}

}  // namespace fogline::processing
