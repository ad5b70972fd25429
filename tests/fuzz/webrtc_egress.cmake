# WHEP egress: RTCP from viewers (feedback, reports) into the per-viewer sender.
vela_fuzz_target(webrtc_viewer_rtcp egress)
