// Server-sent events over fetch(): EventSource cannot send the bearer token, so the stream is
// read and parsed here. Reconnects with backoff and resumes from the last id it saw.
import { currentSession } from "./session.js";

/** Split an SSE text buffer into complete events; answers [events, rest of the buffer]. */
export function parseEvents(buffer) {
  const events = [];
  const blocks = buffer.replace(/\r\n?/g, "\n").split("\n\n");
  const rest = blocks.pop();
  for (const block of blocks) {
    const event = { id: null, event: "message", data: [] };
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "data") event.data.push(value);
      else if (field === "id") event.id = value;
      else if (field === "event") event.event = value;
    }
    if (event.data.length || event.id !== null) events.push({ ...event, data: event.data.join("\n") });
  }
  return [events, rest];
}

/**
 * Follow `path` until `stop()` is called. `onEvent({id, event, data})` for each event (data as
 * text); `onState("connecting" | "live" | "error")` as the connection changes.
 */
export function follow(path, { onEvent, onState = () => {}, lastEventId = null } = {}) {
  let controller = null;
  let stopped = false;
  let lastId = lastEventId;
  let delay = 1000;

  async function connect() {
    while (!stopped) {
      controller = new AbortController();
      onState("connecting");
      try {
        const session = currentSession();
        const headers = { Accept: "text/event-stream" };
        if (session) headers.Authorization = `Bearer ${session.token}`;
        if (lastId !== null) headers["Last-Event-ID"] = lastId;
        const response = await fetch(path, { headers, signal: controller.signal, cache: "no-store" });
        if (response.status === 401 || response.status === 403 || response.status === 404) {
          onState("error", response.status);
          return; // nothing a retry can fix
        }
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
        onState("live");
        delay = 1000;
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          const [events, rest] = parseEvents(buffer);
          buffer = rest;
          for (const event of events) {
            if (event.id !== null) lastId = event.id;
            onEvent(event);
          }
        }
      } catch (error) {
        if (stopped) return;
        onState("error");
      }
      if (stopped) return;
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15000);
    }
  }

  connect();
  return {
    stop() {
      stopped = true;
      if (controller) controller.abort();
    },
  };
}
