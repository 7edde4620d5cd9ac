#include "eval/plots.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <numeric>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <functional>

#include "core/file_util.h"

namespace fogline::eval {

namespace {

const char* kColors[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"};

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof(b), "%.2f", v);
  return b;
}

std::string header(double w, double h, const std::string& title) {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + num(w) + "\" height=\"" + num(h) + "\" viewBox=\"0 0 " +
         num(w) + " " + num(h) + "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n" +
         "<text x=\"" + num(w / 2) + "\" y=\"20\" text-anchor=\"middle\" font-size=\"15\">" + svg_escape(title) + "</text>\n";
}

std::string text(double x, double y, const std::string& s, const std::string& extra = "") {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" " + extra + ">" + svg_escape(s) + "</text>\n";
}

std::string line(double x1, double y1, double x2, double y2, const std::string& style) {
  return "<line x1=\"" + num(x1) + "\" y1=\"" + num(y1) + "\" x2=\"" + num(x2) + "\" y2=\"" + num(y2) + "\" " + style + "/>\n";
}

}  // namespace

std::string svg_escape(const std::string& t) {
  std::string o;
  for (char c : t) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string svg_line_chart(const std::string& title, const std::string& xl, const std::string& yl, const std::vector<Series>& series) {
  const double W = 560, H = 420, L = 60, R = 160, T = 40, B = 50, pw = W - L - R, ph = H - T - B;
  std::string s = header(W, H, title);
  for (int i = 0; i <= 10; i += 2) {
    double v = i / 10.0, x = L + v * pw, y = T + ph - v * ph;
    s += line(L, y, L + pw, y, "stroke=\"#ddd\"");
    s += line(x, T, x, T + ph, "stroke=\"#ddd\"");
    s += text(L - 6, y + 4, num(v).substr(0, 3), "text-anchor=\"end\"");
    s += text(x, T + ph + 16, num(v).substr(0, 3), "text-anchor=\"middle\"");
  }
  s += "<rect x=\"" + num(L) + "\" y=\"" + num(T) + "\" width=\"" + num(pw) + "\" height=\"" + num(ph) + "\" fill=\"none\" stroke=\"black\"/>\n";
  s += text(L + pw / 2, H - 12, xl, "text-anchor=\"middle\"");
  s += text(16, T + ph / 2, yl, "text-anchor=\"middle\" transform=\"rotate(-90 16 " + num(T + ph / 2) + ")\"");
  for (size_t k = 0; k < series.size(); ++k) {
    const auto& se = series[k];
    std::string pts;
    for (size_t i = 0; i < se.x.size() && i < se.y.size(); ++i) {
      double x = L + std::clamp(se.x[i], 0.0, 1.0) * pw, y = T + ph - std::clamp(se.y[i], 0.0, 1.0) * ph;
      pts += num(x) + "," + num(y) + " ";
    }
    const char* color = kColors[k % 6];
    s += "<polyline fill=\"none\" stroke=\"" + std::string(color) + "\" stroke-width=\"2\" points=\"" + pts + "\"/>\n";
    double ly = T + 10 + 18.0 * static_cast<double>(k);
    s += line(L + pw + 10, ly, L + pw + 30, ly, "stroke=\"" + std::string(color) + "\" stroke-width=\"2\"");
    s += text(L + pw + 34, ly + 4, se.label);
  }
  return s + "</svg>\n";
}

std::string svg_bar_chart(const std::string& title, const std::vector<std::string>& labels, const std::vector<double>& values,
                          double reference, const std::string& reference_label) {
  const double bar = 22, L = 200, R = 80, T = 40, B = 30, pw = 400;
  const double H = T + B + bar * static_cast<double>(std::max<size_t>(labels.size(), 1)), W = L + pw + R;
  double vmax = reference > 0 ? reference : 0;
  for (double v : values) vmax = std::max(vmax, v);
  if (vmax <= 0) vmax = 1;
  if (vmax <= 1) vmax = 1;  // metrics in 0..1 keep their scale
  std::string s = header(W, H, title);
  for (size_t i = 0; i < labels.size(); ++i) {
    double y = T + bar * static_cast<double>(i), v = i < values.size() ? values[i] : 0;
    double w = v > 0 ? v / vmax * pw : 0;
    s += text(L - 6, y + bar * 0.7, labels[i], "text-anchor=\"end\"");
    s += "<rect x=\"" + num(L) + "\" y=\"" + num(y + 3) + "\" width=\"" + num(w) + "\" height=\"" + num(bar - 6) +
         "\" fill=\"" + (v < 0 ? "#bbb" : kColors[0]) + "\"/>\n";
    s += text(L + w + 4, y + bar * 0.7, v < 0 ? "n/a" : num(v).substr(0, 5));
  }
  if (reference >= 0) {
    double x = L + reference / vmax * pw;
    s += line(x, T, x, H - B, "stroke=\"#d62728\" stroke-dasharray=\"4 3\"");
    s += text(x, H - B + 16, reference_label + " " + num(reference), "text-anchor=\"middle\" fill=\"#d62728\"");
  }
  return s + "</svg>\n";
}

std::string svg_confusion_matrix(const std::string& title, const std::vector<std::string>& labels,
                                 const std::vector<std::vector<int64_t>>& counts) {
  const size_t n = labels.size();
  const double cell = n > 25 ? 14 : 24, L = 170, T = 170, W = L + cell * static_cast<double>(n) + 20, H = T + cell * static_cast<double>(n) + 40;
  std::string s = header(W, H, title);
  for (size_t i = 0; i < n; ++i) {
    int64_t row_sum = 0;
    for (size_t j = 0; j < n; ++j) row_sum += counts[i][j];
    double y = T + cell * static_cast<double>(i);
    s += text(L - 4, y + cell * 0.7, labels[i], "text-anchor=\"end\" font-size=\"10\"");
    double x = L + cell * static_cast<double>(i) + cell * 0.7;
    s += text(x, T - 4, labels[i], "font-size=\"10\" transform=\"rotate(-60 " + num(x) + " " + num(T - 4) + ")\"");
    for (size_t j = 0; j < n; ++j) {
      double f = row_sum ? static_cast<double>(counts[i][j]) / static_cast<double>(row_sum) : 0;
      int shade = static_cast<int>(255 - f * 200);
      char fill[32];
      std::snprintf(fill, sizeof(fill), "rgb(%d,%d,255)", shade, shade);
      s += "<rect x=\"" + num(L + cell * static_cast<double>(j)) + "\" y=\"" + num(y) + "\" width=\"" + num(cell) + "\" height=\"" +
           num(cell) + "\" fill=\"" + fill + "\" stroke=\"#eee\"><title>" + svg_escape(labels[i]) + " -> " + svg_escape(labels[j]) +
           ": " + std::to_string(counts[i][j]) + "</title></rect>\n";
      if (counts[i][j] && cell >= 20) {
        s += text(L + cell * (static_cast<double>(j) + 0.5), y + cell * 0.65, std::to_string(counts[i][j]),
                  "text-anchor=\"middle\" font-size=\"9\"");
      }
    }
  }
  s += text(L + cell * static_cast<double>(n) / 2, H - 10, "predicted (columns) vs true (rows)", "text-anchor=\"middle\"");
  return s + "</svg>\n";
}

namespace {

const cv::Scalar kBgr[] = {{180, 119, 31}, {40, 39, 214}, {44, 160, 44}, {14, 127, 255}, {189, 103, 148}, {75, 86, 140}};
const cv::Scalar kBlack(0, 0, 0), kGrey(221, 221, 221), kWhite(255, 255, 255), kRed(40, 39, 214);

void put(cv::Mat& img, const std::string& s, double x, double y, double size = 0.4, cv::Scalar color = kBlack,
         int align = -1 /* -1 left, 0 centre, 1 right */) {
  int base = 0;
  cv::Size t = cv::getTextSize(s, cv::FONT_HERSHEY_SIMPLEX, size, 1, &base);
  double left = align < 0 ? x : align == 0 ? x - t.width / 2.0 : x - t.width;
  cv::putText(img, s, cv::Point(static_cast<int>(left), static_cast<int>(y)), cv::FONT_HERSHEY_SIMPLEX, size, color, 1,
              cv::LINE_AA);
}

// Text rotated 90 degrees counter-clockwise with its baseline end at (x, y) (column labels).
void put_vertical(cv::Mat& img, const std::string& s, int x, int y, double size) {
  int base = 0;
  cv::Size t = cv::getTextSize(s, cv::FONT_HERSHEY_SIMPLEX, size, 1, &base);
  cv::Mat patch(t.height + base + 2, t.width + 2, CV_8UC3, kWhite);
  cv::putText(patch, s, cv::Point(1, t.height), cv::FONT_HERSHEY_SIMPLEX, size, kBlack, 1, cv::LINE_AA);
  cv::Mat rotated;
  cv::rotate(patch, rotated, cv::ROTATE_90_COUNTERCLOCKWISE);
  cv::Rect where(x - rotated.cols, y - rotated.rows, rotated.cols, rotated.rows);
  where &= cv::Rect(0, 0, img.cols, img.rows);
  if (where.width > 0 && where.height > 0) {
    rotated(cv::Rect(rotated.cols - where.width, rotated.rows - where.height, where.width, where.height)).copyTo(img(where));
  }
}

std::string encode_png(const cv::Mat& img) {
  std::vector<unsigned char> buf;
  if (!cv::imencode(".png", img, buf)) return "";
  return std::string(buf.begin(), buf.end());
}

std::string short_num(double v) {
  char b[32];
  std::snprintf(b, sizeof(b), "%.3f", v);
  return b;
}

}  // namespace

std::string png_line_chart(const std::string& title, const std::string& xl, const std::string& yl, const std::vector<Series>& series) {
  const int W = 640, H = 460, L = 60, R = 170, T = 40, B = 50, pw = W - L - R, ph = H - T - B;
  cv::Mat img(H, W, CV_8UC3, kWhite);
  put(img, title, W / 2.0, 22, 0.5, kBlack, 0);
  for (int i = 0; i <= 10; i += 2) {
    double v = i / 10.0;
    int x = L + static_cast<int>(v * pw), y = T + ph - static_cast<int>(v * ph);
    cv::line(img, {L, y}, {L + pw, y}, kGrey);
    cv::line(img, {x, T}, {x, T + ph}, kGrey);
    put(img, short_num(v).substr(0, 3), L - 6, y + 4, 0.4, kBlack, 1);
    put(img, short_num(v).substr(0, 3), x, T + ph + 16, 0.4, kBlack, 0);
  }
  cv::rectangle(img, {L, T}, {L + pw, T + ph}, kBlack);
  put(img, xl, L + pw / 2.0, H - 12, 0.45, kBlack, 0);
  put_vertical(img, yl, 22, T + ph / 2 + 30, 0.45);
  for (size_t k = 0; k < series.size(); ++k) {
    std::vector<cv::Point> pts;
    for (size_t i = 0; i < series[k].x.size() && i < series[k].y.size(); ++i) {
      pts.emplace_back(L + static_cast<int>(std::clamp(series[k].x[i], 0.0, 1.0) * pw),
                       T + ph - static_cast<int>(std::clamp(series[k].y[i], 0.0, 1.0) * ph));
    }
    const cv::Scalar& c = kBgr[k % 6];
    cv::polylines(img, pts, false, c, 2, cv::LINE_AA);
    int ly = T + 10 + 18 * static_cast<int>(k);
    cv::line(img, {L + pw + 10, ly}, {L + pw + 30, ly}, c, 2);
    put(img, series[k].label, L + pw + 34, ly + 4);
  }
  return encode_png(img);
}

std::string png_bar_chart(const std::string& title, const std::vector<std::string>& labels, const std::vector<double>& values,
                          double reference, const std::string& reference_label) {
  const int bar = 22, L = 200, R = 90, T = 40, B = 34, pw = 400;
  const int H = T + B + bar * static_cast<int>(std::max<size_t>(labels.size(), 1)), W = L + pw + R;
  double vmax = reference > 0 ? reference : 0;
  for (double v : values) vmax = std::max(vmax, v);
  if (vmax <= 1) vmax = 1;
  cv::Mat img(H, W, CV_8UC3, kWhite);
  put(img, title, W / 2.0, 22, 0.5, kBlack, 0);
  for (size_t i = 0; i < labels.size(); ++i) {
    int y = T + bar * static_cast<int>(i);
    double v = i < values.size() ? values[i] : 0;
    int w = v > 0 ? static_cast<int>(v / vmax * pw) : 0;
    std::string label = labels[i].size() > 30 ? labels[i].substr(0, 29) + "~" : labels[i];
    put(img, label, L - 6, y + bar * 0.7, 0.4, kBlack, 1);
    if (w > 0) cv::rectangle(img, cv::Rect(L, y + 3, w, bar - 6), v < 0 ? kGrey : kBgr[0], cv::FILLED);
    put(img, v < 0 ? "n/a" : short_num(v), L + w + 4, y + bar * 0.7);
  }
  if (reference >= 0) {
    int x = L + static_cast<int>(reference / vmax * pw);
    for (int y = T; y < H - B; y += 7) cv::line(img, {x, y}, {x, std::min(y + 4, H - B)}, kRed);
    put(img, reference_label + " " + short_num(reference), x, H - B + 16, 0.4, kRed, 0);
  }
  return encode_png(img);
}

std::string png_confusion_matrix(const std::string& title, const std::vector<std::string>& labels,
                                 const std::vector<std::vector<int64_t>>& counts) {
  const int n = static_cast<int>(labels.size());
  const int cell = n > 25 ? 16 : 26, L = 180, T = 170;
  const int W = std::max(L + cell * n + 20, 420), H = T + cell * n + 40;
  cv::Mat img(H, W, CV_8UC3, kWhite);
  put(img, title, W / 2.0, 22, 0.45, kBlack, 0);
  for (int i = 0; i < n; ++i) {
    int64_t row_sum = 0;
    for (int j = 0; j < n; ++j) row_sum += counts[static_cast<size_t>(i)][static_cast<size_t>(j)];
    int y = T + cell * i;
    std::string label = labels[static_cast<size_t>(i)].size() > 24 ? labels[static_cast<size_t>(i)].substr(0, 23) + "~" : labels[static_cast<size_t>(i)];
    put(img, label, L - 4, y + cell * 0.7, 0.35, kBlack, 1);
    put_vertical(img, label, L + cell * i + cell * 3 / 4 + 2, T - 4, 0.35);
    for (int j = 0; j < n; ++j) {
      int64_t c = counts[static_cast<size_t>(i)][static_cast<size_t>(j)];
      double f = row_sum ? static_cast<double>(c) / static_cast<double>(row_sum) : 0;
      int shade = static_cast<int>(255 - f * 200);
      cv::Rect r(L + cell * j, y, cell, cell);
      cv::rectangle(img, r, cv::Scalar(255, shade, shade), cv::FILLED);
      cv::rectangle(img, r, cv::Scalar(238, 238, 238));
      if (c && cell >= 20) put(img, std::to_string(c), r.x + cell / 2.0, y + cell * 0.65, 0.3, kBlack, 0);
    }
  }
  put(img, "predicted (columns) vs true (rows)", L + cell * n / 2.0, H - 12, 0.4, kBlack, 0);
  return encode_png(img);
}

Result<PlotFormat> parse_plot_format(const std::string& name) {
  if (name == "svg") return PlotFormat::kSvg;
  if (name == "png") return PlotFormat::kPng;
  if (name == "both") return PlotFormat::kBoth;
  return invalid_argument("plot format: expected svg, png or both, got " + name);
}

Result<std::vector<std::string>> write_plots(const EvaluationReport& r, const std::string& dir, PlotFormat format) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return io_error("cannot create " + dir + ": " + ec.message());
  std::vector<std::string> written;
  // Renders a chart in the requested formats; `stem` without extension.
  auto emit = [&](const std::string& stem, const std::function<std::string()>& svg,
                  const std::function<std::string()>& png) -> Status {
    if (format != PlotFormat::kPng) {
      std::string path = (std::filesystem::path(dir) / (stem + ".svg")).string();
      FOGLINE_TRY(write_file_atomic(path, svg()));
      written.push_back(path);
    }
    if (format != PlotFormat::kSvg) {
      std::string path = (std::filesystem::path(dir) / (stem + ".png")).string();
      std::string bytes = png();
      if (bytes.empty()) return internal_error("could not encode " + path);
      FOGLINE_TRY(write_file_atomic(path, bytes));
      written.push_back(path);
    }
    return Status::ok();
  };
  if (r.coco) {
    const auto& ev = *r.coco;
    std::vector<Series> series;
    for (double t : {0.5, 0.75}) {
      int ti = ev.iou_index(t);
      if (ti < 0) continue;
      auto curve = ev.mean_precision_curve(static_cast<size_t>(ti));
      if (curve.empty()) continue;
      series.push_back({"IoU " + num(t), ev.params.recall_thresholds, curve});
    }
    // Mean over every IoU threshold: the curve whose area is AP@[.50:.95].
    std::vector<double> mean(ev.params.recall_thresholds.size(), 0.0);
    int used = 0;
    for (size_t t = 0; t < ev.params.iou_thresholds.size(); ++t) {
      auto curve = ev.mean_precision_curve(t);
      if (curve.empty()) continue;
      for (size_t i = 0; i < curve.size(); ++i) mean[i] += curve[i];
      ++used;
    }
    if (used) {
      for (double& v : mean) v /= used;
      series.push_back({"IoU .50:.95", ev.params.recall_thresholds, mean});
    }
    const std::string title = "Precision-recall (mean over classes, COCO interpolation)";
    FOGLINE_TRY(emit("pr_curves", [&] { return svg_line_chart(title, "recall", "precision", series); },
                     [&] { return png_line_chart(title, "recall", "precision", series); }));
    std::vector<std::pair<double, std::string>> ap;
    for (size_t k = 0; k < ev.category_ids.size(); ++k) {
      double v = ev.category_ap(k);
      if (v <= -1) continue;
      size_t c = static_cast<size_t>(ev.category_ids[k]);
      ap.emplace_back(v, c < r.class_names.size() ? r.class_names[c] : std::to_string(c));
    }
    std::sort(ap.begin(), ap.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::vector<std::string> labels;
    std::vector<double> values;
    for (const auto& [v, name] : ap) labels.push_back(name), values.push_back(v);
    FOGLINE_TRY(emit("per_class_ap", [&] { return svg_bar_chart("AP@[.50:.95] per class", labels, values, ev.stats[kAP], "mAP"); },
                     [&] { return png_bar_chart("AP@[.50:.95] per class", labels, values, ev.stats[kAP], "mAP"); }));
  }
  if (r.classification) {
    const auto& m = *r.classification;
    // The classes with the most errors (false negatives + false positives), at most 30.
    std::vector<int> classes;
    for (int c = 0; c < m.num_classes; ++c) {
      const auto& pc = m.per_class[static_cast<size_t>(c)];
      if (pc.support || pc.predicted) classes.push_back(c);
    }
    auto errors = [&](int c) {
      const auto& pc = m.per_class[static_cast<size_t>(c)];
      return pc.support + pc.predicted - 2 * pc.true_positives;
    };
    std::stable_sort(classes.begin(), classes.end(), [&](int a, int b) { return errors(a) > errors(b); });
    if (classes.size() > 30) classes.resize(30);
    std::sort(classes.begin(), classes.end());
    std::vector<std::string> labels;
    std::vector<std::vector<int64_t>> counts(classes.size(), std::vector<int64_t>(classes.size()));
    for (size_t i = 0; i < classes.size(); ++i) {
      size_t c = static_cast<size_t>(classes[i]);
      labels.push_back(c < r.class_names.size() ? r.class_names[c] : std::to_string(c));
      for (size_t j = 0; j < classes.size(); ++j) counts[i][j] = m.confusion_at(classes[i], classes[j]);
    }
    std::string title = classes.size() < static_cast<size_t>(m.classes_seen)
                            ? "Confusion matrix (the " + std::to_string(classes.size()) + " most-confused of " +
                                  std::to_string(m.classes_seen) + " classes)"
                            : "Confusion matrix";
    FOGLINE_TRY(emit("confusion_matrix", [&] { return svg_confusion_matrix(title, labels, counts); },
                     [&] { return png_confusion_matrix(title, labels, counts); }));
  }
  std::map<std::string, std::vector<const SliceResult*>> by_key;
  for (const auto& s : r.slices) by_key[s.key].push_back(&s);
  double overall = r.overall.contains(r.primary_metric) ? r.overall[r.primary_metric].get<double>() : -1;
  for (const auto& [key, slices] : by_key) {
    std::vector<std::string> labels;
    std::vector<double> values;
    for (const auto* s : slices) labels.push_back(s->value + " (" + std::to_string(s->items) + ")"), values.push_back(s->primary);
    std::string safe = key;
    for (char& c : safe) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
    }
    const std::string title = r.primary_metric + " per " + key;
    FOGLINE_TRY(emit("slices_" + safe, [&] { return svg_bar_chart(title, labels, values, overall, "overall"); },
                     [&] { return png_bar_chart(title, labels, values, overall, "overall"); }));
  }
  return written;
}

}  // namespace fogline::eval
