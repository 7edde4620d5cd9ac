#include "crypto/sodium.h"

#include <cstdlib>

namespace fogline::crypto {

void ensure_sodium() {
  static const bool ready = [] {
    // Without a working libsodium nothing in Fogline can be trusted; this is not an input error.
    if (sodium_init() < 0) std::abort();
    return true;
  }();
  (void)ready;
}

bool same_secret(std::string_view given, std::string_view expected) {
  ensure_sodium();
  return given.size() == expected.size() && sodium_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

}  // namespace fogline::crypto
