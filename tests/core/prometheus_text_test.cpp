// The Prometheus text format as Prometheus parses it: HELP/TYPE once per family, label values
// with backslash, quote and newline escaped, integers without an exponent, NaN and infinities
// spelled as the format wants them.
#include "core/prometheus_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace fogline {
namespace {

TEST(PrometheusText, WritesFamiliesSamplesAndEscapes) {
  Exposition out;
  out.family("fogline_x_total", "counter", "Things\\done\nhere");
  out.sample("fogline_x_total", {{"model", "a\"b\\c\nd"}, {"version", "2"}}, 3);
  out.sample("fogline_x_total", {}, 1e17);
  out.family("fogline_y", "gauge", "A gauge");
  out.sample("fogline_y", {}, 0.25);
  out.sample("fogline_y", {{"k", "nan"}}, std::nan(""));
  out.sample("fogline_y", {{"k", "inf"}}, -std::numeric_limits<double>::infinity());
  EXPECT_EQ(out.text(),
            "# HELP fogline_x_total Things\\\\done\\nhere\n"
            "# TYPE fogline_x_total counter\n"
            "fogline_x_total{model=\"a\\\"b\\\\c\\nd\",version=\"2\"} 3\n"
            "fogline_x_total 1e+17\n"
            "# HELP fogline_y A gauge\n"
            "# TYPE fogline_y gauge\n"
            "fogline_y 0.25\n"
            "fogline_y{k=\"nan\"} NaN\n"
            "fogline_y{k=\"inf\"} -Inf\n");
}

}  // namespace
}  // namespace fogline
