#include "protocol/rtmp/client_session.hpp"

#include <array>
#include <string>
#include <utility>

#include "base/byte_reader.hpp"
#include "base/byte_writer.hpp"

namespace vela::protocol::rtmp {

namespace {

using format::Amf0Value;

// Transaction ids of our calls; the server's _result/_error names the call it answers.
constexpr double kTxConnect = 1;
constexpr double kTxReleaseStream = 2;
constexpr double kTxFcPublish = 3;
constexpr double kTxCreateStream = 4;
constexpr double kTxPublish = 5;

// Chunk streams for our media, apart from commands so a long video message never delays
// a command (common use: ffmpeg sends audio on 4 and video on 6).
constexpr uint32_t kChunkStreamAudio = 4;
constexpr uint32_t kChunkStreamData = 5;
constexpr uint32_t kChunkStreamVideo = 6;

constexpr size_t kMaxMessageLength = 0xFFFFFF;  // the 24-bit length field

// The info object a server attaches to _result/_error/onStatus: the first argument that
// has properties (servers put it after a null or a properties object).
const Amf0Value* info_of(const Command& command) {
  for (const auto& arg : command.args) {
    if (arg.has_properties()) return &arg;
  }
  return nullptr;
}

std::string describe(const Amf0Value* info) {
  if (!info) return "no details";
  std::string code = info->string_at("code");
  std::string description = info->string_at("description");
  if (code.empty()) return description.empty() ? "no details" : description;
  return description.empty() ? code : code + " (" + description + ")";
}

// An AMF number as a message stream id; anything out of range (NaN included) is 0.
uint32_t to_stream_id(double value) {
  return value >= 1 && value <= 0xFFFFFFFF ? static_cast<uint32_t>(value) : 0;
}

}  // namespace

ClientSession::ClientSession(ClientSessionConfig config)
    : config_(std::move(config)), reader_(config_.limits) {}

base::Status ClientSession::fail(std::string message) {
  failed_ = base::make_error("RTMP: " + std::move(message));
  return *failed_;
}

base::Status ClientSession::start(int64_t now_ms) {
  if (state_ != State::idle) return fail("start called twice");
  if (auto status = handshake_.start(static_cast<uint32_t>(now_ms), output_); !status) {
    failed_ = status.error();
    return *failed_;
  }
  state_ = State::handshake;
  return {};
}

base::Status ClientSession::feed(std::span<const uint8_t> bytes) {
  if (failed_) return *failed_;
  if (state_ == State::idle) return fail("bytes received before the handshake started");
  bytes_received_ += bytes.size();
  if (!handshake_.done()) {
    auto used = handshake_.feed(bytes, output_);
    if (!used) {
      failed_ = used.error();
      return *failed_;
    }
    bytes = bytes.subspan(used.value());
    if (!handshake_.done()) return {};
    send_connect();
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
      if (!failed_) failed_ = status.error();
      return *failed_;
    }
  }
  acknowledge_if_due();
  return {};
}

bool ClientSession::send_metadata(const Amf0Value& metadata) {
  std::vector<uint8_t> body;
  base::ByteWriter w(body);
  format::amf0_encode(Amf0Value::string("@setDataFrame"), w);
  format::amf0_encode(Amf0Value::string("onMetaData"), w);
  format::amf0_encode(metadata, w);
  return send_media(kChunkStreamData, kTypeDataAmf0, 0, body);
}

bool ClientSession::send_video(int64_t timestamp_ms, std::span<const uint8_t> body) {
  return send_media(kChunkStreamVideo, kTypeVideo, timestamp_ms, body);
}

bool ClientSession::send_audio(int64_t timestamp_ms, std::span<const uint8_t> body) {
  return send_media(kChunkStreamAudio, kTypeAudio, timestamp_ms, body);
}

bool ClientSession::send_media(uint32_t chunk_stream_id, uint8_t type_id, int64_t timestamp_ms,
                               std::span<const uint8_t> body) {
  if (!publishing() || failed_ || body.size() > kMaxMessageLength) return false;
  send(chunk_stream_id, type_id, stream_id_, static_cast<uint32_t>(timestamp_ms), body);
  return true;
}

void ClientSession::unpublish() {
  if (!publishing() || failed_) return;
  state_ = State::unpublished;
  send_command(kChunkStreamCommand, 0, "FCUnpublish", 0,
               std::array{Amf0Value::string(config_.stream_key)});
  send_command(kChunkStreamCommand, 0, "deleteStream", 0,
               std::array{Amf0Value::number(stream_id_)});
}

std::vector<uint8_t> ClientSession::take_output() {
  return std::exchange(output_, {});
}

std::vector<ClientEvent> ClientSession::take_events() {
  return std::exchange(events_, {});
}

base::Status ClientSession::handle(const Message& message) {
  switch (message.header.type_id) {
    case kTypeCommandAmf0:
    case kTypeCommandAmf3:
      return handle_command(message);
    case kTypeSetChunkSize:
    case kTypeAbort:
    case kTypeAcknowledgement:
    case kTypeUserControl:
    case kTypeWindowAckSize:
    case kTypeSetPeerBandwidth:
      return handle_control(message);
    default:
      // Data (|RtmpSampleAccess, onMetaData echoes), media and shared objects mean
      // nothing to a publisher.
      return {};
  }
}

