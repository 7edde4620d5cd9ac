// Shared by the `fogline ledger merkle ...` commands: turns their leaf arguments (hex leaf data,
// or hex leaf hashes with --leaf-hashes) into a tree.
#pragma once

#include <string>
#include <vector>

#include "ledger/merkle.h"

namespace fogline::ledger {

Result<MerkleTree> tree_from_hex_leaves(const std::vector<std::string>& leaves, bool are_leaf_hashes);

}  // namespace fogline::ledger
