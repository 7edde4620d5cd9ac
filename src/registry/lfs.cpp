#include "registry/lfs.h"

#include <nlohmann/json.hpp>

#include "core/sha256.h"

namespace fogline::registry {

Result<std::optional<LfsPointer>> parse_lfs_pointer(std::string_view bytes) {
  static constexpr std::string_view kVersions[] = {"version https://git-lfs.github.com/spec/v1\n",
                                                    "version https://hawser.github.com/spec/v1\n"};
  bool is_pointer = false;
  for (auto v : kVersions) is_pointer = is_pointer || bytes.substr(0, v.size()) == v;
  if (!is_pointer) return std::optional<LfsPointer>();
  if (bytes.size() > 1024) return invalid_argument("Git LFS pointer is " + std::to_string(bytes.size()) + " bytes (a pointer is under 1024)");
  LfsPointer p;
  p.size = -1;
  size_t pos = 0;
  int line_no = 0;
  while (pos < bytes.size()) {
    size_t end = bytes.find('\n', pos);
    if (end == std::string_view::npos) return invalid_argument("Git LFS pointer: line " + std::to_string(line_no + 1) + " has no newline");
    std::string_view line = bytes.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    size_t space = line.find(' ');
    if (space == std::string_view::npos) return invalid_argument("Git LFS pointer: line " + std::to_string(line_no) + " is not 'key value'");
    std::string_view key = line.substr(0, space), value = line.substr(space + 1);
    if (key == "oid") {
      if (value.substr(0, 7) != "sha256:" || !is_sha256_hex(value.substr(7)))
        return invalid_argument("Git LFS pointer: oid '" + std::string(value) + "' is not sha256:<64 lower-case hex>");
      p.oid = std::string(value.substr(7));
    } else if (key == "size") {
      if (value.empty() || value.size() > 18 || value.find_first_not_of("0123456789") != std::string_view::npos)
        return invalid_argument("Git LFS pointer: size '" + std::string(value) + "' is not a number");
      p.size = std::stoll(std::string(value));
    }
  }
  if (p.oid.empty() || p.size < 0) return invalid_argument("Git LFS pointer lacks its oid or size line");
  return std::optional<LfsPointer>(p);
}

Result<LfsDownloadAction> lfs_batch_download(const std::string& lfs_url, const LfsPointer& pointer, const std::string& ref) {
  using nlohmann::json;
  json request = {{"operation", "download"},
                  {"transfers", {"basic"}},
                  {"objects", {{{"oid", pointer.oid}, {"size", pointer.size}}}},
                  {"hash_algo", "sha256"}};
  if (!ref.empty() && ref.rfind("refs/", 0) == 0) request["ref"] = {{"name", ref}};
  std::string url = lfs_url + "/objects/batch";
  FOGLINE_ASSIGN_OR_RETURN(HttpResponse res, http_post(url, request.dump(),
                                                       {{"Accept", "application/vnd.git-lfs+json"},
                                                        {"Content-Type", "application/vnd.git-lfs+json"}}));
  if (res.status != 200) {
    std::string message;
    try {
      message = json::parse(res.body).value("message", "");
    } catch (const std::exception&) {
    }
    return io_error("Git LFS batch request to " + url + " failed: HTTP " + std::to_string(res.status) +
                    (message.empty() ? "" : " (" + message + ")"));
  }
  try {
    json body = json::parse(res.body);
    std::string transfer = body.value("transfer", "basic");
    if (transfer != "basic") return unsupported("Git LFS server at " + url + " chose transfer '" + transfer + "' (only basic is supported)");
    for (const auto& obj : body.at("objects")) {
      if (obj.value("oid", "") != pointer.oid) continue;
      if (obj.contains("error")) {
        const auto& e = obj["error"];
        return not_found("Git LFS object " + pointer.oid + " at " + url + ": error " + std::to_string(e.value("code", 0)) + " " +
                         e.value("message", ""));
      }
      if (obj.value("size", pointer.size) != pointer.size)
        return invalid_argument("Git LFS server says object " + pointer.oid + " is " + std::to_string(obj.value("size", int64_t{0})) +
                                " bytes; the pointer says " + std::to_string(pointer.size));
      const auto& dl = obj.at("actions").at("download");
      LfsDownloadAction action;
      action.href = dl.at("href").get<std::string>();
      if (dl.contains("header"))
        for (const auto& [k, v] : dl["header"].items()) action.headers[k] = v.get<std::string>();
      return action;
    }
    return not_found("Git LFS batch response from " + url + " does not mention object " + pointer.oid);
  } catch (const std::exception& e) {
    return invalid_argument("Git LFS batch response from " + url + " is not what the spec says: " + e.what());
  }
}

}  // namespace fogline::registry
