// ServerSession's NetConnection/NetStream command handlers (connect, createStream,
// FCPublish, publish, and the end of a publication).
#include <array>
#include <string>
#include <string_view>
#include <utility>

#include "protocol/rtmp/server_session.hpp"

namespace vela::protocol::rtmp {

namespace {

using format::Amf0Value;

base::Error error(std::string message) {
  return base::make_error("RTMP: " + message);
}

// Splits "name?query" into its parts (the '?' itself is dropped).
std::pair<std::string, std::string> split_query(std::string_view text) {
  size_t q = text.find('?');
  if (q == std::string_view::npos) return {std::string(text), {}};
  return {std::string(text.substr(0, q)), std::string(text.substr(q + 1))};
}

// An AMF number as a stream id; anything out of range (NaN included) maps to 0, which is
// never a created stream.
uint32_t to_stream_id(double value) {
  return value >= 1 && value <= 0xFFFFFFFF ? static_cast<uint32_t>(value) : 0;
}

// Limit type 2 (dynamic): the peer may treat it as hard or ignore it.
constexpr uint8_t kPeerBandwidthDynamic = 2;

}  // namespace

base::Status ServerSession::handle_command(const Message& message) {
  auto parsed = parse_command(amf0_body(message));
  if (!parsed) return error(parsed.error().message);
  const Command& command = parsed.value();
  const std::string& name = command.name;
  if (name == "connect") return on_connect(command);
  if (name == "createStream") return on_create_stream(command);
  if (name == "publish") return on_publish(message, command);
  // FCPublish gets a plain _result: the onFCPublish "NetStream.Publish.Start" that some
  // servers send here would announce a publish before its key has been checked.
  if (name == "releaseStream" || name == "FCPublish" || name == "_checkbw" || name == "getStreamLength") {
    send_result(command.transaction_id, format::Amf0Value::null(),
                std::array{format::Amf0Value::undefined()});
    return {};
  }
  if (name == "FCUnpublish") {
    end_publish(publish_stream_id_);
    send_result(command.transaction_id, format::Amf0Value::null(),
                std::array{format::Amf0Value::undefined()});
    return {};
  }
  if (name == "deleteStream") {
    end_publish(to_stream_id(command.arg(0).as_number()));
    return {};
  }
  if (name == "closeStream") {
    end_publish(message.header.stream_id);
    return {};
  }
  if (name == "play" || name == "play2") {
    send_status(message.header.stream_id, "error", "NetStream.Play.Failed",
                "Playback over RTMP is not supported.");
    return {};
  }
  // Replies to our calls and notifications need no answer; an unknown call does.
  if (command.transaction_id > 0 && name != "_result" && name != "_error") {
    send(kChunkStreamCommand, kTypeCommandAmf0, 0,
         encode_command("_error", command.transaction_id, format::Amf0Value::null(),
                        std::array{status_info("error", "NetConnection.Call.Failed",
                                               "Unknown command: " + name)}));
  }
  return {};
}

base::Status ServerSession::on_connect(const Command& command) {
  if (connected_) return error("connect received twice");
  if (!command.object.has_properties()) return error("connect without a command object");
  auto [app, query] = split_query(command.object.string_at("app"));
  while (!app.empty() && app.back() == '/') app.pop_back();
  app_ = std::move(app);
  app_query_ = std::move(query);
  connected_ = true;

  // Like FMS, nginx-rtmp and SRS: window, bandwidth and chunk size before the result.
  send(kChunkStreamControl, kTypeWindowAckSize, 0, u32_payload(config_.window_ack_size));
  send(kChunkStreamControl, kTypeSetPeerBandwidth, 0,
       peer_bandwidth_payload(config_.peer_bandwidth, kPeerBandwidthDynamic));
  send(kChunkStreamControl, kTypeSetChunkSize, 0, u32_payload(config_.chunk_size));
  writer_.set_chunk_size(config_.chunk_size);

  Amf0Value properties = Amf0Value::object({
      {"fmsVer", Amf0Value::string("FMS/3,0,1,123")},
      {"capabilities", Amf0Value::number(31)},
  });
  Amf0Value info = status_info("status", "NetConnection.Connect.Success", "Connection succeeded.");
  // Commands are decoded as AMF0 only, so AMF0 is what we agree to.
  info.set("objectEncoding", Amf0Value::number(0));
  send_result(command.transaction_id, properties, std::array{std::move(info)});

  events_.push_back(Connected{app_, command.object.string_at("tcUrl"),
                              command.object.string_at("flashVer"), command.object});
  return {};
}

base::Status ServerSession::on_create_stream(const Command& command) {
  if (!connected_) return error("createStream before connect");
  if (streams_created_ >= config_.max_streams) {
    return error("more than " + std::to_string(config_.max_streams) + " createStream calls");
  }
  ++streams_created_;
  send_result(command.transaction_id, Amf0Value::null(),
              std::array{Amf0Value::number(streams_created_)});
  return {};
}

base::Status ServerSession::on_publish(const Message& message, const Command& command) {
  if (!connected_) return error("publish before connect");
  uint32_t stream_id = message.header.stream_id;
  if (stream_id == 0 || stream_id > streams_created_) {
    return error("publish on stream " + std::to_string(stream_id) + " that was not created");
  }
  if (publish_ != Publish::none) return error("publish while already publishing");
  auto [name, query] = split_query(command.arg(0).as_string());
  if (name.empty()) {
    send_status(stream_id, "error", "NetStream.Publish.BadName", "Missing stream name.");
    return {};
  }
  std::string type = command.arg(1).as_string();
  publish_ = Publish::pending;
  publish_stream_id_ = stream_id;
  stream_name_ = name;
  events_.push_back(PublishRequested{stream_id, app_, std::move(name),
                                     query.empty() ? app_query_ : std::move(query),
                                     type.empty() ? "live" : std::move(type)});
  return {};
}

void ServerSession::end_publish(uint32_t stream_id) {
  if (publish_ == Publish::none || stream_id != publish_stream_id_) return;
  publish_ = Publish::none;
  events_.push_back(Unpublished{stream_id});
}

}  // namespace vela::protocol::rtmp
