// `fogline ledger verify`: reads a ledger directory without changing it and replays it from
// genesis, checking every index entry, record checksum, block hash, chain link, signature,
// Merkle root, nonce and state transition. Names the first bad block and why.
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"

namespace fogline::ledger {

struct VerifyReport {
  bool ok = false;
  uint64_t blocks = 0;        // blocks that verified
  uint64_t transactions = 0;  // in those blocks
  int64_t bad_block = -1;     // the first bad block, or -1
  std::string error;          // why (empty when ok)
  uint64_t unacknowledged_bytes = 0;  // a crash's tail that the next open will cut off
  std::string head_hash;
};

VerifyReport verify_ledger(const std::string& dir, int threads = 2);

}  // namespace fogline::ledger
