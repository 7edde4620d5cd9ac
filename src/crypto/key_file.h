// Key files: one identity per file, its private keys encrypted under a passphrase or sealed by
// the OS (docs/formats/key-file.md).
// Format (text, one "field value" per line, version 1):
//   fogline-key 1
//   kind node | user | organisation
//   name <name>
//   sign_public <hex 32>     Ed25519
//   box_public <hex 32>      X25519
//   kdf argon2id13 <opslimit> <memlimit> <salt hex 16>
//   nonce <hex 24>
//   sealed <hex>             XChaCha20-Poly1305(sign_secret 64 || box_secret 32), the lines
//                            above (with their newlines) as associated data
// OS-sealed variant (same first five lines, then):
//   seal systemd-creds host
//   sealed <hex>             the credential text of `systemd-creds encrypt --with-key=host
//                            --name=fogline-key` over SHA-256(the lines above) || sign_secret
//                            || box_secret; the digest is checked on load, so an edited or
//                            swapped header is refused. Opens only on the machine (host key)
//                            that sealed it; see os_seal.h.
// The file is written atomically with mode 0600. A key file that group or others can read or
// write is refused before any secret is derived, because a copied key file is a stolen key.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "crypto/identity.h"

namespace fogline::crypto {

struct KdfParams {
  uint64_t opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
  uint64_t memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
  // Argon2id's minimum cost: only for tests, where deriving keys dozens of times must be quick.
  static KdfParams fastest_for_tests() { return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN}; }
};

Status save_key_file(const std::string& path, const Identity& identity, const std::string& passphrase,
                     KdfParams kdf = {});
// Seals the private keys by the OS (systemd-creds, host key) instead of a passphrase; check
// os_seal_available() first for a friendly error.
Status save_key_file_os_sealed(const std::string& path, const Identity& identity);
// Opens either kind; the passphrase is ignored for an OS-sealed file.
Result<Identity> load_key_file(const std::string& path, const std::string& passphrase);
// True when the file is the OS-sealed variant (no passphrase needed to open it).
Result<bool> is_os_sealed_key_file(const std::string& path);
// The same as a yes/no for callers deciding whether a passphrase is needed: false when the file
// is missing, passphrase-sealed or unreadable (load_key_file then says why).
bool opens_without_passphrase(const std::string& path);
// Reads only the public part (no passphrase needed); still refuses loose permissions.
struct PublicIdentity {
  IdentityKind kind;
  std::string name;
  PublicKey sign_public, box_public;
};
Result<PublicIdentity> load_public_identity(const std::string& path);

// Refuses a file whose mode lets group or others read or write it; names the file and mode.
Status check_key_file_permissions(const std::string& path);

}  // namespace fogline::crypto
