# STUN / ICE-lite (WebRTC): every datagram on a WebRTC port whose first byte is 0..3.
vela_fuzz_target(stun_message protocol)
vela_fuzz_target(stun_ice_lite protocol)
# ICE-TCP (RFC 6544) length-prefixed framing of a TCP candidate's byte stream.
vela_fuzz_target(ice_tcp_deframer protocol)
