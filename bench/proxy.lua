-- wrk script: GET a list of pre-signed paths (one per line in BENCH_PATHS_FILE), round-robin.
-- App-proxy signatures cover the query (SHOPIFY.md §6) and Lua has no HMAC, so the benchmark
-- signs the paths just before each run (timestamps stay inside the 90 s tolerance) and each
-- request takes the next one: many shoppers' logged_in_customer_id, so no one shopper's rate
-- limit is what gets measured. BENCH_DELAY_MS paces each connection (0: as fast as it can).
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS_FILE")) do
  if line ~= "" then
    paths[#paths + 1] = line
  end
end
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local index = 0
local threads_started = 0

-- Runs once per wrk thread, in the main Lua state: threads start at different offsets.
function setup(thread)
  threads_started = threads_started + 1
  thread:set("thread_tag", threads_started)
end

function init(args)
  index = ((thread_tag or 1) - 1) * 7919
end

function request()
  index = index + 1
  return wrk.format("GET", paths[(index % #paths) + 1])
end

function delay()
  return delay_ms
end
