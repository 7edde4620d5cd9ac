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

}  // namespace fogline::crypto
