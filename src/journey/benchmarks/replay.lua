-- wrk script: replay prepared HTTP/1.1 requests, each exactly once, and time them ourselves.
--
-- Driven by journey.benchmarks.wrk, which runs `wrk -t N -c N -s replay.lua URL -- ARGS`: one
-- connection per wrk thread, so each thread (its own Lua state) knows which request an answer
-- belongs to. ARGS: the requests file (raw requests separated by NUL bytes), the number of
-- threads, the status every answer should have, the interval between one connection's requests
-- in milliseconds (0: closed loop, each request sent as soon as the last is answered) and a
-- folder where each thread leaves a file when it is done.
--
-- Paced (interval > 0), connection k's measured request i is due at
-- start + (k / N + i) * interval, and its latency counts from when it was due, not from when it
-- was sent: a slow answer that holds the next request back is charged to both (no coordinated
-- omission). Each connection first sends a warm-up `GET /health`, not counted; the schedule
-- starts at its answer.
--
-- wrk's main thread sleeps for the whole `-d` duration; the last thread to finish interrupts it
-- (SIGINT, which wrk handles by reporting at once) so a run lasts as long as its requests.

local ffi = require("ffi")
ffi.cdef([[
  typedef struct { long tv_sec; long tv_nsec; } journey_timespec;
  int clock_gettime(int clock_id, journey_timespec *tp);
  int getpid(void);
  int kill(int pid, int sig);
]])
local CLOCK_MONOTONIC = 1
local SIGINT = 2
local clock_value = ffi.new("journey_timespec")

local function now_ms()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, clock_value)
  return tonumber(clock_value.tv_sec) * 1000 + tonumber(clock_value.tv_nsec) / 1e6
end

-- The main Lua state: number the threads, then gather what they measured.
local threads = {}

function setup(thread)
  thread:set("thread_number", #threads)
  table.insert(threads, thread)
end

-- Each thread's Lua state. Globals are what `done` reads back through thread:get.
local requests = {}
local thread_count = 1
local expected_status = 200
local interval = 0
local done_folder = nil
local next_index = 1 -- the request the next `request()` sends (1: the warm-up)
local started_at = 0 -- when the schedule began: the warm-up's answer
local due = 0 -- when the request in flight was due
local scheduled = false -- `delay` ran since the last `request`: the next one goes on the wire
answered = 0
good = 0
first_due = -1
last_answer = -1
latencies = {}

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local data = file:read("*a")
  file:close()
  thread_count = tonumber(args[2])
  expected_status = tonumber(args[3])
  interval = tonumber(args[4])
  done_folder = args[5]
  table.insert(requests, "GET /health HTTP/1.1\r\nHost: bench\r\n\r\n")
  local index, start = 0, 1
  while true do
    local stop = string.find(data, "\0", start, true)
    if not stop then
      break
    end
    if index % thread_count == thread_number then
      table.insert(requests, string.sub(data, start, stop - 1))
    end
    index, start = index + 1, stop + 1
  end
end

local function due_of(index)
  -- index 2 is this connection's first measured request
  return started_at + (thread_number / thread_count + index - 2) * interval
end

function delay()
  scheduled = true
  if next_index > #requests then
    return 3600000 -- nothing left to send: the thread stops at its last answer
  end
  if interval == 0 or next_index == 1 then
    return 0
  end
  due = due_of(next_index)
  local wait = due - now_ms()
  return wait > 0 and math.ceil(wait) or 0 -- never early: latency counts from `due`
end

function request()
  if not scheduled then
    -- wrk calls thread 0's `request` once to check it, before sending anything (every request
    -- that goes out follows a `delay`): that call must not use a request up.
    return requests[1]
  end
  scheduled = false
  local raw = requests[next_index]
  if interval == 0 or next_index == 1 then
    due = now_ms()
  end
  if next_index == 2 then
    first_due = due
  end
  next_index = next_index + 1
  return raw
end

local function all_done()
  for number = 0, thread_count - 1 do
    local file = io.open(done_folder .. "/done-" .. number, "r")
    if not file then
      return false
    end
    file:close()
  end
  return true
end

function response(status, headers, body)
  local at = now_ms()
  if next_index == 2 then -- the warm-up answered: the schedule starts now
    started_at = at
  else
    answered = answered + 1
    if status == expected_status then
      good = good + 1
    end
    latencies[answered] = string.format("%.3f", at - due)
    last_answer = at
  end
  if next_index > #requests then
    assert(io.open(done_folder .. "/done-" .. thread_number, "w")):close()
    if all_done() then
      ffi.C.kill(ffi.C.getpid(), SIGINT)
    end
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local parts = {}
  for _, thread in ipairs(threads) do
    table.insert(
      parts,
      string.format(
        '{"answered": %d, "good": %d, "first_due_ms": %.3f, "last_answer_ms": %.3f, '
          .. '"latencies_ms": [%s]}',
        thread:get("answered"),
        thread:get("good"),
        thread:get("first_due"),
        thread:get("last_answer"),
        table.concat(thread:get("latencies"), ",")
      )
    )
  end
  local errors = summary.errors
  io.write(
    string.format(
      '\nJOURNEY-REPLAY {"threads": [%s], "socket_errors": %d}\n',
      table.concat(parts, ","),
      errors.connect + errors.read + errors.write + errors.timeout
    )
  )
end
