#include "crypto/http_signature.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include "core/sha256.h"
#include "crypto/sodium.h"

namespace fogline::crypto {
namespace {

constexpr const char* kLabel = "sig1";

// Splits a structured-field dictionary on top-level commas (outside quotes and parentheses).
std::vector<std::string> split_members(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, in_colon = false;
  int depth = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      cur += c;
      if (c == '\\' && i + 1 < text.size()) cur += text[++i];
      else if (c == '"') quoted = false;
      continue;
    }
    if (c == '"') quoted = true;
    if (c == ':') in_colon = !in_colon;
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0 && !in_colon) {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  out.push_back(cur);
  for (auto& m : out) {
    size_t b = m.find_first_not_of(" \t");
    size_t e = m.find_last_not_of(" \t");
    m = b == std::string::npos ? "" : m.substr(b, e - b + 1);
  }
  return out;
}

// The value of dictionary member `label` ("sig1=VALUE" -> VALUE), or kNotFound.
Result<std::string> member(std::string_view header, std::string_view label, std::string_view header_name) {
  if (header.empty()) return invalid_argument("missing " + std::string(header_name) + " header");
  for (const auto& m : split_members(header)) {
    if (m.size() > label.size() && m.compare(0, label.size(), label) == 0 && m[label.size()] == '=')
      return m.substr(label.size() + 1);
  }
  return invalid_argument(std::string(header_name) + " has no '" + std::string(label) + "' member");
}

struct ParsedInput {
  std::vector<std::string> components;
  SignatureParams params;
  bool has_created = false;
};

Result<std::string> parse_quoted(std::string_view text, size_t& pos) {
  if (pos >= text.size() || text[pos] != '"') return invalid_argument("expected a quoted string");
  std::string out;
  for (++pos; pos < text.size(); ++pos) {
    char c = text[pos];
    if (c == '\\' && pos + 1 < text.size()) {
      out += text[++pos];
    } else if (c == '"') {
      ++pos;
      return out;
    } else {
      out += c;
    }
  }
  return invalid_argument("unterminated quoted string");
}

Result<ParsedInput> parse_signature_input(std::string_view value) {
  ParsedInput in;
  size_t pos = 0;
  if (value.empty() || value[0] != '(') return invalid_argument("Signature-Input member does not start with '('");
  ++pos;
  while (pos < value.size() && value[pos] != ')') {
    if (value[pos] == ' ') {
      ++pos;
      continue;
    }
    FOGLINE_ASSIGN_OR_RETURN(std::string comp, parse_quoted(value, pos));
    in.components.push_back(comp);
  }
  if (pos >= value.size()) return invalid_argument("Signature-Input component list is not closed");
  ++pos;
  while (pos < value.size()) {
    if (value[pos] != ';') return invalid_argument("Signature-Input: expected ';' at offset " + std::to_string(pos));
    ++pos;
    size_t eq = value.find('=', pos);
    if (eq == std::string_view::npos) return invalid_argument("Signature-Input: parameter without a value");
    std::string key(value.substr(pos, eq - pos));
    pos = eq + 1;
    if (pos < value.size() && value[pos] == '"') {
      FOGLINE_ASSIGN_OR_RETURN(std::string s, parse_quoted(value, pos));
      if (key == "nonce") in.params.nonce = s;
      else if (key == "keyid") in.params.keyid = s;
      else if (key == "alg") in.params.alg = s;
    } else {
      size_t end = pos;
      while (end < value.size() && (std::isdigit(static_cast<unsigned char>(value[end])) || value[end] == '-')) ++end;
      if (end == pos) return invalid_argument("Signature-Input: parameter '" + key + "' has no value");
      int64_t n = 0;
      try {
        n = std::stoll(std::string(value.substr(pos, end - pos)));
      } catch (const std::exception&) {
        return invalid_argument("Signature-Input: parameter '" + key + "' is not an integer");
      }
      if (key == "created") {
        in.params.created = n;
        in.has_created = true;
      }
      pos = end;
    }
  }
  return in;
}

std::string component_value(const std::string& name, const HttpRequestParts& request, const std::string& digest) {
  if (name == "@method") return request.method;
  if (name == "@path") return request.path.empty() ? "/" : request.path;
  // RFC 9421 2.2.7: the query with its leading '?'; an absent query is "?".
  if (name == "@query") return "?" + request.query;
  return digest;  // "content-digest"
}

std::string serialize_params(const SignatureParams& params) {
  std::string out = "(";
  const auto& comps = covered_components();
  for (size_t i = 0; i < comps.size(); ++i) out += (i ? " \"" : "\"") + comps[i] + "\"";
  out += ");created=" + std::to_string(params.created) + ";nonce=\"" + params.nonce + "\";keyid=\"" + params.keyid +
         "\";alg=\"" + params.alg + "\"";
  return out;
}

std::string base_with_params_value(const HttpRequestParts& request, const std::string& digest,
                                   const std::vector<std::string>& comps, const std::string& params_value) {
  std::string base;
  for (const auto& c : comps) base += "\"" + c + "\": " + component_value(c, request, digest) + "\n";
  base += "\"@signature-params\": " + params_value;
  return base;
}

bool safe_param(const std::string& s) {
  for (char c : s)
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e)
      return false;
  return true;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  ensure_sodium();
  size_t len = sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string out(len, '\0');
  sodium_bin2base64(out.data(), len, uc(bytes), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(len - 1);  // drop the terminating NUL
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  ensure_sodium();
  std::string out(text.size(), '\0');
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, nullptr, sodium_base64_VARIANT_ORIGINAL) != 0)
    return invalid_argument("not valid base64: '" + std::string(text.substr(0, 40)) + "'");
  out.resize(len);
  return out;
}

