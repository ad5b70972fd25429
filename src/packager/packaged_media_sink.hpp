#pragma once
// Something that wants every packaging event of a stream besides its viewers: the recorder.
// A LivePackager makes one sink per publish session (through the factory in its options)
// and calls it on the stream's home shard, once per event, after the shards' directories
// got it. Calls must return at once (queue, never wait for a disk or a network).
#include <functional>
#include <memory>
#include <string>

#include "packager/hls_shard_directory.hpp"

namespace vela::router {
class Stream;
}

namespace vela::packager {

class PackagedMediaSink {
 public:
  virtual ~PackagedMediaSink() = default;
  // `rendition` is empty for HlsBegin, as for the directories.
  virtual void on_event(const std::string& rendition, const HlsEvent& event) = 0;
  // The publish session is over: every event has been delivered.
  virtual void on_stopped() = 0;
};

// Called once per publish session, on the stream's home shard; may return null (no sink).
using PackagedMediaSinkFactory = std::function<std::unique_ptr<PackagedMediaSink>(const router::Stream& stream)>;

}  // namespace vela::packager
