#!/usr/bin/python3
"""A second WebRTC implementation for the end-to-end tests: WHIP publish and WHEP play with aiortc.

Run with Debian's interpreter (/usr/bin/python3, package python3-aiortc):

  aiortc_client.py publish http://127.0.0.1:PORT/whip/NAME --key NAME --seconds 10
  aiortc_client.py play    http://127.0.0.1:PORT/whep/NAME --seconds 10

publish sends a moving test pattern (H.264, forced through codec preferences) and a 440 Hz
tone (Opus) for --seconds once connected, then DELETEs the session. play receives H.264 video
and Opus audio, counts the decoded frames for --seconds, then DELETEs. Both print one JSON line
on stdout; exit codes: 0 success, 2 the server refused the offer (its text on stderr),
3 no connection, 4 (play) no video or no audio frames decoded.
"""

import argparse
import asyncio
import fractions
import ipaddress
import json
import math
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import aioice.ice
import av
import numpy
from aiortc import RTCPeerConnection, RTCRtpSender, RTCSessionDescription
from aiortc.mediastreams import MediaStreamError, MediaStreamTrack, VideoStreamTrack

AUDIO_RATE = 48000
AUDIO_PTIME = 0.020
CONNECT_TIMEOUT_S = 15
HTTP_TIMEOUT_S = 10


def log(message):
    print(f"aiortc_client: {message}", file=sys.stderr, flush=True)


def use_loopback_candidates_for(url):
    """aioice leaves out loopback addresses when gathering; a server on 127.0.0.1 needs them."""
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if loopback:
        aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]


