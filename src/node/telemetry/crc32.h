// CRC-32 (IEEE 802.3, the zlib/PNG polynomial) for the telemetry queue's record framing: a torn
// or zero-filled tail after a crash fails the check instead of being read as a record.
#pragma once

#include <cstddef>
#include <cstdint>

namespace fogline::telemetry {

uint32_t crc32(const void* data, size_t size, uint32_t crc = 0);

}  // namespace fogline::telemetry
