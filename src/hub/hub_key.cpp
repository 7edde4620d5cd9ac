#include "hub/hub_key.h"

#include <cstdlib>
#include <filesystem>

#include "crypto/key_file.h"
#include "crypto/key_seal.h"

namespace fogline::hub {

std::string hub_key_path(const std::string& home_dir) { return home_dir + "/hub/hub.key"; }

Result<crypto::Identity> load_or_create_hub_key(const std::string& home_dir, const std::string& seal_option) {
  const char* env = std::getenv("FOGLINE_HUB_PASSPHRASE");
  std::string passphrase = env ? env : "";
  std::string path = hub_key_path(home_dir);
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return crypto::load_key_file(path, passphrase);
  FOGLINE_ASSIGN_OR_RETURN(crypto::KeySeal seal, crypto::choose_key_seal(seal_option));
  std::filesystem::create_directories(home_dir + "/hub", ec);
  if (ec) return io_error("cannot create " + home_dir + "/hub: " + ec.message());
  crypto::Identity id = crypto::Identity::generate(crypto::IdentityKind::kOrganisation, "hub");
  if (seal == crypto::KeySeal::kOs) {
    // Checks os_seal_available() first, so the error says why sealing is not possible here.
    FOGLINE_TRY(crypto::save_key_file_sealed(path, id, seal, "").with_context("the hub's key " + path));
  } else {
    // The hub's passphrase may be empty (its historical default), which save_key_file_sealed refuses.
    FOGLINE_TRY(crypto::save_key_file(path, id, passphrase));
  }
  return id;
}

}  // namespace fogline::hub
