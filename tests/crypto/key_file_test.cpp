#include "crypto/key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/file_util.h"
#include "core/sha256.h"

namespace fogline::crypto {
namespace {

namespace fs = std::filesystem;

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fogline-keyfile-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(KeyFileTest, RoundTripWithMode0600) {
  Identity org = Identity::generate(IdentityKind::kOrganisation, "acme");
  std::string file = path("acme.key");
  ASSERT_TRUE(save_key_file(file, org, "correct horse", KdfParams::fastest_for_tests()).is_ok());
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto loaded = load_key_file(file, "correct horse");
  ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
  EXPECT_EQ(loaded->kind(), IdentityKind::kOrganisation);
  EXPECT_EQ(loaded->name(), "acme");
  EXPECT_EQ(loaded->sign_public(), org.sign_public());
  EXPECT_EQ(loaded->box_public(), org.box_public());
  EXPECT_EQ(loaded->sign_secret().view(), org.sign_secret().view());
  // No temporary files are left beside it.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(KeyFileTest, PrivateKeysAreNotStoredInTheClear) {
  Identity user = Identity::generate(IdentityKind::kUser, "u");
  std::string file = path("u.key");
  ASSERT_TRUE(save_key_file(file, user, "pw", KdfParams::fastest_for_tests()).is_ok());
  auto text = read_file(file);
  ASSERT_TRUE(text.is_ok());
  EXPECT_EQ(text->find(std::string(user.sign_secret().view().substr(0, 32))), std::string::npos);
  EXPECT_EQ(text->find(to_hex(user.sign_secret().view().substr(0, 32))), std::string::npos);
  EXPECT_EQ(text->find(to_hex(user.box_secret().view())), std::string::npos);
}

TEST_F(KeyFileTest, WrongPassphraseIsRefused) {
  Identity user = Identity::generate(IdentityKind::kUser, "u");
  std::string file = path("u.key");
  ASSERT_TRUE(save_key_file(file, user, "right", KdfParams::fastest_for_tests()).is_ok());
  auto loaded = load_key_file(file, "wrong");
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_NE(loaded.status().message().find("wrong passphrase"), std::string::npos);
}

TEST_F(KeyFileTest, LoosePermissionsAreRefusedNamingFileAndMode) {
  Identity node = Identity::generate(IdentityKind::kNode, "n");
  std::string file = path("n.key");
  ASSERT_TRUE(save_key_file(file, node, "pw", KdfParams::fastest_for_tests()).is_ok());
  for (mode_t mode : {0644, 0640, 0604, 0620, 0602}) {
    ASSERT_EQ(::chmod(file.c_str(), mode), 0);
    auto loaded = load_key_file(file, "pw");
    ASSERT_FALSE(loaded.is_ok()) << std::oct << mode;
    const std::string& msg = loaded.status().message();
    EXPECT_NE(msg.find(file), std::string::npos) << msg;
    char want[8];
    std::snprintf(want, sizeof want, "%04o", static_cast<unsigned>(mode));
    EXPECT_NE(msg.find(want), std::string::npos) << msg;
    EXPECT_FALSE(load_public_identity(file).is_ok());
  }
  ASSERT_EQ(::chmod(file.c_str(), 0400), 0);
  EXPECT_TRUE(load_key_file(file, "pw").is_ok());
}

TEST_F(KeyFileTest, AlteredHeaderIsRefused) {
  Identity a = Identity::generate(IdentityKind::kUser, "a");
  Identity b = Identity::generate(IdentityKind::kUser, "b");
  std::string file = path("a.key");
  ASSERT_TRUE(save_key_file(file, a, "pw", KdfParams::fastest_for_tests()).is_ok());
  std::string text = *read_file(file);
  // Swap in someone else's public key: the header is authenticated, so this must fail.
  size_t at = text.find("sign_public ") + 12;
  text.replace(at, 64, to_hex(as_view(b.sign_public())));
  ASSERT_TRUE(write_file_atomic(file, text).is_ok());
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  EXPECT_FALSE(load_key_file(file, "pw").is_ok());
}

TEST_F(KeyFileTest, ModeIs0600WhateverTheUmaskAndTheFileBefore) {
  Identity user = Identity::generate(IdentityKind::kUser, "u");
  std::string file = path("u.key");
  ASSERT_TRUE(write_file_atomic(file, "old").is_ok());
  ASSERT_EQ(::chmod(file.c_str(), 0666), 0);
  mode_t old = ::umask(0);
  Status st = save_key_file(file, user, "pw", KdfParams::fastest_for_tests());
  ::umask(old);
  ASSERT_TRUE(st.is_ok()) << st.to_string();
  struct stat s {};
  ASSERT_EQ(::stat(file.c_str(), &s), 0);
  EXPECT_EQ(s.st_mode & 0777, 0600u);
  EXPECT_TRUE(load_key_file(file, "pw").is_ok());
}

TEST_F(KeyFileTest, MissingFileNamesThePath) {
  auto loaded = load_key_file(path("absent.key"), "pw");
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_NE(loaded.status().message().find("absent.key"), std::string::npos);
}

}  // namespace
}  // namespace fogline::crypto
