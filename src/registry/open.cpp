#include "registry/open.h"

namespace fogline::registry {

Result<OpenRegistry> open_registry(const store::HomeOptions& options) {
  OpenRegistry out;
  FOGLINE_ASSIGN_OR_RETURN(out.home, store::Home::open(options));
  FOGLINE_ASSIGN_OR_RETURN(out.registry, Registry::open(*out.home));
  return out;
}

}  // namespace fogline::registry
