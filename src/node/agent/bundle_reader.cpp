#include "node/agent/bundle_reader.h"

#include <zstd.h>

#include <filesystem>

#include "core/file_util.h"
#include "core/sha256.h"

namespace fogline::node::agent {
namespace {

// Bundles larger than this are refused before any allocation (a hostile header cannot make
// the node reserve terabytes).
constexpr uint64_t kMaxPayloadBytes = uint64_t{8} << 30;
constexpr uint32_t kMaxManifestBytes = 1u << 20;
// Written beside the files by unpack_bundle, so an unpacked directory says what it holds.
constexpr const char* kManifestFile = "bundle-manifest.json";

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool take(size_t n, std::string_view& out) {
    if (bytes_.size() - pos_ < n) return false;
    out = bytes_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  template <typename T>
  bool le(T& out) {
    std::string_view s;
    if (!take(sizeof(T), s)) return false;
    out = 0;
    for (size_t i = 0; i < sizeof(T); ++i) out |= static_cast<T>(static_cast<unsigned char>(s[i])) << (8 * i);
    return true;
  }
  size_t pos() const { return pos_; }
  size_t left() const { return bytes_.size() - pos_; }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

// docs/formats/bundle.md: the signature covers the encoding, the base hash, the body's hash
// and the manifest, so nothing is decompressed before the hub's signature has been checked.
std::string signing_input(const BundleFrame& f) {
  std::string out = "fogline-bundle-v1\n";
  out += static_cast<char>(f.delta ? 1 : 0);
  if (f.delta) {
    auto raw = from_hex(f.base_payload_sha256);
    out += raw.is_ok() ? *raw : std::string(32, '\0');
  } else {
    out += std::string(32, '\0');
  }
  Sha256 body_hash;
  body_hash.update(f.body);
  out += body_hash.finish_raw();
  out += f.manifest_bytes;
  return out;
}

// Relative, '/'-separated, no "..", no empty or "." parts, no backslashes or NULs.
bool safe_relative_path(const std::string& path) {
  if (path.empty() || path[0] == '/' || path.find('\\') != std::string::npos || path.find('\0') != std::string::npos)
    return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string part = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return true;
}

Result<std::string> decompress(std::string_view body, uint64_t expected_size, std::string_view base) {
  unsigned long long declared = ZSTD_getFrameContentSize(body.data(), body.size());
  if (declared == ZSTD_CONTENTSIZE_ERROR) return invalid_argument("bundle body is not a zstd frame");
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != expected_size)
    return invalid_argument("bundle body decompresses to " + std::to_string(declared) + " bytes, manifest says " +
                            std::to_string(expected_size));
  std::string out(expected_size, '\0');
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  if (!base.empty()) {
    // A patch-from frame's window spans the base; allow up to zstd's largest window.
    ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, 31);  // ZSTD_WINDOWLOG_MAX_64
    ZSTD_DCtx_refPrefix(dctx, base.data(), base.size());
  }
  size_t n = ZSTD_decompressDCtx(dctx, out.data(), out.size(), body.data(), body.size());
  ZSTD_freeDCtx(dctx);
  if (ZSTD_isError(n)) return invalid_argument(std::string("bundle body does not decompress: ") + ZSTD_getErrorName(n));
  if (n != expected_size)
    return invalid_argument("bundle body decompressed to " + std::to_string(n) + " bytes, manifest says " +
                            std::to_string(expected_size));
  return out;
}

}  // namespace

Result<BundleFrame> parse_bundle_frame(std::string_view bytes) {
  Reader r(bytes);
  BundleFrame f;
  std::string_view magic;
  if (!r.take(4, magic) || magic != "FGLB") return invalid_argument("not a Fogline bundle (magic is not 'FGLB')");
  uint8_t encoding = 0, reserved = 0;
  uint32_t manifest_len = 0;
  if (!r.le(f.format) || !r.le(encoding) || !r.le(reserved) || !r.le(manifest_len))
    return invalid_argument("bundle header is truncated");
  if (f.format != kBundleFormatVersion)
    return unsupported("bundle format " + std::to_string(f.format) + " (this node reads format " +
                       std::to_string(kBundleFormatVersion) + ")");
  if (encoding > 1) return invalid_argument("bundle encoding " + std::to_string(encoding) + " is unknown (0 full, 1 delta)");
  if (reserved != 0) return invalid_argument("bundle header reserved byte is not 0");
  f.delta = encoding == 1;
  if (manifest_len > kMaxManifestBytes)
    return invalid_argument("bundle manifest length " + std::to_string(manifest_len) + " exceeds 1 MiB");
  std::string_view manifest, sig;
  if (!r.take(manifest_len, manifest)) return invalid_argument("bundle is truncated inside the manifest");
  f.manifest_bytes = std::string(manifest);
  if (!r.take(64, sig)) return invalid_argument("bundle is truncated inside the signature");
  std::copy(sig.begin(), sig.end(), f.signature.begin());
  if (f.delta) {
    std::string_view base;
    if (!r.take(32, base)) return invalid_argument("delta bundle is truncated inside the base hash");
    f.base_payload_sha256 = to_hex(base);
  }
  uint64_t body_len = 0;
  if (!r.le(body_len)) return invalid_argument("bundle is truncated before the body length");
  if (body_len != r.left())
    return invalid_argument("bundle body length says " + std::to_string(body_len) + " bytes, " +
                            std::to_string(r.left()) + " follow");
  std::string_view body;
  r.take(r.left(), body);
  f.body = body;
  return f;
}

