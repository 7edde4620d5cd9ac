// What the node tests share: small models they write themselves (no ../shared needed), a
// temporary directory, and a real fogline-node process on a free loopback port.
#pragma once

#include <httplib.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "support/child_process.h"

namespace fogline::node::testing {

// A fresh directory under $TMPDIR, removed with its files on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// affine: x FP32[batch,4] -> y = x * factor + 1, r = Relu(x)
std::string write_affine_model(const std::string& path, float factor);
// half: h FP16[2,2] -> doubled FP32[2,2] = 2h, doubled16 FP16[2,2] = 2h
std::string write_half_model(const std::string& path);
// image: FP32[1,3,8,8] -> scores [1,3] = mean of each channel (R, G, B after an RGB spec)
std::string write_channel_mean_model(const std::string& path);
// detector: FP32[1,3,8,8] -> boxes [1,3,4] (box i = kBoxes[i] * mean of channel i), scores [1,3]
std::string write_box_model(const std::string& path);
inline constexpr float kBoxes[3][4] = {{1, 1, 4, 4}, {2, 2, 2, 2}, {0, 0, 8, 8}};
// A processing spec file: stretch to 8x8, RGB, 0..1, labels red/green/blue; `detection` makes
// it boxes_scores (xywh, threshold 0.5).
std::string write_spec(const std::string& path, bool detection);

// A solid-colour image of w x h, encoded (".jpg" or ".png"), BGR like OpenCV.
std::string encode_solid_image(int w, int h, int b, int g, int r, const std::string& ext);

// fogline-node serve on 127.0.0.1 with any free port, stopped (SIGTERM) on destruction.
class NodeProcess {
 public:
  // `args` follow "serve --listen 127.0.0.1:0".
  explicit NodeProcess(const std::vector<std::string>& args);
  bool started() const { return port_ > 0; }
  int port() const { return port_; }
  const std::string& error() const { return error_; }
  std::unique_ptr<httplib::Client> client() const;
  // Sends a signal (SIGHUP to re-read the models file).
  void signal(int sig) const { process_.signal(sig); }

 private:
  testing_support::ChildProcess process_;  // stopped (SIGTERM, then SIGKILL) with this object
  int port_ = 0;
  std::string error_;
};

std::string node_binary();
std::string shared_dir();

}  // namespace fogline::node::testing
