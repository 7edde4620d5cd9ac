// Envelope encryption of captured data records. A node encrypts each item under a fresh random
// XChaCha20-Poly1305 data key, seals that key to the owner's X25519 public key with
// crypto_box_seal (an ephemeral sender key, so the node keeps nothing that opens it) and wipes
// the data key: afterwards only the owner, and whoever the owner re-wraps the key for, can read
// the record.
//
// Blob layout (version 1): "FGE1" || nonce (24 bytes) || ciphertext || tag (16 bytes).
// The sealed key is crypto_box_seal(data key (32 bytes)): 80 bytes.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/identity.h"

namespace fogline::crypto {

struct Envelope {
  std::string blob;        // what goes to the content-addressed store
  std::string sealed_key;  // what the ledger records
};

constexpr size_t kSealedKeyBytes = crypto_box_SEALBYTES + crypto_aead_xchacha20poly1305_ietf_KEYBYTES;

Envelope seal_envelope(std::string_view plaintext, const PublicKey& owner_box_public);
// Opens the sealed data key with `holder`'s X25519 key; fails if it was sealed to someone else.
Result<SecretBytes> open_data_key(std::string_view sealed_key, const Identity& holder);
Result<std::string> open_envelope(std::string_view blob, std::string_view sealed_key, const Identity& holder);
// The owner opens the data key and seals it again to `grantee_box_public` (a buyer).
Result<std::string> rewrap_data_key(std::string_view sealed_key, const Identity& owner,
                                    const PublicKey& grantee_box_public);

}  // namespace fogline::crypto
