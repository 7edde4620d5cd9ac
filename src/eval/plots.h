// Plots of an evaluation, written as plain SVG text or drawn with OpenCV into PNG (no plotting
// dependency): precision-
// recall curves (detection), the confusion matrix (classification, the most-confused classes
// when there are many), per-class AP bars (detection) and per-slice bars of the task's
// headline metric with the overall value as a line.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"
#include "eval/evaluation.h"

namespace fogline::eval {

enum class PlotFormat { kSvg, kPng, kBoth };
Result<PlotFormat> parse_plot_format(const std::string& name);  // svg | png | both

// Writes the plots that apply to the report into `dir` (created when missing) as SVG and/or
// PNG; returns the files written.
Result<std::vector<std::string>> write_plots(const EvaluationReport& report, const std::string& dir,
                                             PlotFormat format = PlotFormat::kSvg);

// The pieces, for tests and other callers: each returns a complete SVG document.
struct Series {
  std::string label;
  std::vector<double> x, y;
};
std::string svg_line_chart(const std::string& title, const std::string& x_label, const std::string& y_label,
                           const std::vector<Series>& series);
std::string svg_bar_chart(const std::string& title, const std::vector<std::string>& labels, const std::vector<double>& values,
                          double reference = -1, const std::string& reference_label = "");
// `counts` is n x n (row = true class); cells are shaded by the row-normalised count.
std::string svg_confusion_matrix(const std::string& title, const std::vector<std::string>& labels,
                                 const std::vector<std::vector<int64_t>>& counts);
std::string svg_escape(const std::string& text);

// The same charts rasterised with OpenCV's drawing functions, encoded as PNG bytes.
std::string png_line_chart(const std::string& title, const std::string& x_label, const std::string& y_label,
                           const std::vector<Series>& series);
std::string png_bar_chart(const std::string& title, const std::vector<std::string>& labels, const std::vector<double>& values,
                          double reference = -1, const std::string& reference_label = "");
std::string png_confusion_matrix(const std::string& title, const std::vector<std::string>& labels,
                                 const std::vector<std::vector<int64_t>>& counts);

}  // namespace fogline::eval
