# `vela bench whep-load`: what the generator reads from a server (SDP, H.264 payloads).
vela_fuzz_target(whep_load_remote_sdp bench)
