#include "core/status.h"

#include <gtest/gtest.h>

#include "core/file_util.h"

namespace fogline {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return invalid_argument("value " + std::to_string(v) + " is not positive");
  return v;
}

Result<int> doubled(int v) {
  FOGLINE_ASSIGN_OR_RETURN(int x, parse_positive(v));
  return 2 * x;
}

TEST(Status, ResultCarriesValueOrError) {
  EXPECT_EQ(*doubled(4), 8);
  auto bad = doubled(-1);
  ASSERT_FALSE(bad.is_ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().to_string(), "invalid argument: value -1 is not positive");
}

TEST(Status, ContextIsPrepended) {
  Status s = not_found("no such tensor").with_context("node 'conv1'");
  EXPECT_EQ(s.message(), "node 'conv1': no such tensor");
  EXPECT_TRUE(Status::ok().with_context("x").is_ok());
}

TEST(FileUtil, AtomicWriteThenRead) {
  std::string path = ::testing::TempDir() + "/fogline_file_util_test.bin";
  ASSERT_TRUE(write_file_atomic(path, std::string("abc\0def", 7)).is_ok());
  auto back = read_file(path);
  ASSERT_TRUE(back.is_ok());
  EXPECT_EQ(*back, std::string("abc\0def", 7));
  EXPECT_FALSE(read_file(path, 3).is_ok());  // over the size limit
  EXPECT_EQ(read_file("/nonexistent/x").status().code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace fogline
