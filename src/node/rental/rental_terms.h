// The terms a node serves a rented model under, read from a small JSON file the renter (or
// the operator) hands the node with the model (`serve --model m=PATH,rental=FILE`). The node
// cannot read the ledger (it links engine, crypto, core and processing only), so the terms
// carry what it needs to meter and to sign reports the ledger will accept:
//   {"format": "fogline-rental-terms/1",
//    "rental": "<64 hex: the rent start transaction id>",
//    "model": "<name on the ledger>", "version": "<version on the ledger>",
//    "renter": "<64 hex Ed25519>", "owner": "<64 hex, optional>", "node": "<64 hex, optional>",
//    "price_per_1000": N, "prepaid_credits": N,        (optional; absent with economy = off)
//    "prepaid_inferences": N}                          (optional; overrides the computed limit)
// Spec: docs/node.md "Rented models".
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "crypto/identity.h"

namespace fogline::node::rental {

inline constexpr const char* kRentalTermsFormat = "fogline-rental-terms/1";
inline constexpr uint64_t kUnlimited = UINT64_MAX;

struct RentalTerms {
  std::string rental;  // 64 lower-case hex
  std::string model, version;
  crypto::PublicKey renter{}, owner{}, node{};
  bool has_owner = false, has_node = false;
  uint64_t price_per_1000 = 0, prepaid_credits = 0;
  uint64_t prepaid_inferences = kUnlimited;  // what this node may serve; kUnlimited: no limit

  std::string label() const { return model + "@" + version; }
};

// The largest n with floor(n x price / 1000) <= credits, as the ledger charges a settlement
// (ledger/tx/usage_settle.cpp); kUnlimited when the price is 0.
uint64_t inferences_paid_by(uint64_t credits, uint64_t price_per_1000);

Result<RentalTerms> parse_rental_terms(std::string_view json_text, const std::string& where);
Result<RentalTerms> load_rental_terms(const std::string& path);
std::string rental_terms_json(const RentalTerms& terms);

}  // namespace fogline::node::rental
