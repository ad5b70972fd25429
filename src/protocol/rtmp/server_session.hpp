#pragma once
// ServerSession: the server side of one RTMP publishing connection as a pure state
// machine. Bytes from the socket go in through feed(); bytes to send come out of
// take_output(), and what happened comes out of take_events(). No sockets, threads or
// clocks inside; the ingest session adapter does the I/O.
//
// Threading: one owner (the connection's shard) calls every method; nothing is shared.
//
// Flow with a publisher (ffmpeg, OBS/librtmp, GStreamer rtmp2sink):
//   handshake (simple or digest) -> connect (auto-accepted: Window Ack Size, Set Peer
//   Bandwidth, Set Chunk Size, _result; event Connected) -> releaseStream / FCPublish /
//   createStream (replied) -> publish (event PublishRequested; the owner then calls
//   accept_publish() or reject_publish()) -> @setDataFrame (event MetaData) and media
//   (events VideoMessage / AudioMessage, only while publishing) -> FCUnpublish /
//   deleteStream / closeStream (event Unpublished).
//
//   ServerSession session;
//   if (auto st = session.feed(bytes, now_ms); !st) close(st.error().message);
//   write(session.take_output());
//   for (auto& event : session.take_events()) std::visit(handler, event);
//
// Any protocol violation makes feed() return an error; the session is then failed and
// every later feed() returns the same error. Malformed data messages (metadata) are
// dropped rather than fatal; malformed commands are fatal. Play is not supported: a play
// request gets NetStream.Play.Failed.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/buffer.hpp"
#include "base/result.hpp"
#include "base/time.hpp"
#include "format/amf0.hpp"
#include "protocol/rtmp/chunk_reader.hpp"
#include "protocol/rtmp/chunk_writer.hpp"
#include "protocol/rtmp/command.hpp"
#include "protocol/rtmp/handshake.hpp"

namespace vela::protocol::rtmp {

struct ServerSessionConfig {
  ChunkReaderLimits limits;
  uint32_t chunk_size = 4096;            // our outgoing chunk size
  uint32_t window_ack_size = 2'500'000;  // announced to the peer
  uint32_t peer_bandwidth = 2'500'000;   // announced to the peer (dynamic limit)
  uint32_t max_streams = 8;              // createStream calls allowed per connection
};

// The client's connect command was accepted.
struct Connected {
  std::string app;  // without trailing '/' and without any "?query"
  std::string tc_url;
  std::string flash_version;  // e.g. "FMLE/3.0 (compatible; FMSc/1.0)"
  format::Amf0Value command_object;
};

// The client wants to publish; answer with accept_publish() or reject_publish().
struct PublishRequested {
  uint32_t stream_id = 0;
  std::string app;
  std::string stream_name;   // the publish name without its "?query"
  std::string query;         // from the publish name, else from the connect app; no '?'
  std::string publish_type;  // "live", "record" or "append"
};

// The publication ended (FCUnpublish, deleteStream or closeStream), accepted or not.
struct Unpublished {
  uint32_t stream_id = 0;
};

// onMetaData (usually sent as @setDataFrame); an object or ECMA array.
struct MetaData {
  format::Amf0Value metadata;
};

// A video or audio message body (an FLV tag body; see format/flv.hpp). timestamp_ms is the
// RTMP timestamp unwrapped to 64 bits (one clock shared by audio and video).
struct VideoMessage {
  int64_t timestamp_ms = 0;
  base::Buffer payload;
};
struct AudioMessage {
  int64_t timestamp_ms = 0;
  base::Buffer payload;
};

using SessionEvent =
    std::variant<Connected, PublishRequested, Unpublished, MetaData, VideoMessage, AudioMessage>;

class ServerSession {
 public:
  explicit ServerSession(ServerSessionConfig config = {});

  // Processes bytes received from the client. now_ms (any monotonic millisecond clock)
  // fills the handshake time field.
  base::Status feed(std::span<const uint8_t> bytes, int64_t now_ms);

  // Answers the pending PublishRequested: StreamBegin + NetStream.Publish.Start. No-op
  // unless a publish is pending.
  void accept_publish();
  // Answers the pending PublishRequested with an error onStatus, e.g.
  // ("NetStream.Publish.BadName", "stream is already live") or
  // ("NetStream.Publish.Denied", "invalid key"). No-op unless a publish is pending.
  void reject_publish(std::string_view code, std::string_view description);

  // Bytes to send, in order; the session keeps no copy.
  std::vector<uint8_t> take_output();
  std::vector<SessionEvent> take_events();

  bool handshake_done() const { return handshake_.done(); }
  bool publishing() const { return publish_ == Publish::publishing; }

 private:
  enum class Publish { none, pending, publishing };

  base::Status handle(const Message& message);
  base::Status handle_control(const Message& message);
  base::Status handle_command(const Message& message);
  void handle_data(const Message& message);
  void handle_media(const Message& message);

  base::Status on_connect(const Command& command);
  base::Status on_create_stream(const Command& command);
  base::Status on_publish(const Message& message, const Command& command);
  void end_publish(uint32_t stream_id);

  void send(uint32_t chunk_stream_id, uint8_t type_id, uint32_t stream_id,
            std::span<const uint8_t> payload);
  void send_result(double transaction_id, const format::Amf0Value& object,
                   std::span<const format::Amf0Value> args);
  void send_status(uint32_t stream_id, std::string_view level, std::string_view code,
                   std::string_view description);
  void acknowledge_if_due();

  ServerSessionConfig config_;
  ServerHandshake handshake_;
  ChunkReader reader_;
  ChunkWriter writer_;
  base::ClockUnwrapper clock_{32};
  std::vector<uint8_t> output_;
  std::vector<SessionEvent> events_;
  std::optional<base::Error> failed_;

  uint64_t bytes_received_ = 0;
  uint64_t acknowledged_ = 0;  // bytes_received_ at the last Acknowledgement
  uint32_t peer_window_ = 0;   // from the peer's Window Ack Size; 0 = never acknowledge

  bool connected_ = false;
  std::string app_;
  std::string app_query_;
  uint32_t streams_created_ = 0;  // stream ids 1..streams_created_ exist
  Publish publish_ = Publish::none;
  uint32_t publish_stream_id_ = 0;
  std::string stream_name_;
};

}  // namespace vela::protocol::rtmp
