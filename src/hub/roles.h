// Who may call a route: a user's API token carries a role (viewer < developer < admin); a
// node proves itself with a signed request. Each route names its Access in the route table.
#pragma once

#include <optional>
#include <string>

#include "core/status.h"

namespace fogline::hub {

enum class Role { kViewer = 0, kDeveloper = 1, kAdmin = 2 };
const char* role_name(Role role);
Result<Role> parse_role(const std::string& text);
inline bool role_at_least(Role have, Role need) { return static_cast<int>(have) >= static_cast<int>(need); }

struct Access {
  std::optional<Role> user;  // minimum role of a token holder, or none: tokens are not accepted
  bool node = false;         // a signed request from an enrolled node is accepted
  bool is_public() const { return !user && !node; }
  std::string describe() const;  // "public", "viewer", "node", "node or viewer"
};

inline Access public_access() { return {}; }
inline Access user_access(Role min) { return {min, false}; }
inline Access node_access() { return {std::nullopt, true}; }
inline Access node_or_user(Role min) { return {min, true}; }

// Who made the request, once authenticated.
struct Caller {
  enum class Kind { kAnonymous, kUser, kNode } kind = Kind::kAnonymous;
  Role role = Role::kViewer;
  std::string name;     // token name or node id
  std::string node_id;  // for nodes
  std::string actor() const { return kind == Kind::kNode ? "node:" + node_id : kind == Kind::kUser ? "token:" + name : "anonymous"; }
};

}  // namespace fogline::hub
