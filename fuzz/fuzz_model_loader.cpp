// libFuzzer target for the model loader: any bytes go through parse, checker, version
// conversion, shape inference, IR building, passes and kernel selection; the only acceptable
// outcomes are a Session or an error Status. Crashes, leaks and sanitizer reports are bugs.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/session.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  fogline::engine::SessionOptions options;
  options.threads = 1;
  auto session = fogline::engine::Session::from_bytes(bytes, options);
  (void)session;
  return 0;
}
