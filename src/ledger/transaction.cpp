#include "ledger/transaction.h"

#include "core/sha256.h"
#include "ledger/encoding.h"

namespace fogline::ledger {
namespace {
constexpr std::string_view kDomain = "fogline-tx/1";
}

std::string key_hex(const PublicKey& k) { return to_hex(k.data(), k.size()); }
std::string short_key(const PublicKey& k) { return to_hex(k.data(), 8); }

void Transaction::append_signing_bytes(std::string& out) const {
  out.append(kDomain);
  auto be = [&out](uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  be(version, 1);
  be(type, 2);
  out.append(reinterpret_cast<const char*>(sender.data()), sender.size());
  be(nonce, 8);
  be(body.size(), 4);
  out.append(body);
}

std::string Transaction::signing_bytes() const {
  std::string out;
  append_signing_bytes(out);
  return out;
}

std::string Transaction::encode() const {
  Writer w;
  w.str().reserve(1 + 2 + 32 + 8 + 4 + body.size() + 64);
  w.u8(version);
  w.u16(type);
  w.fixed(sender);
  w.u64(nonce);
  w.bytes(body);
  w.fixed(signature);
  return w.take();
}

Result<Transaction> Transaction::decode(std::string_view bytes) {
  Reader r(bytes, "transaction");
  uint8_t version;
  FOGLINE_TRY(r.u8(version, "version"));
  if (version < kTxFormatVersionOldest || version > kTxFormatVersion)
    return invalid_argument("transaction format version " + std::to_string(version) +
                            " is not supported: this build reads versions " + std::to_string(kTxFormatVersionOldest) +
                            " to " + std::to_string(kTxFormatVersion) + " (docs/formats/ledger.md)");
  Transaction tx;
  tx.version = version;
  FOGLINE_TRY(r.u16(tx.type, "type"));
  FOGLINE_TRY(r.fixed(tx.sender, "sender"));
  FOGLINE_TRY(r.u64(tx.nonce, "nonce"));
  FOGLINE_TRY(r.bytes(tx.body, "body"));
  FOGLINE_TRY(r.fixed(tx.signature, "signature"));
  FOGLINE_TRY(r.finish());
  return tx;
}

bool Transaction::signature_valid() const {
  std::string scratch;
  return signature_valid(scratch);
}

bool Transaction::signature_valid(std::string& scratch) const {
  scratch.clear();
  append_signing_bytes(scratch);
  return crypto::verify_signature(sender, scratch, signature);
}

Transaction make_transaction(uint16_t type, const crypto::Identity& signer, uint64_t nonce, std::string body) {
  Transaction tx;
  tx.type = type;
  tx.sender = signer.sign_public();
  tx.nonce = nonce;
  tx.body = std::move(body);
  tx.signature = signer.sign(tx.signing_bytes());
  return tx;
}

}  // namespace fogline::ledger
