#include "ledger/merkle.h"

#include <cstring>

#include "core/sha256.h"

namespace fogline::ledger {
namespace {

// Largest power of two strictly less than n (n >= 2).
uint64_t split_point(uint64_t n) {
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

bool is_power_of_two(uint64_t n) { return n != 0 && (n & (n - 1)) == 0; }

}  // namespace

Hash sha256(std::string_view data) {
  Hash h;
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return h;
}

Hash leaf_hash(std::string_view data) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  const unsigned char prefix = 0x00;
  crypto_hash_sha256_update(&st, &prefix, 1);
  crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  Hash h;
  crypto_hash_sha256_final(&st, h.data());
  return h;
}

Hash node_hash(const Hash& left, const Hash& right) {
  unsigned char buf[65];
  buf[0] = 0x01;
  std::memcpy(buf + 1, left.data(), 32);
  std::memcpy(buf + 33, right.data(), 32);
  Hash h;
  crypto_hash_sha256(h.data(), buf, sizeof buf);
  return h;
}

Hash empty_tree_hash() { return sha256({}); }

std::string hash_hex(const Hash& h) { return to_hex(h.data(), h.size()); }

Result<Hash> hash_from_hex(std::string_view hex, std::string_view what) {
  auto raw = from_hex(hex);
  if (!raw.is_ok()) return raw.status().with_context(std::string(what));
  if (raw->size() != 32)
    return invalid_argument(std::string(what) + " is " + std::to_string(raw->size()) + " bytes, expected 32");
  Hash h;
  std::memcpy(h.data(), raw->data(), 32);
  return h;
}

Hash merkle_root(const std::vector<Hash>& leaf_hashes) {
  if (leaf_hashes.empty()) return empty_tree_hash();
  // Pairwise reduction; an odd last node is carried up unchanged, which yields exactly MTH's
  // left-balanced shape (the left subtree is always the largest power of two).
  std::vector<Hash> level = leaf_hashes;
  while (level.size() > 1) {
    size_t out = 0;
    for (size_t i = 0; i + 1 < level.size(); i += 2) level[out++] = node_hash(level[i], level[i + 1]);
    if (level.size() % 2 == 1) level[out++] = level.back();
    level.resize(out);
  }
  return level[0];
}

void MerkleTree::append(const Hash& leaf) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf);
  for (size_t i = 0; levels_[i].size() % 2 == 0; ++i) {
    if (i + 1 == levels_.size()) levels_.emplace_back();
    const auto& lv = levels_[i];
    levels_[i + 1].push_back(node_hash(lv[lv.size() - 2], lv[lv.size() - 1]));
  }
}

void MerkleTree::truncate(uint64_t new_size) {
  for (size_t i = 0; i < levels_.size(); ++i) {
    uint64_t keep = new_size >> i;
    if (levels_[i].size() > keep) levels_[i].resize(keep);
  }
}

Hash MerkleTree::range_hash(uint64_t begin, uint64_t end) const {
  uint64_t n = end - begin;
  if (n == 0) return empty_tree_hash();
  // Every range the RFC recursion asks for starts at a multiple of the largest power of two not
  // above its length, so a complete subtree is a single lookup.
  if (is_power_of_two(n)) {
    size_t level = static_cast<size_t>(__builtin_ctzll(n));
    if (begin % n == 0 && level < levels_.size() && begin / n < levels_[level].size())
      return levels_[level][begin / n];
  }
  uint64_t k = split_point(n);
  return node_hash(range_hash(begin, begin + k), range_hash(begin + k, end));
}

Hash MerkleTree::root_at(uint64_t size) const { return range_hash(0, size); }

void MerkleTree::path(uint64_t index, uint64_t begin, uint64_t end, std::vector<Hash>& out) const {
  uint64_t n = end - begin;
  if (n <= 1) return;
  uint64_t k = split_point(n);
  if (index < k) {
    path(index, begin, begin + k, out);
    out.push_back(range_hash(begin + k, end));
  } else {
    path(index - k, begin + k, end, out);
    out.push_back(range_hash(begin, begin + k));
  }
}

