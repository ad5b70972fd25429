#pragma once
// ClientSession: the publisher side of one RTMP connection as a pure state machine, the
// mirror of ServerSession. Bytes from the server go in through feed(); bytes to send come
// out of take_output(), and what happened comes out of take_events(). No sockets,
// threads or clocks inside; the egress push session does the I/O (and the timeouts).
//
// Threading: one owner calls every method; nothing is shared.
//
// Flow, as ffmpeg and OBS publish:
//   start(): C0+C1 -> S0+S1 in: C2 -> S2 in: Set Chunk Size, connect(app, tcUrl, ...)
//   -> _result (NetConnection.Connect.Success; event ConnectAccepted): releaseStream,
//   FCPublish, createStream -> _result(stream id): publish(key, "live")
//   -> onStatus NetStream.Publish.Start (event PublishStarted) -> send_metadata() and
//   send_video()/send_audio() -> unpublish() (FCUnpublish, deleteStream) before closing.
//
//   ClientSession session(config);
//   session.start(now_ms);
//   write(session.take_output());
//   if (auto st = session.feed(bytes); !st) close(st.error().message);
//   write(session.take_output());
//   for (auto& event : session.take_events()) std::visit(handler, event);
//
// Along the way it answers pings, acknowledges received bytes per the server's window,
// and applies the server's chunk size. The server's replies are untrusted input: an
// _error, an error-level onStatus (e.g. NetStream.Publish.BadName), a server-side
// "close", or any protocol violation makes feed() return an error that says what the
// server said; the session is then failed and every later feed() returns the same error.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "base/result.hpp"
#include "format/amf0.hpp"
#include "protocol/rtmp/chunk_reader.hpp"
#include "protocol/rtmp/chunk_writer.hpp"
#include "protocol/rtmp/client_session_handshake.hpp"
#include "protocol/rtmp/command.hpp"

namespace vela::protocol::rtmp {

struct ClientSessionConfig {
  std::string app;         // e.g. "live"
  std::string tc_url;      // e.g. "rtmp://host:1935/live"
  std::string stream_key;  // the publish name, e.g. "demo" or "key?token=..."
  std::string flash_version = "FMLE/3.0 (compatible; Vela)";
  uint32_t chunk_size = 4096;  // our outgoing chunk size
  // A server sends a publisher only small control and command messages.
  ChunkReaderLimits limits{
      .max_message_size = 64 * 1024, .max_chunk_streams = 16, .max_pending_bytes = 256 * 1024};
};

// The server accepted connect.
struct ConnectAccepted {
  std::string description;  // from the _result info object, may be empty
};

// NetStream.Publish.Start: media may flow.
struct PublishStarted {
  uint32_t stream_id = 0;
  std::string description;
};

// Any other non-error onStatus (e.g. NetStream.Publish.Idle), for logging.
struct StatusReceived {
  std::string code;
  std::string description;
};

using ClientEvent = std::variant<ConnectAccepted, PublishStarted, StatusReceived>;

class ClientSession {
 public:
  explicit ClientSession(ClientSessionConfig config);

  // Queues C0+C1. Call once, before feed(). now_ms fills the handshake time field.
  base::Status start(int64_t now_ms);
  // Processes bytes received from the server.
  base::Status feed(std::span<const uint8_t> bytes);

  // Media, only once publishing: one message each, with the RTMP timestamp in ms (the
  // 32-bit wire clock wraps, as RTMP does). False, and nothing queued, when not
  // publishing (before Publish.Start, after unpublish() or a failure) or when the body
  // exceeds the 24-bit message length. send_metadata sends
  // @setDataFrame("onMetaData", metadata).
  bool send_metadata(const format::Amf0Value& metadata);
  bool send_video(int64_t timestamp_ms, std::span<const uint8_t> body);
  bool send_audio(int64_t timestamp_ms, std::span<const uint8_t> body);
  // Ends the publication politely (FCUnpublish, deleteStream); no-op unless publishing.
  void unpublish();

  // Bytes to send, in order; the session keeps no copy.
  std::vector<uint8_t> take_output();
  std::vector<ClientEvent> take_events();
  // How many output bytes are waiting (for the owner's bound on unsent data).
  size_t pending_output() const { return output_.size(); }

  bool publishing() const { return state_ == State::publishing; }
  bool failed() const { return failed_.has_value(); }

 private:
  enum class State {
    idle,
    handshake,
    connecting,
    creating_stream,
    publish_requested,
    publishing,
    unpublished
  };

  base::Status fail(std::string message);
  base::Status handle(const Message& message);
  base::Status handle_control(const Message& message);
  base::Status handle_command(const Message& message);
  base::Status on_result(const Command& command);
  base::Status on_status(const Command& command);
  bool send_media(uint32_t chunk_stream_id, uint8_t type_id, int64_t timestamp_ms,
                  std::span<const uint8_t> body);
  void send_connect();
  void send_command(uint32_t chunk_stream_id, uint32_t stream_id, std::string_view name,
                    double transaction_id, std::span<const format::Amf0Value> args);
  void send(uint32_t chunk_stream_id, uint8_t type_id, uint32_t stream_id, uint32_t timestamp,
            std::span<const uint8_t> payload);
  void acknowledge_if_due();

  ClientSessionConfig config_;
  ClientHandshake handshake_;
  ChunkReader reader_;
  ChunkWriter writer_;
  std::vector<uint8_t> output_;
  std::vector<ClientEvent> events_;
  std::optional<base::Error> failed_;
  State state_ = State::idle;

  uint64_t bytes_received_ = 0;
  uint64_t acknowledged_ = 0;   // bytes_received_ at the last Acknowledgement
  uint32_t server_window_ = 0;  // from the server's Window Ack Size; 0 = never acknowledge
  uint32_t stream_id_ = 0;      // from createStream's _result
};

}  // namespace vela::protocol::rtmp
