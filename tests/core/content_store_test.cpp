#include "core/content_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/file_util.h"
#include "core/sha256.h"

namespace fs = std::filesystem;

namespace fogline {
namespace {

class ContentStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("fogline_cas_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

TEST(Sha256, KnownVectors) {
  // FIPS 180-2 examples.
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256().update("a").update("bc").finish_hex(), sha256_hex("abc"));
}

TEST(Hex, RoundTripAndErrors) {
  EXPECT_EQ(to_hex(std::string("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(*from_hex("00FF10"), std::string("\x00\xff\x10", 3));
  auto odd = from_hex("abc");
  ASSERT_FALSE(odd);
  EXPECT_NE(odd.status().message().find("odd length"), std::string::npos);
  auto bad = from_hex("zz");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.status().message().find("'z'"), std::string::npos);
}

TEST_F(ContentStoreTest, PutReadListRemove) {
  auto store = ContentStore::open(root_.string());
  ASSERT_TRUE(store) << store.status().to_string();
  auto digest = store->put("hello");
  ASSERT_TRUE(digest);
  EXPECT_EQ(*digest, sha256_hex("hello"));
  EXPECT_TRUE(store->contains(*digest));
  EXPECT_EQ(*store->read(*digest), "hello");
  EXPECT_EQ(*store->size_of(*digest), 5u);
  EXPECT_EQ(*store->put("hello"), *digest);  // idempotent
  auto listed = store->list();
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 1u);
  EXPECT_TRUE(store->remove(*digest));
  EXPECT_FALSE(store->contains(*digest));
  EXPECT_FALSE(store->remove(*digest));
}

TEST_F(ContentStoreTest, AdoptRefusesWrongHashAndLeavesNothing) {
  auto store = ContentStore::open(root_.string());
  ASSERT_TRUE(store);
  std::string temp = store->new_temp_path("download");
  ASSERT_TRUE(write_file_atomic(temp, std::string("payload")));
  auto wrong = store->adopt(temp, sha256_hex("other"));
  ASSERT_FALSE(wrong);
  EXPECT_NE(wrong.status().message().find(sha256_hex("payload")), std::string::npos);
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_TRUE(store->list()->empty());
  EXPECT_TRUE(fs::is_empty(store->temp_dir()));
}

TEST_F(ContentStoreTest, CorruptObjectIsReported) {
  auto store = ContentStore::open(root_.string());
  ASSERT_TRUE(store);
  auto digest = *store->put("precious bytes");
  {
    std::fstream f(store->path_of(digest), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(3);
    f.put('X');
  }
  auto read = store->read(digest);
  ASSERT_FALSE(read);
  EXPECT_NE(read.status().message().find("corrupt"), std::string::npos);
  EXPECT_FALSE(store->verify(digest));
}

TEST_F(ContentStoreTest, CleanTempRemovesOnlyDeadWriters) {
  auto store = ContentStore::open(root_.string());
  ASSERT_TRUE(store);
  std::string mine = store->new_temp_path("live");
  ASSERT_TRUE(write_file_atomic(mine, std::string("x")));
  // A pid far above pid_max belongs to no process.
  std::string dead = store->temp_dir() + "/part.999999999.0";
  ASSERT_TRUE(write_file_atomic(dead, std::string("y")));
  EXPECT_EQ(*store->clean_temp(), 1);
  EXPECT_TRUE(fs::exists(mine));
  EXPECT_FALSE(fs::exists(dead));
}

TEST_F(ContentStoreTest, RejectsNonDigestNames) {
  auto store = ContentStore::open(root_.string());
  ASSERT_TRUE(store);
  EXPECT_FALSE(store->read("../../etc/passwd"));
  EXPECT_FALSE(store->contains("abc"));
}

}  // namespace
}  // namespace fogline