class PatternTrack(VideoStreamTrack):
    """Frames of a bright bar sweeping across a gradient, so that every frame differs."""

    def __init__(self, width, height):
        super().__init__()
        self.width, self.height = width, height
        self.count = 0
        ramp = numpy.linspace(16, 235, width, dtype=numpy.uint8)
        self.base = numpy.tile(ramp, (height, 1))

    async def recv(self):
        pts, time_base = await self.next_timestamp()
        luma = self.base.copy()
        bar = (self.count * 8) % self.width
        luma[:, bar:bar + 32] = 235
        chroma = numpy.full((self.height // 2, self.width // 2), 128, dtype=numpy.uint8)
        chroma[:, (bar // 2):(bar // 2) + 16] = 64 + (self.count % 128)
        frame = av.VideoFrame.from_ndarray(numpy.concatenate([luma, chroma.reshape(-1, self.width), chroma.reshape(-1, self.width)]), format="yuv420p")
        frame.pts, frame.time_base = pts, time_base
        self.count += 1
        return frame


class ToneTrack(MediaStreamTrack):
    """A 440 Hz sine in 20 ms mono frames, paced in real time."""

    kind = "audio"

    def __init__(self):
        super().__init__()
        self.start = None
        self.sent = 0
        self.count = 0

    async def recv(self):
        if self.readyState != "live":
            raise MediaStreamError
        samples = int(AUDIO_RATE * AUDIO_PTIME)
        if self.start is None:
            self.start = time.time()
        else:
            await asyncio.sleep(max(0, self.start + self.sent / AUDIO_RATE - time.time()))
        t = (numpy.arange(samples) + self.sent) / AUDIO_RATE
        pcm = (numpy.sin(2 * math.pi * 440 * t) * 8000).astype(numpy.int16)
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.pts, frame.sample_rate, frame.time_base = self.sent, AUDIO_RATE, fractions.Fraction(1, AUDIO_RATE)
        self.sent += samples
        self.count += 1
        return frame


def prefer_h264(transceiver):
    codecs = RTCRtpSender.getCapabilities("video").codecs
    h264 = [c for c in codecs if c.mimeType.lower() == "video/h264"]
    transceiver.setCodecPreferences(h264 + [c for c in codecs if c.mimeType.lower() == "video/rtx"])


class Refused(Exception):
    """The server did not answer the offer with 201 and a Location."""


def http(method, url, body=None, headers=None):
    """Blocking HTTP request: (status, headers, text). Runs in a thread from the event loop."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode("utf-8", "replace")
    except OSError as err:  # no answer at all (refused, reset, timed out)
        return 0, {}, f"{type(err).__name__}: {err}"


async def negotiate(pc, url, key):
    """POSTs the offer (with every candidate: aiortc gathers before returning); returns the session URL."""
    await pc.setLocalDescription(await pc.createOffer())
    # aiortc 1.4 numbers header extensions per section: ssrc-audio-level gets the id that
    # abs-send-time has in the video section, and on one BUNDLE transport its own parser then
    # fails on packets that carry either. Not offering the audio level avoids the clash.
    offer = "".join(line for line in pc.localDescription.sdp.splitlines(keepends=True) if "ssrc-audio-level" not in line)
    headers = {"Content-Type": "application/sdp"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    status, response_headers, text = await asyncio.to_thread(http, "POST", url, offer.encode(), headers)
    if status != 201:
        raise Refused(f"POST {url}: {status}: {text.strip()}")
    location = response_headers.get("Location")
    if not location:
        raise Refused(f"POST {url}: 201 without a Location header")
    await pc.setRemoteDescription(RTCSessionDescription(sdp=text, type="answer"))
    return urllib.parse.urljoin(url, location), headers.get("Authorization")


async def wait_connected(pc):
    deadline = time.monotonic() + CONNECT_TIMEOUT_S
    while pc.connectionState != "connected":
        if pc.connectionState in ("failed", "closed") or time.monotonic() > deadline:
            log(f"no connection (state {pc.connectionState}, ICE {pc.iceConnectionState})")
            return False
        await asyncio.sleep(0.1)
    return True


async def end_session(session_url, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    status, _, text = await asyncio.to_thread(http, "DELETE", session_url, None, headers)
    if status >= 300:
        log(f"DELETE {session_url}: {status}: {text.strip()}")
    return status


async def publish(args):
    pc = RTCPeerConnection()
    video, audio = PatternTrack(args.width, args.height), ToneTrack()
    prefer_h264(pc.addTransceiver(video, direction="sendonly"))
    pc.addTransceiver(audio, direction="sendonly")
    try:
        session_url, authorization = await negotiate(pc, args.url, args.key)
        if not await wait_connected(pc):
            return 3
        started = video.count
        await asyncio.sleep(args.seconds)
        delete_status = await end_session(session_url, authorization)
        print(json.dumps({"connected": True, "video_frames": video.count - started, "audio_frames": audio.count, "delete_status": delete_status}), flush=True)
        return 0
    finally:
        await pc.close()


async def play(args):
    pc = RTCPeerConnection()
    prefer_h264(pc.addTransceiver("video", direction="recvonly"))
    pc.addTransceiver("audio", direction="recvonly")
    counts = {"video_frames": 0, "audio_frames": 0, "width": 0, "height": 0}
    consumers = []

    async def consume(track):
        try:
            while True:
                frame = await track.recv()
                counts[f"{track.kind}_frames"] += 1
                if track.kind == "video":
                    counts["width"], counts["height"] = frame.width, frame.height
        except MediaStreamError:
            pass

    pc.on("track", lambda track: consumers.append(asyncio.ensure_future(consume(track))))
    try:
        session_url, authorization = await negotiate(pc, args.url, args.key)
        if not await wait_connected(pc):
            return 3
        await asyncio.sleep(args.seconds)
        counts["delete_status"] = await end_session(session_url, authorization)
        print(json.dumps(counts), flush=True)
        return 0 if counts["video_frames"] > 0 and counts["audio_frames"] > 0 else 4
    finally:
        await pc.close()
        for task in consumers:
            task.cancel()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["publish", "play"])
    parser.add_argument("url", help="the WHIP (publish) or WHEP (play) endpoint")
    parser.add_argument("--key", help="bearer token (publish: the stream key)")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--width", type=int, default=640)
    parser.add_argument("--height", type=int, default=360)
    args = parser.parse_args()
    use_loopback_candidates_for(args.url)
    run = publish if args.mode == "publish" else play
    try:
        sys.exit(asyncio.run(run(args)))
    except Refused as refused:
        log(str(refused))
        sys.exit(2)


if __name__ == "__main__":
    main()
