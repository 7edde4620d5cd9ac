#include "ledger/proof_file.h"

#include <sstream>

#include "core/sha256.h"

namespace fogline::ledger {

std::string write_proof_file(const TxProof& p) {
  std::string out = "fogline-proof 1\n";
  out += "tx_id " + hash_hex(p.tx_id) + "\n";
  out += "tx " + to_hex(p.tx_bytes) + "\n";
  out += "height " + std::to_string(p.height) + "\n";
  out += "log_index " + std::to_string(p.log_index) + "\n";
  out += "log_size " + std::to_string(p.log_size) + "\n";
  out += "log_root " + hash_hex(p.log_root) + "\n";
  for (const Hash& h : p.path) out += "path " + hash_hex(h) + "\n";
  return out;
}

Result<TxProof> parse_proof_file(const std::string& text) {
  std::istringstream in(text);
  std::string line;
  int n = 0;
  TxProof p;
  bool seen[6] = {};
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    size_t sp = line.find(' ');
    std::string field = line.substr(0, sp), value = sp == std::string::npos ? "" : line.substr(sp + 1);
    std::string where = "proof line " + std::to_string(n) + " (" + field + ")";
    auto number = [&](uint64_t& v) -> Status {
      char* end = nullptr;
      v = std::strtoull(value.c_str(), &end, 10);
      if (value.empty() || *end) return invalid_argument(where + ": '" + value + "' is not a number");
      return Status::ok();
    };
    if (n == 1) {
      if (line != "fogline-proof 1") return invalid_argument("not a fogline proof: first line is '" + line + "'");
    } else if (field == "tx_id") {
      FOGLINE_ASSIGN_OR_RETURN(p.tx_id, hash_from_hex(value, where));
      seen[0] = true;
    } else if (field == "tx") {
      auto raw = from_hex(value);
      if (!raw.is_ok()) return raw.status().with_context(where);
      p.tx_bytes = *raw;
      auto tx = Transaction::decode(p.tx_bytes);
      if (!tx.is_ok()) return tx.status().with_context(where);
      p.tx = *tx;
      seen[1] = true;
    } else if (field == "height") {
      FOGLINE_TRY(number(p.height));
      seen[2] = true;
    } else if (field == "log_index") {
      FOGLINE_TRY(number(p.log_index));
      seen[3] = true;
    } else if (field == "log_size") {
      FOGLINE_TRY(number(p.log_size));
      seen[4] = true;
    } else if (field == "log_root") {
      FOGLINE_ASSIGN_OR_RETURN(p.log_root, hash_from_hex(value, where));
      seen[5] = true;
    } else if (field == "path") {
      FOGLINE_ASSIGN_OR_RETURN(Hash h, hash_from_hex(value, where));
      p.path.push_back(h);
    } else {
      return invalid_argument(where + ": unknown field");
    }
  }
  const char* names[6] = {"tx_id", "tx", "height", "log_index", "log_size", "log_root"};
  for (int i = 0; i < 6; ++i)
    if (!seen[i]) return invalid_argument(std::string("proof has no '") + names[i] + "' line");
  return p;
}

Status verify_proof(const TxProof& p) {
  Hash id = sha256(p.tx_bytes);
  if (id != p.tx_id)
    return invalid_argument("the transaction's bytes hash to " + hash_hex(id) + ", not to tx_id " + hash_hex(p.tx_id));
  return verify_inclusion(leaf_hash(p.tx_bytes), p.log_index, p.log_size, p.path, p.log_root)
      .with_context("transaction " + hash_hex(p.tx_id).substr(0, 16));
}


}  // namespace fogline::ledger
