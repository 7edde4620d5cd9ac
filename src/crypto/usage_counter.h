// Signed usage counters for rented models: a node running a rented model counts its inferences
// and, every so often, signs a counter report with its Ed25519 key. The count is cumulative (all
// inferences of that model version for that renter since the rental began), so a lost report
// loses nothing and a counter that goes down is visibly wrong; the sequence numbers the reports.
// The ledger settles a batch of reports in one transaction (a Merkle root over their encodings
// plus the last report itself, which the state machine checks). This lives in crypto, not in the
// ledger, so the node (engine, crypto, core, processing) can produce reports on its own.
// Header-only: the encoding is small and shared verbatim by the node and the ledger.
//
// Encoding, version 1 (docs/formats/ledger.md), big-endian integers:
//   "fogline-usage-counter/1" | u16 n | model (n bytes) | u16 n | version (n bytes)
//   | node[32] | renter[32] | u64 inferences | u64 sequence | u64 timestamp_ms | signature[64]
// The signature is the node's over everything before it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "crypto/identity.h"

namespace fogline::crypto {

inline constexpr std::string_view kUsageCounterMagic = "fogline-usage-counter/1";
inline constexpr size_t kUsageCounterMaxName = 1024;

struct UsageCounter {
  std::string model, version;
  PublicKey node{}, renter{};
  uint64_t inferences = 0;  // cumulative
  uint64_t sequence = 0;    // from 1, strictly increasing per node
  uint64_t timestamp_ms = 0;
  Signature signature{};

  std::string signed_bytes() const {
    std::string out(kUsageCounterMagic);
    auto be = [&out](uint64_t v, int n) {
      for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    };
    auto text = [&](const std::string& s) {
      be(s.size(), 2);
      out += s;
    };
    text(model);
    text(version);
    out.append(reinterpret_cast<const char*>(node.data()), node.size());
    out.append(reinterpret_cast<const char*>(renter.data()), renter.size());
    be(inferences, 8);
    be(sequence, 8);
    be(timestamp_ms, 8);
    return out;
  }
  std::string encode() const {
    std::string out = signed_bytes();
    out.append(reinterpret_cast<const char*>(signature.data()), signature.size());
    return out;
  }
  bool signature_valid() const { return verify_signature(node, signed_bytes(), signature); }
};

inline UsageCounter sign_usage_counter(const Identity& node, std::string model, std::string version,
                                       const PublicKey& renter, uint64_t inferences, uint64_t sequence,
                                       uint64_t timestamp_ms) {
  UsageCounter c;
  c.model = std::move(model);
  c.version = std::move(version);
  c.node = node.sign_public();
  c.renter = renter;
  c.inferences = inferences;
  c.sequence = sequence;
  c.timestamp_ms = timestamp_ms;
  c.signature = node.sign(c.signed_bytes());
  return c;
}

// Parses one encoding; refuses a wrong magic, a truncated or overlong report and a bad
// signature (a report nobody can check is worth nothing).
inline Result<UsageCounter> decode_usage_counter(std::string_view bytes) {
  UsageCounter c;
  size_t pos = 0;
  auto need = [&](size_t n, const char* field) -> Status {
    if (bytes.size() - pos < n)
      return invalid_argument(std::string("usage counter report: truncated at ") + field + " (byte " + std::to_string(pos) +
                              " of " + std::to_string(bytes.size()) + ")");
    return Status::ok();
  };
  auto be = [&](uint64_t& v, int n, const char* field) -> Status {
    FOGLINE_TRY(need(n, field));
    v = 0;
    for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[pos++]);
    return Status::ok();
  };
  auto text = [&](std::string& s, const char* field) -> Status {
    uint64_t n = 0;
    FOGLINE_TRY(be(n, 2, field));
    if (n > kUsageCounterMaxName) return invalid_argument(std::string("usage counter report: ") + field + " is too long");
    FOGLINE_TRY(need(n, field));
    s.assign(bytes.substr(pos, n));
    pos += n;
    return Status::ok();
  };
  auto fixed = [&](auto& a, const char* field) -> Status {
    FOGLINE_TRY(need(a.size(), field));
    for (auto& b : a) b = static_cast<unsigned char>(bytes[pos++]);
    return Status::ok();
  };
  if (bytes.substr(0, kUsageCounterMagic.size()) != kUsageCounterMagic)
    return invalid_argument("usage counter report: expected magic '" + std::string(kUsageCounterMagic) + "'");
  pos = kUsageCounterMagic.size();
  FOGLINE_TRY(text(c.model, "model"));
  FOGLINE_TRY(text(c.version, "version"));
  FOGLINE_TRY(fixed(c.node, "node"));
  FOGLINE_TRY(fixed(c.renter, "renter"));
  FOGLINE_TRY(be(c.inferences, 8, "inferences"));
  FOGLINE_TRY(be(c.sequence, 8, "sequence"));
  FOGLINE_TRY(be(c.timestamp_ms, 8, "timestamp_ms"));
  FOGLINE_TRY(fixed(c.signature, "signature"));
  if (pos != bytes.size())
    return invalid_argument("usage counter report: " + std::to_string(bytes.size() - pos) + " trailing bytes");
  if (c.sequence == 0) return invalid_argument("usage counter report: sequences start at 1");
  if (!c.signature_valid())
    return invalid_argument("usage counter report " + std::to_string(c.sequence) + " for " + c.model + "@" + c.version +
                            ": the signature is not the node's (forged or altered)");
  return c;
}

}  // namespace fogline::crypto
