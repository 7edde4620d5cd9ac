// Merkle trees as RFC 6962 / RFC 9162 section 2.1 define them: SHA-256, leaves hashed as
// HASH(0x00 || data), inner nodes as HASH(0x01 || left || right), the empty tree as HASH().
// Proof generation follows the PATH and SUBPROOF definitions; verification is written from the
// algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2, so our proofs check against other logs'
// implementations and theirs against ours.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace fogline::ledger {

using Hash = std::array<unsigned char, 32>;

Hash leaf_hash(std::string_view data);
Hash node_hash(const Hash& left, const Hash& right);
Hash empty_tree_hash();
Hash sha256(std::string_view data);
std::string hash_hex(const Hash& h);
Result<Hash> hash_from_hex(std::string_view hex, std::string_view what);
inline std::string_view hash_view(const Hash& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

// Root of a tree whose leaf hashes are given (RFC 9162 MTH).
Hash merkle_root(const std::vector<Hash>& leaf_hashes);

// An append-only tree over leaf hashes that answers roots, inclusion and consistency proofs for
// any earlier size. It keeps every complete subtree (2n hashes), so each answer costs O(log^2 n)
// hashes instead of rehashing the leaves.
class MerkleTree {
 public:
  void append(const Hash& leaf);
  // Forgets every leaf from `size` on (undoes appends of a block that was refused).
  void truncate(uint64_t size);
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  const Hash& leaf(uint64_t index) const { return levels_[0][index]; }
  Hash root() const { return root_at(size()); }
  // Root of the first `size` leaves; size <= this->size().
  Hash root_at(uint64_t size) const;
  // PATH(index, D[0:size]) of RFC 9162 2.1.3.1.
  Result<std::vector<Hash>> inclusion_proof(uint64_t index, uint64_t size) const;
  // PROOF(first, D[0:second]) of RFC 9162 2.1.4.1; empty when first == second or first == 0.
  Result<std::vector<Hash>> consistency_proof(uint64_t first, uint64_t second) const;

 private:
  Hash range_hash(uint64_t begin, uint64_t end) const;
  void path(uint64_t index, uint64_t begin, uint64_t end, std::vector<Hash>& out) const;
  void subproof(uint64_t m, uint64_t begin, uint64_t end, bool whole, std::vector<Hash>& out) const;
  // levels_[i][j]: hash of the complete subtree of 2^i leaves starting at leaf j * 2^i.
  std::vector<std::vector<Hash>> levels_;
};

// RFC 9162 2.1.3.2. Ok when `proof` shows that `leaf` is leaf `index` of the tree of
// `tree_size` leaves whose root is `root`; otherwise says which check failed.
Status verify_inclusion(const Hash& leaf, uint64_t index, uint64_t tree_size, const std::vector<Hash>& proof,
                        const Hash& root);
// RFC 9162 2.1.4.2, plus the trivial cases it leaves out (first == second: empty proof, equal
// roots; first == 0: empty proof).
Status verify_consistency(uint64_t first, uint64_t second, const Hash& first_root, const Hash& second_root,
                          const std::vector<Hash>& proof);

}  // namespace fogline::ledger

namespace fogline::ledger {
// Parses hex hashes (32 bytes each) from the command line or a proof file, naming `what` and
// the position of a bad one.
Result<std::vector<Hash>> parse_hash_list(const std::vector<std::string>& hex, std::string_view what);
}  // namespace fogline::ledger
