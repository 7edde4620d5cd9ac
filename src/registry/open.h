// A home and its registry opened together (what every `fogline model ...` command starts with).
#pragma once

#include <memory>

#include "registry/registry.h"
#include "store/home.h"

namespace fogline::registry {

struct OpenRegistry {
  std::unique_ptr<store::Home> home;
  std::unique_ptr<Registry> registry;
};

Result<OpenRegistry> open_registry(const store::HomeOptions& options);

}  // namespace fogline::registry
