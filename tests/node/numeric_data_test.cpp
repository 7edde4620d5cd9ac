// The numeric fast path must read exactly what the JSON parser reads, and leave alone what it
// cannot read.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "node/serving/numeric_data.h"

namespace fogline::node {
namespace {

using nlohmann::json;

TEST(NumericData, ReadsFlatAndNestedNumbersLikeTheJsonParser) {
  const std::string body =
      R"({"id": "a \"data\": [9]", "inputs": [{"name": "x", "data": [1, -2.5, 3e2, 0.1, -0, 12345678901],
          "shape": [6]}, {"name": "y", "data" : [[1, 2, 3], [4, 5, 6]]}], "parameters": {"data": [7]}})";
  std::vector<std::optional<NumericData>> found;
  std::string rest = extract_numeric_data(body, &found);
  json j = json::parse(rest);
  json original = json::parse(body);
  ASSERT_EQ(found.size(), 2u);
  ASSERT_TRUE(found[0] && found[1]);
  EXPECT_TRUE(j["inputs"][0]["data"].is_null());
  EXPECT_TRUE(j["inputs"][1]["data"].is_null());
  EXPECT_EQ(j["parameters"]["data"], json({7}));  // not an input's data: left in place
  EXPECT_EQ(j["id"], original["id"]);
  const auto& x = *found[0];
  ASSERT_EQ(x.values.size(), 6u);
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(x.values[i], original["inputs"][0]["data"][i].get<double>()) << i;
  EXPECT_FALSE(x.all_integers);
  EXPECT_EQ(x.dims, std::vector<int64_t>({6}));
  const auto& y = *found[1];
  EXPECT_TRUE(y.all_integers);
  EXPECT_EQ(y.integers, std::vector<int64_t>({1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(y.dims, std::vector<int64_t>({2, 3}));
}

TEST(NumericData, LeavesWhatItCannotReadToTheParser) {
  for (const char* data : {R"([1, "2"])", "[true, false]", "[[1, 2], [3]]", "[[1, 2], 3]", "[1, 2", "[01]", "[1.]",
                           "[NaN]", "[99999999999999999999]"}) {
    const std::string body = std::string(R"({"inputs": [{"name": "x", "data": )") + data + "}]}";
    std::vector<std::optional<NumericData>> found;
    std::string rest = extract_numeric_data(body, &found);
    EXPECT_EQ(rest, body) << data;
    EXPECT_TRUE(found.empty() || !found[0]) << data;
  }
}

}  // namespace
}  // namespace fogline::node