base::Status ClientSession::handle_control(const Message& message) {
  base::ByteReader r(message.payload.span());
  switch (message.header.type_id) {
    case kTypeWindowAckSize: {
      uint32_t window = r.u32be();
      if (!r.ok()) return fail("truncated Window Acknowledgement Size from the server");
      server_window_ = window;
      return {};
    }
    case kTypeUserControl: {
      uint16_t event = r.u16be();
      if (!r.ok()) return fail("truncated user control message from the server");
      if (event == kUserPingRequest) {
        uint32_t timestamp = r.u32be();
        if (!r.ok()) return fail("truncated ping request from the server");
        send(kChunkStreamControl, kTypeUserControl, 0, 0,
             user_control_payload(kUserPingResponse, timestamp));
      }
      return {};
    }
    case kTypeSetPeerBandwidth:
      r.skip(5);
      if (!r.ok()) return fail("truncated Set Peer Bandwidth from the server");
      return {};
    case kTypeAcknowledgement:
      r.skip(4);
      if (!r.ok()) return fail("truncated Acknowledgement from the server");
      return {};
    default:
      return {};  // Set Chunk Size and Abort were applied by the chunk reader
  }
}

base::Status ClientSession::handle_command(const Message& message) {
  auto parsed = parse_command(amf0_body(message));
  if (!parsed) return fail("bad command from the server: " + parsed.error().message);
  const Command& command = parsed.value();
  if (command.name == "_result") return on_result(command);
  if (command.name == "onStatus") return on_status(command);
  if (command.name == "_error") {
    // Some servers answer releaseStream/FCPublish with _error; only our essential calls matter.
    if (command.transaction_id == kTxConnect)
      return fail("server refused connect: " + describe(info_of(command)));
    if (command.transaction_id == kTxCreateStream) {
      return fail("server refused createStream: " + describe(info_of(command)));
    }
    if (command.transaction_id == kTxPublish)
      return fail("server refused publish: " + describe(info_of(command)));
    return {};
  }
  if (command.name == "close")
    return fail("server closed the connection: " + describe(info_of(command)));
  // onBWDone, onFCPublish, _checkbw and the like need no answer from a publisher.
  return {};
}

base::Status ClientSession::on_result(const Command& command) {
  if (command.transaction_id == kTxConnect) {
    if (state_ != State::connecting) return fail("unexpected connect _result");
    const Amf0Value* info = info_of(command);
    std::string code = info ? info->string_at("code") : std::string();
    // A few servers omit the info object; its presence with another code is a refusal.
    if (!code.empty() && code != "NetConnection.Connect.Success") {
      return fail("server refused connect: " + describe(info));
    }
    events_.push_back(ConnectAccepted{info ? info->string_at("description") : std::string()});
    state_ = State::creating_stream;
    Amf0Value key = Amf0Value::string(config_.stream_key);
    send_command(kChunkStreamCommand, 0, "releaseStream", kTxReleaseStream, std::array{key});
    send_command(kChunkStreamCommand, 0, "FCPublish", kTxFcPublish, std::array{key});
    send_command(kChunkStreamCommand, 0, "createStream", kTxCreateStream, {});
    return {};
  }
  if (command.transaction_id == kTxCreateStream) {
    if (state_ != State::creating_stream) return fail("unexpected createStream _result");
    uint32_t id = to_stream_id(command.arg(0).as_number());
    if (id == 0) return fail("createStream _result without a valid stream id");
    stream_id_ = id;
    state_ = State::publish_requested;
    send_command(kChunkStreamCommand, stream_id_, "publish", kTxPublish,
                 std::array{Amf0Value::string(config_.stream_key), Amf0Value::string("live")});
    return {};
  }
  return {};  // releaseStream / FCPublish answers
}

base::Status ClientSession::on_status(const Command& command) {
  const Amf0Value* info = info_of(command);
  if (!info) return fail("onStatus without an info object");
  std::string level = info->string_at("level");
  std::string code = info->string_at("code");
  if (level == "error") return fail("server refused the stream: " + describe(info));
  if (code == "NetStream.Publish.Start" && state_ == State::publish_requested) {
    state_ = State::publishing;
    events_.push_back(PublishStarted{stream_id_, info->string_at("description")});
    return {};
  }
  events_.push_back(StatusReceived{std::move(code), info->string_at("description")});
  return {};
}

void ClientSession::send_connect() {
  state_ = State::connecting;
  // Set Chunk Size first, so the connect command (and everything after) uses it.
  send(kChunkStreamControl, kTypeSetChunkSize, 0, 0, u32_payload(config_.chunk_size));
  writer_.set_chunk_size(config_.chunk_size);
  Amf0Value object = Amf0Value::object({
      {"app", Amf0Value::string(config_.app)},
      {"type", Amf0Value::string("nonprivate")},
      {"flashVer", Amf0Value::string(config_.flash_version)},
      {"tcUrl", Amf0Value::string(config_.tc_url)},
  });
  send(kChunkStreamCommand, kTypeCommandAmf0, 0, 0, encode_command("connect", kTxConnect, object));
}

void ClientSession::send_command(uint32_t chunk_stream_id, uint32_t stream_id,
                                 std::string_view name, double transaction_id,
                                 std::span<const Amf0Value> args) {
  send(chunk_stream_id, kTypeCommandAmf0, stream_id, 0,
       encode_command(name, transaction_id, Amf0Value::null(), args));
}

void ClientSession::send(uint32_t chunk_stream_id, uint8_t type_id, uint32_t stream_id,
                         uint32_t timestamp, std::span<const uint8_t> payload) {
  writer_.write(MessageHeader{chunk_stream_id, type_id, stream_id, timestamp}, payload, output_);
}

void ClientSession::acknowledge_if_due() {
  if (server_window_ == 0 || bytes_received_ - acknowledged_ < server_window_) return;
  acknowledged_ = bytes_received_;
  // The sequence number is the byte count so far, wrapping at 32 bits.
  send(kChunkStreamControl, kTypeAcknowledgement, 0, 0,
       u32_payload(static_cast<uint32_t>(bytes_received_)));
}

}  // namespace vela::protocol::rtmp
