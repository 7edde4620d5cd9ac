#include "data/image_size.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

namespace fogline::data {
namespace {

namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("fogline-image-size-" + std::to_string(::getpid()) + "-" + name)).string();
}

TEST(ImageSize, JpegAndPngHeadersAgreeWithOpenCV) {
  for (const char* ext : {".jpg", ".png", ".bmp"}) {
    std::string p = temp_path(std::string("a") + ext);
    ASSERT_TRUE(cv::imwrite(p, cv::Mat(37, 53, CV_8UC3, cv::Scalar(1, 2, 3))));
    auto s = read_image_size(p);
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    EXPECT_EQ(s->width, 53) << ext;
    EXPECT_EQ(s->height, 37) << ext;
    fs::remove(p);
  }
}

// Inserts an APP1 EXIF segment with the given orientation right after SOI.
std::string with_orientation(const std::string& jpeg, int orientation) {
  std::string tiff = std::string("II*\0", 4) + std::string("\x08\0\0\0", 4) + std::string("\x01\0", 2) +
                     std::string("\x12\x01\x03\0\x01\0\0\0", 8) + std::string(1, static_cast<char>(orientation)) +
                     std::string("\0\0\0", 3) + std::string("\0\0\0\0", 4);
  std::string payload = std::string("Exif\0\0", 6) + tiff;
  size_t len = payload.size() + 2;
  std::string seg = std::string("\xFF\xE1", 2) + static_cast<char>(len >> 8) + static_cast<char>(len & 0xFF) + payload;
  return jpeg.substr(0, 2) + seg + jpeg.substr(2);
}

TEST(ImageSize, ExifOrientationSwapsLikeImread) {
  std::vector<unsigned char> buf;
  ASSERT_TRUE(cv::imencode(".jpg", cv::Mat(20, 40, CV_8UC3, cv::Scalar(9, 9, 9)), buf));
  std::string jpeg(buf.begin(), buf.end());
  for (int orientation : {1, 3, 6, 8}) {
    std::string p = temp_path("o" + std::to_string(orientation) + ".jpg");
    std::ofstream(p, std::ios::binary) << with_orientation(jpeg, orientation);
    auto s = read_image_size(p);
    ASSERT_TRUE(s.is_ok()) << s.status().to_string();
    cv::Mat decoded = cv::imread(p, cv::IMREAD_COLOR);
    EXPECT_EQ(s->width, decoded.cols) << "orientation " << orientation;
    EXPECT_EQ(s->height, decoded.rows) << "orientation " << orientation;
    EXPECT_EQ(s->width, orientation >= 5 ? 20 : 40);
    fs::remove(p);
  }
}

TEST(ImageSize, DamagedFilesAreErrors) {
  std::string p = temp_path("bad.jpg");
  std::ofstream(p, std::ios::binary) << std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF", 10);
  EXPECT_FALSE(read_image_size(p).is_ok());
  std::ofstream(p, std::ios::binary) << "plain text";
  EXPECT_FALSE(read_image_size(p).is_ok());
  fs::remove(p);
  EXPECT_FALSE(read_image_size(p).is_ok());
}

}  // namespace
}  // namespace fogline::data
