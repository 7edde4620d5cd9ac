#include "optimize/candidate_plot.h"

#include <algorithm>
#include <cstdio>

namespace fogline::optimize {
namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else if (c == '"') out += "&quot;";
    else out += c;
  }
  return out;
}

}  // namespace

std::string svg_accuracy_latency(const std::string& title, const std::vector<Candidate>& c, const Tolerance& tolerance,
                                 size_t chosen) {
  const double W = 640, H = 420, L = 70, R = 20, T = 40, B = 50;
  double x_max = 0, y_min = 1, y_max = 0;
  for (const auto& x : c) {
    if (!x.available) continue;
    x_max = std::max(x_max, x.latency_ms);
    y_min = std::min(y_min, x.metric);
    y_max = std::max(y_max, x.metric);
  }
  const double floor_metric = c.empty() ? 0 : c[0].metric + tolerance.min_delta_points / 100.0;
  y_min = std::min(y_min, floor_metric);
  y_max = std::max(y_max, floor_metric);
  const double pad = std::max(0.005, (y_max - y_min) * 0.15);
  y_min -= pad;
  y_max += pad;
  x_max = x_max > 0 ? x_max * 1.15 : 1;
  auto px = [&](double v) { return L + (W - L - R) * v / x_max; };
  auto py = [&](double v) { return H - B - (H - T - B) * (v - y_min) / (y_max - y_min); };
  char buf[512];
  std::string s;
  std::snprintf(buf, sizeof buf,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" font-size=\"12\">\n"
                "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                W, H);
  s += buf;
  s += "<text x=\"" + std::to_string(static_cast<int>(W / 2)) + "\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">" + escape(title) + "</text>\n";
  std::snprintf(buf, sizeof buf, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", L, H - B, W - R, H - B);
  s += buf;
  std::snprintf(buf, sizeof buf, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n", L, T, L, H - B);
  s += buf;
  for (int i = 0; i <= 4; ++i) {
    const double xv = x_max * i / 4, yv = y_min + (y_max - y_min) * i / 4;
    std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.1f</text>\n", px(xv), H - B + 16, xv);
    s += buf;
    std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.3f</text>\n", L - 6, py(yv) + 4, yv);
    s += buf;
  }
  std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">latency, median ms</text>\n", (L + W - R) / 2, H - 12);
  s += buf;
  std::snprintf(buf, sizeof buf, "<text x=\"16\" y=\"%.1f\" transform=\"rotate(-90 16 %.1f)\" text-anchor=\"middle\">%s</text>\n",
                (T + H - B) / 2, (T + H - B) / 2, escape(tolerance.metric).c_str());
  s += buf;
  if (!c.empty()) {
    std::snprintf(buf, sizeof buf,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" stroke-dasharray=\"6,4\"/>\n"
                  "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" fill=\"#d62728\">tolerance %s</text>\n",
                  L, py(floor_metric), W - R, py(floor_metric), W - R, py(floor_metric) - 5, escape(tolerance.to_string()).c_str());
    s += buf;
  }
  for (size_t i = 0; i < c.size(); ++i) {
    if (!c[i].available) continue;
    const char* color = c[i].within ? "#1f77b4" : "#7f7f7f";
    std::snprintf(buf, sizeof buf, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"%s\"/>\n", px(c[i].latency_ms), py(c[i].metric), color);
    s += buf;
    if (i == chosen) {
      std::snprintf(buf, sizeof buf, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"9\" fill=\"none\" stroke=\"#2ca02c\" stroke-width=\"2\"/>\n",
                    px(c[i].latency_ms), py(c[i].metric));
      s += buf;
    }
    std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\">%s</text>\n", px(c[i].latency_ms) + 8, py(c[i].metric) - 8,
                  escape(c[i].name + (i == chosen ? " (chosen)" : "")).c_str());
    s += buf;
  }
  s += "</svg>\n";
  return s;
}

}  // namespace fogline::optimize
