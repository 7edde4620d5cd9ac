// The options every command that calls the hub's REST API shares: --hub URL, --token T and
// --hub-ca F (defaults $FOGLINE_HUB, $FOGLINE_TOKEN, $FOGLINE_HUB_CA; resolved by
// hub::resolve_endpoint, which names what is missing).
#pragma once

#include <string>

#include "cli/command.h"
#include "hub/api_client.h"

namespace fogline::cli {

struct HubOptions {
  std::string url, token, ca_cert;

  void add(CLI::App& app, const std::string& token_help = "API token (default $FOGLINE_TOKEN)") {
    app.add_option("--hub", url, "hub URL (default $FOGLINE_HUB)");
    app.add_option("--token", token, token_help);
    app.add_option("--hub-ca", ca_cert, "trust this CA certificate for an https hub (default $FOGLINE_HUB_CA)");
  }
  Result<hub::ApiEndpoint> endpoint() const { return hub::resolve_endpoint(url, token, ca_cert); }
};

}  // namespace fogline::cli
