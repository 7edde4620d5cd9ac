#pragma once
namespace fogline {
inline constexpr const char* kVersion = "0.1.0";
}
