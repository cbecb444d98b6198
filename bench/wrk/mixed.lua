-- Mixed terminal load for wrk (issue 5): 80% lookups (a unit of the demo yard by container
-- number; one request in 25 the yard occupancy), 20% gate transactions (returned empties gated
-- in, and each gated out again 64 gate turns later).
--
-- Environment: MINATO_COOKIE ("__Host-minato_session=..."), MINATO_CSRF, MINATO_YARD_UNITS
-- (how many units of the demo yard group exist: sim/scenario.h, kYardBase).
local owners = {"ONE", "MSK", "CSQ", "MWC", "TGH", "EGH", "NYK", "HLX"}
local letter = {}
do
  local v = 10
  for c = string.byte("A"), string.byte("Z") do
    if v % 11 == 0 then v = v + 1 end
    letter[string.char(c)] = v
    v = v + 1
  end
end

-- ISO 6346 check digit of the first ten characters.
local function with_check(ten)
  local sum, weight = 0, 1
  for i = 1, 10 do
    local ch = ten:sub(i, i)
    local v = letter[ch] or tonumber(ch)
    sum = sum + v * weight
    weight = weight * 2
  end
  return ten .. tostring(sum % 11 % 10)
end

local function container(owner, serial)
  return with_check(string.format("%sU%06d", owner, serial))
end

local threads = {}
local thread_no = 0

function setup(thread)
  thread_no = thread_no + 1
  thread:set("id", thread_no)
  table.insert(threads, thread)
end

local cookie = os.getenv("MINATO_COOKIE")
local csrf = os.getenv("MINATO_CSRF")
local yard_units = tonumber(os.getenv("MINATO_YARD_UNITS") or "9000")
local run = tonumber(os.getenv("MINATO_RUN") or "0")
local n = 0
-- One request in MINATO_WRITE_EVERY is a gate transaction (default 5: 20%; 0: none).
local write_every = tonumber(os.getenv("MINATO_WRITE_EVERY") or "5")
local gate_serial = 0

-- wrk.format replaces wrk.headers when given headers, so writes carry the session too.
local post_headers = nil

function init(args)
  math.randomseed(id * 7919)
  wrk.headers["Cookie"] = cookie
  wrk.headers["X-CSRF-Token"] = csrf
  post_headers = {["Cookie"] = cookie, ["X-CSRF-Token"] = csrf,
                  ["Content-Type"] = "application/json"}
end

-- Boxes gated in and not yet out, oldest first: a box leaves 64 gate turns after it came, so
-- its gate-in has long been answered; each box has a line code of its own, so the yard stacks
-- no other bench box on it.
local in_yard = {}
local first, last = 1, 0

function request()
  n = n + 1
  if write_every > 0 and n % write_every == 0 then
    if last - first >= 64 then
      local cid = in_yard[first]
      in_yard[first] = nil
      first = first + 1
      local body = '{"container_id":"' .. cid .. '","truck_plate":"WRK-' .. id .. '"}'
      return wrk.format("POST", "/api/v1/gate/out", post_headers, body)
    end
    gate_serial = gate_serial + 1
    -- Each run and thread has its own owner code (W + run letter + thread letter), so a box
    -- a previous run left in the yard is never gated in again.
    local k = gate_serial % 100000
    local owner = "W" .. string.char(65 + run % 26) .. string.char(65 + id % 26)
    local cid = container(owner, 800000 + k)
    last = last + 1
    in_yard[last] = cid
    local body = '{"container_id":"' .. cid .. '","truck_plate":"WRK-' .. id ..
      '","size_type":"22G1","category":"storage","freight":"empty","line_operator":"' ..
      string.format("W%d%04d", id % 10, k % 10000) .. '","gross_kg":2200}'
    return wrk.format("POST", "/api/v1/gate/in", post_headers, body)
  end
  if n % 25 == 1 then
    return wrk.format("GET", "/api/v1/yard/occupancy")
  end
  local k = math.random(0, yard_units - 1)
  return wrk.format("GET", "/api/v1/units/" .. container(owners[(k % 8) + 1], 100000 + k))
end

-- With MINATO_WRK_DEBUG set, the first failed answer of each thread is printed (wrk counts
-- them as "Non-2xx or 3xx responses" either way).
if os.getenv("MINATO_WRK_DEBUG") then
  local shown = false
  function response(status, headers, body)
    if status >= 300 and not shown then
      shown = true
      io.stderr:write("status " .. status .. ": " .. body .. "\n")
    end
  end
end
