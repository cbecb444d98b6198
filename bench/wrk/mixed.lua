-- Mixed terminal load for wrk (issue 5): 80% lookups (a unit of the demo yard by container
-- number; every fifth lookup the yard occupancy), 20% gate transactions (a returned empty
-- gated in, then the same box gated out on the thread's next gate turn).
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
local n = 0
local gate_serial = 0
local pending_out = nil

function init(args)
  math.randomseed(id * 7919)
  wrk.headers["Cookie"] = cookie
  wrk.headers["X-CSRF-Token"] = csrf
end

function request()
  n = n + 1
  if n % 5 == 0 then
    if pending_out then
      local body = '{"container_id":"' .. pending_out .. '","truck_plate":"WRK-' .. id .. '"}'
      pending_out = nil
      return wrk.format("POST", "/api/v1/gate/out", {["Content-Type"] = "application/json"}, body)
    end
    gate_serial = gate_serial + 1
    -- Each thread has its own serials: 900000 + thread * 10000 + k (a returned empty).
    local cid = container("WRK", 900000 + (id % 9) * 10000 + gate_serial % 10000)
    pending_out = cid
    local body = '{"container_id":"' .. cid .. '","truck_plate":"WRK-' .. id ..
      '","size_type":"22G1","category":"storage","freight":"empty","line_operator":"ONE",' ..
      '"gross_kg":2200}'
    return wrk.format("POST", "/api/v1/gate/in", {["Content-Type"] = "application/json"}, body)
  end
  if n % 25 == 1 then
    return wrk.format("GET", "/api/v1/yard/occupancy")
  end
  local k = math.random(0, yard_units - 1)
  return wrk.format("GET", "/api/v1/units/" .. container(owners[(k % 8) + 1], 100000 + k))
end
