#include "hub/bundle_cache.h"

#include "hub/bundle_writer.h"
#include "store/artifacts.h"

namespace fogline::hub {
namespace {

// The stored bundle for (payload, base), or an empty digest when none is stored yet.
Result<std::string> lookup(store::Home& home, const std::string& payload_sha, const std::string& base_sha) {
  FOGLINE_ASSIGN_OR_RETURN(auto rows, home.db().query("SELECT digest FROM hub_bundles WHERE payload_sha256 = ? AND "
                                                      "base_payload_sha256 = ?",
                                                      {payload_sha, base_sha}));
  if (rows.empty() || !home.cas().contains(rows[0].s(0))) return std::string();
  return rows[0].s(0);
}

Result<std::string> store_bundle(store::Home& home, const std::string& bytes, const std::string& payload_sha,
                                 const std::string& base_sha) {
  FOGLINE_ASSIGN_OR_RETURN(std::string digest, home.cas().put(bytes));
  FOGLINE_ASSIGN_OR_RETURN(auto tx, store::Transaction::begin(home.db()));
  FOGLINE_ASSIGN_OR_RETURN(auto rows, home.db().query("SELECT digest FROM hub_bundles WHERE payload_sha256 = ? AND "
                                                      "base_payload_sha256 = ?",
                                                      {payload_sha, base_sha}));
  if (!rows.empty()) {
    // A row whose object went missing: point it at the fresh object.
    if (rows[0].s(0) == digest) return digest;
    FOGLINE_TRY(store::release_artifact_ref(home.db(), rows[0].s(0)));
    FOGLINE_TRY(home.db().execute("DELETE FROM hub_bundles WHERE payload_sha256 = ? AND base_payload_sha256 = ?",
                                  {payload_sha, base_sha})
                    .status());
  }
  FOGLINE_TRY(store::add_artifact_ref(home.db(), digest, static_cast<int64_t>(bytes.size())));
  FOGLINE_TRY(home.db().execute("INSERT INTO hub_bundles (payload_sha256, base_payload_sha256, digest, size_bytes, "
                                "created_at) VALUES (?, ?, ?, ?, ?)",
                                {payload_sha, base_sha, digest, static_cast<int64_t>(bytes.size()),
                                 store::utc_now_iso8601()})
                  .status());
  FOGLINE_TRY(tx.commit());
  return digest;
}

}  // namespace

Result<StoredBundle> get_bundle(registry::Registry& registry, const crypto::Identity& signer, const std::string& ref,
                                const std::string& from_version) {
  store::Home& home = registry.home();
  FOGLINE_ASSIGN_OR_RETURN(BundleContent content, bundle_content(registry, ref, signer.sign_public()));
  StoredBundle out;
  out.model = content.model;
  out.version = content.version;
  FOGLINE_ASSIGN_OR_RETURN(out.digest, lookup(home, content.payload_sha256, ""));
  if (out.digest.empty()) {
    FOGLINE_ASSIGN_OR_RETURN(out.digest, store_bundle(home, write_full_bundle(content, signer), content.payload_sha256, ""));
  }
  FOGLINE_ASSIGN_OR_RETURN(out.full_size, home.cas().size_of(out.digest));
  out.size = out.full_size;
  if (!from_version.empty() && from_version != content.version) {
    FOGLINE_ASSIGN_OR_RETURN(BundleContent base,
                             bundle_content(registry, content.model + "@" + from_version, signer.sign_public()));
    if (base.model != content.model)
      return invalid_argument("delta base " + from_version + " is not a version of " + content.model);
    FOGLINE_ASSIGN_OR_RETURN(std::string delta_digest, lookup(home, content.payload_sha256, base.payload_sha256));
    if (delta_digest.empty()) {
      FOGLINE_ASSIGN_OR_RETURN(std::string bytes, write_delta_bundle(content, base.payload, signer));
      FOGLINE_ASSIGN_OR_RETURN(delta_digest, store_bundle(home, bytes, content.payload_sha256, base.payload_sha256));
    }
    FOGLINE_ASSIGN_OR_RETURN(int64_t delta_size, home.cas().size_of(delta_digest));
    if (delta_size < out.full_size) {
      out.digest = delta_digest;
      out.size = delta_size;
      out.delta = true;
      out.base_version = base.version;
    }
  }
  out.path = home.cas().path_of(out.digest);
  return out;
}

}  // namespace fogline::hub
