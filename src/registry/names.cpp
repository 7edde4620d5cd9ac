// Names, stages, version ordering and the acting user.
#include <pwd.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>

#include "registry/registry.h"

namespace fogline::registry {

const char* stage_name(Stage stage) {
  switch (stage) {
    case Stage::kDev: return "dev";
    case Stage::kStaging: return "staging";
    case Stage::kProduction: return "production";
    case Stage::kArchived: return "archived";
  }
  return "dev";
}

Result<Stage> parse_stage(const std::string& text) {
  for (Stage s : {Stage::kDev, Stage::kStaging, Stage::kProduction, Stage::kArchived})
    if (text == stage_name(s)) return s;
  return invalid_argument("unknown stage '" + text + "' (expected dev, staging, production or archived)");
}

std::string current_actor() {
  if (const char* u = std::getenv("FOGLINE_USER"); u && *u) return u;
  if (const passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name) return pw->pw_name;
  if (const char* u = std::getenv("USER"); u && *u) return u;
  return "uid" + std::to_string(::geteuid());
}

int compare_versions(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    bool da = std::isdigit(static_cast<unsigned char>(a[i])), db = std::isdigit(static_cast<unsigned char>(b[j]));
    if (da && db) {
      size_t ei = i, ej = j;
      while (ei < a.size() && std::isdigit(static_cast<unsigned char>(a[ei]))) ++ei;
      while (ej < b.size() && std::isdigit(static_cast<unsigned char>(b[ej]))) ++ej;
      std::string na = a.substr(i, ei - i), nb = b.substr(j, ej - j);
      na.erase(0, std::min(na.find_first_not_of('0'), na.size() - 1));
      nb.erase(0, std::min(nb.find_first_not_of('0'), nb.size() - 1));
      if (na.size() != nb.size()) return na.size() < nb.size() ? -1 : 1;
      if (int c = na.compare(nb)) return c < 0 ? -1 : 1;
      i = ei;
      j = ej;
    } else {
      if (a[i] != b[j]) return a[i] < b[j] ? -1 : 1;
      ++i;
      ++j;
    }
  }
  if (i < a.size()) return 1;
  if (j < b.size()) return -1;
  return 0;
}

namespace {

Status check_name(const std::string& what, const std::string& text, size_t max) {
  if (text.empty() || text.size() > max)
    return invalid_argument(what + " '" + text + "' must have 1 to " + std::to_string(max) + " characters");
  if (!std::isalnum(static_cast<unsigned char>(text[0])))
    return invalid_argument(what + " '" + text + "' must start with a letter or digit");
  for (char c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.' && c != '+')
      return invalid_argument(what + " '" + text + "' may hold only letters, digits and - _ . + (found '" +
                              std::string(1, c) + "')");
  return Status::ok();
}

}  // namespace

Status check_model_name(const std::string& name) { return check_name("model name", name, 128); }
Status check_version_name(const std::string& version) { return check_name("version", version, 64); }

}  // namespace fogline::registry
