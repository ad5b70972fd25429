# SDP: the offer a WHIP/WHEP client POSTs, parsed and negotiated into an answer.
vela_fuzz_target(sdp protocol)
