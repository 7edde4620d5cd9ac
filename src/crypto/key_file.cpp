#include "crypto/key_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <vector>
#include <sstream>

#include "core/file_util.h"
#include "core/sha256.h"
#include "crypto/os_seal.h"

namespace fogline::crypto {
namespace {

constexpr size_t kSaltBytes = crypto_pwhash_SALTBYTES;
constexpr size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr size_t kSecretBytes = crypto_sign_SECRETKEYBYTES + crypto_box_SECRETKEYBYTES;

std::string octal_mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

Result<SecretBytes> derive_key(const std::string& passphrase, std::string_view salt, uint64_t ops, uint64_t mem) {
  SecretBytes key(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), uc(salt), ops,
                    static_cast<size_t>(mem), crypto_pwhash_ALG_ARGON2ID13) != 0)
    return resource_exhausted("Argon2id key derivation failed (opslimit " + std::to_string(ops) + ", memlimit " +
                              std::to_string(mem) + " bytes): out of memory?");
  return key;
}

// Like write_file_atomic, but the temporary file is created with mode 0600, so the sealed keys
// never sit in a file others can read, not even for a moment (and without touching the
// process-wide umask, which other threads share).
Status write_private_file_atomic(const std::string& path, const std::string& text) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("cannot create '" + tmp + "': " + std::strerror(errno));
  Status st = Status::ok();
  if (::fchmod(fd, 0600) != 0) st = io_error("chmod 600 '" + tmp + "' failed: " + std::strerror(errno));
  size_t done = 0;
  while (st.is_ok() && done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) st = io_error("writing '" + tmp + "' failed: " + std::strerror(errno));
    else done += static_cast<size_t>(n);
  }
  if (st.is_ok() && ::fsync(fd) != 0) st = io_error("fsync of '" + tmp + "' failed: " + std::strerror(errno));
  ::close(fd);
  if (st.is_ok() && ::rename(tmp.c_str(), path.c_str()) != 0)
    st = io_error("rename to '" + path + "' failed: " + std::strerror(errno));
  if (!st.is_ok()) {
    ::unlink(tmp.c_str());
    return st;
  }
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
  return Status::ok();
}

struct ParsedKeyFile {
  std::string header;  // every line before "sealed", the associated data
  std::map<std::string, std::string> fields;
};

Result<ParsedKeyFile> parse(const std::string& path, const std::string& text) {
  ParsedKeyFile out;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    size_t space = line.find(' ');
    if (space == std::string::npos)
      return invalid_argument("key file '" + path + "' line " + std::to_string(line_no) + ": expected 'field value'");
    std::string field = line.substr(0, space);
    if (out.fields.count(field))
      return invalid_argument("key file '" + path + "': field '" + field + "' appears twice");
    out.fields[field] = line.substr(space + 1);
    if (field != "sealed") out.header += line + "\n";
    if (line_no == 1 && line != "fogline-key 1")
      return invalid_argument("key file '" + path + "': first line is '" + line + "', expected 'fogline-key 1'");
  }
  // Passphrase files carry kdf + nonce; OS-sealed files a seal line instead, never both.
  std::vector<const char*> needs = {"kind", "name", "sign_public", "box_public", "sealed"};
  if (out.fields.count("seal")) {
    if (out.fields.count("kdf") || out.fields.count("nonce"))
      return invalid_argument("key file '" + path + "': has both a 'seal' line and 'kdf'/'nonce' lines");
  } else {
    needs.push_back("kdf");
    needs.push_back("nonce");
  }
  for (const char* need : needs)
    if (!out.fields.count(need))
      return invalid_argument("key file '" + path + "': missing field '" + std::string(need) + "'");
  return out;
}

// The public lines every key file starts with.
Result<std::string> public_header(const Identity& identity) {
  if (identity.name().find('\n') != std::string::npos)
    return invalid_argument("identity name must not contain a newline");
  std::string header = "fogline-key 1\n";
  header += std::string("kind ") + identity_kind_name(identity.kind()) + "\n";
  header += "name " + identity.name() + "\n";
  header += "sign_public " + to_hex(as_view(identity.sign_public())) + "\n";
  header += "box_public " + to_hex(as_view(identity.box_public())) + "\n";
  return header;
}

Status create_parent_dir(const std::string& path) {
  std::filesystem::path target(path);
  if (target.has_parent_path()) {
    std::error_code ec;
    std::filesystem::create_directories(target.parent_path(), ec);
    if (ec) return io_error("cannot create '" + target.parent_path().string() + "': " + ec.message());
  }
  return Status::ok();
}

// What systemd-creds seals for an OS-sealed file: SHA-256 of the header lines, then the
// secrets. systemd-creds has no associated data, so the digest binds the public lines: a file
// whose header was swapped or edited fails the check after decryption.
constexpr size_t kHeaderDigestBytes = crypto_hash_sha256_BYTES;
constexpr const char* kCredentialName = "fogline-key";

