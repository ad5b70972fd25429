# RTP/RTCP (WebRTC): packets and feedback from browsers and WHIP encoders.
vela_fuzz_target(rtp_packet protocol)
vela_fuzz_target(rtcp_compound protocol)
vela_fuzz_target(rtp_h264_depacketizer protocol)
