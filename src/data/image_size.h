// Image width and height from the file header (JPEG SOF, PNG IHDR), without decoding the
// pixels: validating 100k boxes against their images must not decode 100k JPEGs. Other formats
// fall back to decoding with OpenCV. An error means the file is not an image we can read.
// The size is the one OpenCV's imread returns: a JPEG's EXIF orientation is applied (5..8
// swap width and height), since the evaluation decodes with imread and annotation tools show
// the rotated image.
#pragma once

#include <string>

#include "core/status.h"

namespace fogline::data {

struct ImageSize {
  int width = 0, height = 0;
};

Result<ImageSize> read_image_size(const std::string& path);
bool has_image_extension(const std::string& path);

}  // namespace fogline::data
