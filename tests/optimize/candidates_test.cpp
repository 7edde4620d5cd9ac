#include "optimize/candidates.h"

#include <gtest/gtest.h>

#include "optimize/candidate_plot.h"

namespace fogline::optimize {
namespace {

Candidate make(const std::string& name, double metric, double ms) {
  Candidate c;
  c.name = name;
  c.metric = metric;
  c.latency_ms = ms;
  return c;
}

TEST(Candidates, FastestInsideTheToleranceWins) {
  std::vector<Candidate> c = {make("fp32", 0.840, 27), make("int8 static", 0.832, 8), make("int8 dynamic", 0.839, 20)};
  auto choice = choose_candidate(&c, *parse_tolerance("top1>=-1"));
  EXPECT_EQ(choice.index, 1u);
  EXPECT_TRUE(choice.tolerance_met);
  EXPECT_NEAR(c[1].delta_points, -0.8, 1e-9);
  EXPECT_TRUE(c[1].within && c[2].within);
  // Tighter: int8 static is out; the slower dynamic candidate is inside.
  choice = choose_candidate(&c, *parse_tolerance("top1>=-0.5"));
  EXPECT_EQ(choice.index, 2u);
  EXPECT_FALSE(c[1].within);
}

// Issue 6 must-show 4: an impossible tolerance with int8 forced ends with the fp32 variant
// and a message that says so, never a silently worse model.
TEST(Candidates, ImpossibleToleranceKeepsFp32WithAClearMessage) {
  std::vector<Candidate> c = {make("fp32", 0.840, 27), make("int8 static", 0.818, 8)};
  auto choice = choose_candidate(&c, *parse_tolerance("top1>=0"));
  EXPECT_EQ(choice.index, 0u);
  EXPECT_FALSE(choice.tolerance_met);
  EXPECT_FALSE(c[1].within);
  EXPECT_NE(choice.message.find("top1>=0 cannot be met"), std::string::npos) << choice.message;
  EXPECT_NE(choice.message.find("int8 static"), std::string::npos) << choice.message;
  EXPECT_NE(choice.message.find("-2.20 points"), std::string::npos) << choice.message;
  EXPECT_NE(choice.message.find("keeping the fp32 variant"), std::string::npos) << choice.message;
  const std::string table = format_candidate_table(c, *parse_tolerance("top1>=0"), "top5", choice.index);
  EXPECT_NE(table.find("OUT of tolerance"), std::string::npos) << table;
}

TEST(Candidates, UnavailableCandidatesAreListedNotChosen) {
  Candidate bf16;
  bf16.name = "bf16";
  bf16.available = false;
  bf16.note = "the engine has no bf16 kernels";
  bf16.latency_ms = 0;  // never measured: must not win on a zero latency
  std::vector<Candidate> c = {make("fp32", 0.84, 27), bf16};
  auto choice = choose_candidate(&c, *parse_tolerance("top1>=-1"));
  EXPECT_EQ(choice.index, 0u);
  EXPECT_FALSE(choice.tolerance_met);
  const std::string table = format_candidate_table(c, *parse_tolerance("top1>=-1"), "top5", 0);
  EXPECT_NE(table.find("not available: the engine has no bf16 kernels"), std::string::npos) << table;
  const std::string svg = svg_accuracy_latency("m", c, *parse_tolerance("top1>=-1"), 0);
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(std::count(svg.begin(), svg.end(), '\n') > 5, true);
  EXPECT_EQ(svg.find("bf16"), std::string::npos);  // not plotted
}

TEST(Candidates, FasterCandidatesOutsideAndSlowerInsideKeepFp32) {
  std::vector<Candidate> c = {make("fp32", 0.84, 10), make("a", 0.80, 5), make("b", 0.84, 12)};
  auto choice = choose_candidate(&c, *parse_tolerance("top1>=-1"));
  EXPECT_EQ(choice.index, 0u);
  EXPECT_TRUE(choice.tolerance_met);
  EXPECT_NE(choice.message.find("not faster than fp32"), std::string::npos) << choice.message;
}

}  // namespace
}  // namespace fogline::optimize
