#pragma once
// The SRT stream id a caller sends in its handshake (SRTO_STREAMID), parsed into what it
// asks for. Three forms are understood:
//   publish:live/{key}            Vela's short form; "request:live/{name}" or
//                                 "play:live/{name}" to play a live stream
//   #!::r=live/{key},m=publish    SRT access-control syntax: comma-separated key=value
//                                 (r resource, m mode, u user, s session, h host, t type);
//                                 m=request (the default when m is absent) or m=play plays
//   {key}                         a bare key: publish {key} on application "live"
// Pure: no sockets, no libsrt. Never throws; a malformed id is an error value that says
// what is wrong, suitable for logging and for a rejection reason.
#include <cstddef>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace vela::protocol::srt {

// libsrt caps SRTO_STREAMID at 512 bytes; anything longer is refused before parsing.
inline constexpr size_t kMaxStreamIdLength = 512;

enum class StreamMode { publish, request };

struct StreamId {
  StreamMode mode = StreamMode::publish;
  std::string app;      // "live" for every accepted form; the authorizer checks it
  std::string key;      // the publish key (or the stream name to play)
  std::string user;     // "u=" of the access-control form; empty otherwise
  std::string session;  // "s=" of the access-control form; empty otherwise
};

base::Result<StreamId> parse_stream_id(std::string_view text);

std::string_view to_string(StreamMode mode);

}  // namespace vela::protocol::srt
