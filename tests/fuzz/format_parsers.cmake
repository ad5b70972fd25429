# Container parsers that see untrusted RTMP payloads.
vela_fuzz_target(amf0 format)
vela_fuzz_target(flv format)
