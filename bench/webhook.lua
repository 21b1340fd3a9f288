-- wrk script: POST one signed webhook body with a fresh X-Shopify-Event-Id per request.
-- Shopify's HMAC covers the body only, so one signature serves every request; the event id
-- header is what makes each delivery a new event. BENCH_DELAY_MS paces each connection.
local body_file = io.open(os.getenv("BENCH_BODY_FILE"), "rb")
local body = body_file:read("*a")
body_file:close()
local run = os.getenv("BENCH_RUN")
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
local counter = 0
local threads_started = 0

-- Runs once per wrk thread, in the main Lua state: give each thread its own tag.
function setup(thread)
  threads_started = threads_started + 1
  thread:set("thread_tag", tostring(threads_started))
end

function request()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["X-Shopify-Topic"] = os.getenv("BENCH_TOPIC"),
    ["X-Shopify-Shop-Domain"] = os.getenv("BENCH_SHOP"),
    ["X-Shopify-Hmac-Sha256"] = os.getenv("BENCH_HMAC"),
    ["X-Shopify-Event-Id"] = run .. "-" .. thread_tag .. "-" .. counter,
    ["X-Shopify-API-Version"] = "2026-01",
  }
  return wrk.format("POST", "/webhooks", headers, body)
end

function delay()
  return delay_ms
end
