// Identities of organisations, users and nodes: an Ed25519 key that signs (transactions,
// captured records, bundles) and an X25519 key that receives sealed data keys. The public
// halves are what the ledger records; the private halves stay in key files (key_file.h).
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/sodium.h"

namespace fogline::crypto {

using PublicKey = std::array<unsigned char, 32>;   // Ed25519 or X25519 public key
using Signature = std::array<unsigned char, 64>;

enum class IdentityKind { kOrganisation, kUser, kNode };
const char* identity_kind_name(IdentityKind kind);
Result<IdentityKind> parse_identity_kind(std::string_view name);

class Identity {
 public:
  // Fresh random keys.
  static Identity generate(IdentityKind kind, std::string name);
  // From private key bytes (64-byte Ed25519 secret key, 32-byte X25519 secret key); the public
  // halves are derived, so a file cannot pair a private key with someone else's public key.
  static Result<Identity> from_secrets(IdentityKind kind, std::string name, std::string_view sign_secret,
                                       std::string_view box_secret);

  IdentityKind kind() const { return kind_; }
  const std::string& name() const { return name_; }
  const PublicKey& sign_public() const { return sign_pk_; }
  const PublicKey& box_public() const { return box_pk_; }
  const SecretBytes& sign_secret() const { return sign_sk_; }
  const SecretBytes& box_secret() const { return box_sk_; }

  Signature sign(std::string_view message) const;

 private:
  Identity() = default;
  IdentityKind kind_ = IdentityKind::kUser;
  std::string name_;
  PublicKey sign_pk_{}, box_pk_{};
  SecretBytes sign_sk_, box_sk_;
};

// True when `signature` is `signer`'s Ed25519 signature of `message`.
bool verify_signature(const PublicKey& signer, std::string_view message, const Signature& signature);

std::string_view as_view(const PublicKey& key);
std::string_view as_view(const Signature& sig);
// 32 raw bytes -> PublicKey, naming `what` when the length is wrong.
Result<PublicKey> public_key_from_bytes(std::string_view bytes, std::string_view what);
Result<PublicKey> public_key_from_hex(std::string_view hex, std::string_view what);

}  // namespace fogline::crypto