Result<VerifiedBundle> open_bundle(std::string_view bytes, const crypto::PublicKey& hub_key,
                                   std::string_view base_payload) {
  FOGLINE_ASSIGN_OR_RETURN(BundleFrame f, parse_bundle_frame(bytes));
  if (!crypto::verify_signature(hub_key, signing_input(f), f.signature))
    return invalid_argument("bundle signature does not verify with the hub key " +
                            to_hex(crypto::as_view(hub_key)).substr(0, 16) + "...: not signed by this hub, or altered");
  VerifiedBundle b;
  b.manifest = nlohmann::json::parse(f.manifest_bytes, nullptr, false);
  if (b.manifest.is_discarded() || !b.manifest.is_object()) return invalid_argument("bundle manifest is not a JSON object");
  const auto& m = b.manifest;
  if (m.value("format", 0) != kBundleFormatVersion)
    return invalid_argument("bundle manifest format is not " + std::to_string(kBundleFormatVersion));
  if (!m.contains("payload_size") || !m["payload_size"].is_number_unsigned() || !m.contains("payload_sha256") ||
      !m["payload_sha256"].is_string() || !m.contains("files") || !m["files"].is_array() || !m.contains("model") ||
      !m.contains("version"))
    return invalid_argument("bundle manifest lacks model, version, files, payload_size or payload_sha256");
  b.model = m["model"].get<std::string>();
  b.version = m["version"].get<std::string>();
  uint64_t payload_size = m["payload_size"].get<uint64_t>();
  if (payload_size > kMaxPayloadBytes) return invalid_argument("bundle payload of " + std::to_string(payload_size) + " bytes is too large");
  if (f.delta) {
    if (base_payload.empty())
      return invalid_argument("bundle is a delta against payload " + f.base_payload_sha256.substr(0, 16) +
                              "... and no base payload was given");
    std::string have = sha256_hex(base_payload);
    if (have != f.base_payload_sha256)
      return invalid_argument("delta bundle was made against payload " + f.base_payload_sha256.substr(0, 16) +
                              "..., the node holds " + have.substr(0, 16) + "...");
  }
  FOGLINE_ASSIGN_OR_RETURN(b.payload, decompress(f.body, payload_size, f.delta ? base_payload : std::string_view()));
  std::string payload_hash = sha256_hex(b.payload);
  if (payload_hash != m["payload_sha256"].get<std::string>())
    return invalid_argument("bundle payload SHA-256 is " + payload_hash + ", manifest says " +
                            m["payload_sha256"].get<std::string>());

  // The payload container: "FGLP", count, then (path, bytes) pairs in manifest order.
  Reader r(b.payload);
  std::string_view magic;
  uint32_t count = 0;
  if (!r.take(4, magic) || magic != "FGLP" || !r.le(count)) return invalid_argument("bundle payload has no FGLP header");
  if (count != m["files"].size())
    return invalid_argument("bundle payload holds " + std::to_string(count) + " files, manifest lists " +
                            std::to_string(m["files"].size()));
  for (uint32_t i = 0; i < count; ++i) {
    const auto& entry = m["files"][i];
    uint32_t path_len = 0;
    uint64_t size = 0;
    std::string_view path, data;
    if (!r.le(path_len) || !r.take(path_len, path) || !r.le(size) || !r.take(size, data))
      return invalid_argument("bundle payload is truncated in file " + std::to_string(i));
    BundleFile file{std::string(path), entry.value("role", std::string()), entry.value("sha256", std::string()),
                    std::string(data)};
    if (file.path != entry.value("path", std::string()))
      return invalid_argument("bundle file " + std::to_string(i) + " is '" + file.path + "', manifest says '" +
                              entry.value("path", std::string()) + "'");
    if (!safe_relative_path(file.path)) return invalid_argument("bundle file path '" + file.path + "' leaves the bundle");
    std::string h = sha256_hex(file.bytes);
    if (h != file.sha256) return invalid_argument("bundle file '" + file.path + "' SHA-256 is " + h + ", manifest says " + file.sha256);
    b.files.push_back(std::move(file));
  }
  if (r.left() != 0) return invalid_argument("bundle payload has " + std::to_string(r.left()) + " trailing bytes");
  return b;
}

Status unpack_bundle(const VerifiedBundle& bundle, const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(dir, ec)) return invalid_argument("unpack target " + dir + " already exists");
  fs::create_directories(dir, ec);
  if (ec) return io_error("cannot create " + dir + ": " + ec.message());
  for (const auto& f : bundle.files) {
    if (!safe_relative_path(f.path)) return invalid_argument("bundle file path '" + f.path + "' leaves the bundle");
    if (f.path == kManifestFile) return invalid_argument("bundle file may not be named " + std::string(kManifestFile));
    fs::path target = fs::path(dir) / f.path;
    fs::create_directories(target.parent_path(), ec);
    if (ec) return io_error("cannot create " + target.parent_path().string() + ": " + ec.message());
    FOGLINE_TRY(write_file_atomic(target.string(), f.bytes));
  }
  FOGLINE_TRY(write_file_atomic((fs::path(dir) / kManifestFile).string(), bundle.manifest.dump(2) + "\n"));
  return Status::ok();
}

}  // namespace fogline::node::agent
