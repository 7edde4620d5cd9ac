#include "crypto/key_seal.h"

#include <cstdlib>

#include "crypto/os_seal.h"

namespace fogline::crypto {

Result<KeySeal> choose_key_seal(const std::string& option) {
  std::string value = option;
  std::string where = "--seal";
  if (value.empty()) {
    const char* env = std::getenv("FOGLINE_KEY_SEAL");
    value = env ? env : "";
    where = "FOGLINE_KEY_SEAL";
  }
  if (value.empty() || value == "passphrase") return KeySeal::kPassphrase;
  if (value == "os") return KeySeal::kOs;
  return invalid_argument(where + " '" + value + "': expected 'passphrase' or 'os'");
}

Result<std::string> passphrase_for(KeySeal seal, const std::string& why) {
  const char* env = std::getenv("FOGLINE_PASSPHRASE");
  std::string pass = env ? env : "";
  if (seal == KeySeal::kPassphrase && pass.empty()) return invalid_argument("set FOGLINE_PASSPHRASE: " + why + " (or --seal os)");
  return pass;
}

Status save_key_file_sealed(const std::string& path, const Identity& identity, KeySeal seal,
                            const std::string& passphrase, KdfParams kdf) {
  if (seal == KeySeal::kOs) {
    Status available = os_seal_available();
    if (!available.is_ok()) return available.with_context("OS key sealing is not available here");
    return save_key_file_os_sealed(path, identity);
  }
  if (passphrase.empty())
    return invalid_argument("no passphrase to seal key file '" + path + "' under (or seal it by the OS: --seal os)");
  return save_key_file(path, identity, passphrase, kdf);
}

}  // namespace fogline::crypto
