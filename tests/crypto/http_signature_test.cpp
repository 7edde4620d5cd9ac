#include "crypto/http_signature.h"

#include <gtest/gtest.h>

namespace fogline::crypto {
namespace {

class HttpSignature : public ::testing::Test {
 protected:
  Identity node_ = Identity::generate(IdentityKind::kNode, "n1");
  KeyLookup lookup_ = [this](const std::string& keyid) -> Result<PublicKey> {
    if (keyid == "node-1") return node_.sign_public();
    return not_found("unknown node '" + keyid + "'");
  };
  HttpRequestParts request_{"POST", "/api/node/heartbeat", "a=1", R"({"ok":true})"};

  Result<VerifiedSignature> verify(const HttpRequestParts& req, const SignedHeaders& h) {
    return verify_request(req, h.content_digest, h.signature_input, h.signature, lookup_);
  }
};

TEST_F(HttpSignature, ContentDigestIsRfc9530Sha256) {
  // The SHA-256 of the body, base64 between colons (checked against Python hashlib).
  EXPECT_EQ(content_digest("{\"hello\": \"world\"}\n"), "sha-256=:RK/0qy18MlBSVnWgjwz6lZEWjP/lF5HF9bvEF8FabDg=:");
  EXPECT_EQ(base64_decode(base64_encode("\x01\x02xyz")).value(), "\x01\x02xyz");
  EXPECT_FALSE(base64_decode("!!!").is_ok());
}

TEST_F(HttpSignature, SignatureBaseFollowsRfc9421Layout) {
  SignatureParams p{1700000000, "abc", "node-1"};
  std::string base = signature_base(request_, "sha-256=:X:", p);
  EXPECT_EQ(base,
            "\"@method\": POST\n"
            "\"@path\": /api/node/heartbeat\n"
            "\"@query\": ?a=1\n"
            "\"content-digest\": sha-256=:X:\n"
            "\"@signature-params\": (\"@method\" \"@path\" \"@query\" \"content-digest\")"
            ";created=1700000000;nonce=\"abc\";keyid=\"node-1\";alg=\"ed25519\"");
  HttpRequestParts no_query{"GET", "/x", "", ""};
  EXPECT_NE(signature_base(no_query, "d", p).find("\"@query\": ?\n"), std::string::npos);
}

TEST_F(HttpSignature, SignedRequestVerifies) {
  SignedHeaders h = sign_request(request_, node_, {0, "", "node-1"});
  EXPECT_EQ(h.signature_input.rfind("sig1=(", 0), 0u);
  auto v = verify(request_, h);
  ASSERT_TRUE(v.is_ok()) << v.status().to_string();
  EXPECT_EQ(v->keyid, "node-1");
  EXPECT_EQ(v->nonce.size(), 32u);
  EXPECT_GT(v->created, 1700000000);
}

TEST_F(HttpSignature, TamperedPartsAreRefusedWithTheReason) {
  SignedHeaders h = sign_request(request_, node_, {0, "", "node-1"});
  auto body = request_;
  body.body = R"({"ok":false})";
  auto r = verify(body, h);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("Content-Digest does not match"), std::string::npos);

  // A matching digest for the new body still fails: the signature covered the old digest.
  SignedHeaders h2 = h;
  h2.content_digest = content_digest(body.body);
  r = verify(body, h2);
  ASSERT_FALSE(r.is_ok());
  EXPECT_NE(r.status().message().find("does not verify"), std::string::npos);

  for (auto mutate : {+[](HttpRequestParts& q) { q.method = "PUT"; }, +[](HttpRequestParts& q) { q.path = "/api/x"; },
                      +[](HttpRequestParts& q) { q.query = "a=2"; }}) {
    auto q = request_;
    mutate(q);
    EXPECT_FALSE(verify(q, h).is_ok());
  }
  SignedHeaders later = h;
  later.signature_input.replace(later.signature_input.find("created="), 9, "created=2");
  EXPECT_FALSE(verify(request_, later).is_ok());

  Identity other = Identity::generate(IdentityKind::kNode, "n2");
  SignedHeaders forged = sign_request(request_, other, {0, "", "node-1"});
  EXPECT_FALSE(verify(request_, forged).is_ok());
  SignedHeaders unknown = sign_request(request_, node_, {0, "", "node-9"});
  r = verify(request_, unknown);
  ASSERT_FALSE(r.is_ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(verify_request(request_, h.content_digest, "", h.signature, lookup_).is_ok());
  EXPECT_FALSE(verify_request(request_, h.content_digest, h.signature_input, "sig1=:AAAA:", lookup_).is_ok());
  EXPECT_FALSE(verify_request(request_, h.content_digest, "sig1=(\"@method\");created=1;nonce=\"a\";keyid=\"node-1\"",
                              h.signature, lookup_)
                   .is_ok());
}

TEST_F(HttpSignature, OtherDictionaryMembersAreIgnored) {
  SignedHeaders h = sign_request(request_, node_, {0, "", "node-1"});
  h.signature_input = "proxy=(\"@method\");created=1, " + h.signature_input;
  h.signature = "proxy=:AAAA:, " + h.signature;
  EXPECT_TRUE(verify(request_, h).is_ok());
}

}  // namespace
}  // namespace fogline::crypto
