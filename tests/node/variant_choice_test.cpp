// A version with several variants: each is timed on this machine, the fastest is chosen and
// recorded, a restart reuses the record, and a variant that cannot run is listed, not chosen.
#include "node/agent/variant_choice.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/file_util.h"
#include "engine/model_builder.h"
#include "node_fixtures.h"

namespace fogline::node::agent {
namespace {

using engine::DataType;
using engine::Tensor;
using engine::testing::TestModel;
using node::testing::TempDir;
namespace fs = std::filesystem;

// y = x·W repeated `layers` times on a [1, 256] input: the cost grows with `layers`, the
// signature does not.
std::string chain_model(int layers) {
  constexpr int64_t n = 256;
  TestModel m;
  m.input("x", DataType::kFloat, {1, n});
  m.initializer("w", Tensor::from_vector<float>({n, n}, std::vector<float>(n * n, 1.0f / n)));
  std::string last = "x";
  for (int i = 0; i < layers; ++i) {
    std::string out = i + 1 == layers ? "y" : "h" + std::to_string(i);
    m.node("MatMul", {last, "w"}, {out});
    last = out;
  }
  m.output("y");
  return m.bytes();
}

class VariantChoiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = tmp_.path() + "/cam/3";
    fs::create_directories(dir_ + "/artifacts");
    // The optimiser's pick, named in the version's metadata, is the slow one here.
    ASSERT_TRUE(write_file_atomic(dir_ + "/model.onnx", chain_model(200)).is_ok());
    ASSERT_TRUE(write_file_atomic(dir_ + "/metadata.json", R"({"hyperparameters": {"optimize": {"chosen": "int8 static", "chosen_variant": "int8"}}})").is_ok());
    ASSERT_TRUE(write_file_atomic(dir_ + "/artifacts/variant_fp32", chain_model(1)).is_ok());
  }
  TempDir tmp_;
  std::string dir_;
};

TEST_F(VariantChoiceTest, TheFastestVariantIsChosenRecordedAndReused) {
  auto listed = list_variants(dir_);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].name, "int8");
  EXPECT_EQ(listed[1].name, "fp32");

  bool timed = false;
  auto c = choose_variant(dir_, {}, &timed);
  ASSERT_TRUE(c.is_ok()) << c.status().message();
  EXPECT_TRUE(timed);
  EXPECT_EQ(c->chosen, "fp32");
  EXPECT_EQ(c->file, "artifacts/variant_fp32");
  ASSERT_EQ(c->timings.size(), 2u);
  EXPECT_GT(c->timings[0].median_ms, c->timings[1].median_ms);
  EXPECT_NE(c->reason.find("fastest here: fp32"), std::string::npos) << c->reason;
  EXPECT_NE(c->reason.find("int8"), std::string::npos) << c->reason;
  EXPECT_TRUE(fs::exists(dir_ + "/" + kVariantChoiceFile));

  // A restart reads the record: the same choice, nothing timed again.
  auto again = choose_variant(dir_, {}, &timed);
  ASSERT_TRUE(again.is_ok());
  EXPECT_FALSE(timed);
  EXPECT_EQ(again->chosen, "fp32");
  EXPECT_EQ(again->timings.size(), 2u);
}

TEST_F(VariantChoiceTest, AVariantThatCannotLoadIsListedNotChosen) {
  ASSERT_TRUE(write_file_atomic(dir_ + "/artifacts/variant_broken", std::string("not an onnx model")).is_ok());
  auto c = choose_variant(dir_, {});
  ASSERT_TRUE(c.is_ok()) << c.status().message();
  EXPECT_EQ(c->chosen, "fp32");
  ASSERT_EQ(c->timings.size(), 3u);
  EXPECT_EQ(c->timings[1].name, "broken");
  EXPECT_FALSE(c->timings[1].error.empty());
  EXPECT_NE(c->reason.find("broken failed"), std::string::npos) << c->reason;
}

TEST_F(VariantChoiceTest, ADamagedRecordIsTimedAgainAndOneVariantIsNotTimed) {
  ASSERT_TRUE(write_file_atomic(dir_ + "/" + kVariantChoiceFile, std::string(R"({"chosen": "x", "file": "../../etc/passwd"})")).is_ok());
  bool timed = false;
  auto c = choose_variant(dir_, {}, &timed);
  ASSERT_TRUE(c.is_ok());
  EXPECT_TRUE(timed);
  EXPECT_EQ(c->file, "artifacts/variant_fp32");

  fs::remove_all(dir_ + "/artifacts");
  fs::remove(dir_ + "/" + kVariantChoiceFile);
  auto only = choose_variant(dir_, {}, &timed);
  ASSERT_TRUE(only.is_ok());
  EXPECT_FALSE(timed);
  EXPECT_EQ(only->file, "model.onnx");
  EXPECT_TRUE(only->timings.empty());
}

}  // namespace
}  // namespace fogline::node::agent
