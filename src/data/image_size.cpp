#include "data/image_size.h"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <cstring>
#include <utility>
#include <vector>
#include <cstdio>
#include <filesystem>
#include <memory>

namespace fogline::data {

namespace {

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

// EXIF orientation (tag 0x0112 of IFD0) from an APP1 "Exif\0\0" payload; 1 when absent.
// OpenCV's imread applies it, so sizes must too: orientations 5..8 swap width and height.
int exif_orientation(const std::vector<unsigned char>& app1) {
  if (app1.size() < 14 || std::memcmp(app1.data(), "Exif\0\0", 6) != 0) return 1;
  const unsigned char* t = app1.data() + 6;
  const size_t n = app1.size() - 6;
  bool le = t[0] == 'I' && t[1] == 'I';
  if (!le && !(t[0] == 'M' && t[1] == 'M')) return 1;
  auto u16 = [&](size_t o) -> unsigned { return o + 2 > n ? 0u : le ? t[o] | (t[o + 1] << 8) : (t[o] << 8) | t[o + 1]; };
  auto u32 = [&](size_t o) -> size_t {
    if (o + 4 > n) return 0;
    return le ? t[o] | (t[o + 1] << 8) | (t[o + 2] << 16) | (static_cast<size_t>(t[o + 3]) << 24)
              : (static_cast<size_t>(t[o]) << 24) | (t[o + 1] << 16) | (t[o + 2] << 8) | t[o + 3];
  };
  size_t ifd = u32(4);
  unsigned entries = u16(ifd);
  for (unsigned i = 0; i < entries && i < 512; ++i) {
    size_t e = ifd + 2 + 12 * static_cast<size_t>(i);
    if (e + 12 > n) break;
    if (u16(e) == 0x0112) {
      unsigned v = u16(e + 8);
      return v >= 1 && v <= 8 ? static_cast<int>(v) : 1;
    }
  }
  return 1;
}

Result<ImageSize> jpeg_size(FILE* f, const std::string& path) {
  // After SOI: segments FF xx [len hi][len lo] ...; the frame header (SOF0..SOF15 except DHT,
  // JPG, DAC) holds precision, height, width.
  std::fseek(f, 2, SEEK_SET);
  int orientation = 1;
  for (int guard = 0; guard < 10000; ++guard) {
    int c = std::fgetc(f);
    if (c == EOF) break;
    if (c != 0xFF) continue;
    int marker = std::fgetc(f);
    while (marker == 0xFF) marker = std::fgetc(f);
    if (marker == EOF) break;
    if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01) continue;
    if (marker == 0xD9 || marker == 0xDA) break;  // end of image / start of scan without a frame
    unsigned char len_bytes[2];
    if (std::fread(len_bytes, 1, 2, f) != 2) break;
    int len = (len_bytes[0] << 8) | len_bytes[1];
    if (len < 2) break;
    bool sof = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (sof) {
      unsigned char b[5];
      if (std::fread(b, 1, 5, f) != 5) break;
      ImageSize s{(b[3] << 8) | b[4], (b[1] << 8) | b[2]};
      if (s.width <= 0 || s.height <= 0) break;
      if (orientation >= 5) std::swap(s.width, s.height);
      return s;
    }
    if (marker == 0xE1 && orientation == 1) {
      std::vector<unsigned char> app1(static_cast<size_t>(len - 2));
      if (std::fread(app1.data(), 1, app1.size(), f) != app1.size()) break;
      orientation = exif_orientation(app1);
      continue;
    }
    if (std::fseek(f, len - 2, SEEK_CUR) != 0) break;
  }
  return invalid_argument(path + ": truncated or damaged JPEG (no frame header)");
}

}  // namespace

bool has_image_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".jpg" || ext == ".jpeg" || ext == ".png" || ext == ".bmp" || ext == ".webp" || ext == ".tif" ||
         ext == ".tiff" || ext == ".ppm" || ext == ".pgm";
}

Result<ImageSize> read_image_size(const std::string& path) {
  std::unique_ptr<FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) return not_found(path + ": cannot open");
  unsigned char head[24] = {};
  size_t n = std::fread(head, 1, sizeof(head), f.get());
  if (n >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF) return jpeg_size(f.get(), path);
  static const unsigned char kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (n >= 24 && std::equal(kPng, kPng + 8, head)) {
    ImageSize s{(head[16] << 24) | (head[17] << 16) | (head[18] << 8) | head[19],
                (head[20] << 24) | (head[21] << 16) | (head[22] << 8) | head[23]};
    if (s.width <= 0 || s.height <= 0) return invalid_argument(path + ": PNG header with zero size");
    return s;
  }
  f.reset();
  cv::Mat img = cv::imread(path, cv::IMREAD_UNCHANGED);
  if (img.empty()) return invalid_argument(path + ": not an image OpenCV can decode");
  return ImageSize{img.cols, img.rows};
}

}  // namespace fogline::data
