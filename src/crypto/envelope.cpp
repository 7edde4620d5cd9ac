#include "crypto/envelope.h"

#include <cstring>

namespace fogline::crypto {
namespace {

constexpr std::string_view kMagic = "FGE1";
constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
constexpr size_t kKey = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;

std::string seal_key(const SecretBytes& key, const PublicKey& to) {
  std::string sealed(kSealedKeyBytes, '\0');
  crypto_box_seal(reinterpret_cast<unsigned char*>(sealed.data()), key.data(), key.size(), to.data());
  return sealed;
}

}  // namespace

Envelope seal_envelope(std::string_view plaintext, const PublicKey& owner_box_public) {
  ensure_sodium();
  SecretBytes key(kKey);
  crypto_aead_xchacha20poly1305_ietf_keygen(key.data());
  Envelope env;
  env.blob.resize(kMagic.size() + kNonce + plaintext.size() + kTag);
  std::memcpy(env.blob.data(), kMagic.data(), kMagic.size());
  auto* nonce = reinterpret_cast<unsigned char*>(env.blob.data() + kMagic.size());
  randombytes_buf(nonce, kNonce);
  unsigned long long len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(nonce + kNonce, &len, uc(plaintext), plaintext.size(), nullptr, 0,
                                             nullptr, nonce, key.data());
  env.sealed_key = seal_key(key, owner_box_public);
  // `key` is wiped by its destructor here: from now on only the sealed copy exists.
  return env;
}

Result<SecretBytes> open_data_key(std::string_view sealed_key, const Identity& holder) {
  ensure_sodium();
  if (sealed_key.size() != kSealedKeyBytes)
    return invalid_argument("sealed data key is " + std::to_string(sealed_key.size()) + " bytes, expected " +
                            std::to_string(kSealedKeyBytes));
  SecretBytes key(kKey);
  if (crypto_box_seal_open(key.data(), uc(sealed_key), sealed_key.size(), holder.box_public().data(),
                           holder.box_secret().data()) != 0)
    return invalid_argument("the data key is not sealed to '" + holder.name() + "' (or it was altered)");
  return key;
}

Result<std::string> open_envelope(std::string_view blob, std::string_view sealed_key, const Identity& holder) {
  if (blob.size() < kMagic.size() + kNonce + kTag || blob.substr(0, kMagic.size()) != kMagic)
    return invalid_argument("encrypted record is not an FGE1 envelope (" + std::to_string(blob.size()) + " bytes)");
  FOGLINE_ASSIGN_OR_RETURN(SecretBytes key, open_data_key(sealed_key, holder));
  const auto* nonce = uc(blob.substr(kMagic.size(), kNonce));
  std::string_view cipher = blob.substr(kMagic.size() + kNonce);
  std::string plain(cipher.size() - kTag, '\0');
  unsigned long long len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(reinterpret_cast<unsigned char*>(plain.data()), &len, nullptr,
                                                 uc(cipher), cipher.size(), nullptr, 0, nonce, key.data()) != 0)
    return invalid_argument("encrypted record failed authentication: it was altered or sealed under another key");
  return plain;
}

Result<std::string> rewrap_data_key(std::string_view sealed_key, const Identity& owner,
                                    const PublicKey& grantee_box_public) {
  FOGLINE_ASSIGN_OR_RETURN(SecretBytes key, open_data_key(sealed_key, owner));
  return seal_key(key, grantee_box_public);
}

}  // namespace fogline::crypto
