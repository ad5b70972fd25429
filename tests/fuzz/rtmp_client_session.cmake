# RTMP client role: the publisher's session behind a fixed handshake; the input is what a
# (hostile) destination server sends.
vela_fuzz_target(rtmp_client_session protocol)