void MerkleTree::subproof(uint64_t m, uint64_t begin, uint64_t end, bool whole, std::vector<Hash>& out) const {
  uint64_t n = end - begin;
  if (m == n) {
    if (!whole) out.push_back(range_hash(begin, end));
    return;
  }
  uint64_t k = split_point(n);
  if (m <= k) {
    subproof(m, begin, begin + k, whole, out);
    out.push_back(range_hash(begin + k, end));
  } else {
    subproof(m - k, begin + k, end, false, out);
    out.push_back(range_hash(begin, begin + k));
  }
}

Result<std::vector<Hash>> MerkleTree::inclusion_proof(uint64_t index, uint64_t tree_size) const {
  if (tree_size > size())
    return out_of_range("tree size " + std::to_string(tree_size) + " is beyond the " + std::to_string(size()) +
                        " leaves in the tree");
  if (index >= tree_size)
    return out_of_range("leaf index " + std::to_string(index) + " is not below tree size " + std::to_string(tree_size));
  std::vector<Hash> out;
  path(index, 0, tree_size, out);
  return out;
}

Result<std::vector<Hash>> MerkleTree::consistency_proof(uint64_t first, uint64_t second) const {
  if (second > size())
    return out_of_range("tree size " + std::to_string(second) + " is beyond the " + std::to_string(size()) +
                        " leaves in the tree");
  if (first > second)
    return out_of_range("first size " + std::to_string(first) + " is larger than second size " +
                        std::to_string(second));
  std::vector<Hash> out;
  if (first == 0 || first == second) return out;
  subproof(first, 0, second, true, out);
  return out;
}

Status verify_inclusion(const Hash& leaf, uint64_t index, uint64_t tree_size, const std::vector<Hash>& proof,
                        const Hash& root) {
  if (index >= tree_size)
    return invalid_argument("leaf index " + std::to_string(index) + " is not below tree size " +
                            std::to_string(tree_size));
  uint64_t fn = index, sn = tree_size - 1;
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) return invalid_argument("inclusion proof has more hashes than a tree of this size needs");
    if ((fn & 1) || fn == sn) {
      r = node_hash(p, r);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = node_hash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return invalid_argument("inclusion proof has fewer hashes than a tree of this size needs");
  if (r != root)
    return invalid_argument("inclusion proof leads to root " + hash_hex(r) + ", expected " + hash_hex(root));
  return Status::ok();
}

Status verify_consistency(uint64_t first, uint64_t second, const Hash& first_root, const Hash& second_root,
                          const std::vector<Hash>& proof) {
  if (first > second)
    return invalid_argument("first size " + std::to_string(first) + " is larger than second size " +
                            std::to_string(second));
  if (first == second) {
    if (!proof.empty()) return invalid_argument("consistency proof between equal sizes must be empty");
    if (first_root != second_root)
      return invalid_argument("trees of equal size " + std::to_string(first) + " have different roots");
    return Status::ok();
  }
  if (first == 0) {
    if (!proof.empty()) return invalid_argument("consistency proof from the empty tree must be empty");
    return Status::ok();
  }
  if (proof.empty()) return invalid_argument("consistency proof is empty");
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (is_power_of_two(first)) path.push_back(first_root);
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = first - 1, sn = second - 1;
  while (fn & 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return invalid_argument("consistency proof has more hashes than these sizes need");
    if ((fn & 1) || fn == sn) {
      fr = node_hash(c, fr);
      sr = node_hash(c, sr);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = node_hash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return invalid_argument("consistency proof has fewer hashes than these sizes need");
  if (fr != first_root)
    return invalid_argument("consistency proof leads to first root " + hash_hex(fr) + ", expected " +
                            hash_hex(first_root));
  if (sr != second_root)
    return invalid_argument("consistency proof leads to second root " + hash_hex(sr) + ", expected " +
                            hash_hex(second_root));
  return Status::ok();
}

}  // namespace fogline::ledger

namespace fogline::ledger {
Result<std::vector<Hash>> parse_hash_list(const std::vector<std::string>& hex, std::string_view what) {
  std::vector<Hash> out;
  out.reserve(hex.size());
  for (size_t i = 0; i < hex.size(); ++i) {
    FOGLINE_ASSIGN_OR_RETURN(Hash h, hash_from_hex(hex[i], std::string(what) + " #" + std::to_string(i + 1)));
    out.push_back(h);
  }
  return out;
}
}  // namespace fogline::ledger
