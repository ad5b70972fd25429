// Live-now page: polls the stream list and links each live stream to its player.
import { fetchStreams, type StreamInfo } from "./api";
import { byId } from "./dom";

const kPollIntervalMs = 3000;

const list = byId<HTMLUListElement>("streams");
const status = byId<HTMLParagraphElement>("status");

function describeTracks(stream: StreamInfo): string {
  return stream.tracks
    .map((track) => {
      if (track.kind === "video") return `${track.width}×${track.height} ${track.codec}`;
      const layout = track.channels === 1 ? "mono" : track.channels === 2 ? "stereo" : `${track.channels} ch`;
      return `${track.sample_rate / 1000} kHz ${layout} ${track.codec}`;
    })
    .join(" · ");
}

function describeUptime(startedAt: string): string {
  const minutes = Math.floor((Date.now() - Date.parse(startedAt)) / 60_000);
  if (!(minutes >= 1)) return "just started";
  if (minutes < 60) return `live for ${minutes} min`;
  return `live for ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function renderStream(stream: StreamInfo): HTMLLIElement {
  const link = document.createElement("a");
  link.href = `/watch/${encodeURIComponent(stream.name)}`;
  link.textContent = stream.name;

  const details = document.createElement("span");
  details.className = "details";
  details.textContent = [describeTracks(stream), describeUptime(stream.started_at)].filter(Boolean).join(" · ");

  const item = document.createElement("li");
  item.append(link, details);
  return item;
}

async function refresh(): Promise<void> {
  try {
    const live = (await fetchStreams()).filter((stream) => stream.live);
    list.replaceChildren(...live.map(renderStream));
    status.textContent = live.length === 0 ? "No live streams right now." : "";
  } catch {
    status.textContent = "Cannot reach the server; retrying…";
  }
  setTimeout(refresh, kPollIntervalMs);
}

refresh();
