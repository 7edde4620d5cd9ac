// How a new key file's private keys are protected: under a passphrase (the default) or sealed
// by the OS (systemd-creds with the host key, os_seal.h). Commands that create key files take
// `--seal passphrase|os`; without it $FOGLINE_KEY_SEAL decides, and without that the passphrase.
#pragma once

#include <string>

#include "core/status.h"
#include "crypto/identity.h"
#include "crypto/key_file.h"

namespace fogline::crypto {

enum class KeySeal { kPassphrase, kOs };

// `option` is the --seal value ("" when not given); names the bad value otherwise.
Result<KeySeal> choose_key_seal(const std::string& option);

// The passphrase new key files are sealed under: $FOGLINE_PASSPHRASE, which `seal` = kPassphrase
// needs ("set FOGLINE_PASSPHRASE: <why> (or --seal os)"); with kOs it may be empty.
Result<std::string> passphrase_for(KeySeal seal, const std::string& why);

// Writes the key file the chosen way. For kOs it first checks os_seal_available() so the error
// says why OS sealing is not possible here; for kPassphrase an empty passphrase is refused.
Status save_key_file_sealed(const std::string& path, const Identity& identity, KeySeal seal,
                            const std::string& passphrase, KdfParams kdf = {});

}  // namespace fogline::crypto
