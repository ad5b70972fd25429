#pragma once
// RTMP messages as the chunk layer delivers them, and the message type ids and user
// control events of the RTMP 1.0 specification (sections 5.4, 6.2, 7.1).
#include <cstdint>

#include "base/buffer.hpp"

namespace vela::protocol::rtmp {

// Message type ids.
inline constexpr uint8_t kTypeSetChunkSize = 1;
inline constexpr uint8_t kTypeAbort = 2;
inline constexpr uint8_t kTypeAcknowledgement = 3;
inline constexpr uint8_t kTypeUserControl = 4;
inline constexpr uint8_t kTypeWindowAckSize = 5;
inline constexpr uint8_t kTypeSetPeerBandwidth = 6;
inline constexpr uint8_t kTypeAudio = 8;
inline constexpr uint8_t kTypeVideo = 9;
inline constexpr uint8_t kTypeDataAmf3 = 15;
inline constexpr uint8_t kTypeSharedObjectAmf3 = 16;
inline constexpr uint8_t kTypeCommandAmf3 = 17;
inline constexpr uint8_t kTypeDataAmf0 = 18;
inline constexpr uint8_t kTypeSharedObjectAmf0 = 19;
inline constexpr uint8_t kTypeCommandAmf0 = 20;
inline constexpr uint8_t kTypeAggregate = 22;

// User control event types (payload of kTypeUserControl).
inline constexpr uint16_t kUserStreamBegin = 0;
inline constexpr uint16_t kUserStreamEof = 1;
inline constexpr uint16_t kUserSetBufferLength = 3;
inline constexpr uint16_t kUserPingRequest = 6;
inline constexpr uint16_t kUserPingResponse = 7;

// Chunk stream ids this server sends on (any id >= 2 is legal; these follow common use).
inline constexpr uint32_t kChunkStreamControl = 2;  // protocol control, user control
inline constexpr uint32_t kChunkStreamCommand = 3;  // NetConnection commands
inline constexpr uint32_t kChunkStreamStatus = 5;   // NetStream status

inline constexpr uint32_t kDefaultChunkSize = 128;
// Message lengths are 24-bit on the wire, so larger chunks never help.
inline constexpr uint32_t kMaxChunkSize = 0xFFFFFF;

struct MessageHeader {
  uint32_t chunk_stream_id = 0;
  uint8_t type_id = 0;
  uint32_t stream_id = 0;  // message stream id (0 = the NetConnection)
  uint32_t timestamp = 0;  // ms on the 32-bit RTMP clock (wraps; unwrap above this layer)
};

struct Message {
  MessageHeader header;
  base::Buffer payload;
};

}  // namespace vela::protocol::rtmp