std::string content_digest(std::string_view body) {
  Sha256 h;
  h.update(body);
  return "sha-256=:" + base64_encode(h.finish_raw()) + ":";
}

const std::vector<std::string>& covered_components() {
  static const std::vector<std::string> kComponents = {"@method", "@path", "@query", "content-digest"};
  return kComponents;
}

std::string signature_base(const HttpRequestParts& request, const std::string& content_digest_value,
                           const SignatureParams& params) {
  return base_with_params_value(request, content_digest_value, covered_components(), serialize_params(params));
}

std::string random_nonce() {
  ensure_sodium();
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  return to_hex(bytes, sizeof bytes);
}

SignedHeaders sign_request(const HttpRequestParts& request, const Identity& identity, SignatureParams params) {
  if (params.created == 0) params.created = static_cast<int64_t>(std::time(nullptr));
  if (params.nonce.empty()) params.nonce = random_nonce();
  SignedHeaders h;
  h.content_digest = content_digest(request.body);
  std::string params_value = serialize_params(params);
  std::string base = base_with_params_value(request, h.content_digest, covered_components(), params_value);
  Signature sig = identity.sign(base);
  h.signature_input = std::string(kLabel) + "=" + params_value;
  h.signature = std::string(kLabel) + "=:" + base64_encode(as_view(sig)) + ":";
  return h;
}

Result<VerifiedSignature> verify_request(const HttpRequestParts& request, const std::string& content_digest_header,
                                         const std::string& signature_input_header,
                                         const std::string& signature_header, const KeyLookup& lookup) {
  FOGLINE_ASSIGN_OR_RETURN(std::string input_value, member(signature_input_header, kLabel, "Signature-Input"));
  FOGLINE_ASSIGN_OR_RETURN(std::string sig_value, member(signature_header, kLabel, "Signature"));
  FOGLINE_ASSIGN_OR_RETURN(ParsedInput in, parse_signature_input(input_value));
  if (in.components != covered_components())
    return invalid_argument(
        "Signature-Input must cover (\"@method\" \"@path\" \"@query\" \"content-digest\") in that order");
  if (!in.has_created) return invalid_argument("Signature-Input has no 'created' parameter");
  if (in.params.nonce.empty()) return invalid_argument("Signature-Input has no 'nonce' parameter");
  if (in.params.keyid.empty()) return invalid_argument("Signature-Input has no 'keyid' parameter");
  if (in.params.alg != "ed25519")
    return invalid_argument("Signature-Input alg is '" + in.params.alg + "', expected \"ed25519\"");
  if (!safe_param(in.params.nonce) || !safe_param(in.params.keyid))
    return invalid_argument("Signature-Input nonce/keyid contain characters outside printable ASCII");
  if (content_digest_header.empty()) return invalid_argument("missing Content-Digest header");
  if (content_digest(request.body) != content_digest_header)
    return invalid_argument("Content-Digest does not match the body (sent " + content_digest_header + ")");
  if (sig_value.size() < 2 || sig_value.front() != ':' || sig_value.back() != ':')
    return invalid_argument("Signature member is not a byte sequence (:base64:)");
  FOGLINE_ASSIGN_OR_RETURN(std::string sig_bytes, base64_decode(std::string_view(sig_value).substr(1, sig_value.size() - 2)));
  if (sig_bytes.size() != crypto_sign_BYTES)
    return invalid_argument("Signature is " + std::to_string(sig_bytes.size()) + " bytes, expected 64");
  FOGLINE_ASSIGN_OR_RETURN(PublicKey key, lookup(in.params.keyid));
  std::string base = base_with_params_value(request, content_digest_header, in.components, input_value);
  Signature sig;
  std::copy(sig_bytes.begin(), sig_bytes.end(), sig.begin());
  if (!verify_signature(key, base, sig))
    return invalid_argument("signature does not verify for keyid '" + in.params.keyid +
                            "' (method, path, query or digest differ from what was signed)");
  return VerifiedSignature{in.params.keyid, in.params.created, in.params.nonce};
}

}  // namespace fogline::crypto
