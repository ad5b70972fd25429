#pragma once
// Pushes a live stream to an RTMP server (rtmp://host[:port]/app/key, see rtmp_url.hpp)
// as one PushSession attempt: resolve and connect (TCP, with a timeout), run the pure
// protocol::rtmp::ClientSession until NetStream.Publish.Start (with a timeout), then
// subscribe to the stream on its home shard and send onMetaData, the AVC/AAC sequence
// headers (again whenever a track's configuration changes) and every frame as FLV tag
// bodies with millisecond timestamps on the stream's own timeline.
//
// Bounded: frames wait in the router Subscription (a bounded queue that skips to the next
// keyframe when full), and at most max_batch_bytes (plus one frame) of output is gathered
// per socket write, which is the only write in flight. A destination slower than the
// stream therefore loses frames, never memory, and a write that stalls longer than
// write_timeout ends the attempt. The attempt ends with a reason: connect or protocol
// failure, the destination closing or refusing, a stall, or the stream ending.
//
// Threading: everything on the stream's home shard (the PushSession contract).
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "egress/push_session.hpp"
#include "egress/restream_target.hpp"

namespace vela::egress {

struct RtmpPushOptions {
  std::chrono::milliseconds connect_timeout{10'000};  // resolve + TCP connect
  std::chrono::milliseconds publish_timeout{10'000};  // handshake .. NetStream.Publish.Start
  std::chrono::milliseconds write_timeout{15'000};    // one write; longer counts as a stall
  size_t queue_frames = 512;                          // the Subscription's capacity
  size_t max_batch_bytes = 256 * 1024;                // output gathered per write
};

// `url` must have been accepted by parse_rtmp_url (the supervisor validates first); a URL
// that does not parse makes an attempt that closes at once with the parse error.
std::unique_ptr<PushSession> make_rtmp_push_session(const std::string& url,
                                                    std::shared_ptr<router::Stream> stream,
                                                    runtime::Shard& shard,
                                                    RtmpPushOptions options = {});

// rtmp:// for the restream supervisor: make_rtmp_push_session with these options,
// parse_rtmp_url as validation, redact_rtmp_url.
PushTarget rtmp_push_target(RtmpPushOptions options = {});

}  // namespace vela::egress
