// The hub's keys sealed by the OS (systemd-creds, host key) instead of a passphrase: `fogline hub
// --seal os` makes HOME/hub/hub.key OS-sealed, and a hub whose ledger home's orderer key was
// sealed by the OS (`ledger init --seal os`) runs the ledger without FOGLINE_PASSPHRASE. Skipped
// where sealing does not work here (not root, no systemd-creds), as the crypto tests do.
#include <gmock/gmock.h>

#include <cstdlib>

#include "crypto/key_file.h"
#include "crypto/os_seal.h"
#include "hub/hub_key.h"
#include "hub_fixture.h"

namespace fogline::hub::testing {
namespace {

using ::testing::HasSubstr;

TEST(HubKeySeal, HubKeyAndOrdererKeySealedByTheOsNeedNoPassphrase) {
  Status available = crypto::os_seal_available();
  if (!available.is_ok()) GTEST_SKIP() << "OS key sealing not available here: " << available.to_string();
  const std::string dir = make_temp_dir("hub-seal");
  const std::string home = dir + "/home", ledger_home = dir + "/ledger-home";
  ::unsetenv("FOGLINE_PASSPHRASE");
  ::unsetenv("FOGLINE_HUB_PASSPHRASE");
  ::unsetenv("FOGLINE_KEY_SEAL");
  EXPECT_THAT(fogline_out({"ledger", "init", "--home", ledger_home, "--economy", "credits", "--seal", "os"}),
              HasSubstr("sealed by the OS"));
  fogline_out({"hub", "token", "create", "--role", "viewer", "--home", home});

  HubProcess hub;
  ASSERT_TRUE(hub.start(home, "", {"--seal", "os", "--ledger-home", ledger_home})) << hub.error();
  auto sealed = crypto::is_os_sealed_key_file(hub_key_path(home));
  ASSERT_TRUE(sealed.is_ok()) << sealed.status().to_string();
  EXPECT_TRUE(*sealed) << "hub.key is sealed by the OS";
  auto first = crypto::load_public_identity(hub_key_path(home));
  ASSERT_TRUE(first.is_ok()) << first.status().to_string();
  // It started with the ledger, whose orderer key it opened without FOGLINE_PASSPHRASE (a
  // passphrase-sealed one is refused at start without it).
  hub.stop();

  // Restarted without --seal: the existing OS-sealed key is opened as it is, the same key.
  HubProcess again;
  ASSERT_TRUE(again.start(home, "", {"--ledger-home", ledger_home})) << again.error();
  again.stop();
  auto second = crypto::load_public_identity(hub_key_path(home));
  ASSERT_TRUE(second.is_ok());
  EXPECT_EQ(second->sign_public, first->sign_public);

  // In-process: a new key the other way is a passphrase file; "os" asked for makes a sealed one.
  const std::string other = dir + "/other";
  ::setenv("FOGLINE_HUB_PASSPHRASE", "hub-seal-test", 1);
  auto plain = load_or_create_hub_key(other, "passphrase");
  ASSERT_TRUE(plain.is_ok()) << plain.status().to_string();
  EXPECT_FALSE(*crypto::is_os_sealed_key_file(hub_key_path(other)));
  auto reopened = load_or_create_hub_key(other, "os");  // exists: opened as it is
  ASSERT_TRUE(reopened.is_ok()) << reopened.status().to_string();
  EXPECT_EQ(reopened->sign_public(), plain->sign_public());
  ::unsetenv("FOGLINE_HUB_PASSPHRASE");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fogline::hub::testing
