// The OpenAPI 3 document of the hub, generated from the route table the server registers.
#pragma once

#include <string>
#include <vector>

#include "hub/route.h"

namespace fogline::hub {

Json openapi_document(const std::vector<Route>& routes, const std::string& version);

}  // namespace fogline::hub
