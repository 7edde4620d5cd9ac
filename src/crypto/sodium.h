// libsodium setup and secret byte buffers shared by the crypto module.
#pragma once

#include <sodium.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace fogline::crypto {

// sodium_init() once per process (idempotent, thread-safe through a function-local static).
void ensure_sodium();

// Bytes that must not outlive their use: wiped with sodium_memzero when destroyed or replaced,
// so a data key or private key does not linger in freed heap memory.
class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(size_t size) : bytes_(size, '\0') {}
  explicit SecretBytes(std::string_view bytes) : bytes_(bytes) {}
  SecretBytes(const SecretBytes& other) : bytes_(other.bytes_) {}
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) { other.wipe(); }
  SecretBytes& operator=(const SecretBytes& other) {
    if (this != &other) {
      wipe();
      bytes_ = other.bytes_;
    }
    return *this;
  }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      wipe();
      bytes_ = std::move(other.bytes_);
      other.wipe();
    }
    return *this;
  }
  ~SecretBytes() { wipe(); }

  void wipe() {
    if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
    bytes_.clear();
  }
  size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  unsigned char* data() { return reinterpret_cast<unsigned char*>(bytes_.data()); }
  const unsigned char* data() const { return reinterpret_cast<const unsigned char*>(bytes_.data()); }
  std::string_view view() const { return bytes_; }

 private:
  std::string bytes_;
};

// Whether a presented secret (API key, bearer token) equals the expected one, in time that does
// not depend on where they differ, so timing reveals no matching prefix.
bool same_secret(std::string_view given, std::string_view expected);

inline const unsigned char* uc(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace fogline::crypto