std::string header_digest(const std::string& header) {
  std::string digest(kHeaderDigestBytes, '\0');
  crypto_hash_sha256(reinterpret_cast<unsigned char*>(digest.data()), uc(header), header.size());
  return digest;
}

}  // namespace

Status check_key_file_permissions(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return io_error("cannot stat key file '" + path + "': " + std::strerror(errno));
  if (st.st_mode & (S_IRWXG | S_IRWXO))
    return invalid_argument("key file '" + path + "' has mode " + octal_mode(st.st_mode) +
                            ", readable or writable by group or others; refusing it (chmod 600 '" + path + "')");
  return Status::ok();
}

Status save_key_file(const std::string& path, const Identity& identity, const std::string& passphrase, KdfParams kdf) {
  ensure_sodium();
  std::string salt(kSaltBytes, '\0'), nonce(kNonceBytes, '\0');
  randombytes_buf(salt.data(), salt.size());
  randombytes_buf(nonce.data(), nonce.size());
  FOGLINE_ASSIGN_OR_RETURN(SecretBytes key, derive_key(passphrase, salt, kdf.opslimit, kdf.memlimit));

  FOGLINE_ASSIGN_OR_RETURN(std::string header, public_header(identity));
  header += "kdf argon2id13 " + std::to_string(kdf.opslimit) + " " + std::to_string(kdf.memlimit) + " " +
            to_hex(salt) + "\n";
  header += "nonce " + to_hex(nonce) + "\n";

  SecretBytes plain(kSecretBytes);
  std::memcpy(plain.data(), identity.sign_secret().data(), crypto_sign_SECRETKEYBYTES);
  std::memcpy(plain.data() + crypto_sign_SECRETKEYBYTES, identity.box_secret().data(), crypto_box_SECRETKEYBYTES);
  std::string sealed(kSecretBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long sealed_len = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(reinterpret_cast<unsigned char*>(sealed.data()), &sealed_len,
                                             plain.data(), plain.size(), uc(header), header.size(), nullptr,
                                             uc(nonce), key.data());
  std::string text = header + "sealed " + to_hex(sealed) + "\n";
  FOGLINE_TRY(create_parent_dir(path));
  return write_private_file_atomic(path, text);
}

Status save_key_file_os_sealed(const std::string& path, const Identity& identity) {
  ensure_sodium();
  FOGLINE_ASSIGN_OR_RETURN(std::string header, public_header(identity));
  header += "seal systemd-creds host\n";
  SecretBytes plain(kHeaderDigestBytes + kSecretBytes);
  std::string digest = header_digest(header);
  std::memcpy(plain.data(), digest.data(), kHeaderDigestBytes);
  std::memcpy(plain.data() + kHeaderDigestBytes, identity.sign_secret().data(), crypto_sign_SECRETKEYBYTES);
  std::memcpy(plain.data() + kHeaderDigestBytes + crypto_sign_SECRETKEYBYTES, identity.box_secret().data(),
              crypto_box_SECRETKEYBYTES);
  auto credential = os_seal(kCredentialName, plain);
  if (!credential.is_ok())
    return credential.status().with_context("sealing key file '" + path + "' by the OS");
  std::string text = header + "sealed " + to_hex(*credential) + "\n";
  FOGLINE_TRY(create_parent_dir(path));
  return write_private_file_atomic(path, text);
}

Result<bool> is_os_sealed_key_file(const std::string& path) {
  FOGLINE_TRY(check_key_file_permissions(path));
  FOGLINE_ASSIGN_OR_RETURN(std::string text, read_file(path, 1 << 16));
  FOGLINE_ASSIGN_OR_RETURN(ParsedKeyFile parsed, parse(path, text));
  return parsed.fields.count("seal") > 0;
}

bool opens_without_passphrase(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return false;
  auto sealed = is_os_sealed_key_file(path);
  return sealed.is_ok() && *sealed;
}

Result<PublicIdentity> load_public_identity(const std::string& path) {
  FOGLINE_TRY(check_key_file_permissions(path));
  FOGLINE_ASSIGN_OR_RETURN(std::string text, read_file(path, 1 << 16));
  FOGLINE_ASSIGN_OR_RETURN(ParsedKeyFile parsed, parse(path, text));
  PublicIdentity pub;
  FOGLINE_ASSIGN_OR_RETURN(pub.kind, parse_identity_kind(parsed.fields["kind"]));
  pub.name = parsed.fields["name"];
  FOGLINE_ASSIGN_OR_RETURN(pub.sign_public, public_key_from_hex(parsed.fields["sign_public"], "key file '" + path + "' sign_public"));
  FOGLINE_ASSIGN_OR_RETURN(pub.box_public, public_key_from_hex(parsed.fields["box_public"], "key file '" + path + "' box_public"));
  return pub;
}

namespace {

Result<Identity> load_os_sealed(const std::string& path, const PublicIdentity& pub, const ParsedKeyFile& parsed) {
  const std::string& seal = parsed.fields.at("seal");
  if (seal != "systemd-creds host")
    return unsupported("key file '" + path + "': seal '" + seal + "', expected 'systemd-creds host'");
  auto credential = from_hex(parsed.fields.at("sealed"));
  if (!credential.is_ok() || credential->empty() || credential->size() > 8192)
    return invalid_argument("key file '" + path + "': bad sealed field");
  auto plain = os_unseal(kCredentialName, *credential);
  if (!plain.is_ok()) return plain.status().with_context("opening OS-sealed key file '" + path + "'");
  if (plain->size() != kHeaderDigestBytes + kSecretBytes)
    return invalid_argument("key file '" + path + "': the OS-sealed secret has " + std::to_string(plain->size()) +
                            " bytes, expected " + std::to_string(kHeaderDigestBytes + kSecretBytes));
  if (!same_secret(plain->view().substr(0, kHeaderDigestBytes), header_digest(parsed.header)))
    return invalid_argument("key file '" + path +
                            "': header tampered: its public lines are not the ones sealed with the private keys");
  std::string_view secrets = plain->view().substr(kHeaderDigestBytes);
  FOGLINE_ASSIGN_OR_RETURN(Identity id, Identity::from_secrets(pub.kind, pub.name, secrets.substr(0, crypto_sign_SECRETKEYBYTES),
                                                               secrets.substr(crypto_sign_SECRETKEYBYTES)));
  if (id.sign_public() != pub.sign_public || id.box_public() != pub.box_public)
    return invalid_argument("key file '" + path + "': public keys do not match the sealed private keys");
  return id;
}

}  // namespace

Result<Identity> load_key_file(const std::string& path, const std::string& passphrase) {
  ensure_sodium();
  FOGLINE_ASSIGN_OR_RETURN(PublicIdentity pub, load_public_identity(path));
  FOGLINE_ASSIGN_OR_RETURN(std::string text, read_file(path, 1 << 16));
  FOGLINE_ASSIGN_OR_RETURN(ParsedKeyFile parsed, parse(path, text));
  if (parsed.fields.count("seal")) return load_os_sealed(path, pub, parsed);

  std::istringstream kdf(parsed.fields["kdf"]);
  std::string alg, salt_hex;
  uint64_t ops = 0, mem = 0;
  if (!(kdf >> alg >> ops >> mem >> salt_hex) || alg != "argon2id13")
    return invalid_argument("key file '" + path + "': kdf line '" + parsed.fields["kdf"] +
                            "', expected 'argon2id13 OPSLIMIT MEMLIMIT SALT'");
  // Bound the cost a file may ask for, so a crafted key file cannot make us allocate terabytes.
  if (ops < crypto_pwhash_OPSLIMIT_MIN || ops > crypto_pwhash_OPSLIMIT_SENSITIVE * 4 ||
      mem < crypto_pwhash_MEMLIMIT_MIN || mem > (uint64_t{4} << 30))
    return invalid_argument("key file '" + path + "': kdf cost out of range (opslimit " + std::to_string(ops) +
                            ", memlimit " + std::to_string(mem) + ")");
  auto salt = from_hex(salt_hex);
  auto nonce = from_hex(parsed.fields["nonce"]);
  auto sealed = from_hex(parsed.fields["sealed"]);
  if (!salt.is_ok() || salt->size() != kSaltBytes) return invalid_argument("key file '" + path + "': bad salt");
  if (!nonce.is_ok() || nonce->size() != kNonceBytes) return invalid_argument("key file '" + path + "': bad nonce");
  if (!sealed.is_ok() || sealed->size() != kSecretBytes + crypto_aead_xchacha20poly1305_ietf_ABYTES)
    return invalid_argument("key file '" + path + "': bad sealed field");

  FOGLINE_ASSIGN_OR_RETURN(SecretBytes key, derive_key(passphrase, *salt, ops, mem));
  SecretBytes plain(kSecretBytes);
  unsigned long long plain_len = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain.data(), &plain_len, nullptr, uc(*sealed), sealed->size(),
                                                 uc(parsed.header), parsed.header.size(), uc(*nonce),
                                                 key.data()) != 0)
    return invalid_argument("key file '" + path + "': wrong passphrase or the file was altered");
  FOGLINE_ASSIGN_OR_RETURN(
      Identity id, Identity::from_secrets(pub.kind, pub.name, plain.view().substr(0, crypto_sign_SECRETKEYBYTES),
                                          plain.view().substr(crypto_sign_SECRETKEYBYTES)));
  if (id.sign_public() != pub.sign_public || id.box_public() != pub.box_public)
    return invalid_argument("key file '" + path + "': public keys do not match the sealed private keys");
  return id;
}

}  // namespace fogline::crypto
