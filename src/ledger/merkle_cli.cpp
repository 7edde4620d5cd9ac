#include "ledger/merkle_cli.h"

#include "core/sha256.h"

namespace fogline::ledger {

Result<MerkleTree> tree_from_hex_leaves(const std::vector<std::string>& leaves, bool are_leaf_hashes) {
  MerkleTree tree;
  if (are_leaf_hashes) {
    FOGLINE_ASSIGN_OR_RETURN(std::vector<Hash> hashes, parse_hash_list(leaves, "leaf hash"));
    for (const Hash& h : hashes) tree.append(h);
    return tree;
  }
  for (size_t i = 0; i < leaves.size(); ++i) {
    // "-" stands for an empty leaf, which a shell cannot pass as a bare hex word.
    auto data = leaves[i] == "-" ? Result<std::string>(std::string()) : from_hex(leaves[i]);
    if (!data.is_ok()) return data.status().with_context("leaf #" + std::to_string(i + 1));
    tree.append(leaf_hash(*data));
  }
  return tree;
}

}  // namespace fogline::ledger
