// The tree and its proofs against a second, deliberately naive implementation written straight
// from RFC 9162 section 2.1's definitions (MTH, PATH, SUBPROOF) on the leaf data itself, for every
// tree size 1..64, every leaf index and every pair of sizes.
#include "ledger/merkle.h"

#include <gtest/gtest.h>

#include "core/sha256.h"

namespace fogline::ledger {
namespace {

using Leaves = std::vector<std::string>;

std::string raw_sha256(const std::string& bytes) { return Sha256().update(bytes).finish_raw(); }

// --- RFC 9162 2.1.1-2.1.4.1, as written ------------------------------------------------------
uint64_t largest_power_of_two_below(uint64_t n) {
  uint64_t k = 1;
  while (k < n) k <<= 1;
  return k >> 1;
}
Leaves slice(const Leaves& d, uint64_t from, uint64_t to) { return Leaves(d.begin() + from, d.begin() + to); }

std::string MTH(const Leaves& d) {
  if (d.empty()) return raw_sha256("");
  if (d.size() == 1) return raw_sha256(std::string(1, '\0') + d[0]);
  uint64_t k = largest_power_of_two_below(d.size());
  return raw_sha256(std::string(1, '\1') + MTH(slice(d, 0, k)) + MTH(slice(d, k, d.size())));
}

std::vector<std::string> PATH(uint64_t m, const Leaves& d) {
  if (d.size() == 1) return {};
  uint64_t n = d.size(), k = largest_power_of_two_below(n);
  std::vector<std::string> out;
  if (m < k) {
    out = PATH(m, slice(d, 0, k));
    out.push_back(MTH(slice(d, k, n)));
  } else {
    out = PATH(m - k, slice(d, k, n));
    out.push_back(MTH(slice(d, 0, k)));
  }
  return out;
}

std::vector<std::string> SUBPROOF(uint64_t m, const Leaves& d, bool b) {
  uint64_t n = d.size();
  if (m == n) return b ? std::vector<std::string>{} : std::vector<std::string>{MTH(d)};
  uint64_t k = largest_power_of_two_below(n);
  std::vector<std::string> out;
  if (m <= k) {
    out = SUBPROOF(m, slice(d, 0, k), b);
    out.push_back(MTH(slice(d, k, n)));
  } else {
    out = SUBPROOF(m - k, slice(d, k, n), false);
    out.push_back(MTH(slice(d, 0, k)));
  }
  return out;
}
std::vector<std::string> PROOF(uint64_t m, const Leaves& d) { return SUBPROOF(m, d, true); }
// ----------------------------------------------------------------------------------------------

std::string raw(const Hash& h) { return std::string(hash_view(h)); }
std::vector<std::string> raw(const std::vector<Hash>& hs) {
  std::vector<std::string> out;
  for (const auto& h : hs) out.push_back(raw(h));
  return out;
}

Leaves make_leaves(size_t n) {
  Leaves d;
  for (size_t i = 0; i < n; ++i) d.push_back("leaf-" + std::to_string(i) + std::string(i % 5, 'x'));
  return d;
}

MerkleTree make_tree(const Leaves& d) {
  MerkleTree t;
  for (const auto& leaf : d) t.append(leaf_hash(leaf));
  return t;
}

TEST(Merkle, EmptyTreeHashIsSha256OfNothing) {
  EXPECT_EQ(hash_hex(empty_tree_hash()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hash_hex(merkle_root({})), hash_hex(empty_tree_hash()));
  MerkleTree t;
  EXPECT_EQ(t.root(), empty_tree_hash());
}

TEST(Merkle, CertificateTransparencyTestVector) {
  // The eight leaves of the RFC 6962 reference implementation's tests and their published roots.
  std::vector<std::string> hex = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                  "606162636465666768696a6b6c6d6e6f"};
  MerkleTree t;
  for (const auto& h : hex) t.append(leaf_hash(*from_hex(h)));
  EXPECT_EQ(hash_hex(t.root_at(1)), "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  EXPECT_EQ(hash_hex(t.root_at(8)), "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328");
}

TEST(Merkle, LeafAndNodePrefixes) {
  EXPECT_EQ(raw(leaf_hash("abc")), raw_sha256(std::string("\0abc", 4)));
  Hash a = leaf_hash("a"), b = leaf_hash("b");
  EXPECT_EQ(raw(node_hash(a, b)), raw_sha256("\1" + raw(a) + raw(b)));
}

TEST(Merkle, RootsMatchTheRfcDefinitionForSizes0To64) {
  Leaves all = make_leaves(64);
  MerkleTree t = make_tree(all);
  for (uint64_t n = 0; n <= 64; ++n) {
    Leaves d = slice(all, 0, n);
    std::vector<Hash> hashes;
    for (const auto& leaf : d) hashes.push_back(leaf_hash(leaf));
    EXPECT_EQ(raw(t.root_at(n)), MTH(d)) << n;
    EXPECT_EQ(raw(merkle_root(hashes)), MTH(d)) << n;
    EXPECT_EQ(raw(make_tree(d).root()), MTH(d)) << n;
  }
}

TEST(Merkle, InclusionProofsMatchPathAndVerifyForEveryIndex) {
  Leaves all = make_leaves(64);
  MerkleTree t = make_tree(all);
  for (uint64_t n = 1; n <= 64; ++n) {
    Leaves d = slice(all, 0, n);
    Hash root = t.root_at(n);
    for (uint64_t m = 0; m < n; ++m) {
      auto proof = t.inclusion_proof(m, n);
      ASSERT_TRUE(proof.is_ok());
      ASSERT_EQ(raw(*proof), PATH(m, d)) << "size " << n << " index " << m;
      Hash leaf = leaf_hash(all[m]);
      ASSERT_TRUE(verify_inclusion(leaf, m, n, *proof, root).is_ok()) << n << " " << m;
      // Tampering with any hash, the index, the leaf or the proof length is refused.
      for (size_t i = 0; i < proof->size(); ++i) {
        auto bad = *proof;
        bad[i][i % 32] ^= 1;
        EXPECT_FALSE(verify_inclusion(leaf, m, n, bad, root).is_ok());
      }
      if (n > 1) {
        EXPECT_FALSE(verify_inclusion(leaf, (m + 1) % n, n, *proof, root).is_ok());
      }
      EXPECT_FALSE(verify_inclusion(leaf_hash("other"), m, n, *proof, root).is_ok());
      auto longer = *proof;
      longer.push_back(root);
      EXPECT_FALSE(verify_inclusion(leaf, m, n, longer, root).is_ok());
      if (!proof->empty()) {
        auto shorter = *proof;
        shorter.pop_back();
        EXPECT_FALSE(verify_inclusion(leaf, m, n, shorter, root).is_ok());
      }
      EXPECT_FALSE(verify_inclusion(leaf, n, n, *proof, root).is_ok());
    }
  }
}

TEST(Merkle, ConsistencyProofsMatchProofAndVerifyForEveryPair) {
  Leaves all = make_leaves(64);
  MerkleTree t = make_tree(all);
  for (uint64_t n = 1; n <= 64; ++n) {
    Leaves d = slice(all, 0, n);
    Hash second_root = t.root_at(n);
    for (uint64_t m = 1; m <= n; ++m) {
      auto proof = t.consistency_proof(m, n);
      ASSERT_TRUE(proof.is_ok());
      Hash first_root = t.root_at(m);
      if (m < n) {
        ASSERT_EQ(raw(*proof), PROOF(m, d)) << m << " -> " << n;
      } else {
        ASSERT_TRUE(proof->empty());
      }
      ASSERT_TRUE(verify_consistency(m, n, first_root, second_root, *proof).is_ok()) << m << " -> " << n;
      for (size_t i = 0; i < proof->size(); ++i) {
        auto bad = *proof;
        bad[i][(i * 7) % 32] ^= 0x80;
        EXPECT_FALSE(verify_consistency(m, n, first_root, second_root, bad).is_ok()) << m << " " << n << " " << i;
      }
      Hash wrong = first_root;
      wrong[0] ^= 1;
      EXPECT_FALSE(verify_consistency(m, n, wrong, second_root, *proof).is_ok());
      Hash wrong2 = second_root;
      wrong2[31] ^= 1;
      EXPECT_FALSE(verify_consistency(m, n, first_root, wrong2, *proof).is_ok());
      if (m < n) {
        auto shorter = *proof;
        shorter.pop_back();
        EXPECT_FALSE(verify_consistency(m, n, first_root, second_root, shorter).is_ok());
        auto longer = *proof;
        longer.push_back(first_root);
        EXPECT_FALSE(verify_consistency(m, n, first_root, second_root, longer).is_ok());
        if (m + 1 < n) {
          EXPECT_FALSE(verify_consistency(m + 1, n, t.root_at(m + 1), second_root, *proof).is_ok());
        }
      }
    }
    // From the empty tree: the empty proof.
    auto from_empty = t.consistency_proof(0, n);
    ASSERT_TRUE(from_empty.is_ok());
    EXPECT_TRUE(from_empty->empty());
    EXPECT_TRUE(verify_consistency(0, n, empty_tree_hash(), second_root, {}).is_ok());
  }
}

TEST(Merkle, PowersOfTwoAndOneMore) {
  // The edge cases the RFC's algorithms branch on: sizes 2^k and 2^k + 1.
  Leaves all = make_leaves(65);
  MerkleTree t = make_tree(all);
  for (uint64_t p : {1, 2, 4, 8, 16, 32, 64}) {
    for (uint64_t n : {p, p + 1}) {
      for (uint64_t m : {uint64_t{1}, p / 2 == 0 ? 1 : p / 2, p}) {
        if (m > n) continue;
        auto proof = t.consistency_proof(m, n);
        ASSERT_TRUE(proof.is_ok());
        EXPECT_TRUE(verify_consistency(m, n, t.root_at(m), t.root_at(n), *proof).is_ok()) << m << " " << n;
        if (m < n) {
          EXPECT_EQ(raw(*proof), PROOF(m, slice(all, 0, n)));
        }
      }
    }
  }
}

TEST(Merkle, ProofRequestsOutsideTheTreeAreRefused) {
  MerkleTree t = make_tree(make_leaves(5));
  EXPECT_FALSE(t.inclusion_proof(5, 5).is_ok());
  EXPECT_FALSE(t.inclusion_proof(0, 6).is_ok());
  EXPECT_FALSE(t.consistency_proof(3, 6).is_ok());
  EXPECT_FALSE(t.consistency_proof(4, 3).is_ok());
  EXPECT_FALSE(verify_consistency(3, 2, t.root_at(3), t.root_at(2), {}).is_ok());
  EXPECT_FALSE(verify_consistency(2, 3, t.root_at(2), t.root_at(3), {}).is_ok());
}

}  // namespace
}  // namespace fogline::ledger
