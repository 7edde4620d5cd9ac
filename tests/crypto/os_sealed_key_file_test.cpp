// Key files sealed by the OS (systemd-creds, host key). Sealing needs root and the host key, so
// the tests that seal skip (saying why) where OS sealing is not available; the error paths that
// need no systemd-creds run everywhere.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "core/file_util.h"
#include "core/sha256.h"
#include "crypto/key_file.h"
#include "crypto/key_seal.h"
#include "crypto/os_seal.h"

namespace fogline::crypto {
namespace {

namespace fs = std::filesystem;

class OsSealedKeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fogline-ossealed-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    ::unsetenv("FOGLINE_SYSTEMD_CREDS");
    fs::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  // Seals `id` into `file`, or skips the test when the OS cannot seal here.
  bool seal_or_skip(const std::string& file, const Identity& id) {
    Status available = os_seal_available();
    if (!available.is_ok()) return false;
    Status saved = save_key_file_os_sealed(file, id);
    EXPECT_TRUE(saved.is_ok()) << saved.to_string();
    return saved.is_ok();
  }
  static std::string skip_reason() { return "OS key sealing not available here: " + os_seal_available().to_string(); }
  fs::path dir_;
};

// Rewrites line `field` of a key file (keeping mode 0600).
void replace_line(const std::string& file, const std::string& field, const std::string& value) {
  auto text = read_file(file);
  ASSERT_TRUE(text.is_ok());
  size_t at = text->find("\n" + field + " ");
  ASSERT_NE(at, std::string::npos) << field;
  size_t end = text->find('\n', at + 1);
  text->replace(at + 1, end - at - 1, field + " " + value);
  ASSERT_TRUE(write_file_atomic(file, *text).is_ok());
  ::chmod(file.c_str(), 0600);
}

std::string line_value(const std::string& file, const std::string& field) {
  auto text = read_file(file);
  size_t at = text->find("\n" + field + " ");
  size_t start = at + 2 + field.size();
  return text->substr(start, text->find('\n', start) - start);
}

TEST_F(OsSealedKeyFileTest, RoundTripIgnoresThePassphrase) {
  Identity org = Identity::generate(IdentityKind::kOrganisation, "acme");
  std::string file = path("acme.key");
  if (!seal_or_skip(file, org)) GTEST_SKIP() << skip_reason();
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  auto text = read_file(file);
  ASSERT_TRUE(text.is_ok());
  EXPECT_NE(text->find("\nseal systemd-creds host\n"), std::string::npos);
  EXPECT_EQ(text->find("\nkdf "), std::string::npos);
  EXPECT_EQ(text->find(to_hex(org.box_secret().view())), std::string::npos);
  EXPECT_EQ(text->find(to_hex(org.sign_secret().view().substr(0, 32))), std::string::npos);
  auto sealed = is_os_sealed_key_file(file);
  ASSERT_TRUE(sealed.is_ok());
  EXPECT_TRUE(*sealed);
  for (const char* pass : {"", "anything"}) {
    auto loaded = load_key_file(file, pass);
    ASSERT_TRUE(loaded.is_ok()) << loaded.status().to_string();
    EXPECT_EQ(loaded->kind(), IdentityKind::kOrganisation);
    EXPECT_EQ(loaded->name(), "acme");
    EXPECT_EQ(loaded->sign_secret().view(), org.sign_secret().view());
    EXPECT_EQ(loaded->box_secret().view(), org.box_secret().view());
  }
  auto pub = load_public_identity(file);
  ASSERT_TRUE(pub.is_ok());
  EXPECT_EQ(pub->sign_public, org.sign_public());
}

TEST_F(OsSealedKeyFileTest, TamperedHeaderIsRefused) {
  Identity user = Identity::generate(IdentityKind::kUser, "alice");
  std::string file = path("alice.key");
  if (!seal_or_skip(file, user)) GTEST_SKIP() << skip_reason();
  replace_line(file, "name", "mallory");
  auto renamed = load_key_file(file, "");
  ASSERT_FALSE(renamed.is_ok());
  EXPECT_NE(renamed.status().message().find("header tampered"), std::string::npos) << renamed.status().to_string();

  // Another identity's sealed part under this header: the digest inside names the other header.
  Identity other = Identity::generate(IdentityKind::kUser, "alice");
  std::string other_file = path("other.key");
  ASSERT_TRUE(save_key_file_os_sealed(other_file, other).is_ok());
  ASSERT_TRUE(seal_or_skip(file, user));
  replace_line(file, "sealed", line_value(other_file, "sealed"));
  auto swapped = load_key_file(file, "");
  ASSERT_FALSE(swapped.is_ok());
  EXPECT_NE(swapped.status().message().find("header tampered"), std::string::npos) << swapped.status().to_string();
}

TEST_F(OsSealedKeyFileTest, FlippedCredentialByteIsRefused) {
  Identity user = Identity::generate(IdentityKind::kUser, "bob");
  std::string file = path("bob.key");
  if (!seal_or_skip(file, user)) GTEST_SKIP() << skip_reason();
  auto credential = from_hex(line_value(file, "sealed"));
  ASSERT_TRUE(credential.is_ok());
  // A base64 letter in the middle, swapped for another base64 letter: still well-formed text,
  // but the authenticated ciphertext no longer verifies.
  std::string bad = *credential;
  size_t mid = bad.size() / 2;
  bad[mid] = bad[mid] == 'A' ? 'B' : 'A';
  replace_line(file, "sealed", to_hex(bad));
  auto loaded = load_key_file(file, "");
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_NE(loaded.status().message().find("systemd-creds decrypt failed"), std::string::npos)
      << loaded.status().to_string();
}

TEST_F(OsSealedKeyFileTest, LoosePermissionsAreRefused) {
  Identity user = Identity::generate(IdentityKind::kUser, "carol");
  std::string file = path("carol.key");
  if (!seal_or_skip(file, user)) GTEST_SKIP() << skip_reason();
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  auto loaded = load_key_file(file, "");
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_NE(loaded.status().message().find("0640"), std::string::npos) << loaded.status().to_string();
}

// Runs everywhere: a hand-written OS-sealed file, opened with systemd-creds pointed at a path
// that does not exist, fails saying systemd-creds could not be run.
TEST_F(OsSealedKeyFileTest, MissingSystemdCredsIsNamed) {
  Identity user = Identity::generate(IdentityKind::kUser, "dave");
  std::string file = path("dave.key");
  std::string text = "fogline-key 1\nkind user\nname dave\nsign_public " + to_hex(as_view(user.sign_public())) +
                     "\nbox_public " + to_hex(as_view(user.box_public())) + "\nseal systemd-creds host\nsealed " +
                     to_hex("bm90IGEgcmVhbCBjcmVkZW50aWFs") + "\n";
  ASSERT_TRUE(write_file_atomic(file, text).is_ok());
  ::chmod(file.c_str(), 0600);
  ::setenv("FOGLINE_SYSTEMD_CREDS", (dir_ / "no-such-systemd-creds").c_str(), 1);
  auto loaded = load_key_file(file, "pw");
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_NE(loaded.status().message().find("cannot run systemd-creds"), std::string::npos) << loaded.status().to_string();
  EXPECT_NE(loaded.status().message().find(file), std::string::npos) << loaded.status().to_string();
  Status available = os_seal_available();
  EXPECT_FALSE(available.is_ok());
  EXPECT_NE(available.message().find("systemd-creds"), std::string::npos) << available.to_string();
  Status saved = save_key_file_sealed(path("new.key"), user, KeySeal::kOs, "");
  EXPECT_FALSE(saved.is_ok());
  EXPECT_NE(saved.message().find("not available"), std::string::npos) << saved.to_string();
  EXPECT_FALSE(fs::exists(path("new.key")));
}

TEST_F(OsSealedKeyFileTest, SealLineWithKdfLinesIsRefused) {
  Identity user = Identity::generate(IdentityKind::kUser, "erin");
  std::string file = path("erin.key");
  ASSERT_TRUE(save_key_file(file, user, "pw", KdfParams::fastest_for_tests()).is_ok());
  auto sealed = is_os_sealed_key_file(file);
  ASSERT_TRUE(sealed.is_ok());
  EXPECT_FALSE(*sealed);
  auto text = read_file(file);
  text->insert(text->find("sealed "), "seal systemd-creds host\n");
  ASSERT_TRUE(write_file_atomic(file, *text).is_ok());
  ::chmod(file.c_str(), 0600);
  auto loaded = load_key_file(file, "pw");
  ASSERT_FALSE(loaded.is_ok());
  EXPECT_NE(loaded.status().message().find("both a 'seal' line"), std::string::npos) << loaded.status().to_string();
}

TEST(KeySealChoiceTest, OptionThenEnvironmentThenPassphrase) {
  ::unsetenv("FOGLINE_KEY_SEAL");
  EXPECT_EQ(*choose_key_seal(""), KeySeal::kPassphrase);
  EXPECT_EQ(*choose_key_seal("os"), KeySeal::kOs);
  ::setenv("FOGLINE_KEY_SEAL", "os", 1);
  EXPECT_EQ(*choose_key_seal(""), KeySeal::kOs);
  EXPECT_EQ(*choose_key_seal("passphrase"), KeySeal::kPassphrase);
  ::setenv("FOGLINE_KEY_SEAL", "tpm", 1);
  auto bad = choose_key_seal("");
  ASSERT_FALSE(bad.is_ok());
  EXPECT_NE(bad.status().message().find("FOGLINE_KEY_SEAL 'tpm'"), std::string::npos);
  ::unsetenv("FOGLINE_KEY_SEAL");
  EXPECT_FALSE(choose_key_seal("never").is_ok());
}

}  // namespace
}  // namespace fogline::crypto
