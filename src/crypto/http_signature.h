// Signed HTTP requests between a node and the hub, in the manner of RFC 9421 (HTTP Message
// Signatures) with an RFC 9530 Content-Digest. A node signs "@method", "@path", "@query" and
// "content-digest" with its Ed25519 key, plus created/nonce/keyid/alg parameters; the hub
// rebuilds the same signature base from what it received. Freshness (the created window) and
// replay (nonces already seen) are the verifier's policy, so they are checked by the caller
// with the VerifiedSignature this returns. Format: docs/formats/node-auth.md.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "crypto/identity.h"

namespace fogline::crypto {

// The request as both sides see it. `path` is the absolute path without the query;
// `query` is the part after '?', without it ("" when none).
struct HttpRequestParts {
  std::string method;  // "GET", "POST" (compared as given: senders use upper case)
  std::string path;
  std::string query;
  std::string_view body;
};

// "sha-256=:<base64 of SHA-256(body)>:" (RFC 9530 Content-Digest).
std::string content_digest(std::string_view body);

std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);

struct SignatureParams {
  int64_t created = 0;  // Unix seconds
  std::string nonce;    // random, unique per request
  std::string keyid;    // the node id the hub knows the key by
  std::string alg = "ed25519";
};

// The headers a signed request carries.
struct SignedHeaders {
  std::string content_digest;   // Content-Digest
  std::string signature_input;  // Signature-Input: sig1=(...);created=...;nonce="...";keyid="...";alg="ed25519"
  std::string signature;        // Signature: sig1=:<base64>:
};

// The components every request covers, in order.
const std::vector<std::string>& covered_components();

// RFC 9421 section 2.5: one `"name": value` line per covered component, then the
// "@signature-params" line (no trailing newline).
std::string signature_base(const HttpRequestParts& request, const std::string& content_digest_value,
                           const SignatureParams& params);

// A 32-character hex nonce from the system CSPRNG.
std::string random_nonce();

// Signs with `identity`'s Ed25519 key. `params.created`/`params.nonce` left empty are filled
// with now and a random nonce.
SignedHeaders sign_request(const HttpRequestParts& request, const Identity& identity, SignatureParams params);

struct VerifiedSignature {
  std::string keyid;
  int64_t created = 0;
  std::string nonce;
};

// Looks up the public key for a keyid (kNotFound when unknown).
using KeyLookup = std::function<Result<PublicKey>(const std::string& keyid)>;

// Parses Signature-Input / Signature (label "sig1"), checks that the covered components are
// exactly covered_components(), that Content-Digest matches the body, and that the signature
// over the rebuilt base verifies under keyid's key. Errors say which of these failed.
Result<VerifiedSignature> verify_request(const HttpRequestParts& request, const std::string& content_digest_header,
                                         const std::string& signature_input_header,
                                         const std::string& signature_header, const KeyLookup& lookup);

}  // namespace fogline::crypto
