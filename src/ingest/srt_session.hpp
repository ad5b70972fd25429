#pragma once
// One SRT publisher, on its home shard: the bytes SrtListener's I/O thread receives are
// posted here, run through TsMediaAssembler and published into the router exactly as
// RtmpSession does (claim the name, tell the observer, set tracks, publish frames, end).
// Every method runs on the session's shard; the listener holds it by shared_ptr and only
// posts to it. A bad stream ends only this session: it asks the listener to close its
// socket (`close_socket`, callable from the shard) with the reason.
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/buffer.hpp"
#include "ingest/publish_context.hpp"
#include "ingest/ts_media_assembler.hpp"
#include "runtime/shard.hpp"

namespace vela::ingest {

class SrtSession {
 public:
  using CloseSocket = std::function<void(std::string reason)>;

  SrtSession(runtime::Shard& shard, PublishContext& context, uint64_t id, std::string stream_name,
             CloseSocket close_socket);

  // Claims the stream name (the listener's admission was only a first look) and starts
  // publishing; a name that went live meanwhile closes the socket.
  void start();
  // A chunk of the MPEG-TS byte stream, in order.
  void on_bytes(const base::Buffer& bytes);
  // The socket is gone (peer left, broke, or the listener is stopping). Ends the stream.
  void on_closed(std::string_view reason);

  // The publisher's address, for the stream API; before start().
  void set_remote(std::string remote) { remote_ = std::move(remote); }
  // The latest SRT statistics of this connection, for the stream API.
  void on_transport_stats(std::vector<std::pair<std::string, int64_t>> stats);

  uint64_t id() const { return id_; }

 private:
  void fail(std::string reason, const char* kind);
  void end_publish();

  runtime::Shard& shard_;
  PublishContext& context_;
  uint64_t id_;
  std::string stream_name_;
  std::string remote_;
  CloseSocket close_socket_;
  TsMediaAssembler assembler_;
  std::shared_ptr<router::Stream> stream_;
  bool closed_ = false;  // no more bytes are wanted (failed, or the socket is gone)
  base::Counter& frames_in_;
};

}  // namespace vela::ingest
