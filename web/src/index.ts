// Live-now page: polls the stream list and links each live stream to its player, with a
// thumbnail that refreshes every few seconds (a placeholder until the server has one).
import { fetchStreams, type StreamInfo } from "./api";
import { byId } from "./dom";

const kPollIntervalMs = 3000;
const kThumbnailRefreshMs = 5000;

const list = byId<HTMLUListElement>("streams");
const status = byId<HTMLParagraphElement>("status");

// The listing also names each stream's thumbnail (GET /api/v1/streams, playback.thumbnail).
type ListedStream = StreamInfo & { playback?: { thumbnail?: string } };

interface Row {
  item: HTMLLIElement;
  details: HTMLSpanElement;
  thumbnail: HTMLImageElement;
}

// Rows are kept across polls, so a thumbnail is not reloaded on every poll.
const rows = new Map<string, Row>();

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

// The same URL for every viewer within one refresh period, so HTTP caches can share it.
function thumbnailUrl(stream: ListedStream): string {
  const base = stream.playback?.thumbnail ?? `/live/${encodeURIComponent(stream.name)}/thumbnail.jpg`;
  return `${base}?t=${Math.floor(Date.now() / kThumbnailRefreshMs)}`;
}

function createRow(stream: StreamInfo): Row {
  const watch = `/watch/${encodeURIComponent(stream.name)}`;
  const frame = document.createElement("a");
  frame.className = "thumbnail";
  frame.href = watch;
  const thumbnail = document.createElement("img");
  thumbnail.alt = `${stream.name} preview`;
  thumbnail.width = 160;
  thumbnail.height = 90;
  // The frame shows a placeholder until a picture has loaded (404 before the first one).
  thumbnail.addEventListener("load", () => frame.classList.add("loaded"));
  thumbnail.addEventListener("error", () => frame.classList.remove("loaded"));
  frame.append(thumbnail);

  const link = document.createElement("a");
  link.className = "name";
  link.href = watch;
  link.textContent = stream.name;
  const details = document.createElement("span");
  details.className = "details";
  const text = document.createElement("div");
  text.className = "text";
  text.append(link, details);

  const item = document.createElement("li");
  item.append(frame, text);
  return { item, details, thumbnail };
}

function updateRow(row: Row, stream: ListedStream): void {
  row.details.textContent = [describeTracks(stream), describeUptime(stream.started_at)].filter(Boolean).join(" · ");
  const url = thumbnailUrl(stream);
  if (row.thumbnail.getAttribute("src") !== url) row.thumbnail.src = url;
}

async function refresh(): Promise<void> {
  try {
    const live = ((await fetchStreams()) as ListedStream[]).filter((stream) => stream.live);
    const names = new Set(live.map((stream) => stream.name));
    for (const name of rows.keys()) if (!names.has(name)) rows.delete(name);
    const items = live.map((stream) => {
      let row = rows.get(stream.name);
      if (!row) {
        row = createRow(stream);
        rows.set(stream.name, row);
      }
      updateRow(row, stream);
      return row.item;
    });
    list.replaceChildren(...items);
    status.textContent = live.length === 0 ? "No live streams right now." : "";
  } catch {
    status.textContent = "Cannot reach the server; retrying…";
  }
  setTimeout(refresh, kPollIntervalMs);
}

refresh();
