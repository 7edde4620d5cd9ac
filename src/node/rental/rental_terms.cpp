#include "node/rental/rental_terms.h"

#include <nlohmann/json.hpp>

#include "core/file_util.h"
#include "core/sha256.h"

namespace fogline::node::rental {

uint64_t inferences_paid_by(uint64_t credits, uint64_t price_per_1000) {
  if (price_per_1000 == 0) return kUnlimited;
  // floor(n x p / 1000) <= c  <=>  n x p < (c + 1) x 1000
  unsigned __int128 n = ((static_cast<unsigned __int128>(credits) + 1) * 1000 - 1) / price_per_1000;
  return n >= kUnlimited ? kUnlimited - 1 : static_cast<uint64_t>(n);
}

namespace {

Result<uint64_t> terms_u64(const nlohmann::json& j, const char* field, const std::string& where) {
  const auto& v = j.at(field);
  if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<int64_t>() >= 0))
    return invalid_argument(where + ": field '" + field + "' must be a non-negative integer, got " + v.dump());
  return v.get<uint64_t>();
}

Result<std::string> terms_text(const nlohmann::json& j, const char* field, const std::string& where) {
  if (!j.contains(field)) return invalid_argument(where + ": missing field '" + field + "'");
  if (!j.at(field).is_string() || j.at(field).get<std::string>().empty())
    return invalid_argument(where + ": field '" + field + "' must be a non-empty string");
  return j.at(field).get<std::string>();
}

}  // namespace

Result<RentalTerms> parse_rental_terms(std::string_view json_text, const std::string& where) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    return invalid_argument(where + ": not JSON: " + e.what());
  }
  if (!j.is_object()) return invalid_argument(where + ": expected a JSON object");
  RentalTerms t;
  FOGLINE_ASSIGN_OR_RETURN(std::string format, terms_text(j, "format", where));
  if (format != kRentalTermsFormat)
    return invalid_argument(where + ": format '" + format + "', expected '" + kRentalTermsFormat + "'");
  FOGLINE_ASSIGN_OR_RETURN(t.rental, terms_text(j, "rental", where));
  auto id = from_hex(t.rental);
  if (!id.is_ok() || id->size() != 32)
    return invalid_argument(where + ": field 'rental' must be 64 hex digits (the rent start transaction id)");
  t.rental = to_hex(*id);
  FOGLINE_ASSIGN_OR_RETURN(t.model, terms_text(j, "model", where));
  FOGLINE_ASSIGN_OR_RETURN(t.version, terms_text(j, "version", where));
  FOGLINE_ASSIGN_OR_RETURN(std::string renter, terms_text(j, "renter", where));
  FOGLINE_ASSIGN_OR_RETURN(t.renter, crypto::public_key_from_hex(renter, where + ": renter"));
  if (j.contains("owner")) {
    FOGLINE_ASSIGN_OR_RETURN(std::string owner, terms_text(j, "owner", where));
    FOGLINE_ASSIGN_OR_RETURN(t.owner, crypto::public_key_from_hex(owner, where + ": owner"));
    t.has_owner = true;
  }
  if (j.contains("node")) {
    FOGLINE_ASSIGN_OR_RETURN(std::string node, terms_text(j, "node", where));
    FOGLINE_ASSIGN_OR_RETURN(t.node, crypto::public_key_from_hex(node, where + ": node"));
    t.has_node = true;
  }
  if (j.contains("price_per_1000")) {
    FOGLINE_ASSIGN_OR_RETURN(t.price_per_1000, terms_u64(j, "price_per_1000", where));
  }
  if (j.contains("prepaid_credits")) {
    FOGLINE_ASSIGN_OR_RETURN(t.prepaid_credits, terms_u64(j, "prepaid_credits", where));
  }
  if (j.contains("prepaid_inferences")) {
    FOGLINE_ASSIGN_OR_RETURN(t.prepaid_inferences, terms_u64(j, "prepaid_inferences", where));
  } else {
    t.prepaid_inferences = inferences_paid_by(t.prepaid_credits, t.price_per_1000);
  }
  return t;
}

Result<RentalTerms> load_rental_terms(const std::string& path) {
  FOGLINE_ASSIGN_OR_RETURN(std::string text, read_file(path, 1 << 20));
  return parse_rental_terms(text, "rental terms " + path);
}

std::string rental_terms_json(const RentalTerms& t) {
  nlohmann::json j{{"format", kRentalTermsFormat}, {"rental", t.rental},
                   {"model", t.model},             {"version", t.version},
                   {"renter", to_hex(t.renter.data(), t.renter.size())}};
  if (t.has_owner) j["owner"] = to_hex(t.owner.data(), t.owner.size());
  if (t.has_node) j["node"] = to_hex(t.node.data(), t.node.size());
  if (t.price_per_1000) j["price_per_1000"] = t.price_per_1000;
  if (t.prepaid_credits) j["prepaid_credits"] = t.prepaid_credits;
  if (t.prepaid_inferences != kUnlimited) j["prepaid_inferences"] = t.prepaid_inferences;
  return j.dump(2) + "\n";
}

}  // namespace fogline::node::rental
