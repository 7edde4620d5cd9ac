#include "crypto/identity.h"

#include <cstring>

#include "core/sha256.h"

namespace fogline::crypto {

const char* identity_kind_name(IdentityKind kind) {
  switch (kind) {
    case IdentityKind::kOrganisation: return "organisation";
    case IdentityKind::kUser: return "user";
    case IdentityKind::kNode: return "node";
  }
  return "unknown";
}

Result<IdentityKind> parse_identity_kind(std::string_view name) {
  if (name == "organisation" || name == "org") return IdentityKind::kOrganisation;
  if (name == "user") return IdentityKind::kUser;
  if (name == "node") return IdentityKind::kNode;
  return invalid_argument("unknown identity kind '" + std::string(name) + "' (expected organisation, user or node)");
}

Identity Identity::generate(IdentityKind kind, std::string name) {
  ensure_sodium();
  Identity id;
  id.kind_ = kind;
  id.name_ = std::move(name);
  id.sign_sk_ = SecretBytes(crypto_sign_SECRETKEYBYTES);
  crypto_sign_keypair(id.sign_pk_.data(), id.sign_sk_.data());
  id.box_sk_ = SecretBytes(crypto_box_SECRETKEYBYTES);
  crypto_box_keypair(id.box_pk_.data(), id.box_sk_.data());
  return id;
}

Result<Identity> Identity::from_secrets(IdentityKind kind, std::string name, std::string_view sign_secret,
                                        std::string_view box_secret) {
  ensure_sodium();
  if (sign_secret.size() != crypto_sign_SECRETKEYBYTES)
    return invalid_argument("Ed25519 secret key is " + std::to_string(sign_secret.size()) + " bytes, expected " +
                            std::to_string(crypto_sign_SECRETKEYBYTES));
  if (box_secret.size() != crypto_box_SECRETKEYBYTES)
    return invalid_argument("X25519 secret key is " + std::to_string(box_secret.size()) + " bytes, expected " +
                            std::to_string(crypto_box_SECRETKEYBYTES));
  Identity id;
  id.kind_ = kind;
  id.name_ = std::move(name);
  id.sign_sk_ = SecretBytes(sign_secret);
  id.box_sk_ = SecretBytes(box_secret);
  crypto_sign_ed25519_sk_to_pk(id.sign_pk_.data(), id.sign_sk_.data());
  crypto_scalarmult_base(id.box_pk_.data(), id.box_sk_.data());
  // An Ed25519 secret key carries its public half in its last 32 bytes; a mismatch means the
  // stored key was altered.
  if (std::memcmp(id.sign_pk_.data(), id.sign_sk_.data() + 32, 32) != 0)
    return invalid_argument("Ed25519 secret key is inconsistent (its public half does not match its seed)");
  return id;
}

Signature Identity::sign(std::string_view message) const {
  Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, uc(message), message.size(), sign_sk_.data());
  return sig;
}

bool verify_signature(const PublicKey& signer, std::string_view message, const Signature& signature) {
  ensure_sodium();
  return crypto_sign_verify_detached(signature.data(), uc(message), message.size(), signer.data()) == 0;
}

std::string_view as_view(const PublicKey& key) { return {reinterpret_cast<const char*>(key.data()), key.size()}; }
std::string_view as_view(const Signature& sig) { return {reinterpret_cast<const char*>(sig.data()), sig.size()}; }

Result<PublicKey> public_key_from_bytes(std::string_view bytes, std::string_view what) {
  PublicKey key{};
  if (bytes.size() != key.size())
    return invalid_argument(std::string(what) + " is " + std::to_string(bytes.size()) + " bytes, expected 32");
  std::memcpy(key.data(), bytes.data(), key.size());
  return key;
}

Result<PublicKey> public_key_from_hex(std::string_view hex, std::string_view what) {
  auto raw = from_hex(hex);
  if (!raw.is_ok()) return raw.status().with_context(std::string(what));
  return public_key_from_bytes(*raw, what);
}

}  // namespace fogline::crypto
