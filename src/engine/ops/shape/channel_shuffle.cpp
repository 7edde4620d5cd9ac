// fogline.ChannelShuffle (group g; an engine op, written by the channel-shuffle pass for the
// Reshape [N, g, C/g, ...] -> Transpose -> Reshape [N, C, ...] that ShuffleNet exports):
// output channel j * g + i is input channel i * (C/g) + j. As one op it can stay in oneDNN's
// NHWC region (ops/dnnl/channel_shuffle.cpp); this is its reference kernel.
#include "engine/ops/shape/data_movement.h"

namespace fogline::engine::ops {
namespace {

class ChannelShuffleKernel : public Kernel {
 public:
  explicit ChannelShuffleKernel(int64_t group) : group_(group) {}

  Status run(KernelContext& ctx) const override {
    FOGLINE_REQUIRED_INPUT(x, ctx, 0);
    if (x.rank() < 2 || x.dim(1) % group_ != 0) {
      return invalid_argument("ChannelShuffle: " + std::to_string(group_) + " groups do not divide the channels of " +
                              shape_to_string(x.shape()));
    }
    const int64_t n = x.dim(0), c = x.dim(1), per = c / group_;
    const int64_t inner = c == 0 ? 0 : x.numel() / (n * c);
    FOGLINE_ASSIGN_OR_RETURN(Tensor * y, ctx.allocate_output(0, x.dtype(), x.shape()));
    // As a transpose of [n, g, c/g, inner] to [n, c/g, g, inner].
    const Shape view{n, per, group_, inner};
    const std::vector<int64_t> strides{c * inner, inner, per * inner, 1};
    return dispatch_by_width(x.dtype(), "ChannelShuffle", [&]<typename T>() -> Status {
      strided_copy<T>(x.data<T>(), 0, view, strides, y->data<T>(), ctx.threads());
      return Status::ok();
    });
  }

 private:
  int64_t group_;
};

Result<std::unique_ptr<Kernel>> make_channel_shuffle(const KernelBuildInfo& info) {
  const int64_t group = info.attrs().get_int("group", 0);
  if (group <= 0) return invalid_argument("ChannelShuffle needs a positive 'group'");
  return std::unique_ptr<Kernel>(new ChannelShuffleKernel(group));
}

}  // namespace

FOGLINE_REGISTER_KERNEL("fogline", "ChannelShuffle", 1, 1000, Backend::kReference, make_channel_shuffle);

}  // namespace fogline::engine::ops
