#include "protocol/rtmp/server_session.hpp"

#include <array>
#include <string>
#include <utility>

#include "base/byte_reader.hpp"

namespace vela::protocol::rtmp {

namespace {

base::Error error(std::string message) {
  return base::make_error("RTMP: " + message);
}

}  // namespace

ServerSession::ServerSession(ServerSessionConfig config)
    : config_(config), reader_(config.limits) {}

base::Status ServerSession::feed(std::span<const uint8_t> bytes, int64_t now_ms) {
  if (failed_) return *failed_;
  bytes_received_ += bytes.size();
  if (!handshake_.done()) {
    auto used = handshake_.feed(bytes, static_cast<uint32_t>(now_ms), output_);
    if (!used) {
      failed_ = used.error();
      return *failed_;
    }
    bytes = bytes.subspan(used.value());
    if (!handshake_.done()) return {};
  }
  reader_.feed(bytes);
  for (;;) {
    auto next = reader_.read();
    if (!next) {
      failed_ = next.error();
      return *failed_;
    }
    if (!next.value()) break;
    if (auto status = handle(*next.value()); !status) {
      failed_ = status.error();
      return *failed_;
    }
  }
  acknowledge_if_due();
  return {};
}

void ServerSession::accept_publish() {
  if (publish_ != Publish::pending) return;
  publish_ = Publish::publishing;
  send(kChunkStreamControl, kTypeUserControl, 0,
       user_control_payload(kUserStreamBegin, publish_stream_id_));
  send_status(publish_stream_id_, "status", "NetStream.Publish.Start",
              stream_name_ + " is now published.");
}

void ServerSession::reject_publish(std::string_view code, std::string_view description) {
  if (publish_ != Publish::pending) return;
  publish_ = Publish::none;
  send_status(publish_stream_id_, "error", code, description);
}

std::vector<uint8_t> ServerSession::take_output() {
  return std::exchange(output_, {});
}

std::vector<SessionEvent> ServerSession::take_events() {
  return std::exchange(events_, {});
}

base::Status ServerSession::handle(const Message& message) {
  switch (message.header.type_id) {
    case kTypeAudio:
    case kTypeVideo:
      handle_media(message);
      return {};
    case kTypeCommandAmf0:
    case kTypeCommandAmf3:
      return handle_command(message);
    case kTypeDataAmf0:
    case kTypeDataAmf3:
      handle_data(message);
      return {};
    case kTypeSetChunkSize:
    case kTypeAbort:
    case kTypeAcknowledgement:
    case kTypeUserControl:
    case kTypeWindowAckSize:
    case kTypeSetPeerBandwidth:
      return handle_control(message);
    default:
      // Shared objects, aggregates and unknown types are not used by publishers.
      return {};
  }
}

base::Status ServerSession::handle_control(const Message& message) {
  base::ByteReader r(message.payload.span());
  switch (message.header.type_id) {
    case kTypeWindowAckSize: {
      uint32_t window = r.u32be();
      if (!r.ok()) return error("truncated Window Acknowledgement Size");
      peer_window_ = window;
      return {};
    }
    case kTypeUserControl: {
      uint16_t event = r.u16be();
      if (!r.ok()) return error("truncated user control message");
      if (event == kUserPingRequest) {
        uint32_t timestamp = r.u32be();
        if (!r.ok()) return error("truncated ping request");
        send(kChunkStreamControl, kTypeUserControl, 0,
             user_control_payload(kUserPingResponse, timestamp));
      }
      return {};
    }
    case kTypeSetPeerBandwidth:
      r.skip(5);
      if (!r.ok()) return error("truncated Set Peer Bandwidth");
      return {};
    case kTypeAcknowledgement:
      r.skip(4);
      if (!r.ok()) return error("truncated Acknowledgement");
      return {};
    default:
      return {};  // Set Chunk Size and Abort were applied by the chunk reader
  }
}

void ServerSession::handle_data(const Message& message) {
  if (publish_ != Publish::publishing) return;
  auto values = format::amf0_decode_all(amf0_body(message));
  if (!values) return;
  auto& v = values.value();
  size_t at = 0;
  if (!v.empty() && v[0].as_string() == "@setDataFrame") at = 1;
  if (v.size() < at + 2 || v[at].as_string() != "onMetaData" || !v[at + 1].has_properties()) {
    return;
  }
  events_.push_back(MetaData{std::move(v[at + 1])});
}

void ServerSession::handle_media(const Message& message) {
  // Media before the owner accepted the publish (or after it ended) is dropped; real
  // publishers wait for NetStream.Publish.Start.
  if (publish_ != Publish::publishing || message.payload.empty()) return;
  int64_t timestamp = clock_.unwrap(message.header.timestamp);
  if (message.header.type_id == kTypeVideo) {
    events_.push_back(VideoMessage{timestamp, message.payload});
  } else {
    events_.push_back(AudioMessage{timestamp, message.payload});
  }
}

void ServerSession::send(uint32_t chunk_stream_id, uint8_t type_id, uint32_t stream_id,
                         std::span<const uint8_t> payload) {
  writer_.write(MessageHeader{chunk_stream_id, type_id, stream_id, 0}, payload, output_);
}

void ServerSession::send_result(double transaction_id, const format::Amf0Value& object,
                                std::span<const format::Amf0Value> args) {
  // A transaction id of 0 asks for no reply.
  if (transaction_id <= 0) return;
  send(kChunkStreamCommand, kTypeCommandAmf0, 0,
       encode_command("_result", transaction_id, object, args));
}

void ServerSession::send_status(uint32_t stream_id, std::string_view level, std::string_view code,
                                std::string_view description) {
  send(kChunkStreamStatus, kTypeCommandAmf0, stream_id,
       encode_command("onStatus", 0, format::Amf0Value::null(),
                      std::array{status_info(level, code, description)}));
}

void ServerSession::acknowledge_if_due() {
  if (peer_window_ == 0 || bytes_received_ - acknowledged_ < peer_window_) return;
  acknowledged_ = bytes_received_;
  // The sequence number is the byte count so far, wrapping at 32 bits.
  send(kChunkStreamControl, kTypeAcknowledgement, 0,
       u32_payload(static_cast<uint32_t>(bytes_received_)));
}

}  // namespace vela::protocol::rtmp
