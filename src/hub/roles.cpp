#include "hub/roles.h"

namespace fogline::hub {

const char* role_name(Role role) {
  switch (role) {
    case Role::kViewer: return "viewer";
    case Role::kDeveloper: return "developer";
    case Role::kAdmin: return "admin";
  }
  return "unknown";
}

Result<Role> parse_role(const std::string& text) {
  if (text == "viewer") return Role::kViewer;
  if (text == "developer") return Role::kDeveloper;
  if (text == "admin") return Role::kAdmin;
  return invalid_argument("unknown role '" + text + "' (expected admin, developer or viewer)");
}

std::string Access::describe() const {
  if (is_public()) return "public";
  std::string out = node ? "node" : "";
  if (user) out += std::string(node ? " or " : "") + role_name(*user);
  return out;
}

}  // namespace fogline::hub
